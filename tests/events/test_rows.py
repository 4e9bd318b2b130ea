"""A booking list's rows are values, not model instances (events.rows): what a row says of a booking, its event,
person and organisation must be what the models say, in each language and state."""

import html
import re

import pytest
from django.utils import timezone, translation

from events import selectors, services
from events.models import Booking, Event
from events.rows import BookingRow, brief_columns
from events.templatetags.booking_rows import booking_items
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory

pytestmark = pytest.mark.django_db


def _said(booking) -> tuple:
    """What the lists read of a booking (events/templatetags/booking_rows.py and the pages)."""
    event = booking.event
    return (
        booking.pk,
        booking.status,
        booking.is_active,
        booking.is_confirmed,
        booking.is_waiting,
        booking.event_id,
        (event.pk, event.title, str(event), event.format, event.first_start, event.is_cancelled),
        booking.person.get_full_name() if booking.person else None,
        booking.person.get_short_name() if booking.person else None,
        booking.person_id,
        booking.organisation.name if booking.organisation else None,
        booking.organisation_id,
    )


def test_a_row_says_what_the_models_say_in_every_state_and_language():
    organisation = OrganisationFactory()
    named = make_person(first_name="Ayşe", last_name="Yılmaz")
    nicknamed = make_person(display_name="Kemal")
    plain = make_person()
    deleted = make_person()
    for person in (named, nicknamed, plain, deleted):
        Membership.objects.create(user=person, organisation=organisation)
    translated = EventFactory(title_de="Vereinsrecht", title_en="Association law", capacity=1)
    german_only = EventFactory(title_de="Kassenführung")
    bookings = [
        services.booking_create(event=translated, person=named, organisation=organisation, booked_by=named),
        services.booking_create(event=translated, person=nicknamed, organisation=organisation, booked_by=nicknamed),
        services.booking_create(event=german_only, person=plain, organisation=organisation, booked_by=plain),
        services.booking_create(event=german_only, person=deleted, organisation=organisation, booked_by=deleted),
    ]
    services.booking_cancel(booking=bookings[2], by=plain)
    deleted.delete()
    Booking.objects.filter(pk=bookings[1].pk).update(organisation=None)
    Event.objects.filter(pk=german_only.pk).update(status=Event.Status.CANCELLED, cancelled_at=timezone.now())

    titles = {}
    for language in ("de", "en", "tr"):
        with translation.override(language):
            models = list(Booking.objects.filter(pk__in=[b.pk for b in bookings]).order_by("pk"))
            for whose in ("person", "organisation"):
                values = Booking.objects.filter(pk__in=[b.pk for b in bookings]).order_by("pk")
                rows = [BookingRow(row, whose) for row in values.values_list(*brief_columns(whose))]
                for model, row in zip(models, rows, strict=True):
                    said = _said(row)
                    expected = _said(model)
                    if whose == "person":  # a person's list reads the organisation, an organisation's the person
                        assert said[:-2] == expected[:-2]
                    else:
                        assert said[:7] == expected[:7]
                        assert said[-2:] == expected[-2:]
                titles[language] = {row.event.title for row in rows}
    assert titles["de"] == {"Vereinsrecht", "Kassenführung"}
    assert titles["en"] == {"Association law", "Kassenführung"}  # the German title where there is no English one

    # The lists' rows ({% booking_items %}) say each title as the rows (and the models) do, in every language.
    values = Booking.objects.filter(pk__in=[b.pk for b in bookings]).order_by("pk")
    rows = [BookingRow(row, "organisation") for row in values.values_list(*brief_columns("organisation"))]
    for language in ("de", "en", "tr"):
        with translation.override(language):
            written = booking_items({}, rows)
            shown = re.findall(r'<a href="/veranstaltungen/\d+/">([^<]*)</a>', written)
            assert shown == [html.escape(row.event.title) for row in rows], language


def test_the_organisation_homes_rows_carry_the_waiting_position():
    organisation = OrganisationFactory()
    people = [make_person() for _ in range(3)]
    event = EventFactory(capacity=1)
    for person in people:
        Membership.objects.create(user=person, organisation=organisation)
        services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)
    rows = selectors.organisation_upcoming_bookings(organisation=organisation)
    assert [(row.person_id, row.waiting_position) for row in rows] == [
        (people[0].pk, None),
        (people[1].pk, 1),
        (people[2].pk, 2),
    ]
    assert all(isinstance(row, BookingRow) for row in rows)
