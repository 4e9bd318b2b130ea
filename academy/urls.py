from django.urls import path

from . import certificate_views, privacy_views, statistics_views, views

app_name = "academy"

urlpatterns = [
    path("", views.home, name="home"),
    path("einfache-sprache/", views.plain_home, name="plain_home"),
    path("einfache-sprache/mitmachen/", views.plain_join, name="plain_join"),
    path("impressum/", views.imprint, name="imprint"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
    path("kontakt/", views.contact, name="contact"),
    path("kontakt/gesendet/", views.contact_sent, name="contact_sent"),
    path("sprache/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("media/<path:name>", views.public_media, name="public_media"),
    path("nachweis/<str:code>/", certificate_views.certificate_verify, name="certificate_verify"),
    path("nachweise/", certificate_views.my_certificates, name="my_certificates"),
    path("nachweise/<int:pk>/pdf/", certificate_views.certificate_download, name="certificate_download"),
    path("konto/meine-daten/", privacy_views.my_data, name="my_data"),
    path("konto/meine-daten/export/", privacy_views.data_export_create, name="data_export_create"),
    path("konto/meine-daten/export/<int:pk>/", privacy_views.data_export_download, name="data_export_download"),
    path("konto/loeschen/", privacy_views.account_delete, name="account_delete"),
    path("konto/geloescht/", privacy_views.account_deleted, name="account_deleted"),
    path("team/statistik/", statistics_views.statistics, name="statistics"),
    path("team/statistik/export.xlsx", statistics_views.statistics_export, name="statistics_export"),
]
