"""Every state change of a booking is in its history (django-simple-history), naming who made it."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from academy import roles
from events import services
from events.models import Booking

from .conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_member():
    return make_person(is_staff=True, roles=[roles.STAFF])


def book(event, organisation, person):
    return services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)


def last_change(booking):
    return booking.history.order_by("-history_date", "-history_id").first()


def test_a_booking_cancelled_in_the_portal_names_the_person(client, event, organisation, member_user):
    booking = book(event, organisation, member_user)
    client.force_login(member_user)

    response = client.post(reverse("events:cancel", args=[booking.pk]))

    assert response.status_code == 302
    entry = last_change(booking)
    assert (entry.status, entry.history_user, entry.history_type) == ("cancelled", member_user, "~")
    assert [h.status for h in booking.history.order_by("history_date", "history_id")] == ["confirmed", "cancelled"]


def test_a_booking_cancelled_by_staff_in_the_admin_names_them_and_the_promotion_is_recorded(
    client, event, organisation, member_user, admin_user, team_member
):
    event.capacity = 1
    event.save()
    booking = book(event, organisation, member_user)
    waiting = book(event, organisation, admin_user)
    client.force_login(team_member)

    response = client.post(
        reverse("admin:events_booking_changelist"), {"action": "cancel_bookings", ACTION_CHECKBOX_NAME: [booking.pk]}
    )

    assert response.status_code == 302
    assert (last_change(booking).status, last_change(booking).history_user) == ("cancelled", team_member)
    assert (last_change(waiting).status, last_change(waiting).history_user) == ("confirmed", team_member)


def test_cancelling_an_event_records_each_booking_with_the_staff_member(
    client, event, organisation, member_user, admin_user, team_member
):
    bookings = [book(event, organisation, member_user), book(event, organisation, admin_user)]
    client.force_login(team_member)

    client.post(
        reverse("admin:events_event_changelist"),
        {"action": "cancel_events", ACTION_CHECKBOX_NAME: [event.pk], "apply": "1", "message": "Krankheit."},
    )

    assert set(Booking.objects.values_list("status", flat=True)) == {"cancelled"}
    for booking in bookings:
        assert (last_change(booking).status, last_change(booking).history_user) == ("cancelled", team_member)


def test_the_admin_history_page_of_a_booking_renders_for_staff(client, event, organisation, member_user, team_member):
    booking = book(event, organisation, member_user)
    services.booking_cancel(booking=booking, by=member_user)
    client.force_login(team_member)

    response = client.get(reverse("admin:events_booking_history", args=[booking.pk]))

    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 2  # simple-history: booked, cancelled

    client.force_login(member_user)
    assert client.get(reverse("admin:events_booking_history", args=[booking.pk])).status_code == 302
