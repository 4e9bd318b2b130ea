"""Mails of the coaching app. Each task takes ids, loads the rows and sends one mail per recipient in their
language. Safe to run twice: before each mail a SentNotification with a unique key (mail, object, version,
address) is created in the same transaction; a key that exists already means the mail went out. SMTP errors
(OSError) roll that record back and are retried with backoff."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from academy.mail import send_templated_mail

from . import ics, selectors
from .models import CoachingCase, CoachProfile, SentNotification, Session

RETRY = {
    "bind": True,
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 60 * 30,
    "max_retries": 8,
    "time_limit": 60,
    "soft_time_limit": 50,
}


def _send_once(*, key: str, template: str, to: str, language: str, context: dict, attachments=()) -> None:
    with transaction.atomic():
        _record, created = SentNotification.objects.get_or_create(key=key[:200])
        if not created:
            return
        _send(template=template, to=to, language=language, context=context, attachments=attachments)


def _send(*, template: str, to: str, language: str, context: dict, attachments=()) -> None:
    send_templated_mail(
        template=template, to=[to], context=context, language=language, attachments=list(attachments) or None
    )


def _organisation_recipients(case: CoachingCase) -> list[tuple[str, str]]:
    return selectors.organisation_admin_emails(organisation_id=case.organisation_id)


def _case(case_id: int) -> CoachingCase | None:
    return CoachingCase.objects.select_related("organisation", "coach__user", "requested_by").filter(pk=case_id).first()


def _urls(case: CoachingCase) -> dict:
    return {
        "organisation_url": reverse("coaching:case", args=[case.organisation_id, case.pk]),
        "coach_url": reverse("coaching:coach_case", args=[case.pk]),
    }


@shared_task(**RETRY)
def notify_staff_of_case(self, case_id: int) -> None:
    """Tells the VAMOs team about a new request. Key: case-submitted-<id>."""
    case = _case(case_id)
    if case is None:
        return
    _send_once(
        key=f"case-submitted-{case.pk}",
        template="coaching_case_submitted",
        to=settings.VAMOS_TEAM_EMAIL,
        language=settings.LANGUAGE_CODE,
        context={"case": case, "admin_url": reverse("admin:coaching_coachingcase_change", args=[case.pk])},
    )


@shared_task(**RETRY)
def notify_case_assigned(self, case_id: int, coach_id: int) -> None:
    """Tells the organisation's admins and the coach. Key: case-assigned-<case>-<coach>-<address>."""
    case = _case(case_id)
    coach = CoachProfile.objects.select_related("user").filter(pk=coach_id).first()
    if case is None or coach is None or case.coach_id != coach.pk:
        return  # reassigned meanwhile: the newer task tells the newer coach
    context = {"case": case, "coach": coach, **_urls(case)}
    for email, language in _organisation_recipients(case):
        _send_once(
            key=f"case-assigned-{case.pk}-{coach.pk}-{email}",
            template="coaching_case_assigned",
            to=email,
            language=language,
            context={**context, "for_coach": False},
        )
    _send_once(
        key=f"case-assigned-{case.pk}-{coach.pk}-{coach.user.email}",
        template="coaching_case_assigned",
        to=coach.user.email,
        language=coach.user.language,
        context={**context, "for_coach": True},
    )


@shared_task(**RETRY)
def notify_case_declined(self, case_id: int) -> None:
    """Tells the organisation's admins why the request was declined. Key: case-declined-<id>-<address>."""
    case = _case(case_id)
    if case is None or case.status != CoachingCase.Status.DECLINED:
        return
    for email, language in _organisation_recipients(case):
        _send_once(
            key=f"case-declined-{case.pk}-{email}",
            template="coaching_case_declined",
            to=email,
            language=language,
            context={"case": case, **_urls(case)},
        )


@shared_task(**RETRY)
def notify_case_completed(self, case_id: int) -> None:
    """Asks the organisation's admins for feedback. Key: case-completed-<id>-<address>."""
    case = _case(case_id)
    if case is None or case.status != CoachingCase.Status.COMPLETED:
        return
    for email, language in _organisation_recipients(case):
        _send_once(
            key=f"case-completed-{case.pk}-{email}",
            template="coaching_case_completed",
            to=email,
            language=language,
            context={"case": case, **_urls(case)},
        )


def session_ics_event(session: Session, *, summary: str) -> ics.IcsEvent:
    location = session.meeting_link if session.format == "online" else session.place
    return ics.IcsEvent(
        uid=f"coaching-session-{session.pk}@vamos",
        start=session.start,
        end=session.end,
        summary=summary,
        sequence=session.sequence,
        location=location,
        description=session.meeting_link,
        url=settings.SITE_URL + reverse("coaching:case", args=[session.case.organisation_id, session.case_id]),
        cancelled=session.status == Session.Status.CANCELLED,
        organizer_email=settings.VAMOS_TEAM_EMAIL,
    )


@shared_task(**RETRY)
def notify_session(self, session_id: int, event: str, sequence: int) -> None:
    """Tells the coach and the organisation's admins about a booked, proposed, confirmed, moved or cancelled
    session, with an .ics. Key: session-<id>-<sequence>-<address>; a task for an older version of the session
    (sequence lower than now) is skipped, the newer one carries the current .ics."""
    session = (
        Session.objects.select_related("case__organisation", "coach__user", "cancelled_by")
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.sequence != sequence:
        return
    case = session.case
    recipients = [*_organisation_recipients(case), (session.coach.user.email, session.coach.user.language)]
    for email, language in recipients:
        with translation.override(language):
            summary = translation.gettext("VAMOs coaching: %(organisation)s with %(coach)s") % {
                "organisation": case.organisation.name,
                "coach": session.coach.name,
            }
        content = ics.calendar([session_ics_event(session, summary=summary)])
        method = "CANCEL" if session.status == Session.Status.CANCELLED else "REQUEST"
        _send_once(
            key=f"session-{session.pk}-{sequence}-{email}",
            template="coaching_session",
            to=email,
            language=language,
            context={
                "session": session,
                "case": case,
                "event": event,
                "for_coach": email == session.coach.user.email,
                **_urls(case),
            },
            attachments=[("coaching.ics", content.encode(), f"text/calendar; charset=utf-8; method={method}")],
        )
