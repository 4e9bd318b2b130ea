from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from academy import roles
from academy.models import Topic
from events import selectors, services
from events.models import Event
from events.rows import BookingRow
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory, soon

pytestmark = pytest.mark.django_db


def book(event, person, organisation):
    return services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)


def test_catalogue_lists_upcoming_published_events_soonest_first():
    later = EventFactory(dates=[(soon(days=30), soon(days=30, hour=16))])
    sooner = EventFactory(dates=[(soon(days=3), soon(days=3, hour=16))])
    EventFactory(dates=[(soon(days=-3), soon(days=-3, hour=16))])  # over
    EventFactory(status=Event.Status.DRAFT)
    EventFactory(status=Event.Status.CANCELLED, cancelled_at=timezone.now())

    assert list(selectors.event_catalogue()) == [sooner, later]


def test_catalogue_filters_combine():
    topics = list(Topic.objects.order_by("position")[:2])
    wanted = OnlineEventFactory(topics=[topics[0]], kind=Event.Kind.NETWORKING, language="en")
    OnlineEventFactory(topics=[topics[1]], kind=Event.Kind.NETWORKING, language="en")
    EventFactory(topics=[topics[0]], kind=Event.Kind.NETWORKING, language="en")
    OnlineEventFactory(topics=[topics[0]], kind=Event.Kind.SEMINAR, language="en")
    OnlineEventFactory(topics=[topics[0]], kind=Event.Kind.NETWORKING, language="de")

    found = selectors.event_catalogue(
        topic=topics[0], kind=Event.Kind.NETWORKING, format=Event.Format.ONLINE, language="en"
    )
    assert list(found) == [wanted]


def test_catalogue_filters_by_month_and_date_range():
    today = timezone.localdate()
    in_two_months = soon(days=62)
    far = EventFactory(dates=[(in_two_months, in_two_months + timedelta(hours=2))])
    near = EventFactory(dates=[(soon(days=2), soon(days=2, hour=12))])

    month = in_two_months.date()
    assert list(selectors.event_catalogue(month=month)) == [far]
    assert list(selectors.event_catalogue(date_from=today, date_to=today + timedelta(days=5))) == [near]
    assert list(selectors.event_catalogue(date_from=today + timedelta(days=6))) == [far]


def test_a_series_is_found_by_any_of_its_dates():
    series = EventFactory(dates=[(soon(days=2), soon(days=2, hour=12)), (soon(days=40), soon(days=40, hour=12))])
    day = soon(days=40).date()
    assert list(selectors.event_catalogue(date_from=day, date_to=day)) == [series]


def test_catalogue_free_seats_only_and_counts():
    organisation = OrganisationFactory()
    people = [make_person() for _ in range(3)]
    for person in people:
        Membership.objects.create(user=person, organisation=organisation)
    full = EventFactory(capacity=1)
    free = EventFactory(capacity=5)
    for person in people:
        book(full, person, organisation)
    book(free, people[0], organisation)

    assert list(selectors.event_catalogue(free_only=True)) == [free]
    listed = {event.pk: event for event in selectors.event_catalogue()}
    assert (listed[full.pk].seats_left, listed[full.pk].waiting_count) == (0, 2)
    assert (listed[free.pk].seats_left, listed[free.pk].waiting_count) == (4, 0)


def test_catalogue_searches_both_languages_and_the_city():
    event = EventFactory(title_de="Fördermittel beantragen", title_en="Applying for funding", city="Köln")
    EventFactory(title_de="Pressearbeit", title_en="Press work", description="Wie wir Pressemitteilungen schreiben.")

    assert list(selectors.event_catalogue(search="funding")) == [event]
    assert list(selectors.event_catalogue(search="fördermittel")) == [event]
    assert list(selectors.event_catalogue(search="Köln")) == [event]


def test_catalogue_runs_three_queries_however_many_events(django_assert_num_queries):
    topics = list(Topic.objects.all())
    for number in range(55):
        EventFactory(
            topics=topics[number % 3 : number % 3 + 2],
            dates=[
                (soon(days=number + 1), soon(days=number + 1, hour=12)),
                (soon(days=number + 8), soon(days=number + 8, hour=12)),
            ],
        )
    with django_assert_num_queries(3):
        events = list(selectors.event_catalogue())
        for event in events:
            assert event.starts_at and event.seats_left == 10 and event.waiting_count == 0
            list(event.dates.all())
            [topic.name for topic in event.topics.all()]
    assert len(events) == 55


def test_event_detail_prefetches_and_hides_drafts(django_assert_num_queries, staff_user):
    trainer = make_person(roles=[roles.TRAINER])
    event = EventFactory(topics=list(Topic.objects.all()[:2]), trainers=[trainer], contact=staff_user)
    for queries in (6, 1):  # seats with waiting list, then the event, contact, dates, topics, trainers; then cached
        with django_assert_num_queries(queries):
            found = selectors.event_detail(pk=event.pk)
            assert [t.pk for t in found.trainers.all()] == [trainer.pk]
            assert len(found.topics.all()) == 2
            assert found.contact == staff_user
            assert found.starts_at == found.dates.all()[0].start
            assert (found.confirmed_count, found.waiting_count) == (0, 0)

    draft = EventFactory(status=Event.Status.DRAFT)
    with pytest.raises(Http404):
        selectors.event_detail(pk=draft.pk)
    assert selectors.event_detail(pk=draft.pk, viewer=staff_user) == draft


def test_bookings_of_a_person_and_an_organisation_in_two_queries(django_assert_num_queries):
    organisation = OrganisationFactory()
    person = make_person()
    Membership.objects.create(user=person, organisation=organisation)
    others = [make_person() for _ in range(2)]
    for other in others:
        Membership.objects.create(user=other, organisation=organisation)
    for number in range(52):
        event = EventFactory(capacity=1, dates=[(soon(days=number + 1), soon(days=number + 1, hour=12))])
        if number % 2:
            book(event, others[0], organisation)
        book(event, person, organisation)

    with django_assert_num_queries(2):
        bookings = list(selectors.bookings_of_person(person=person, upcoming=True))
        for booking in bookings:
            assert booking.event.title and booking.organisation.name
            list(booking.event.dates.all())
            assert (booking.waiting_position == 1) == booking.is_waiting
    assert len(bookings) == 52
    assert bookings[0].event.first_start < bookings[-1].event.first_start

    with django_assert_num_queries(2):
        all_of_them = list(selectors.bookings_of_organisation(organisation=organisation))
        assert all(b.person.email for b in all_of_them)
    assert len(all_of_them) == 52 + 26


def test_waiting_positions_in_lists_follow_booking_order():
    organisation = OrganisationFactory()
    people = [make_person() for _ in range(4)]
    for person in people:
        Membership.objects.create(user=person, organisation=organisation)
    event = EventFactory(capacity=1)
    for person in people:
        book(event, person, organisation)

    positions = [b.waiting_position for b in selectors.bookings_of_organisation(organisation=organisation)]
    assert sorted(positions, key=lambda p: p or 0) == [None, 1, 2, 3]
    assert selectors.booking_of_person_for_event(event=event, person=people[3]).waiting_position == 3


def test_brief_rows_get_dates_and_waiting_positions_for_the_whole_page_at_once(django_assert_num_queries):
    organisation = OrganisationFactory()
    people = [make_person() for _ in range(4)]
    for person in people:
        Membership.objects.create(user=person, organisation=organisation)
    two_dates = EventFactory(
        capacity=1, dates=[(soon(days=9), soon(days=9, hour=16)), (soon(days=2), soon(days=2, hour=16))]
    )
    other = EventFactory(capacity=2)
    for person in people:  # two_dates: one confirmed, three waiting; other: two confirmed, two waiting
        book(two_dates, person, organisation)
        book(other, person, organisation)
    services.booking_cancel(booking=two_dates.bookings.get(person=people[1]), by=people[1])  # 2 and 3 move up
    with django_assert_num_queries(1):
        values = list(selectors.bookings_of_organisation(organisation=organisation, brief=True))
        rows = [BookingRow(row, "person") for row in values]
    with django_assert_num_queries(2):  # the dates, the waiting lists of the two events
        selectors.complete_booking_rows(rows)

    positions = {(b.event_id, b.person_id): b.waiting_position for b in rows}
    assert positions == {
        (two_dates.pk, people[0].pk): None,
        (two_dates.pk, people[1].pk): None,  # cancelled
        (two_dates.pk, people[2].pk): 1,
        (two_dates.pk, people[3].pk): 2,
        (other.pk, people[0].pk): None,
        (other.pk, people[1].pk): None,
        (other.pk, people[2].pk): 1,
        (other.pk, people[3].pk): 2,
    }
    first = next(b for b in rows if b.event_id == two_dates.pk)
    assert [span.start for span in first.event.date_list] == [soon(days=2), soon(days=9)]
    confirmed_only = [b for b in rows if b.waiting_position is None]
    with django_assert_num_queries(1):  # nobody waits: the dates only
        selectors.complete_booking_rows(confirmed_only)


def test_booking_access_gives_404_for_other_organisations(organisation, admin_user, member_user, staff_user):
    booking = book(EventFactory(), member_user, organisation)
    stranger = make_person()
    OrganisationFactory(admins=[stranger])

    assert selectors.booking_access(user=member_user, pk=booking.pk) == booking
    assert selectors.booking_access(user=admin_user, pk=booking.pk) == booking
    assert selectors.booking_access(user=staff_user, pk=booking.pk) == booking
    with pytest.raises(Http404):
        selectors.booking_access(user=stranger, pk=booking.pk)
    colleague = make_person()
    Membership.objects.create(user=colleague, organisation=organisation)
    with pytest.raises(Http404):
        selectors.booking_access(user=colleague, pk=booking.pk)


def test_participants_of_a_date_with_their_attendance(django_assert_num_queries, staff_user):
    organisation = OrganisationFactory()
    people = [make_person() for _ in range(12)]
    for person in people:
        Membership.objects.create(user=person, organisation=organisation)
    event = EventFactory(capacity=10)
    bookings = [book(event, person, organisation) for person in people]
    event_date = event.dates.get()
    services.attendance_mark(
        booking=bookings[0], event_date=event_date, present=True, by=staff_user, now=event_date.start
    )
    services.attendance_mark(
        booking=bookings[1], event_date=event_date, present=False, by=staff_user, now=event_date.start
    )

    with django_assert_num_queries(1):
        participants = list(selectors.participants_of_date(event_date=event_date))
        names = [(p.person.email, p.organisation.name) for p in participants]
    assert len(names) == 10  # the confirmed ones only
    count = selectors.attendance_count(participants=participants)
    assert (count.present, count.absent, count.unmarked, count.total) == (1, 1, 8, 10)


def test_events_to_take_attendance(staff_user):
    trainer = make_person(roles=[roles.TRAINER])
    mine = EventFactory(trainers=[trainer], dates=[(soon(days=-2), soon(days=-2, hour=16))])
    EventFactory(dates=[(soon(days=2), soon(days=2, hour=16))])
    EventFactory(trainers=[trainer], dates=[(soon(days=60), soon(days=60, hour=16))])  # too far ahead

    assert list(selectors.events_to_take_attendance(user=trainer)) == [mine]
    assert len(selectors.events_to_take_attendance(user=staff_user)) == 2


def test_bookable_colleagues_leave_out_those_booked(organisation, admin_user, member_user):
    event = EventFactory()
    book(event, member_user, organisation)
    assert list(selectors.bookable_colleagues(organisation=organisation, event=event)) == [admin_user]


def test_the_event_pages_colleague_names_are_the_forms_choices(organisation, admin_user, member_user):
    """The page lists the colleagues from a prepared read of their names; the form checks what is sent against
    bookable_colleagues: both must name the same people, in the same order, the viewer and the booked left out."""
    unnamed = {"first_name": "", "last_name": ""}
    for kwargs in (
        {"first_name": "Zeynep", "last_name": "Acar"},
        {**unnamed, "display_name": "Baba"},
        {**unnamed, "email": "kein.name@example.org"},
        {**unnamed, "last_name": "Ünal"},
    ):
        Membership.objects.create(user=make_person(**kwargs), organisation=organisation)
    event = EventFactory()
    book(event, member_user, organisation)
    field_choices = [
        (person.pk, person.get_full_name())
        for person in selectors.bookable_colleagues(organisation=organisation, event=event).exclude(pk=admin_user.pk)
    ]
    names = selectors.bookable_colleague_names(organisation=organisation, event=event, viewer=admin_user)
    assert names == field_choices
    assert {"Zeynep Acar", "Baba", "kein.name@example.org", "Ünal"} <= set(dict(names).values())
