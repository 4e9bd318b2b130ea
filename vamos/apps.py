from django.contrib.admin.apps import AdminConfig


class VamosAdminConfig(AdminConfig):
    """In INSTALLED_APPS instead of "django.contrib.admin": `admin.site` is a vamos.admin_site.VamosAdminSite
    (the same admin, with the list of apps and models kept per process)."""

    default_site = "vamos.admin_site.VamosAdminSite"
