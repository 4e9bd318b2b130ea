from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academy import roles
from academy.models import Topic
from events import services
from events.models import Attendance, Booking, Event, EventDate, EventMail
from events.selectors import booking_waiting_position
from organisations.models import Membership, Organisation
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory, soon

pytestmark = pytest.mark.django_db


def book(event, person, organisation, booked_by=None, **kwargs):
    return services.booking_create(
        event=event, person=person, organisation=organisation, booked_by=booked_by or person, **kwargs
    )


def members(organisation, count):
    people = [make_person() for _ in range(count)]
    for person in people:
        Membership.objects.create(user=person, organisation=organisation)
    return people


def error_code(excinfo) -> str:
    return excinfo.value.error_list[0].code


# ---- booking ---------------------------------------------------------------------------------------------------


def test_booking_is_confirmed_while_seats_are_free(event, organisation, member_user):
    booking = book(event, member_user, organisation)

    assert booking.status == Booking.Status.CONFIRMED
    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert event.seats_left == 9
    assert booking.organisation == organisation
    assert booking.booked_by == member_user


def test_full_event_puts_people_on_the_waiting_list_in_booking_order(organisation):
    event = EventFactory(capacity=2)
    people = members(organisation, 5)
    bookings = [book(event, person, organisation) for person in people]

    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waiting", "waiting", "waiting"]
    assert [booking_waiting_position(booking=b) for b in bookings] == [None, None, 1, 2, 3]
    event.refresh_from_db()
    assert event.confirmed_count == 2


def test_full_event_without_waiting_list_refuses_with_a_clear_message(organisation):
    event = EventFactory(capacity=1, waiting_list_enabled=False)
    first, second = members(organisation, 2)
    book(event, first, organisation)

    with pytest.raises(ValidationError, match="fully booked") as excinfo:
        book(event, second, organisation)
    assert error_code(excinfo) == "full"
    assert Booking.objects.filter(event=event).count() == 1


def test_per_organisation_limit_sends_the_organisation_to_the_waiting_list_while_others_get_seats():
    event = EventFactory(capacity=5, per_organisation_limit=2)
    crowded, other = OrganisationFactory(), OrganisationFactory()
    crowd = members(crowded, 3)
    outsider = members(other, 1)[0]

    statuses = [book(event, person, crowded).status for person in crowd]
    assert statuses == ["confirmed", "confirmed", "waiting"]
    assert book(event, outsider, other).status == "confirmed"
    event.refresh_from_db()
    assert event.confirmed_count == 3


def test_per_organisation_limit_without_waiting_list_says_so():
    event = EventFactory(capacity=5, per_organisation_limit=1, waiting_list_enabled=False)
    organisation = OrganisationFactory()
    first, second = members(organisation, 2)
    book(event, first, organisation)

    with pytest.raises(ValidationError, match="limit of 1 seats") as excinfo:
        book(event, second, organisation)
    assert error_code(excinfo) == "organisation_limit"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": Event.Status.DRAFT}, "event_not_published"),
        ({"status": Event.Status.CANCELLED, "cancelled_at": timezone.now()}, "event_cancelled"),
    ],
)
def test_draft_and_cancelled_events_cannot_be_booked(organisation, member_user, changes, code):
    event = EventFactory(**changes)
    with pytest.raises(ValidationError) as excinfo:
        book(event, member_user, organisation)
    assert error_code(excinfo) == code
    assert not Booking.objects.exists()


def test_past_and_begun_events_cannot_be_booked(organisation, member_user):
    past = EventFactory(dates=[(soon(days=-3), soon(days=-3, hour=16))])
    with pytest.raises(ValidationError, match="already begun or taken place"):
        book(past, member_user, organisation)

    event = EventFactory()
    start = event.dates.get().start
    with pytest.raises(ValidationError, match="already begun"):
        book(event, member_user, organisation, now=start + timedelta(minutes=1))


def test_event_without_dates_cannot_be_booked(organisation, member_user):
    event = EventFactory(dates=[])
    with pytest.raises(ValidationError) as excinfo:
        book(event, member_user, organisation)
    assert error_code(excinfo) == "event_without_dates"


def test_registration_window_is_respected(organisation, member_user):
    now = timezone.now()
    event = EventFactory(registration_opens=now + timedelta(days=1), registration_closes=now + timedelta(days=5))

    with pytest.raises(ValidationError, match="Registration opens on") as excinfo:
        book(event, member_user, organisation, now=now)
    assert error_code(excinfo) == "registration_not_open"
    with pytest.raises(ValidationError, match="Registration for this event has closed"):
        book(event, member_user, organisation, now=now + timedelta(days=5))
    assert book(event, member_user, organisation, now=now + timedelta(days=2)).is_confirmed


def test_pending_organisation_cannot_book(member_user):
    pending = OrganisationFactory(status=Organisation.Status.PENDING, members=[member_user])
    with pytest.raises(ValidationError, match="approved") as excinfo:
        book(EventFactory(), member_user, pending)
    assert error_code(excinfo) == "organisation_not_approved"


def test_a_person_outside_the_organisation_cannot_be_booked_for_it(organisation, admin_user):
    stranger = make_person(first_name="Lina", last_name="Berger")
    with pytest.raises(ValidationError, match="Lina Berger is not a member of") as excinfo:
        book(EventFactory(), stranger, organisation, booked_by=admin_user)
    assert error_code(excinfo) == "not_a_member"
    assert not Booking.objects.exists()


def test_a_membership_handed_in_saves_a_query_only_when_it_is_the_persons_own_in_that_organisation(
    organisation, member_user, django_assert_num_queries
):
    event = EventFactory()
    own = Membership.objects.get(user=member_user, organisation=organisation)
    other = OrganisationFactory(members=[make_person(first_name="Lina", last_name="Berger")])
    elsewhere = Membership.objects.get(organisation=other)

    # Another organisation's membership (or another person's) proves nothing: the service reads its own.
    with pytest.raises(ValidationError, match="is not a member of") as excinfo:
        services.booking_create(
            event=event, person=member_user, organisation=other, booked_by=member_user, membership=own
        )
    assert error_code(excinfo) == "not_a_member"
    with pytest.raises(ValidationError, match="is not a member of"):
        services.booking_create(
            event=event, person=member_user, organisation=other, booked_by=member_user, membership=elsewhere
        )
    with CaptureQueriesContext(connection) as without:
        services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    Booking.objects.filter(event=event).delete()
    Event.objects.filter(pk=event.pk).update(confirmed_count=0)
    with django_assert_num_queries(len(without) - 1):
        booking = services.booking_create(
            event=event, person=member_user, organisation=organisation, booked_by=member_user, membership=own
        )
    assert booking.is_confirmed


def test_members_book_only_themselves_admins_and_staff_book_colleagues(
    organisation, admin_user, member_user, staff_user
):
    event = EventFactory()
    colleague = members(organisation, 1)[0]

    with pytest.raises(PermissionDenied):
        book(event, colleague, organisation, booked_by=member_user)
    booking = book(event, colleague, organisation, booked_by=admin_user)
    assert booking.booked_by == admin_user
    assert book(event, member_user, organisation, booked_by=staff_user).is_confirmed


def test_a_person_cannot_hold_two_bookings_but_may_book_again_after_cancelling(organisation, member_user):
    event = EventFactory()
    first = book(event, member_user, organisation)

    with pytest.raises(ValidationError, match="has already booked this event") as excinfo:
        book(event, member_user, organisation)
    assert error_code(excinfo) == "already_booked"

    services.booking_cancel(booking=first, by=member_user)
    again = book(event, member_user, organisation)
    assert again.is_confirmed
    assert Booking.objects.filter(event=event, person=member_user).count() == 2


def test_the_same_person_through_another_organisation_is_still_one_booking(organisation, member_user):
    other = OrganisationFactory(members=[member_user])
    event = EventFactory()
    book(event, member_user, organisation)
    with pytest.raises(ValidationError, match="already booked"):
        book(event, member_user, other)


def test_booking_for_colleagues_reports_each_person(organisation, admin_user, member_user):
    event = EventFactory(capacity=2)
    colleagues = members(organisation, 2)
    stranger = make_person()
    book(event, member_user, organisation)

    outcomes = services.bookings_create_for_colleagues(
        event=event,
        organisation=organisation,
        people=[*colleagues, member_user, stranger],
        booked_by=admin_user,
    )

    assert [o.status for o in outcomes] == ["confirmed", "waiting", "refused", "refused"]
    assert "already booked" in outcomes[2].errors[0]
    assert "not a member" in outcomes[3].errors[0]
    assert all(o.booking.booked_by == admin_user for o in outcomes[:2])


def test_only_admins_book_for_colleagues(organisation, member_user):
    with pytest.raises(PermissionDenied):
        services.bookings_create_for_colleagues(
            event=EventFactory(), organisation=organisation, people=[member_user], booked_by=member_user
        )
    assert not Booking.objects.exists()


# ---- cancelling and the waiting list -----------------------------------------------------------------------------


def test_cancelling_a_confirmed_seat_promotes_the_first_waiting_person(
    organisation, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    first, second, third = members(organisation, 3)
    confirmed = book(event, first, organisation)
    waiting_second = book(event, second, organisation)
    waiting_third = book(event, third, organisation)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.booking_cancel(booking=confirmed, by=first)

    waiting_second.refresh_from_db()
    waiting_third.refresh_from_db()
    assert waiting_second.status == Booking.Status.CONFIRMED
    assert waiting_second.promoted_at is not None
    assert waiting_third.status == Booking.Status.WAITING
    assert booking_waiting_position(booking=waiting_third) == 1
    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert len(callbacks) == 2  # the promoted person and the cancelled one are told


def test_promotion_skips_organisations_at_their_limit():
    event = EventFactory(capacity=3, per_organisation_limit=2)
    big, small = OrganisationFactory(), OrganisationFactory()
    big_people = members(big, 3)
    small_people = members(small, 2)
    a = book(event, big_people[0], big)
    book(event, big_people[1], big)
    s = book(event, small_people[0], small)  # seat 3
    big_waiting = book(event, big_people[2], big)  # waits: event full (and big at its limit)
    small_waiting = book(event, small_people[1], small)  # waits: event full

    services.booking_cancel(booking=s, by=small_people[0])

    big_waiting.refresh_from_db()
    small_waiting.refresh_from_db()
    assert big_waiting.status == Booking.Status.WAITING  # big still has two seats: skipped
    assert small_waiting.status == Booking.Status.CONFIRMED

    services.booking_cancel(booking=a, by=big_people[0])
    big_waiting.refresh_from_db()
    assert big_waiting.status == Booking.Status.CONFIRMED


def test_nobody_is_promoted_when_every_waiting_organisation_is_at_its_limit():
    event = EventFactory(capacity=3, per_organisation_limit=2)
    big, other = OrganisationFactory(), OrganisationFactory()
    big_people = members(big, 3)
    o = members(other, 1)[0]
    book(event, big_people[0], big)
    book(event, big_people[1], big)
    mine = book(event, o, other)
    waiting = book(event, big_people[2], big)

    services.booking_cancel(booking=mine, by=o)

    waiting.refresh_from_db()
    assert waiting.is_waiting
    event.refresh_from_db()
    assert event.confirmed_count == 2
    assert event.seats_left == 1


def test_cancelling_a_waiting_place_is_always_possible_and_moves_nobody(organisation):
    event = EventFactory(capacity=1, cancellation_deadline=timezone.now() - timedelta(days=1))
    first, second, third = members(organisation, 3)
    book(event, first, organisation)
    second_booking = book(event, second, organisation)
    third_booking = book(event, third, organisation)

    services.booking_cancel(booking=second_booking, by=second)

    assert Booking.objects.get(pk=second_booking.pk).is_cancelled
    assert booking_waiting_position(booking=Booking.objects.get(pk=third_booking.pk)) == 1
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_self_cancellation_after_the_deadline_is_refused_but_staff_can(organisation, member_user, staff_user):
    now = timezone.now()
    event = EventFactory(cancellation_deadline=now + timedelta(days=3))
    booking = book(event, member_user, organisation, now=now)

    with pytest.raises(ValidationError, match="cancellation deadline") as excinfo:
        services.booking_cancel(booking=booking, by=member_user, now=now + timedelta(days=3))
    assert error_code(excinfo) == "cancellation_deadline"
    assert Booking.objects.get(pk=booking.pk).is_confirmed

    services.booking_cancel(booking=booking, by=staff_user, now=now + timedelta(days=4))
    booking.refresh_from_db()
    assert booking.is_cancelled
    assert booking.cancelled_by == staff_user


def test_without_a_deadline_self_cancellation_ends_when_the_event_begins(organisation, member_user):
    event = EventFactory()
    booking = book(event, member_user, organisation)
    start = event.dates.get().start

    with pytest.raises(ValidationError, match="cancellation deadline"):
        services.booking_cancel(booking=booking, by=member_user, now=start)
    services.booking_cancel(booking=booking, by=member_user, now=start - timedelta(minutes=1))
    assert Booking.objects.get(pk=booking.pk).is_cancelled


def test_who_may_cancel_a_booking(organisation, admin_user, member_user):
    event = EventFactory()
    booking = book(event, member_user, organisation)
    other_member = members(organisation, 1)[0]
    other_admin = make_person()
    OrganisationFactory(admins=[other_admin])

    for outsider in (other_member, other_admin):
        with pytest.raises(PermissionDenied):
            services.booking_cancel(booking=booking, by=outsider)
    services.booking_cancel(booking=booking, by=admin_user)
    assert Booking.objects.get(pk=booking.pk).cancelled_by == admin_user


def test_cancelling_twice_changes_nothing(organisation, member_user, django_capture_on_commit_callbacks):
    booking = book(EventFactory(), member_user, organisation)
    services.booking_cancel(booking=booking, by=member_user)
    cancelled_at = Booking.objects.get(pk=booking.pk).cancelled_at

    with django_capture_on_commit_callbacks() as callbacks:
        services.booking_cancel(booking=booking, by=member_user)
    assert Booking.objects.get(pk=booking.pk).cancelled_at == cancelled_at
    assert callbacks == []


def test_raising_the_capacity_fills_seats_from_the_waiting_list(organisation):
    event = EventFactory(capacity=1)
    people = members(organisation, 3)
    bookings = [book(event, person, organisation) for person in people]

    event.capacity = 2
    event.save()
    promoted = services.event_fill_from_waiting_list(event=event)

    assert [b.pk for b in promoted] == [bookings[1].pk]
    event.refresh_from_db()
    assert event.confirmed_count == 2


def test_saving_a_stale_event_does_not_overwrite_the_confirmed_count(organisation, member_user):
    event = EventFactory()
    stale = Event.objects.get(pk=event.pk)
    book(event, member_user, organisation)

    stale.title = "Neuer Titel"
    stale.save()

    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert event.title == "Neuer Titel"


# ---- staff: publish, cancel, copy, change ----------------------------------------------------------------------


def test_cancelling_an_event_cancels_every_booking_and_tells_everyone(
    organisation, staff_user, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    people = members(organisation, 3)
    for person in people:
        book(event, person, organisation)
    services.booking_cancel(booking=Booking.objects.get(person=people[2]), by=people[2])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.event_cancel(event=event, message="Die Referentin ist erkrankt.", by=staff_user)

    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.cancellation_message == "Die Referentin ist erkrankt."
    assert event.confirmed_count == 0
    assert set(Booking.objects.filter(event=event).values_list("status", flat=True)) == {"cancelled"}
    assert len(callbacks) == 2  # the confirmed and the waiting person; the one who had cancelled is not told


def test_cancelling_an_event_needs_staff_and_a_message(organisation, member_user, staff_user):
    event = EventFactory()
    with pytest.raises(PermissionDenied):
        services.event_cancel(event=event, message="Nein", by=member_user)
    with pytest.raises(ValidationError, match="message"):
        services.event_cancel(event=event, message="  ", by=staff_user)
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED


def test_copying_an_event_shifts_every_date_and_deadline(staff_user):
    topic = Topic.objects.first()
    trainer = make_person(roles=[roles.TRAINER])
    now = timezone.now()
    first_start = soon(days=10)
    event = EventFactory(
        title_de="Fördermittel beantragen",
        title_en="Applying for funding",
        dates=[(first_start, first_start + timedelta(hours=3)), (soon(days=17), soon(days=17, hour=13))],
        registration_opens=now,
        registration_closes=soon(days=8),
        cancellation_deadline=soon(days=7),
        topics=[topic],
        trainers=[trainer],
    )
    services.event_cancel(event=event, message="Verschoben", by=staff_user)

    new_start = first_start + timedelta(days=91)
    copy = services.event_copy(event=event, new_start=new_start, by=staff_user)

    assert copy.pk != event.pk
    assert copy.status == Event.Status.DRAFT
    assert copy.confirmed_count == 0
    assert copy.cancelled_at is None and copy.cancellation_message == ""
    assert copy.title_en == "Applying for funding"
    assert list(copy.topics.all()) == [topic]
    assert list(copy.trainers.all()) == [trainer]
    offset = timedelta(days=91)
    assert [(d.start, d.end) for d in copy.dates.all()] == [
        (d.start + offset, d.end + offset) for d in event.dates.all()
    ]
    assert copy.registration_opens == now + offset
    assert copy.registration_closes == event.registration_closes + offset
    assert copy.cancellation_deadline == event.cancellation_deadline + offset
    assert EventDate.objects.filter(event=event).count() == 2  # the original keeps its dates


def test_publishing_checks_the_event_is_complete(staff_user, member_user):
    draft = OnlineEventFactory(status=Event.Status.DRAFT, online_link="")
    with pytest.raises(PermissionDenied):
        services.event_publish(event=draft, by=member_user)
    with pytest.raises(ValidationError, match="meeting link"):
        services.event_publish(event=draft, by=staff_user)

    draft.online_link = "https://meet.vamos.example/x"
    draft.save()
    services.event_publish(event=draft, by=staff_user)
    assert Event.objects.get(pk=draft.pk).status == Event.Status.PUBLISHED

    without_dates = EventFactory(status=Event.Status.DRAFT, dates=[])
    with pytest.raises(ValidationError, match="at least one date"):
        services.event_publish(event=without_dates, by=staff_user)


def test_change_notice_goes_to_confirmed_and_waiting_people_link_changes_only_to_confirmed(
    organisation, django_capture_on_commit_callbacks
):
    event = OnlineEventFactory(capacity=1)
    first, second = members(organisation, 2)
    book(event, first, organisation)
    book(event, second, organisation)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.event_notify_change(event=event, what=["dates"]) == 2
    assert len(callbacks) == 2
    assert services.event_notify_change(event=event, what=["online_link"]) == 1
    assert services.event_notify_change(event=event, what=["nonsense"]) == 0
    event.refresh_from_db()
    assert event.sequence == 2

    draft = EventFactory(status=Event.Status.DRAFT)
    assert services.event_notify_change(event=draft, what=["dates"]) == 0


# ---- attendance --------------------------------------------------------------------------------------------------


@pytest.fixture
def past_booking(organisation, member_user):
    event = EventFactory()
    booking = book(event, member_user, organisation)
    return booking


def test_staff_and_the_events_trainers_mark_attendance(past_booking, staff_user):
    trainer = make_person(roles=[roles.TRAINER])
    past_booking.event.trainers.add(trainer)
    event_date = past_booking.event.dates.get()
    on_the_day = event_date.start

    attendance = services.attendance_mark(
        booking=past_booking, event_date=event_date, present=True, by=trainer, now=on_the_day
    )
    assert attendance.present and attendance.marked_by == trainer

    services.attendance_mark(booking=past_booking, event_date=event_date, present=False, by=staff_user, now=on_the_day)
    attendance = Attendance.objects.get()
    assert attendance.present is False
    assert attendance.marked_by == staff_user


def test_other_people_cannot_mark_attendance(past_booking, member_user, admin_user):
    other_trainer = make_person(roles=[roles.TRAINER])
    event_date = past_booking.event.dates.get()
    for person in (member_user, admin_user, other_trainer):
        with pytest.raises(PermissionDenied):
            services.attendance_mark(
                booking=past_booking, event_date=event_date, present=True, by=person, now=event_date.start
            )
    assert not Attendance.objects.exists()


def test_attendance_rules(past_booking, staff_user, organisation):
    event_date = past_booking.event.dates.get()
    with pytest.raises(ValidationError, match="from the day of the date"):
        services.attendance_mark(
            booking=past_booking,
            event_date=event_date,
            present=True,
            by=staff_user,
            now=event_date.start - timedelta(days=1),
        )
    other_date = EventFactory().dates.get()
    with pytest.raises(ValidationError, match="another event"):
        services.attendance_mark(
            booking=past_booking, event_date=other_date, present=True, by=staff_user, now=event_date.start
        )
    services.booking_cancel(booking=past_booking, by=staff_user)
    past_booking.refresh_from_db()
    with pytest.raises(ValidationError, match="Only confirmed participants"):
        services.attendance_mark(
            booking=past_booking, event_date=event_date, present=True, by=staff_user, now=event_date.start
        )


def test_event_mail_kinds_cover_every_template():
    from events.tasks import STILL_TRUE, TEMPLATES

    # Staff's messages (kind "message") have a task of their own: events.tasks.send_event_message.
    booking_mails = set(EventMail.Kind) - {EventMail.Kind.MESSAGE}
    assert set(TEMPLATES) == booking_mails == set(STILL_TRUE)


def test_the_seat_counter_is_moved_by_the_update_django_writes_and_the_capacity_still_refuses(db):
    """The counter's UPDATE is kept per process (academy.prepared.kept_statement): it must be the statement Django
    compiles for `filter(pk=…).update(confirmed_count=F("confirmed_count") + change)`, and the database's check
    must still refuse a count above the capacity, leaving the transaction to roll back as after Django's update."""
    import contextlib

    from django.db import IntegrityError, transaction
    from django.db.models import F
    from django.db.models.sql import UpdateQuery

    from academy.prepared import kept_statement

    event = EventFactory(capacity=1)
    query = Event.objects.filter(pk=event.pk).query.chain(UpdateQuery)
    query.add_update_values({"confirmed_count": F("confirmed_count") + 1})
    djangos, params = query.get_compiler(connection.alias).as_sql()
    assert (kept_statement("event-seats", connection, services._seats_sql), [1, event.pk]) == (djangos, list(params))

    assert services._count_seats(event, +1) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        services._count_seats(event, +1)
        raise AssertionError("the capacity's check let a second seat through")
    event.refresh_from_db()
    assert event.confirmed_count == 1
    with transaction.atomic():
        with contextlib.suppress(IntegrityError):
            services._count_seats(event, +1)
        assert transaction.get_connection().needs_rollback  # as QuerySet.update() leaves it
