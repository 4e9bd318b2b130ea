from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .signals import ask_for_new_consent

        user_logged_in.connect(ask_for_new_consent, dispatch_uid="organisations.ask_for_new_consent")

        from academy.certificates import certificate_viewers

        from .certificates import admin_may_download, home_slot
        from .slots import home_slots

        if admin_may_download not in certificate_viewers:
            certificate_viewers.append(admin_may_download)
        if home_slot not in home_slots:
            home_slots.append(home_slot)

        from academy.statistics import statistics_section_register

        from .statistics import organisations_section

        statistics_section_register(organisations_section, position=10)

        from academy.dashboard import attention_providers

        from . import dashboard

        if dashboard.attention not in attention_providers:
            attention_providers.append(dashboard.attention)

        from . import privacy

        privacy.register()  # personal data: export, erasure (academy.privacy)
