from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElearningConfig(AppConfig):
    name = "elearning"
    verbose_name = _("Self-learning platform")

    def ready(self):
        from organisations.plan import plan_providers
        from organisations.slots import home_slots

        from .plugins import learning_slot, modules_for_plan

        if learning_slot not in home_slots:
            home_slots.append(learning_slot)
        if modules_for_plan not in plan_providers:
            plan_providers.append(modules_for_plan)

        from . import reminders

        reminders.register()

        from . import statistics

        statistics.register()

        from academy.certificates import certificate_kinds

        from . import certificates

        certificate_kinds[certificates.KIND] = certificates.build

        from . import privacy

        privacy.register()  # personal data: export, erasure (academy.privacy)

        from . import cache

        cache.connect()  # modules and lessons are read anew when staff change them
