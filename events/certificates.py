"""Participation certificates (Teilnahmebescheinigungen) for events, through academy.certificates.

Rule: a confirmed participant gets a certificate once attendance has been taken for the event's last date
and they were present at one date or more; it lists the dates they were present and their hours. The kind is
registered in EventsConfig.ready; attendance_mark calls `issue_after_attendance` and staff's admin action
`participants_due` (one task per participant).
"""

from django.db.models import Exists, OuterRef, Subquery

from academy.certificates import CertificateContent
from academy.models import Certificate
from academy.outbox import enqueue

from .models import Attendance, Booking, Event, EventDate

KIND = Certificate.Kind.EVENT


def subject_key(event_id: int) -> str:
    return f"event:{event_id}"


def _last_date(event_id: int) -> EventDate | None:
    return EventDate.objects.filter(event_id=event_id).order_by("-end", "-pk").first()


def participants_due(*, event: Event) -> list[int]:
    """The ids of the people due a certificate: confirmed, present at least once, last date marked (two queries)."""
    last = _last_date(event.pk)
    if last is None:
        return []
    present = Attendance.objects.filter(booking=OuterRef("pk"), present=True)
    marked_last = Attendance.objects.filter(booking=OuterRef("pk"), event_date=last)
    return list(
        Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED, person__isnull=False)
        .filter(Exists(present), Exists(marked_last))
        .values_list("person_id", flat=True)
    )


def _booking_is_due(booking: Booking) -> bool:
    """participants_due's rule for one booking (one query): present at a date, and the last date marked. Asking
    participants_due for the whole event here made a bulk issue quadratic in the number of participants."""
    last = EventDate.objects.filter(event_id=booking.event_id).order_by("-end", "-pk").values("pk")[:1]
    attendances = Attendance.objects.filter(booking=booking)
    return (
        Booking.objects.filter(pk=booking.pk)
        .filter(Exists(attendances.filter(present=True)), Exists(attendances.filter(event_date=Subquery(last))))
        .exists()
    )


def build(*, subject_key: str, recipient) -> CertificateContent | None:
    """What the certificate of `recipient` for the event says, or None when the rule is not met."""
    event_id = int(subject_key.removeprefix("event:"))
    event = Event.objects.filter(pk=event_id).prefetch_related("topics", "trainers").first()
    booking = (
        Booking.objects.filter(event_id=event_id, person=recipient, status=Booking.Status.CONFIRMED)
        .select_related("organisation")
        .first()
    )
    if event is None or booking is None or not _booking_is_due(booking):
        return None
    dates = list(
        EventDate.objects.filter(event=event, attendances__booking=booking, attendances__present=True).order_by("start")
    )
    minutes = sum((date.end - date.start).total_seconds() / 60 for date in dates)
    return CertificateContent(
        title=event.title,
        organisation_id=booking.organisation_id,
        organisation_name=booking.organisation.name if booking.organisation else "",
        details={
            "dates": [{"start": date.start.isoformat(), "end": date.end.isoformat()} for date in dates],
            "hours": round(minutes / 60, 1),
            "topics": [topic.name for topic in event.topics.all()],
            "place": "" if event.is_online else event.place,
            "online": event.has_online_link,
            "trainers": [trainer.get_full_name() for trainer in event.trainers.all()],
            "contents": event.learning_goals or event.description,
            "format": event.get_format_display(),
        },
    )


def issue_after_attendance(*, booking: Booking, event_date: EventDate) -> None:
    """Called by attendance_mark: once the last date is marked, issue to this participant after commit."""
    last = _last_date(booking.event_id)
    if last is None or last.pk != event_date.pk or booking.person_id is None:
        return
    from academy.tasks import issue_certificate

    key, person_id = subject_key(booking.event_id), booking.person_id
    enqueue(issue_certificate, KIND, key, person_id)


def issue_for_event(*, event: Event) -> int:
    """Staff's bulk issuing: one task per participant due (enqueued after commit). Returns how many."""
    from academy.tasks import issue_certificate

    people = participants_due(event=event)
    key = subject_key(event.pk)
    for person_id in people:
        enqueue(issue_certificate, KIND, key, person_id)
    return len(people)


def progress(*, event: Event) -> dict:
    """For the admin: how many are due, issued and rendered (three queries)."""
    issued = Certificate.objects.filter(kind=KIND, subject_key=subject_key(event.pk), recipient__isnull=False)
    return {
        "due": len(participants_due(event=event)),
        "issued": issued.count(),
        "rendered": issued.filter(rendered_at__isnull=False).count(),
    }
