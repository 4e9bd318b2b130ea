from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import services
from events.models import Attendance, Booking, Event, EventDate

from .factories import EventFactory, OnlineEventFactory, soon

pytestmark = pytest.mark.django_db


def test_a_date_must_end_after_it_starts(event):
    start = soon()
    with pytest.raises(IntegrityError), transaction.atomic():
        EventDate.objects.create(event=event, start=start, end=start)
    with pytest.raises(ValidationError, match="end after it starts"):
        EventDate(event=event, start=start, end=start - timedelta(hours=1)).full_clean()


def test_the_database_refuses_overbooking_and_empty_events(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(confirmed_count=event.capacity + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(capacity=0)


def test_the_database_refuses_a_second_active_booking(event, organisation, member_user):
    Booking.objects.create(event=event, person=member_user, organisation=organisation, status="confirmed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=event, person=member_user, organisation=organisation, status="waiting")
    Booking.objects.create(
        event=event, person=member_user, organisation=organisation, status="cancelled", cancelled_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=event, person=member_user, organisation=organisation, status="cancelled")


def test_attendance_is_recorded_once_per_booking_and_date(event, organisation, member_user):
    booking = services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    event_date = event.dates.get()
    Attendance.objects.create(booking=booking, event_date=event_date, present=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(booking=booking, event_date=event_date, present=False)


def test_clean_explains_what_a_published_event_lacks():
    event = OnlineEventFactory(online_link="")
    event.format = Event.Format.HYBRID
    event.city = ""
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert set(excinfo.value.message_dict) >= {"online_link", "city"}


def test_capacity_cannot_drop_below_the_confirmed_seats(organisation, member_user):
    event = EventFactory(capacity=3, per_organisation_limit=2)
    services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    event.capacity = 0
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "1 person is confirmed already" in str(excinfo.value.message_dict["capacity"])
    assert "per_organisation_limit" in excinfo.value.message_dict


def test_registration_must_close_after_it_opens():
    now = timezone.now()
    event = EventFactory.build(registration_opens=now, registration_closes=now - timedelta(hours=1), capacity=5)
    with pytest.raises(ValidationError, match="close after it opens"):
        event.clean()


def test_derived_properties():
    event = EventFactory(venue_name="Haus der Vereine", street="Musterstraße 5", postcode="10115", city="Berlin")
    assert event.place == "Haus der Vereine, Musterstraße 5, 10115 Berlin"
    event_date = event.dates.get()
    assert event.starts_at == event_date.start
    assert event.ends_at == event_date.end
    assert event.cancellation_deadline_at() == event_date.start
    assert event.registration_is_open()
    assert not event.registration_is_open(now=event_date.start)
    assert OnlineEventFactory().place == "Online"
    hybrid = OnlineEventFactory(format=Event.Format.HYBRID, city="Köln")
    assert hybrid.place == "Köln / Online"
    assert str(event_date).count(":") == 2  # one day: "dd.mm.yyyy HH:MM–HH:MM"


# ---- first_start and last_end, kept from the dates --------------------------------------------------------------


def _columns(event):
    return tuple(Event.objects.filter(pk=event.pk).values_list("first_start", "last_end").get())


def test_saving_and_deleting_dates_keeps_the_events_first_start_and_last_end():
    event = EventFactory(dates=[(soon(days=5), soon(days=5, hour=16))])
    assert _columns(event) == (soon(days=5), soon(days=5, hour=16)) == (event.first_start, event.last_end)

    earlier = EventDate.objects.create(event=event, start=soon(days=2), end=soon(days=2, hour=12))
    later = EventDate.objects.create(event=event, start=soon(days=9), end=soon(days=9, hour=18))
    assert _columns(event) == (soon(days=2), soon(days=9, hour=18)) == (event.first_start, event.last_end)

    later.end = soon(days=9, hour=20)
    later.save()
    assert _columns(event) == (soon(days=2), soon(days=9, hour=20))
    earlier.delete()
    assert _columns(event) == (soon(days=5), soon(days=9, hour=20))
    EventDate.objects.filter(event=event).delete()  # a bulk delete still sends a signal per date
    assert _columns(event) == (None, None)


def test_an_admin_form_save_never_writes_a_stale_first_start():
    event = EventFactory(dates=[(soon(days=5), soon(days=5, hour=16))])
    stale = Event.objects.get(pk=event.pk)
    EventDate.objects.create(event=event, start=soon(days=1), end=soon(days=1, hour=12))
    stale.title = "Neu"
    stale.save()  # what the admin's change form does with the copy it loaded before
    assert _columns(event) == (soon(days=1), soon(days=5, hour=16))


def test_refresh_dates_writes_the_columns_after_writes_in_bulk():
    event = EventFactory(dates=[(soon(days=5), soon(days=5, hour=16))])
    EventDate.objects.bulk_create([EventDate(event=event, start=soon(days=3), end=soon(days=3, hour=12))])
    assert _columns(event)[0] == soon(days=5)  # bulk_create sends no signal
    assert Event.objects.filter(pk=event.pk).refresh_dates() == 1
    assert _columns(event) == (soon(days=3), soon(days=5, hour=16))
