from django.urls import path

from . import views

app_name = "elearning"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mein-lernen/", views.my_learning, name="my_learning"),
    path("mein-lernen/erinnerungen/", views.reminders_set, name="reminders_set"),
    path("mein-lernen/teilen/<int:membership_id>/", views.sharing_set, name="sharing_set"),
    path("materialien/", views.material_list, name="materials"),
    path("materialien/<int:pk>/download/", views.material_download, name="material_download"),
    path("anhang/<int:pk>/", views.attachment_download, name="attachment"),
    path("versuch/<int:pk>/", views.attempt_detail, name="attempt"),
    path("organisation/<int:pk>/", views.organisation_progress, name="organisation_progress"),
    path("module/<slug:slug>/", views.module_detail, name="module"),
    path("module/<slug:slug>/starten/", views.module_start, name="start"),
    path("module/<slug:slug>/lektion/<int:pk>/", views.lesson_detail, name="lesson"),
    path("module/<slug:slug>/lektion/<int:pk>/erledigt/", views.lesson_done, name="lesson_done"),
    path("module/<slug:slug>/lektion/<int:pk>/quiz/", views.quiz_submit, name="quiz"),
    path("module/<slug:slug>/lektion/<int:pk>/video/", views.lesson_video, name="video"),
]
