from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Seminars and events")

    def ready(self):
        from academy.calendar import calendar_providers
        from organisations.participation import participation_providers
        from organisations.plan import plan_providers
        from organisations.slots import home_slots

        from . import hooks

        for registry, provider in (
            (home_slots, hooks.home_slot),
            (plan_providers, hooks.plan_items),
            (participation_providers, hooks.participation),
            (calendar_providers, hooks.calendar_entries),
        ):
            if provider not in registry:
                registry.append(provider)

        from academy.roles import role_probes

        from . import web

        role_probes["trainer"] = web.is_trainer  # the header's "Attendance" link

        from academy.certificates import certificate_kinds

        from . import certificates

        certificate_kinds[certificates.KIND] = certificates.build

        from . import reminders

        reminders.register()

        from . import statistics

        statistics.register()

        from academy.dashboard import attention_providers

        from . import dashboard

        if dashboard.attention not in attention_providers:
            attention_providers.append(dashboard.attention)

        from django.db.models.signals import post_delete, post_save

        from .models import EventDate, event_dates_changed

        post_save.connect(event_dates_changed, sender=EventDate, dispatch_uid="events-dates-span-save")
        post_delete.connect(event_dates_changed, sender=EventDate, dispatch_uid="events-dates-span-delete")

        from . import cache, privacy

        cache.connect()  # the catalogue's cached results are refreshed when events, dates or bookings change

        privacy.register()  # personal data: export, erasure, retention of participant lists (academy.privacy)
