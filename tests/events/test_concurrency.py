"""No overbooking, ever: real parallel connections against PostgreSQL book and cancel the same event at once."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from events import services
from events.models import Booking, Event
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def people_of(organisation, count):
    people = [make_person() for _ in range(count)]
    Membership.objects.bulk_create(Membership(user=person, organisation=organisation) for person in people)
    return people


def run_at_once(work, items):
    """Runs work(item) in one thread per item, all released by a barrier; each thread has its own connection."""
    barrier = threading.Barrier(len(items))
    results, errors = [], []
    lock = threading.Lock()

    def attempt(item):
        try:
            barrier.wait(timeout=30)
            result = work(item)
            with lock:
                results.append(result)
        except Exception as error:  # noqa: BLE001 - every error is a failure the test reports
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


@pytest.fixture
def slow_rules(monkeypatch):
    """Widens the window between reading the event and writing the booking, so that without the row lock
    parallel bookings would all see the same free seats (the test then fails: the check constraint refuses
    the overbooking transactions, or seats are lost)."""
    check = services.event_booking_refusal

    def slow_check(**kwargs):
        time.sleep(0.005)
        return check(**kwargs)

    monkeypatch.setattr(services, "event_booking_refusal", slow_check)


def test_fifty_people_booking_the_last_ten_seats_get_exactly_ten(postgresql, slow_rules):
    organisation = OrganisationFactory()
    people = people_of(organisation, 60)
    for _round in range(3):
        event = EventFactory(capacity=20)
        for person in people[:10]:
            services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)

        def book(person, event=event):
            return services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)

        results, errors = run_at_once(book, people[10:])

        assert errors == []
        assert Counter(booking.status for booking in results) == {"confirmed": 10, "waiting": 40}
        event.refresh_from_db()
        assert event.confirmed_count == 20
        assert Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED).count() == 20
        assert Booking.objects.filter(event=event, status=Booking.Status.WAITING).count() == 40


def test_parallel_bookings_of_one_organisation_respect_its_limit(postgresql, slow_rules):
    event = EventFactory(capacity=30, per_organisation_limit=3)
    organisation = OrganisationFactory()
    people = people_of(organisation, 20)

    results, errors = run_at_once(
        lambda person: services.booking_create(event=event, person=person, organisation=organisation, booked_by=person),
        people,
    )

    assert errors == []
    assert Counter(booking.status for booking in results) == {"confirmed": 3, "waiting": 17}


def test_the_same_person_booking_twice_at_once_gets_one_booking(postgresql):
    event = EventFactory()
    organisation = OrganisationFactory()
    person = people_of(organisation, 1)[0]

    results, errors = run_at_once(
        lambda _n: services.booking_create(event=event, person=person, organisation=organisation, booked_by=person),
        list(range(5)),
    )

    assert len(results) == 1
    assert len(errors) == 4
    assert all(error.code == "already_booked" for error in errors)
    assert Booking.objects.filter(event=event, person=person).count() == 1


def test_parallel_cancellations_promote_exactly_as_many_waiting_people(postgresql):
    organisation = OrganisationFactory()
    for _round in range(3):
        event = EventFactory(capacity=10)
        people = people_of(organisation, 20)
        bookings = [
            services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)
            for person in people
        ]
        confirmed, waiting = bookings[:10], bookings[10:]

        def cancel(booking):
            return services.booking_cancel(booking=booking, by=booking.person)

        results, errors = run_at_once(cancel, confirmed[:6])

        assert errors == []
        assert len(results) == 6
        event.refresh_from_db()
        assert event.confirmed_count == 10
        statuses = dict(Booking.objects.filter(event=event).values_list("pk", "status"))
        # The first six on the waiting list moved up, in order; the other four still wait.
        assert [statuses[b.pk] for b in waiting] == ["confirmed"] * 6 + ["waiting"] * 4
        assert Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED).count() == 10
        assert Event.objects.get(pk=event.pk).seats_left == 0


def test_two_editors_adding_dates_to_one_event_at_once_both_count_in_its_first_and_last_dates(postgresql):
    """The second save waits for the first one's row lock on the event and then reads its committed date: without
    the lock it would compute the span from its own date only and overwrite the first one's."""
    from datetime import timedelta

    from django.db import transaction

    from events.models import EventDate

    from .factories import soon

    event = EventFactory(dates=[(soon(days=10), soon(days=10, hour=12))])
    first_saved, second_started = threading.Event(), threading.Event()

    def add(days):
        start = soon(days=days)
        if days == 2:  # the first editor: saves, then holds its transaction open until the second one is waiting
            with transaction.atomic():
                EventDate.objects.create(event_id=event.pk, start=start, end=start + timedelta(hours=2))
                first_saved.set()
                second_started.wait(timeout=10)
                time.sleep(0.5)
        else:
            first_saved.wait(timeout=10)
            second_started.set()
            EventDate.objects.create(event_id=event.pk, start=start, end=start + timedelta(hours=2))
        return days

    results, errors = run_at_once(add, [2, 20])
    assert not errors and sorted(results) == [2, 20]
    event.refresh_from_db()
    assert (event.first_start, event.last_end) == (soon(days=2), soon(days=20) + timedelta(hours=2))
