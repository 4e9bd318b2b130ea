"""Mails of the events app. The services enqueue them with transaction.on_commit; each task takes ids, locks
the booking's row and records the sent mail (EventMail, unique per booking, kind and change number), so
running a task twice sends once. SMTP errors (OSError) are retried with backoff."""

from celery import shared_task
from django.db import transaction
from django.utils import translation

from academy.mail import send_templated_mail

from . import ics
from .models import Booking, Event, EventMail
from .selectors import booking_waiting_position
from .services import CHANGES

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
