"""The staff start page: "What needs attention today" above the admin's app list, in a fixed number of queries."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from academy import roles
from academy.models import Certificate, OutboxMessage, SentReminder
from coaching.models import CoachingCase
from events.models import Booking, EventMessage
from organisations.models import Organisation
from tests.events.factories import EventFactory, soon
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_member():
    """VAMOs staff as they work every day: in the VAMOs-Team group, not a superuser."""
    return UserFactory(is_staff=True, roles=[roles.STAFF], language="en")


@pytest.fixture
def team_client(client, team_member):
    client.force_login(team_member)
    return client


def book(event, status, count=1):
    organisation = OrganisationFactory()
    for _ in range(count):
        Booking.objects.create(
            event=event, person=UserFactory(), organisation=organisation, status=status, created_at=timezone.now()
        )
    if status == Booking.Status.CONFIRMED:
        event.confirmed_count += count
        event.save(update_fields=["confirmed_count"])


def make_case(status):
    organisation = OrganisationFactory()
    return CoachingCase.objects.create(
        organisation=organisation, goals="Funding", situation="New", status=status, requested_by=UserFactory()
    )


def certificate(minutes_ago, **extra):
    return Certificate.objects.create(
        kind=Certificate.Kind.EVENT,
        subject_key=f"event:{Certificate.objects.count() + 1}",
        recipient=UserFactory(),
        title="Fördermittel beantragen",
        issued_at=timezone.now() - timedelta(minutes=minutes_ago),
        **extra,
    )


@pytest.fixture
def work_to_do():
    """Everything the start page reports, next to look-alikes it must leave out."""
    OrganisationFactory.create_batch(2, status=Organisation.Status.PENDING)
    OrganisationFactory(status=Organisation.Status.DECLINED, decline_reason="Kein Verein")
    make_case(CoachingCase.Status.SUBMITTED)
    make_case(CoachingCase.Status.IN_REVIEW)
    make_case(CoachingCase.Status.IN_REVIEW)
    make_case(CoachingCase.Status.WITHDRAWN)

    seats_left = EventFactory(title="Finanzierung kompakt", capacity=10, dates=[(soon(3), soon(3, hour=16))])
    book(seats_left, Booking.Status.CONFIRMED, 4)
    full_with_waiting = EventFactory(title="Volles Seminar", capacity=2, dates=[(soon(5), soon(5, hour=16))])
    book(full_with_waiting, Booking.Status.CONFIRMED, 2)
    book(full_with_waiting, Booking.Status.WAITING, 3)
    full_no_waiting = EventFactory(title="Ausgebucht ohne Warteliste", capacity=1, dates=[(soon(2), soon(2, hour=16))])
    book(full_no_waiting, Booking.Status.CONFIRMED, 1)
    EventFactory(title="Erst in zwei Wochen", dates=[(soon(14), soon(14, hour=16))])
    EventFactory(title="Entwurf", status="draft", dates=[(soon(1), soon(1, hour=16))])

    certificate(20)  # failed: no PDF 20 minutes after issuing
    certificate(5)  # still being made
    certificate(60, file="certificates/made.pdf", rendered_at=timezone.now())
    certificate(60, revoked_at=timezone.now(), revoked_reason="Error")

    person = UserFactory()
    SentReminder.objects.create(recipient=person, subject_key="event-1-7d", kind="event_before", status="failed")
    SentReminder.objects.create(recipient=person, subject_key="event-2-7d", kind="event_before", status="sent")

    EventMessage.objects.create(
        event=seats_left, audience="all", subject="Raumänderung", body="…", failed_count=2, failed_bookings=[1, 2]
    )
    EventMessage.objects.create(event=seats_left, audience="all", subject="Alles gut", body="…")
    UserFactory(is_staff=True)  # a staff account in no group

    # Two tasks stuck in the outbox (the broker was down), one just written (it is being handed over now).
    for minutes_ago in (30, 6, 1):
        OutboxMessage.objects.create(
            task="events.tasks.send_booking_mail", args=[1], created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
    return {"seats_left": seats_left, "full_with_waiting": full_with_waiting}


def rows(response):
    """(label, number, details) of every item on the start page, by panel title."""
    panels = response.context["panels"]
    return {panel.title: [(item.label, item.count, item.detail, item.url) for item in panel.items] for panel in panels}


def test_start_page_lists_what_needs_attention_with_counts_and_links(
    team_client, work_to_do, django_assert_max_num_queries
):
    with django_assert_max_num_queries(13):
        response = team_client.get(reverse("admin:index"))

    assert response.status_code == 200
    found = rows(response)
    organisations_url = reverse("admin:organisations_organisation_changelist") + "?status__exact=pending"
    assert found["Organisations"] == [("organisations waiting for approval", 2, "", organisations_url)]
    cases_url = reverse("admin:coaching_coachingcase_changelist")
    assert found["Coaching"] == [
        ("coaching request submitted", 1, "", cases_url + "?status__exact=submitted"),
        ("coaching requests in review", 2, "", cases_url + "?status__exact=in_review"),
    ]
    events = found["Events in the next 7 days: seats left or a waiting list"]
    assert [(label.split(" (")[0], detail, url) for label, _count, detail, url in events] == [
        (
            "Finanzierung kompakt",
            "6 seats left, 0 waiting",
            reverse("admin:events_event_change", args=[work_to_do["seats_left"].pk]),
        ),
        (
            "Volles Seminar",
            "0 seats left, 3 waiting",
            reverse("admin:events_event_change", args=[work_to_do["full_with_waiting"].pk]),
        ),
    ]
    assert found["Certificates and mails"] == [
        (
            "certificate without its PDF (failed to generate)",
            1,
            "",
            reverse("admin:academy_certificate_changelist") + "?pdf=missing",
        ),
        ("reminder failed to send", 1, "", reverse("admin:academy_sentreminder_changelist") + "?status__exact=failed"),
        (
            "background tasks waiting for the broker (mails, certificates)",
            2,
            "Redis or the Celery worker is not running; see docs/operations.md.",
            reverse("admin:academy_outboxmessage_changelist") + "?stuck=yes",
        ),
    ]
    assert found["Messages to participants"] == [
        (
            "message to participants failed for someone",
            1,
            "2 recipients not reached",
            reverse("admin:events_eventmessage_changelist") + "?failed=yes",
        )
    ]
    assert found["People"][0][:2] == ("staff account without a role (group)", 1)
    html = response.content.decode()
    assert "What needs attention today" in html
    assert 'id="content-main"' in html and "app-events" in html  # the admin's app list is still there
    assert reverse("academy:statistics") in html


def test_the_query_count_does_not_grow_with_the_work(team_client, work_to_do, django_assert_max_num_queries):
    for day in range(1, 6):
        event = EventFactory(dates=[(soon(day), soon(day, hour=12))])
        book(event, Booking.Status.WAITING, 2)
    OrganisationFactory.create_batch(5, status=Organisation.Status.PENDING)

    with django_assert_max_num_queries(13):
        response = team_client.get(reverse("admin:index"))
    assert len(rows(response)["Events in the next 7 days: seats left or a waiting list"]) == 7


def test_every_link_of_the_start_page_opens_its_filtered_list(team_client, work_to_do):
    response = team_client.get(reverse("admin:index"))
    for panel in response.context["panels"]:
        for item in panel.items:
            page = team_client.get(item.url)
            assert page.status_code == 200, item.url
            if item.count is not None:  # a filtered list showing exactly what the start page counted
                assert page.context["cl"].result_count == item.count, item.url


def test_nothing_to_do_says_so(team_client):
    response = team_client.get(reverse("admin:index"))
    assert response.context["panels"] == []
    assert "Nothing needs attention today." in response.content.decode()


def test_staff_without_permission_see_no_panels_of_what_they_may_not_open(client, work_to_do):
    roleless = UserFactory(is_staff=True)
    client.force_login(roleless)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["panels"] == []


def test_certificate_admin_makes_only_the_missing_pdfs_again(
    team_client, work_to_do, django_capture_on_commit_callbacks
):
    changelist = reverse("admin:academy_certificate_changelist")
    failed = team_client.get(changelist + "?pdf=missing").context["cl"].result_list
    assert [c.issued_at < timezone.now() - timedelta(minutes=15) and not c.file for c in failed] == [True]

    with (
        mock.patch("academy.tasks.render_certificate.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = team_client.post(
            changelist,
            {
                "action": "render_missing",
                ACTION_CHECKBOX_NAME: list(Certificate.objects.values_list("pk", flat=True)),
            },
        )
    assert response.status_code == 302
    without_pdf = Certificate.objects.filter(file="", revoked_at__isnull=True)
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(without_pdf.values_list("pk", flat=True))
    assert len(delay.call_args_list) == 2  # the made one and the revoked one are left alone
