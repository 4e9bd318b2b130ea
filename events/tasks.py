"""Mails of the events app. The services enqueue them with transaction.on_commit; each task takes ids, locks
the booking's row and records the sent mail (EventMail, unique per booking, kind and change number), so
running a task twice sends once. SMTP errors (OSError) are retried with backoff."""

import logging

from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.utils import translation

from academy.mail import send_templated_mail
from academy.outbox import enqueue

from . import ics
from .models import Booking, Event, EventMail, EventMessage
from .selectors import booking_waiting_position
from .services import CHANGES

logger = logging.getLogger(__name__)

RETRY = {
    "bind": True,
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 60 * 30,
    "max_retries": 8,
    "time_limit": 60,
    "soft_time_limit": 50,
}

TEMPLATES = {
    EventMail.Kind.CONFIRMED: "event_booking_confirmed",
    EventMail.Kind.WAITING: "event_booking_waiting",
    EventMail.Kind.PROMOTED: "event_booking_promoted",
    EventMail.Kind.CANCELLED: "event_booking_cancelled",
    EventMail.Kind.EVENT_CANCELLED: "event_cancelled",
    EventMail.Kind.EVENT_CHANGED: "event_changed",
}

# A mail is only sent while what it says is still true (a seat confirmed and then cancelled before the
# worker ran gets the cancellation mail only).
STILL_TRUE = {
    EventMail.Kind.CONFIRMED: lambda b: b.status == Booking.Status.CONFIRMED,
    EventMail.Kind.WAITING: lambda b: b.status == Booking.Status.WAITING,
    EventMail.Kind.PROMOTED: lambda b: b.status == Booking.Status.CONFIRMED,
    EventMail.Kind.CANCELLED: lambda b: b.status == Booking.Status.CANCELLED,
    EventMail.Kind.EVENT_CANCELLED: lambda b: b.event.status == Event.Status.CANCELLED,
    EventMail.Kind.EVENT_CHANGED: lambda b: b.is_active and b.event.status == Event.Status.PUBLISHED,
}

# Mails that carry the event's .ics (to confirmed people: with the online link).
WITH_ICS = {EventMail.Kind.CONFIRMED, EventMail.Kind.PROMOTED, EventMail.Kind.EVENT_CHANGED}


@shared_task(**RETRY)
def send_booking_mail(self, booking_id: int, kind: str, sequence: int = 0, changes: list[str] | None = None) -> None:
    """Mails the booked person about their booking, in their language: confirmed (with the .ics), waiting
    (with the position), promoted, cancelled, event cancelled (with staff's message) or event changed.

    Guard: an EventMail row (booking, kind, sequence) written in the transaction that holds the booking's
    row lock; a mail already recorded is skipped, and a mail whose news is no longer true is not sent.
    The online link is in the mail (and the .ics) only while the booking is confirmed.
    """
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("event", "person", "organisation")
            .filter(pk=booking_id)
            .first()
        )
        if booking is None or booking.person is None or kind not in TEMPLATES:
            return
        if EventMail.objects.filter(booking=booking, kind=kind, sequence=sequence).exists():
            return
        if not STILL_TRUE[kind](booking):
            return
        person = booking.person
        event = booking.event
        confirmed = booking.status == Booking.Status.CONFIRMED
        dates = list(event.dates.order_by("start", "pk"))
        with translation.override(person.language):
            context = {
                "person": person,
                "booking": booking,
                "event": event,
                "dates": dates,
                "place": event.place,
                "event_url": event.get_absolute_url(),
                "online_link": event.online_link if confirmed and event.has_online_link else "",
                "position": booking_waiting_position(booking=booking),
                "message": event.cancellation_message,
                "changes": [str(CHANGES[key]) for key in changes or () if key in CHANGES],
            }
            attachments = []
            if (kind in WITH_ICS and confirmed) or (kind == EventMail.Kind.EVENT_CANCELLED and dates):
                event.sequence = max(event.sequence, sequence)
                content = ics.calendar_ics(
                    entries=ics.event_entries(event=event, include_online_link=confirmed, dates=dates),
                    name=event.title,
                    sequences={ics.date_uid(d): event.sequence for d in dates},
                )
                attachments.append(("vamos-event.ics", content.encode("utf-8"), ics.MIME_TYPE))
        send_templated_mail(
            template=TEMPLATES[kind],
            to=[person.email],
            context=context,
            language=person.language,
            attachments=attachments,
        )
        EventMail.objects.create(booking=booking, kind=kind, sequence=sequence)


# ---- staff's messages to participants ----------------------------------------------------------------------------


@shared_task
def send_event_message_fan_out(message_id: int) -> int:
    """Enqueues one send_event_message per person the message is for: the bookings of its event that are now
    confirmed, waiting or either (its audience) and have not received it yet. Returns how many were enqueued.

    Safe to run twice (and what staff's "send again" does): a second run enqueues only those still without
    the message, and each recipient's task checks and writes the EventMail record under the booking's lock.
    """
    message = EventMessage.objects.filter(pk=message_id).first()
    if message is None:
        return 0
    audience = Booking.objects.filter(event_id=message.event_id, status__in=message.statuses, person__isnull=False)
    received = EventMail.objects.filter(kind=EventMail.Kind.MESSAGE, sequence=message.pk, booking__in=audience)
    pending = list(audience.exclude(pk__in=received.values("booking")).order_by("pk").values_list("pk", flat=True))
    EventMessage.objects.filter(pk=message.pk).update(recipient_count=received.count() + len(pending))
    for booking_id in pending:
        enqueue(send_event_message, message.pk, booking_id)
    return len(pending)


def _event_message_deliver(*, message_id: int, booking_id: int) -> bool:
    """Sends the message to the booked person, in their language, and records it; False when nothing was sent
    (recorded already, no longer in the audience, person deleted). Raises OSError on SMTP failure (rolled back)."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("event", "person")
            .filter(pk=booking_id)
            .first()
        )
        message = EventMessage.objects.filter(pk=message_id).first()
        if booking is None or message is None or booking.person is None or booking.event_id != message.event_id:
            return False
        if EventMail.objects.filter(booking=booking, kind=EventMail.Kind.MESSAGE, sequence=message.pk).exists():
            return False
        if booking.status not in message.statuses:
            return False
        person = booking.person
        event = booking.event
        with translation.override(person.language):
            context = {
                "person": person,
                "booking": booking,
                "event": event,
                "dates": list(event.dates.order_by("start", "pk")),
                "place": event.place,
                "event_url": event.get_absolute_url(),
                "message": message,
            }
        send_templated_mail(template="event_message", to=[person.email], context=context, language=person.language)
        EventMail.objects.create(booking=booking, kind=EventMail.Kind.MESSAGE, sequence=message.pk)
        locked = EventMessage.objects.select_for_update().get(pk=message.pk)
        locked.failed_bookings = [pk for pk in locked.failed_bookings if pk != booking.pk]
        locked.failed_count = len(locked.failed_bookings)
        locked.sent_count = F("sent_count") + 1
        locked.save(update_fields=["failed_bookings", "failed_count", "sent_count"])
        return True


def _event_message_record_failure(*, message_id: int, booking_id: int, error: BaseException) -> None:
    """Records that the message could not be sent to one booking after the last retry (a set: recording twice
    counts once); the dashboard and the message's admin page show it, and staff can send it again."""
    with transaction.atomic():
        message = EventMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or booking_id in message.failed_bookings:
            return
        message.failed_bookings = [*message.failed_bookings, booking_id]
        message.failed_count = len(message.failed_bookings)
        message.save(update_fields=["failed_bookings", "failed_count"])
    logger.warning("event message %s to booking %s failed: %s", message_id, booking_id, error)


@shared_task(**RETRY)
def send_event_message(self, message_id: int, booking_id: int) -> bool:
    """Sends staff's message to one booked person. Safe to run twice: the EventMail record (booking, "message",
    message id) is checked and written in the transaction that holds the booking's row lock. SMTP errors
    (OSError) are retried with backoff; after the last retry the booking is recorded as failed on the message."""
    try:
        return _event_message_deliver(message_id=message_id, booking_id=booking_id)
    except OSError as error:
        if self.request.retries >= self.max_retries:
            _event_message_record_failure(message_id=message_id, booking_id=booking_id, error=error)
        raise
