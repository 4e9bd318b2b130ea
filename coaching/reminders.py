"""The coaching reminder (academy.reminders), registered in CoachingConfig.ready:

`coaching_session`: COACHING_REMINDER_HOURS before each confirmed session, to both sides: the coach and the
organisation's admins, with the meeting link or the place. The key carries the session's version
("session-<id>-<sequence>"), so a moved session is reminded of again at its new time.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from academy.mail import send_templated_mail
from academy.reminders import ReminderKind, reminder_kind_register
from organisations.models import Membership

from .models import Session

SESSION = "coaching_session"


def _upcoming(now: datetime):
    hours = timedelta(hours=settings.COACHING_REMINDER_HOURS)
    return Session.objects.filter(status=Session.Status.CONFIRMED, start__gt=now, start__lte=now + hours)


def due(now: datetime) -> list[tuple[int, str]]:
    """Two queries: the sessions starting within the next hours, then the admins of their organisations."""
    sessions = list(_upcoming(now).order_by().values_list("pk", "sequence", "coach__user_id", "case__organisation_id"))
    if not sessions:
        return []
    admins: dict[int, list[int]] = {}
    for organisation_id, user_id in Membership.objects.filter(
        organisation_id__in={row[3] for row in sessions}, role=Membership.Role.ADMIN, user__is_active=True
    ).values_list("organisation_id", "user_id"):
        admins.setdefault(organisation_id, []).append(user_id)
    result = []
    for pk, sequence, coach_user_id, organisation_id in sessions:
        key = f"session-{pk}-{sequence}"
        for user_id in {coach_user_id, *admins.get(organisation_id, [])}:
            result.append((user_id, key))
    return result


def send(recipient, subject_key: str, kind: str) -> bool:
    try:
        _prefix, pk, sequence = subject_key.split("-")
        pk, sequence = int(pk), int(sequence)
    except ValueError:
        return False
    session = (
        Session.objects.select_related("case__organisation", "coach__user")
        .filter(pk=pk, sequence=sequence, status=Session.Status.CONFIRMED, start__gt=timezone.now())
        .first()
    )
    if session is None:
        return False  # cancelled or moved meanwhile (a moved one has a new key)
    case = session.case
    for_coach = session.coach.user_id == recipient.pk
    if (
        not for_coach
        and not Membership.objects.filter(
            organisation_id=case.organisation_id, user=recipient, role=Membership.Role.ADMIN
        ).exists()
    ):
        return False  # no longer an admin of the organisation
    url = (
        reverse("coaching:coach_case", args=[case.pk])
        if for_coach
        else reverse("coaching:case", args=[case.organisation_id, case.pk])
    )
    with timezone.override("Europe/Berlin"):
        send_templated_mail(
            template="reminder_coaching_session",
            to=[recipient.email],
            context={"person": recipient, "session": session, "case": case, "for_coach": for_coach, "url": url},
            language=recipient.language,
        )
    return True


def register() -> None:
    reminder_kind_register(ReminderKind(name=SESSION, due=due, send=send))
