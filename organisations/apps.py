from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .signals import ask_for_new_consent

        user_logged_in.connect(ask_for_new_consent, dispatch_uid="organisations.ask_for_new_consent")
