from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = _("Academy")

    def ready(self):
        from .db import use_compiled_timestamptz_loader

        connection_created.connect(use_compiled_timestamptz_loader, dispatch_uid="academy.compiled_timestamptz_loader")

        from .signals import sync_roles_and_site

        # post_migrate is sent once per app; the last call sees every app's permissions.
        post_migrate.connect(sync_roles_and_site, dispatch_uid="academy.sync_roles_and_site")

        from django.contrib.auth.signals import user_logged_in

        from .roles import remember_roles

        user_logged_in.connect(remember_roles, dispatch_uid="academy.remember_roles")
