import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from academy.models import Topic
from events.models import Attendance, Booking, Event, EventMail, EventMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_data", stdout=io.StringIO())


def test_demo_events_cover_a_year_with_consistent_bookings_attendance_and_a_message_and_load_twice(demo, client):
    now = timezone.now()
    events = list(Event.objects.with_waiting_count().prefetch_related("topics"))
    published = [e for e in events if e.status == Event.Status.PUBLISHED]

    assert {e.kind for e in published} == set(Event.Kind.values)
    assert {e.format for e in published} == set(Event.Format.values)
    assert {(e.kind, e.format) for e in published} == {(k, f) for k in Event.Kind.values for f in Event.Format.values}
    assert 35 <= len(events) <= 45
    assert {t.pk for e in published for t in e.topics.all()} == set(Topic.objects.values_list("pk", flat=True))
    assert any(e.last_end < now for e in published) and any(e.first_start > now for e in published)
    assert max(e.first_start for e in events) - min(e.first_start for e in events) > timezone.timedelta(days=300)
    assert {Event.Status.DRAFT, Event.Status.CANCELLED} <= {e.status for e in events}
    assert any(e.title_en for e in events) and any(not e.title_en for e in events)

    upcoming_full = [e for e in published if e.first_start > now and e.is_full and e.waiting_count]
    past_full = [e for e in published if e.last_end < now and e.is_full and e.waiting_count]
    assert upcoming_full and past_full
    assert Event.objects.filter(trainers__email="trainerin@vamos.example").count() >= 4
    assert Booking.objects.filter(promoted_at__isnull=False).exists()

    # The bookings are consistent, past dates have attendance.
    for event in Event.objects.all():
        confirmed = Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED).count()
        assert event.confirmed_count == confirmed <= event.capacity
    assert Booking.objects.filter(person__email="mitglied@vamos.example").exists()
    past_bookings = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, event__dates__end__lt=timezone.now()
    ).distinct()
    assert past_bookings.exists()
    for booking in past_bookings:
        assert Attendance.objects.filter(booking=booking).count() == booking.event.dates.count()
    assert Attendance.objects.filter(present=False).exists()
    assert Attendance.objects.filter(present=True).count() > Attendance.objects.filter(present=False).count()
    # The demo sends no booking mails (the callbacks ran); its one staff message went to every confirmed person.
    assert not EventMail.objects.exclude(kind=EventMail.Kind.MESSAGE).exists()
    message = EventMessage.objects.get()
    confirmed = Booking.objects.filter(event=message.event, status=Booking.Status.CONFIRMED).count()
    assert message.sent_count == message.recipient_count == confirmed > 0
    assert EventMail.objects.filter(kind=EventMail.Kind.MESSAGE, sequence=message.pk).count() == confirmed
    client.force_login(message.sent_by)
    assert message.subject in client.get(reverse("admin:events_event_change", args=[message.event.pk])).content.decode()

    # Loading it again changes nothing (one demo load serves all these checks: with its tasks it takes seconds).
    counts = (Event.objects.count(), Booking.objects.count(), Attendance.objects.count(), EventMessage.objects.count())
    call_command("demo_data", stdout=io.StringIO())
    assert (
        Event.objects.count(),
        Booking.objects.count(),
        Attendance.objects.count(),
        EventMessage.objects.count(),
    ) == counts
