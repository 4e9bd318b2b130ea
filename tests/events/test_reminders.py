"""Event reminders: once per offset, confirmed people only, not for cancelled bookings or events."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academy.models import SentReminder
from academy.tasks import reminders_dispatch
from events import reminders
from events.models import Booking, Event

from .conftest import make_person
from .factories import EventFactory


def _event_in(days: float, **kwargs):
    start = timezone.now() + timedelta(days=days)
    return EventFactory(dates=[(start, start + timedelta(hours=6))], **kwargs)


def _book(event, status=Booking.Status.CONFIRMED, **person):
    booking = Booking.objects.create(event=event, person=make_person(**person), status=status)
    Booking.objects.filter(pk=booking.pk).update(created_at=timezone.now() - timedelta(days=30))
    return booking


def _dispatch(capture):
    with capture(execute=True):
        reminders_dispatch()


@pytest.mark.django_db
def test_confirmed_participant_is_reminded_once_with_ics(django_capture_on_commit_callbacks):
    booking = _book(_event_in(0.5))
    _dispatch(django_capture_on_commit_callbacks)
    _dispatch(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [booking.person.email]
    assert message.attachments[0][0] == "vamos-event.ics"
    assert f"/buchungen/{booking.pk}/stornieren/" in message.body
    assert SentReminder.objects.get().subject_key == f"event-{booking.event_id}-1d"


@pytest.mark.django_db
def test_language_is_the_recipients(django_capture_on_commit_callbacks):
    _book(_event_in(0.5), language="de")
    _dispatch(django_capture_on_commit_callbacks)
    assert "Hallo" in mail.outbox[0].body or "Erinnerung" in mail.outbox[0].subject


@pytest.mark.django_db
def test_no_reminder_for_cancelled_booking_event_or_switched_off(django_capture_on_commit_callbacks):
    event = _event_in(0.5)
    booking = _book(event)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED, cancelled_at=timezone.now())
    cancelled = _event_in(0.5)
    _book(cancelled)
    Event.objects.filter(pk=cancelled.pk).update(status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    off = _event_in(0.5, send_reminders=False)
    _book(off)
    _dispatch(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_booking_cancelled_after_the_decision_gets_nothing(django_capture_on_commit_callbacks):
    booking = _book(_event_in(0.5))
    with django_capture_on_commit_callbacks(execute=False):
        reminders_dispatch()
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED, cancelled_at=timezone.now())
    from academy.tasks import reminder_send

    reminder_send(SentReminder.objects.get().pk)
    assert mail.outbox == []
    assert SentReminder.objects.get().status == SentReminder.Status.SKIPPED


@pytest.mark.django_db
def test_waiting_list_notice_and_thanks(django_capture_on_commit_callbacks):
    waiting = _book(_event_in(1.5), status=Booking.Status.WAITING)
    # Ended three days ago: the thanks are due from 9:00 Berlin time on the day after the last date, so an event
    # that ended a day and a quarter ago is not yet due when the suite runs between 6:00 and 9:00 in Berlin.
    past = _event_in(-3)
    participant = _book(past)
    _dispatch(django_capture_on_commit_callbacks)
    recipients = {message.to[0]: message for message in mail.outbox}
    assert set(recipients) == {waiting.person.email, participant.person.email}
    assert f"/buchungen/{participant.pk}/feedback/" in recipients[participant.person.email].body


@pytest.mark.django_db
def test_due_query_count_is_constant():
    for _ in range(3):
        event = _event_in(0.5)
        for _ in range(5):
            _book(event)
    with CaptureQueriesContext(connection) as queries:
        assert len(reminders.due_before(timezone.now())) == 15
    assert len(queries) == 2


@pytest.mark.django_db
def test_feedback_once_and_only_own(client):
    participant = _book(_event_in(-1.5))
    other = make_person()
    client.force_login(other)
    assert client.get(f"/veranstaltungen/buchungen/{participant.pk}/feedback/").status_code in (404,)
    client.force_login(participant.person)
    url = f"/veranstaltungen/buchungen/{participant.pk}/feedback/"
    assert client.post(url, {"rating": "5", "comment": "Gut"}).status_code == 302
    assert participant.__class__.objects.get(pk=participant.pk).feedback.rating == 5
    assert client.post(url, {"rating": "1"}).status_code == 400


@pytest.mark.django_db
def test_a_batch_reads_the_event_once_and_still_checks_every_booking(django_capture_on_commit_callbacks):
    from academy.tasks import reminders_send

    event = _event_in(0.5)
    bookings = [_book(event) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        reminders_dispatch()
    Booking.objects.filter(pk=bookings[1].pk).update(status=Booking.Status.CANCELLED, cancelled_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert reminders_send(sorted(SentReminder.objects.values_list("pk", flat=True))) == 2
    event_reads = [q for q in queries.captured_queries if q["sql"].startswith('SELECT "events_event"')]
    assert len(event_reads) == 1  # the event and its dates once for the batch
    assert sorted(m.to[0] for m in mail.outbox) == sorted(b.person.email for b in (bookings[0], bookings[2]))
    assert SentReminder.objects.get(recipient=bookings[1].person).status == SentReminder.Status.SKIPPED
