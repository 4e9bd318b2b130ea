"""The e-learning reminder (academy.reminders), registered in ElearningConfig.ready:

`elearning_nudge`: a person who started a module and has not come back for ELEARNING_NUDGE_AFTER_DAYS gets
one gentle reminder per module (key "module-<id>"), unless they switched reminders off on "My learning".
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from academy.mail import send_templated_mail
from academy.reminders import ReminderKind, reminder_kind_register

from .models import Enrolment, LearningPreferences

NUDGE = "elearning_nudge"
# Enrolments idle for longer than this on top are left alone (e.g. when the reminders are first switched on).
WINDOW = timedelta(days=30)


def _idle(now: datetime):
    idle_since = now - timedelta(days=settings.ELEARNING_NUDGE_AFTER_DAYS)
    switched_off = LearningPreferences.objects.filter(user=OuterRef("user"), reminders=False)
    return Enrolment.objects.filter(
        completed_at__isnull=True,
        last_active_at__lte=idle_since,
        last_active_at__gt=idle_since - WINDOW,
        module__is_published=True,
        user__is_active=True,
    ).exclude(Exists(switched_off))


def due(now: datetime) -> list[tuple[int, str]]:
    """One query, whatever the number of enrolments."""
    return [(user_id, f"module-{module_id}") for user_id, module_id in _idle(now).values_list("user_id", "module_id")]


def send(recipient, subject_key: str, kind: str) -> bool:
    try:
        module_id = int(subject_key.removeprefix("module-"))
    except ValueError:
        return False
    enrolment = _idle(timezone.now()).select_related("module").filter(user=recipient, module_id=module_id).first()
    if enrolment is None:
        return False  # came back, completed it or switched reminders off meanwhile
    with timezone.override("Europe/Berlin"):
        send_templated_mail(
            template="reminder_elearning_nudge",
            to=[recipient.email],
            context={
                "person": recipient,
                "enrolment": enrolment,
                "module": enrolment.module,
                "module_url": reverse("elearning:module", args=[enrolment.module.slug]),
                "preferences_url": reverse("elearning:my_learning"),
            },
            language=recipient.language,
        )
    return True


def register() -> None:
    reminder_kind_register(ReminderKind(name=NUDGE, due=due, send=send))
