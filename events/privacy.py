"""The events' part of a person's personal data (academy.privacy): bookings with attendance and feedback, events
they train; what deleting an account does here; and the retention job for old participant lists.

Deleting an account: bookings of events that have not begun are cancelled through the events service (the
waiting list moves up, under the event's row lock); past bookings and their attendance stay, pointing at the
anonymous account, so the figures stay right. Feedback comments are free text and are erased; the rating stays.

Retention ("participant_lists", daily): an event whose last date ended more than VAMOS_RETENTION_YEARS ago (10 by
default: the funder's evidence) no longer needs names on its participant list. The names on a list come from the
people's accounts, so:
- a participant whose own last activity (last login, else registration) and every booking are older than the
  cutoff is erased entirely, like a deleted account (certificates stay valid without the name): the list then
  shows an anonymous participant and the counts stay the same;
- a participant who is still active keeps their account, and the old booking stays part of it (they see it, can
  export and delete it); it is erased with the account once they, too, have been inactive that long;
- feedback comments on such events are erased (the ratings stay).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from academy.models import User
from academy.privacy import PersonalData, retention_cutoff

from . import services
from .models import Booking, Event, Feedback


def export(*, user) -> list[PersonalData]:
    """Bookings with dates, attendance and feedback; events the person trains (three queries)."""
    bookings = (
        Booking.objects.filter(person=user)
        .select_related("event", "organisation", "feedback")
        .prefetch_related("event__dates", "attendances__event_date")
        .order_by("created_at", "pk")
    )
    rows = []
    for booking in bookings:
        feedback = getattr(booking, "feedback", None)
        rows.append(
            {
                "event": booking.event.title,
                "event_id": booking.event_id,
                "kind": booking.event.kind,
                "format": booking.event.format,
                "dates": [{"start": date.start, "end": date.end} for date in booking.event.dates.all()],
                "organisation": booking.organisation.name if booking.organisation else None,
                "status": booking.status,
                "booked_at": booking.created_at,
                "booked_by_you": booking.booked_by_id in (None, user.pk),
                "moved_up_from_waiting_list_at": booking.promoted_at,
                "cancelled_at": booking.cancelled_at,
                "attendance": [
                    {
                        "date": attendance.event_date.start,
                        "present": attendance.present,
                        "marked_at": attendance.marked_at,
                    }
                    for attendance in sorted(booking.attendances.all(), key=lambda a: a.event_date.start)
                ],
                "feedback": (
                    {"rating": feedback.rating, "comment": feedback.comment, "given_at": feedback.created_at}
                    if feedback
                    else None
                ),
            }
        )
    trained = list(Event.objects.filter(trainers=user).order_by("pk").values("pk", "title"))
    return [
        PersonalData(section="bookings", data=rows),
        PersonalData(section="events_as_trainer", data=trained),
    ]


def _cancel(*, booking: Booking, user, now) -> None:
    try:
        services.booking_cancel(booking=booking, by=user, now=now)
        return
    except ValidationError:
        pass
    # Past the cancellation deadline a person may not cancel a confirmed seat themselves. Someone who deletes
    # their account will not come, so the seat is freed anyway, as staff would: same lock order (event, then
    # booking), same promotion from the waiting list.
    with transaction.atomic():
        event = services._lock_event(booking.event_id)
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status == Booking.Status.CANCELLED:
            return
        was_confirmed = locked.is_confirmed
        locked.status = Booking.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = user
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        if was_confirmed:
            services._count_seats(event, -1)
            services._promote_from_waiting_list(event=event, now=now)


def erase(*, user, keep_certificates: bool, now) -> dict:
    """Cancels the person's bookings of events that have not begun; erases their feedback comments."""
    future = (
        Booking.objects.filter(person=user, status__in=Booking.ACTIVE)
        .filter(event__in=Event.objects.filter(first_start__gt=now).values("pk"))
        .order_by("event_id")
    )
    cancelled = 0
    for booking in list(future):
        _cancel(booking=booking, user=user, now=now)
        cancelled += 1
    comments = 0
    for feedback in Feedback.objects.filter(booking__person=user).exclude(comment=""):
        feedback.comment = ""
        feedback.save(update_fields=["comment"])
        comments += 1
    return {"future_bookings_cancelled": cancelled, "feedback_comments_erased": comments}


def participant_lists_anonymise(*, now) -> tuple:
    """Retention job (see the module docstring). Safe to run twice: erased people are inactive and comments empty,
    so neither is selected again."""
    from academy.privacy import user_erase

    cutoff = retention_cutoff(now)
    old_events = Event.objects.filter(last_end__lt=cutoff).values("pk")
    comments = 0
    for feedback in Feedback.objects.filter(booking__event__in=old_events).exclude(comment=""):
        feedback.comment = ""
        feedback.save(update_fields=["comment"])
        comments += 1
    recent_events = Event.objects.filter(Q(last_end__gte=cutoff) | Q(last_end__isnull=True)).values("pk")
    recent_booking = Booking.objects.filter(person=OuterRef("pk")).filter(
        Q(created_at__gte=cutoff) | Q(event__in=recent_events)
    )
    people = (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .filter(Exists(Booking.objects.filter(person=OuterRef("pk"), event__in=old_events)))
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(Exists(recent_booking))
    )
    erased = 0
    for person in people.iterator():
        user_erase(user=person, keep_certificates=True, now=now)
        erased += 1
    return cutoff, {"participants_anonymised": erased, "feedback_comments_erased": comments}


def register() -> None:
    from academy.privacy import personal_data_erasers, personal_data_providers, retention_jobs

    if export not in personal_data_providers:
        personal_data_providers.append(export)
    if erase not in personal_data_erasers:
        personal_data_erasers.append(erase)
    retention_jobs["participant_lists"] = participant_lists_anonymise
