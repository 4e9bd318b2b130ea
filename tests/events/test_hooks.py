"""What events plugs into organisations and academy: home slot, development plan, participation, calendar."""

import pytest
from django.test import RequestFactory
from django.utils import formats, timezone, translation

from academy.calendar import calendar_entries, calendar_providers
from academy.models import Topic
from events import hooks, services
from organisations.participation import club_participation, participation_providers
from organisations.plan import plan_providers
from organisations.slots import home_slots
from tests.organisations.factories import FederationFactory, OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory, soon

pytestmark = pytest.mark.django_db


def test_events_registers_once_with_each_interface():
    assert home_slots.count(hooks.home_slot) == 1
    assert plan_providers.count(hooks.plan_items) == 1
    assert participation_providers.count(hooks.participation) == 1
    assert calendar_providers.count(hooks.calendar_entries) == 1


def test_home_slot_shows_the_organisations_next_bookings(organisation, member_user, django_assert_num_queries):
    event = EventFactory(title_en="Applying for funding", capacity=1)
    services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    waiting = make_person(first_name="Wanda", last_name="Warteliste")
    organisation.memberships.create(user=waiting)
    services.booking_create(event=event, person=waiting, organisation=organisation, booked_by=waiting)
    request = RequestFactory().get("/")
    request.user = member_user

    with django_assert_num_queries(1):  # the bookings with event, person and waiting position
        slot = hooks.home_slot(request=request, organisation=organisation)
    assert slot["title"] == "Seminars and events"
    assert "Applying for funding" in slot["html"]
    assert event.get_absolute_url() in slot["html"]
    start = timezone.localtime(event.dates.get().start)
    assert formats.date_format(start, "SHORT_DATE_FORMAT") in slot["html"]
    assert formats.time_format(start, "TIME_FORMAT") in slot["html"]
    with translation.override("de"):  # the date and time in each language's format (kept per language)
        german = hooks.home_slot(request=request, organisation=organisation)["html"]
        assert (
            f"{formats.date_format(start, 'SHORT_DATE_FORMAT')}, {formats.time_format(start, 'TIME_FORMAT')}" in german
        )
    assert formats.date_format(start, "SHORT_DATE_FORMAT") not in german
    assert member_user.get_full_name() in slot["html"] and "confirmed" in slot["html"]
    assert "Wanda Warteliste" in slot["html"] and "waiting list, position 1" in slot["html"]

    empty = hooks.home_slot(request=request, organisation=OrganisationFactory())
    assert "no upcoming seminars" in empty["html"]


def test_plan_suggests_bookable_events_per_topic_in_one_query(django_assert_num_queries):
    funding, members_topic, other = Topic.objects.order_by("position")[1:4]
    soonest = EventFactory(title_en="Funding basics", topics=[funding], dates=[(soon(days=3), soon(days=3, hour=12))])
    EventFactory(title_en="Funding advanced", topics=[funding, members_topic])
    EventFactory(title_en="Started already", topics=[funding], dates=[(soon(days=-1), soon(days=2))])
    EventFactory(title_en="Elsewhere", topics=[other])

    with django_assert_num_queries(1):
        items = hooks.plan_items(organisation=None, topics=[funding, members_topic])
    assert [item.title for item in items[funding.pk]] == ["Funding basics", "Funding advanced"]
    assert [item.title for item in items[members_topic.pk]] == ["Funding advanced"]
    assert items[funding.pk][0].url == soonest.get_absolute_url()
    assert items[funding.pk][0].kind == "seminar"


def test_federation_sees_counts_of_clubs_that_share_never_names():
    federation = FederationFactory()
    sharing = OrganisationFactory(parent=federation, parent_confirmed=True, shares_participation=True)
    private = OrganisationFactory(parent=federation, parent_confirmed=True, shares_participation=False)
    event = EventFactory(title_en="Press work")
    for club in (sharing, sharing, private):
        person = make_person(first_name="Secretname")
        club.memberships.create(user=person)
        services.booking_create(event=event, person=person, organisation=club, booked_by=person)

    lines = club_participation(clubs=[sharing, private])
    assert set(lines) == {sharing.pk}
    [line] = lines[sharing.pk]
    assert line.count == 2
    assert line.offer.startswith("Press work (seminar, ")
    assert "Secretname" not in line.offer


def test_calendar_lists_booked_dates_with_the_link_for_confirmed_only(organisation, member_user, admin_user):
    online = OnlineEventFactory(capacity=1, dates=[(soon(days=2), soon(days=2, hour=12))])
    services.booking_create(event=online, person=admin_user, organisation=organisation, booked_by=admin_user)
    services.booking_create(event=online, person=member_user, organisation=organisation, booked_by=member_user)
    other = OnlineEventFactory(dates=[(soon(days=5), soon(days=5, hour=12))])
    services.booking_create(event=other, person=member_user, organisation=organisation, booked_by=member_user)

    entries = calendar_entries(user=member_user)
    assert [entry.start for entry in entries] == [soon(days=2), soon(days=5)]
    assert entries[0].title.startswith("Waiting list:")
    assert online.online_link not in entries[0].location + entries[0].description
    assert other.online_link in entries[1].location
