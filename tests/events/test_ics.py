from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from academy.calendar import CalendarEntry
from events import ics, services
from events.models import Event
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory, soon

LINK = "https://meet.vamos.example/room-42"


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_text_values_are_escaped():
    assert ics.escape_text("a\\b; c, d\ne") == "a\\\\b\\; c\\, d\\ne"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "Öffentlichkeitsarbeit für Vereine – " * 6
    folded = ics.fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert unfold(folded) == line


def test_a_calendar_is_valid_rfc5545_text():
    start = timezone.now().replace(microsecond=0)
    entry = CalendarEntry(uid="x-1@vamos", title="Treffen", start=start, end=start + timedelta(hours=1))
    text = ics.calendar_ics(entries=[entry], name="Mein Kalender")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART:" + start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") in text
    assert "UID:x-1@vamos" in text


@pytest.mark.django_db
def test_event_ics_has_every_date_and_the_link_only_when_asked():
    event = OnlineEventFactory(
        title_en="Funding, step by step",
        dates=[(soon(days=3), soon(days=3, hour=12)), (soon(days=10), soon(days=10, hour=12))],
    )
    public = unfold(ics.event_ics(event=event))
    assert public.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Funding\\, step by step (1/2)" in public
    assert "SUMMARY:Funding\\, step by step (2/2)" in public
    assert LINK not in public
    assert f"URL:http://127.0.0.1:8000{event.get_absolute_url()}" in public

    private = unfold(ics.event_ics(event=event, include_online_link=True))
    assert LINK in private
    uids = {line for line in private.split("\r\n") if line.startswith("UID:")}
    assert uids == {f"UID:event-date-{d.pk}@vamos" for d in event.dates.all()}


@pytest.mark.django_db
def test_a_cancelled_event_is_marked_cancelled():
    event = EventFactory(status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    assert "STATUS:CANCELLED" in ics.event_ics(event=event)


@pytest.mark.django_db
def test_bookings_calendar_leaves_out_cancelled_and_gives_the_link_to_confirmed_only():
    organisation = OrganisationFactory()
    person, other = make_person(), make_person()
    for user in (person, other):
        Membership.objects.create(user=user, organisation=organisation)
    online = OnlineEventFactory(capacity=1, title_en="Online seminar")
    full = OnlineEventFactory(capacity=1, title_en="Full seminar")
    dropped = EventFactory(title_en="Dropped seminar")
    services.booking_create(event=online, person=person, organisation=organisation, booked_by=person)
    services.booking_create(event=full, person=other, organisation=organisation, booked_by=other)
    services.booking_create(event=full, person=person, organisation=organisation, booked_by=person)
    booking = services.booking_create(event=dropped, person=person, organisation=organisation, booked_by=person)
    services.booking_cancel(booking=booking, by=person)

    from events.selectors import bookings_of_person

    text = unfold(ics.bookings_ics(bookings=bookings_of_person(person=person)))
    events = text.split("BEGIN:VEVENT")[1:]
    assert len(events) == 2
    confirmed = next(e for e in events if "Online seminar" in e)
    waiting = next(e for e in events if "Full seminar" in e)
    assert LINK in confirmed and "STATUS:CONFIRMED" in confirmed
    assert LINK not in waiting and "STATUS:TENTATIVE" in waiting
    assert "Waiting list: Full seminar" in waiting
    assert "Dropped seminar" not in text
