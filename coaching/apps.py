from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = _("Coaching and team development")

    def ready(self):
        from academy.calendar import calendar_providers
        from academy.roles import role_probes
        from organisations.plan import plan_providers
        from organisations.slots import home_slots

        from . import integrations

        if integrations.home_slot not in home_slots:
            home_slots.append(integrations.home_slot)
        if integrations.plan_items not in plan_providers:
            plan_providers.append(integrations.plan_items)
        if integrations.calendar_entries not in calendar_providers:
            calendar_providers.append(integrations.calendar_entries)
        role_probes["coach"] = integrations.is_coach

        from . import reminders

        reminders.register()

        from . import statistics

        statistics.register()

        from academy.certificates import certificate_kinds

        from . import certificates

        certificate_kinds[certificates.KIND] = certificates.build

        from academy.dashboard import attention_providers

        from . import dashboard

        if dashboard.attention not in attention_providers:
            attention_providers.append(dashboard.attention)

        from . import privacy

        privacy.register()  # personal data: export, erasure (academy.privacy)
