"""Deleting an account and the retention job, the events' part: future bookings cancelled through the events
service (the waiting list moves up), feedback comments erased, old participant lists anonymised."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from academy.models import RetentionRun
from academy.privacy import personal_data_collect, retention_run, user_delete_account
from events.models import Booking, EventMail, Feedback
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

from .factories import EventFactory, soon

pytestmark = pytest.mark.django_db


def booking(event, person, status=Booking.Status.CONFIRMED, **extra):
    organisation = OrganisationFactory(members=[person])
    return Booking.objects.create(event=event, person=person, organisation=organisation, status=status, **extra)


@pytest.mark.parametrize("deadline_passed", [False, True])
def test_a_future_seat_is_freed_and_the_waiting_list_moves_up(deadline_passed, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1, dates=[(soon(10), soon(10, hour=16))])
    if deadline_passed:
        event.cancellation_deadline = timezone.now() - timedelta(days=1)
        event.save(update_fields=["cancellation_deadline"])
    leaving, waiting = UserFactory(), UserFactory(email="waiting@verein.example")
    seat = booking(event, leaving)
    event.confirmed_count = 1
    event.save(update_fields=["confirmed_count"])
    next_in_line = booking(event, waiting, status=Booking.Status.WAITING)

    with django_capture_on_commit_callbacks(execute=True):
        done = user_delete_account(user=leaving)

    assert done["future_bookings_cancelled"] == 1
    seat.refresh_from_db()
    next_in_line.refresh_from_db()
    event.refresh_from_db()
    assert seat.status == Booking.Status.CANCELLED
    assert next_in_line.status == Booking.Status.CONFIRMED and event.confirmed_count == 1
    assert EventMail.objects.filter(booking=next_in_line, kind=EventMail.Kind.PROMOTED).exists()
    assert [m.to for m in mail.outbox] == [["waiting@verein.example"]]  # nothing to the deleted account


def test_past_bookings_stay_and_only_the_comment_goes():
    person = UserFactory()
    past = EventFactory(dates=[(timezone.now() - timedelta(days=9), timezone.now() - timedelta(days=9, hours=-3))])
    kept = booking(past, person)
    Feedback.objects.create(booking=kept, rating=3, comment="Ich, Ayşe, fand …")

    user_delete_account(user=person)

    kept.refresh_from_db()
    assert kept.status == Booking.Status.CONFIRMED and kept.person_id == person.pk
    assert Feedback.objects.values_list("rating", "comment").get() == (3, "")


def test_old_participant_lists_are_anonymised_after_the_retention_period(settings):
    """now = eleven years ahead: the events of today are then older than the ten years of retention."""
    settings.VAMOS_RETENTION_YEARS = 10
    now = timezone.now() + timedelta(days=11 * 365)
    old = EventFactory(dates=[(timezone.now() - timedelta(days=2), timezone.now() - timedelta(days=2, hours=-4))])
    gone = UserFactory(last_name="Lange-Weg")
    still_here = UserFactory(last_name="Noch-Da", last_login=now - timedelta(days=30))
    booked_again = UserFactory(last_name="Wieder-Gebucht")
    staff = UserFactory(is_staff=True)
    for person in (gone, still_here, booked_again, staff):
        booking(old, person)
    Feedback.objects.create(booking=Booking.objects.get(person=gone), rating=5, comment="Named text")
    recent = EventFactory(dates=[(now - timedelta(days=100), now - timedelta(days=100, hours=-4))])
    booking(recent, booked_again)

    run = retention_run(job="participant_lists", now=now)

    gone.refresh_from_db()
    assert not gone.is_active and gone.last_name == "" and gone.email.endswith(".invalid")
    for person in (still_here, booked_again, staff):
        person.refresh_from_db()
        assert person.is_active and person.last_name
    assert Booking.objects.filter(event=old).count() == 4  # the list keeps its length, one name less
    assert Feedback.objects.get().comment == "" and Feedback.objects.get().rating == 5
    assert run.counts == {"participants_anonymised": 1, "feedback_comments_erased": 1}
    assert run.finished_at and not run.error and run.cutoff.year == now.year - 10

    # Safe to run twice: nothing more is due.
    assert retention_run(job="participant_lists", now=now).counts == {
        "participants_anonymised": 0,
        "feedback_comments_erased": 0,
    }
    assert RetentionRun.objects.filter(job="participant_lists").count() == 2


def test_the_export_lists_the_persons_bookings_only():
    person, other = UserFactory(), UserFactory()
    event = EventFactory()
    booking(event, person)
    booking(event, other)

    sections = {part.section: part.data for part in personal_data_collect(user=person)}

    assert len(sections["bookings"]) == 1
