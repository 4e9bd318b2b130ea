from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "VAMOs"
admin.site.site_title = "VAMOs"

urlpatterns = [
    path("", include("academy.urls")),
    path("konto/", include("allauth.urls")),
    path("organisationen/", include("organisations.urls")),
    path("coaching/", include("coaching.urls")),
    path("lernen/", include("elearning.urls")),
    path("veranstaltungen/", include("events.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
