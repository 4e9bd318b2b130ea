from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "VAMOs"
admin.site.site_title = "VAMOs"
# No second login form: /admin/login/ sends visitors to allauth's login (rate limits, two-factor step) with
# `next` back to the admin page asked for, and refuses (403) a signed-in person who is not staff.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("academy.urls")),
    path("konto/", include("allauth.urls")),
    path("organisationen/", include("organisations.urls")),
    path("coaching/", include("coaching.urls")),
    path("lernen/", include("elearning.urls")),
    path("veranstaltungen/", include("events.urls")),
    path("admin/", admin.site.urls),
]
