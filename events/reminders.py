"""The events app's reminders (academy.reminders), registered in EventsConfig.ready:

- `event_before`: confirmed participants, EVENTS_REMINDER_DAYS before the first date (key "event-<id>-<days>d");
  with dates, place or online link, the .ics and how to cancel. A booking made after an offset's moment only
  gets the later reminders.
- `event_waiting`: people still on the waiting list, EVENTS_WAITING_NOTICE_DAYS before the first date.
- `event_thanks`: confirmed participants, the day after the last date (from 9:00 Berlin time): thanks and a
  link to the feedback form (the certificate hook is the template's `certificate` block).

Only published events with `send_reminders` on; never for cancelled bookings or events. `send` checks this
again when the mail goes out, so a booking cancelled after the decision gets nothing.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation

from academy.mail import send_templated_mail
from academy.models import Certificate
from academy.reminders import ReminderKind, batch_memo, reminder_kind_register

from . import ics
from .certificates import subject_key as certificate_subject
from .models import Booking, Event, EventDate

BEFORE = "event_before"
WAITING = "event_waiting"
THANKS = "event_thanks"

BERLIN = ZoneInfo("Europe/Berlin")


def _events(**filters):
    return (
        Event.objects.filter(status=Event.Status.PUBLISHED, send_reminders=True, **filters)
        .order_by()
        .values_list("pk", "first_start", "last_end")
    )


def _bookings(event_ids, status):
    return (
        Booking.objects.filter(event_id__in=event_ids, status=status, person__isnull=False, person__is_active=True)
        .order_by()
        .values_list("event_id", "person_id", "created_at")
    )


def _offsets() -> list[int]:
    return sorted({int(days) for days in settings.EVENTS_REMINDER_DAYS}, reverse=True)


def due_before(now: datetime) -> list[tuple[int, str]]:
    """Two queries: the events starting within the largest offset, then their confirmed bookings."""
    offsets = _offsets()
    if not offsets:
        return []
    events = {
        pk: start for pk, start, _end in _events(first_start__gt=now, first_start__lte=now + timedelta(offsets[0]))
    }
    if not events:
        return []
    result = []
    for event_id, person_id, booked_at in _bookings(list(events), Booking.Status.CONFIRMED):
        start = events[event_id]
        # The offset whose moment has passed most recently; earlier offsets are superseded by it.
        for days in reversed(offsets):
            moment = start - timedelta(days=days)
            if moment <= now:
                if booked_at <= moment:
                    result.append((person_id, f"event-{event_id}-{days}d"))
                break
    return result


def due_waiting(now: datetime) -> list[tuple[int, str]]:
    days = settings.EVENTS_WAITING_NOTICE_DAYS
    events = {pk: start for pk, start, _end in _events(first_start__gt=now, first_start__lte=now + timedelta(days))}
    if not events:
        return []
    return [
        (person_id, f"event-{event_id}")
        for event_id, person_id, booked_at in _bookings(list(events), Booking.Status.WAITING)
        if booked_at <= events[event_id] - timedelta(days=days)
    ]


def thanks_from(last_end: datetime) -> datetime:
    """9:00 Berlin time on the day after the last date."""
    day = timezone.localtime(last_end, BERLIN).date() + timedelta(days=1)
    return datetime.combine(day, time(9), tzinfo=BERLIN)


def due_thanks(now: datetime) -> list[tuple[int, str]]:
    window = timedelta(days=settings.EVENTS_THANKS_WITHIN_DAYS)
    events = [
        pk
        for pk, _start, end in _events(last_end__lt=now, last_end__gte=now - window - timedelta(days=2))
        if thanks_from(end) <= now < thanks_from(end) + window
    ]
    if not events:
        return []
    return [
        (person_id, f"event-{event_id}") for event_id, person_id, _at in _bookings(events, Booking.Status.CONFIRMED)
    ]


def _booking(recipient, subject_key: str, status: str) -> Booking | None:
    """The re-check: the person's booking in this status, of a published event that sends reminders (one query,
    per reminder). Its event, with the dates, is read once per batch of reminders (academy.reminders.batch_memo)."""
    try:
        event_id = int(subject_key.split("-")[1])
    except (IndexError, ValueError):
        return None
    booking = (
        Booking.objects.filter(
            event_id=event_id,
            person=recipient,
            status=status,
            event__status=Event.Status.PUBLISHED,
            event__send_reminders=True,
        )
        .order_by()
        .first()
    )
    if booking is not None:
        booking.event = _event(event_id)
    return booking


def _event(event_id: int) -> Event:
    memo = batch_memo()
    key = ("events.Event", event_id)
    if memo is not None and key in memo:
        return memo[key]
    event = Event.objects.prefetch_related(Prefetch("dates", queryset=EventDate.objects.order_by("start", "pk"))).get(
        pk=event_id
    )
    if memo is not None:
        memo[key] = event
    return event


def _context(booking: Booking, recipient) -> dict:
    event = booking.event
    confirmed = booking.is_confirmed
    return {
        "person": recipient,
        "booking": booking,
        "event": event,
        "dates": list(event.dates.all()),  # prefetched in order by _event
        "place": event.place,
        "event_url": event.get_absolute_url(),
        "online_link": event.online_link if confirmed and event.has_online_link else "",
        "cancel_url": reverse("events:cancel", args=[booking.pk]),
    }


def _mail(*, template: str, recipient, context: dict, attachments=None) -> None:
    with timezone.override(BERLIN):
        send_templated_mail(
            template=template,
            to=[recipient.email],
            context=context,
            language=recipient.language,
            attachments=attachments,
        )


def send_before(recipient, subject_key: str, kind: str) -> bool:
    booking = _booking(recipient, subject_key, Booking.Status.CONFIRMED)
    if booking is None:
        return False
    context = _context(booking, recipient)
    if not context["dates"] or context["dates"][0].start <= timezone.now():
        return False
    with translation.override(recipient.language):
        content = ics.event_ics(event=booking.event, include_online_link=True)
    context["days"] = subject_key.rsplit("-", 1)[-1].removesuffix("d")
    attachments = [("vamos-event.ics", content.encode("utf-8"), ics.MIME_TYPE)]
    _mail(template="reminder_event_before", recipient=recipient, context=context, attachments=attachments)
    return True


def send_waiting(recipient, subject_key: str, kind: str) -> bool:
    booking = _booking(recipient, subject_key, Booking.Status.WAITING)
    if booking is None:
        return False
    context = _context(booking, recipient)
    if not context["dates"] or context["dates"][0].start <= timezone.now():
        return False
    _mail(template="reminder_event_waiting", recipient=recipient, context=context)
    return True


def send_thanks(recipient, subject_key: str, kind: str) -> bool:
    booking = _booking(recipient, subject_key, Booking.Status.CONFIRMED)
    if booking is None:
        return False
    context = _context(booking, recipient)
    context["feedback_url"] = reverse("events:feedback", args=[booking.pk])
    # Those who attended get their certificate with the thanks, when it is made by then.
    certificate = (
        Certificate.objects.filter(
            kind=Certificate.Kind.EVENT,
            subject_key=certificate_subject(booking.event_id),
            recipient=recipient,
            revoked_at__isnull=True,
        )
        .exclude(file="")
        .first()
    )
    attachments = []
    if certificate is not None:
        with certificate.file.open("rb") as pdf:
            attachments.append((f"vamos-{certificate.code}.pdf", pdf.read(), "application/pdf"))
    context["certificate"] = certificate
    _mail(template="reminder_event_thanks", recipient=recipient, context=context, attachments=attachments)
    return True


def register() -> None:
    reminder_kind_register(ReminderKind(name=BEFORE, due=due_before, send=send_before))
    reminder_kind_register(ReminderKind(name=WAITING, due=due_waiting, send=send_waiting))
    reminder_kind_register(ReminderKind(name=THANKS, due=due_thanks, send=send_thanks))
