"""Staff write to an event's participants, its waiting list or both from the admin: sent by Celery, each person
once and in their language, recorded on the event; failures are kept for the staff start page."""

from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from academy import roles
from events import services
from events.models import Booking, EventMail, EventMessage
from events.tasks import send_event_message, send_event_message_fan_out
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:events_event_changelist"
SMTP_DOWN = mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("SMTP down"))


@pytest.fixture
def team_member():
    """VAMOs staff as they work every day: in the VAMOs-Team group, not a superuser."""
    return make_person(is_staff=True, roles=[roles.STAFF])


@pytest.fixture
def people(event):
    """Two confirmed (one reads German, one English), one waiting, one who cancelled; the event has 2 seats."""
    event.capacity = 2
    event.save()
    organisation = OrganisationFactory()
    booked = {}
    for name, language in (("ayse", "de"), ("ben", "en"), ("chiara", "en"), ("dana", "de")):
        person = make_person(email=f"{name}@verein.example", language=language)
        Membership.objects.create(user=person, organisation=organisation)
        booked[name] = services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)
    services.booking_cancel(booking=booked["dana"], by=booked["dana"].person)
    services.booking_cancel(booking=booked["chiara"], by=booked["chiara"].person)
    waiting_person = make_person(email="emre@verein.example", language="en")
    Membership.objects.create(user=waiting_person, organisation=organisation)
    booked["emre"] = services.booking_create(
        event=event, person=waiting_person, organisation=organisation, booked_by=waiting_person
    )
    statuses = {name: Booking.objects.get(pk=b.pk).status for name, b in booked.items()}
    assert statuses == {
        "ayse": "confirmed",
        "ben": "confirmed",
        "chiara": "cancelled",
        "dana": "cancelled",
        "emre": "waiting",
    }
    return booked


def message_mails(mailoutbox):
    return [m for m in mailoutbox if "Raumänderung" in m.subject]


def send(event, audience, by, capture):
    with capture(execute=True):
        return services.event_message_send(
            event=event, audience=audience, subject="Raumänderung", body="Wir treffen uns in Raum 2.", by=by
        )


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("confirmed", ["ayse@verein.example", "ben@verein.example"]),
        ("waiting", ["emre@verein.example"]),
        ("all", ["ayse@verein.example", "ben@verein.example", "emre@verein.example"]),
    ],
)
def test_the_chosen_people_get_the_message_and_nobody_who_cancelled(
    event, people, team_member, mailoutbox, django_capture_on_commit_callbacks, audience, expected
):
    mailoutbox.clear()
    message = send(event, audience, team_member, django_capture_on_commit_callbacks)

    mails = message_mails(mailoutbox)
    assert sorted(m.to[0] for m in mails) == expected
    assert all("Wir treffen uns in Raum 2." in m.body and event.title in m.subject for m in mails)
    message.refresh_from_db()
    assert (message.recipient_count, message.sent_count, message.failed_count) == (len(expected), len(expected), 0)
    assert EventMail.objects.filter(kind=EventMail.Kind.MESSAGE, sequence=message.pk).count() == len(expected)


def test_each_person_reads_the_frame_in_their_language(
    event, people, team_member, mailoutbox, django_capture_on_commit_callbacks
):
    send(event, "confirmed", team_member, django_capture_on_commit_callbacks)

    html = {m.to[0]: m.alternatives[0][0] for m in message_mails(mailoutbox)}
    assert '<html lang="de" dir="ltr">' in html["ayse@verein.example"]
    assert '<html lang="en" dir="ltr">' in html["ben@verein.example"]


def test_running_the_tasks_twice_sends_once(event, people, team_member, mailoutbox, django_capture_on_commit_callbacks):
    message = send(event, "all", team_member, django_capture_on_commit_callbacks)
    assert len(message_mails(mailoutbox)) == 3

    assert send_event_message_fan_out(message.pk) == 0  # a second fan-out finds everyone served
    assert send_event_message(message.pk, people["ayse"].pk) is False  # a duplicated recipient task
    assert len(message_mails(mailoutbox)) == 3
    message.refresh_from_db()
    assert (message.recipient_count, message.sent_count) == (3, 3)


def test_a_booking_cancelled_before_the_worker_runs_gets_nothing(
    event, people, team_member, mailoutbox, django_capture_on_commit_callbacks
):
    message = services.event_message_send(event=event, audience="all", subject="Raumänderung", body="…", by=team_member)
    services.booking_cancel(booking=people["emre"], by=people["emre"].person)

    assert send_event_message(message.pk, people["emre"].pk) is False
    with django_capture_on_commit_callbacks(execute=True):  # the fan-out enqueues through the outbox, on commit
        send_event_message_fan_out(message.pk)
    assert sorted(m.to[0] for m in message_mails(mailoutbox)) == ["ayse@verein.example", "ben@verein.example"]


def test_a_failure_after_the_last_retry_is_recorded_and_sending_again_reaches_only_that_person(
    client, event, people, team_member, mailoutbox, django_capture_on_commit_callbacks
):
    message = services.event_message_send(event=event, audience="all", subject="Raumänderung", body="…", by=team_member)
    send_event_message(message.pk, people["ayse"].pk)
    with SMTP_DOWN:
        with pytest.raises(OSError):
            send_event_message(message.pk, people["ben"].pk)  # a first attempt: Celery retries it
        assert EventMessage.objects.get(pk=message.pk).failed_count == 0
        for _ in range(2):  # the last retry, delivered twice by the broker: counted once
            with pytest.raises(OSError):
                send_event_message.apply(args=[message.pk, people["ben"].pk], retries=send_event_message.max_retries)
    message.refresh_from_db()
    assert (message.failed_count, message.failed_bookings) == (1, [people["ben"].pk])

    client.force_login(team_member)
    start_page = client.get(reverse("admin:index"))
    assert "message to participants failed for someone" in start_page.content.decode()

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:events_eventmessage_changelist"),
            {"action": "send_again", ACTION_CHECKBOX_NAME: [message.pk]},
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in message_mails(mailoutbox)) == ["ben@verein.example", "emre@verein.example"]
    message.refresh_from_db()
    assert (message.sent_count, message.failed_count, message.failed_bookings) == (3, 0, [])


def test_staff_write_from_the_event_list_and_the_message_is_kept_on_the_event(
    client, event, people, team_member, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(team_member)
    url = reverse(CHANGELIST)
    page = client.post(url, {"action": "write_to_participants", ACTION_CHECKBOX_NAME: [event.pk]})
    assert page.status_code == 200
    assert 'name="subject"' in page.content.decode() and 'name="audience"' in page.content.decode()

    empty = client.post(
        url,
        {"action": "write_to_participants", ACTION_CHECKBOX_NAME: [event.pk], "apply": "1", "audience": "all"},
    )
    assert empty.status_code == 200 and empty.context["form"].errors.keys() == {"subject", "body"}
    assert not EventMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "write_to_participants",
                ACTION_CHECKBOX_NAME: [event.pk],
                "apply": "1",
                "audience": "waiting",
                "subject": "Raumänderung",
                "body": "Sie stehen auf der Warteliste.",
            },
        )
    assert response.status_code == 302
    message = EventMessage.objects.get()
    assert (message.event, message.audience, message.sent_by, message.subject) == (
        event,
        "waiting",
        team_member,
        "Raumänderung",
    )
    assert [m.to[0] for m in message_mails(mailoutbox)] == ["emre@verein.example"]

    change = client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert change.status_code == 200
    assert "Raumänderung" in change.content.decode()  # the read-only inline
    assert client.get(reverse("admin:events_eventmessage_change", args=[message.pk])).status_code == 200


def test_only_staff_with_the_permission_to_change_events_may_write(client, event, people, mailoutbox):
    viewer = make_person(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(viewer)
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "write_to_participants",
            ACTION_CHECKBOX_NAME: [event.pk],
            "apply": "1",
            "audience": "all",
            "subject": "Raumänderung",
            "body": "…",
        },
    )
    assert response.status_code in (200, 302)
    assert not EventMessage.objects.exists()

    participant = people["ayse"].person
    client.force_login(participant)
    assert client.get(reverse(CHANGELIST)).status_code == 302  # not into the admin at all
    with pytest.raises(PermissionDenied):
        services.event_message_send(event=event, audience="all", subject="Hallo", body="…", by=participant)
    assert message_mails(mailoutbox) == []
