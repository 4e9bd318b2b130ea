"""Who may open which event page: every view for every role (anonymous, member of another organisation, member,
organisation admin, trainer of the event, staff). Ids of other organisations' bookings and of dates one does not
take attendance for answer 404, so they do not leak."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Attendance, Booking
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other_member", "member", "org_admin", "trainer", "staff"]


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world(organisation, admin_user, member_user, staff_user):
    """An event today with a trainer; the member holds a confirmed seat; another organisation's member too."""
    trainer = make_person()
    other_member = make_person()
    OrganisationFactory(members=[other_member])
    now = timezone.now()
    event = EventFactory(trainers=[trainer], dates=[(now + timedelta(hours=1), now + timedelta(hours=3))])
    booking = services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    event_date = event.dates.get()
    # The date began a little while ago, so attendance can be taken (booking closed at its start).
    event_date.start, event_date.end = now - timedelta(minutes=5), now + timedelta(hours=2)
    event_date.save()
    return {
        "event": event,
        "booking": booking,
        "event_date": event_date,
        "organisation": organisation,
        "people": {
            "anonymous": None,
            "other_member": other_member,
            "member": member_user,
            "org_admin": admin_user,
            "trainer": trainer,
            "staff": staff_user,
        },
    }


def _as(client, world, role):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    return person


def _is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_for_everyone(client, world, role):
    _as(client, world, role)
    event = world["event"]
    assert client.get(reverse("events:catalogue")).status_code == 200
    assert client.get(event.get_absolute_url()).status_code == 200
    assert client.get(reverse("events:event_ics", args=[event.pk])).status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("other_member", 404),
        ("member", 200),
        ("org_admin", 200),
        ("trainer", 404),
        ("staff", 200),
    ],
)
def test_cancel_page_of_a_booking(client, world, role, expected):
    _as(client, world, role)
    url = reverse("events:cancel", args=[world["booking"].pk])
    response = client.get(url)
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected
    if expected != 200:
        client.post(url)
        world["booking"].refresh_from_db()
        assert world["booking"].is_confirmed


@pytest.mark.parametrize("role", ["member", "org_admin", "staff"])
def test_who_may_cancel_does_cancel(client, world, role):
    """Before the date began: the person, their organisation's admin and staff cancel the seat."""
    event_date = world["event_date"]
    event_date.start, event_date.end = timezone.now() + timedelta(days=3), timezone.now() + timedelta(days=3, hours=2)
    event_date.save()
    _as(client, world, role)
    response = client.post(reverse("events:cancel", args=[world["booking"].pk]))
    assert response.status_code == 302
    world["booking"].refresh_from_db()
    assert world["booking"].is_cancelled


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("other_member", 200),
        ("member", 200),
        ("org_admin", 200),
        ("trainer", 200),
        ("staff", 200),
    ],
)
def test_my_bookings_and_calendar_page_need_a_login(client, world, role, expected):
    _as(client, world, role)
    for url in (reverse("events:my_bookings"), reverse("events:calendar")):
        response = client.get(url)
        if expected == "login":
            assert _is_login_redirect(response)
        else:
            assert response.status_code == 200
    if role == "other_member":
        assert world["event"].title not in client.get(reverse("events:my_bookings")).content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("other_member", 404),
        ("member", 200),
        ("org_admin", 200),
        ("trainer", 404),
        ("staff", 200),
    ],
)
def test_organisation_bookings_page(client, world, role, expected):
    _as(client, world, role)
    response = client.get(reverse("events:organisation_bookings", args=[world["organisation"].pk]))
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("other_member", 403),
        ("member", 403),
        ("org_admin", 200),
        ("trainer", 403),
        ("staff", 403),  # staff book colleagues in the admin, not as a member of the organisation
    ],
)
def test_book_colleagues(client, world, role, expected, organisation):
    event = EventFactory()
    colleague = make_person()
    organisation.memberships.create(user=colleague)
    _as(client, world, role)
    response = client.post(reverse("events:book_colleagues", args=[event.pk]), {"people": [colleague.pk]})
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected
    assert Booking.objects.filter(event=event).exists() == (expected == 200)


@pytest.mark.parametrize(
    ("role", "books"),
    [
        ("anonymous", False),
        ("other_member", True),  # for their own organisation
        ("member", True),
        ("org_admin", True),
        ("trainer", False),  # belongs to no organisation
        ("staff", False),
    ],
)
def test_book_for_oneself(client, world, role, books):
    event = EventFactory()
    person = _as(client, world, role)
    response = client.post(reverse("events:book", args=[event.pk]))
    if person is None:
        assert _is_login_redirect(response)
    else:
        assert response.status_code == 302
    assert Booking.objects.filter(event=event).exists() == books


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("other_member", 404),
        ("member", 404),
        ("org_admin", 404),
        ("trainer", 200),
        ("staff", 200),
    ],
)
def test_attendance_pages(client, world, role, expected):
    _as(client, world, role)
    event_date, booking = world["event_date"], world["booking"]
    urls = [reverse("events:attendance_overview"), reverse("events:attendance", args=[event_date.pk])]
    for url in urls:
        response = client.get(url)
        if expected == "login":
            assert _is_login_redirect(response)
        else:
            assert response.status_code == expected, url
    response = client.post(reverse("events:attendance_mark", args=[event_date.pk, booking.pk]), {"present": "1"})
    if expected == "login":
        assert _is_login_redirect(response)
    elif expected == 404:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
    assert Attendance.objects.filter(booking=booking).exists() == (expected == 200)


def test_another_organisations_booking_id_is_404_even_for_its_admin(client, world):
    stranger_admin = make_person()
    stranger = make_person()
    other = OrganisationFactory(admins=[stranger_admin], members=[stranger])
    event = EventFactory()
    foreign = services.booking_create(event=event, person=stranger, organisation=other, booked_by=stranger)
    for role in ("member", "org_admin"):
        client.force_login(world["people"][role])
        assert client.get(reverse("events:cancel", args=[foreign.pk])).status_code == 404
        assert client.post(reverse("events:cancel", args=[foreign.pk])).status_code == 404
        assert client.get(reverse("events:organisation_bookings", args=[other.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_confirmed


def test_trainer_of_another_event_gets_404(client, world):
    other_trainer = make_person()
    EventFactory(trainers=[other_trainer])
    client.force_login(other_trainer)
    assert client.get(reverse("events:attendance_overview")).status_code == 200  # a trainer, with own events
    assert client.get(reverse("events:attendance", args=[world["event_date"].pk])).status_code == 404


def test_nav_shows_attendance_to_trainers_after_login(client, world):
    trainer = world["people"]["trainer"]
    client.force_login(trainer)  # force_login sends user_logged_in, like a real login
    assert reverse("events:attendance_overview") in client.get(reverse("events:catalogue")).content.decode()
    client.force_login(world["people"]["member"])
    assert reverse("events:attendance_overview") not in client.get(reverse("events:catalogue")).content.decode()
