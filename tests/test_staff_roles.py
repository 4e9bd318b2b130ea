"""Roles with least privilege, as people meet them.

- VAMOs staff (is_staff and the VAMOs-Team group, no superuser needed) use the admin for everything and do
  the daily work there through the same services as the portal: approve an organisation, cancel a booking
  (the waiting list moves up, both are mailed), assign a coach (organisation and coach are mailed).
- A trainer (group Trainer*in, not staff) never enters the admin; they take attendance of their own events
  only (another event's page is a 404).
- A coach (group Coach) never enters the admin; they see their own cases only (404 for others).
- A staff account in no group (decision): it may open the admin's start page but is given no permission
  there, so it sees no app and every list is refused (403). The start page lists such accounts for staff to fix.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from academy import roles
from academy.models import User
from academy.signals import STAFF_APPS
from coaching.models import CoachingCase
from events import services as event_services
from events.models import Booking, EventMail
from organisations.models import Membership, Organisation
from organisations.services import consent_record
from tests.coaching.conftest import submit_case
from tests.coaching.factories import CoachFactory
from tests.events.factories import EventFactory
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def person(**kwargs):
    kwargs.setdefault("language", "en")
    user = UserFactory(**kwargs)
    consent_record(user=user)
    return user


@pytest.fixture
def team_member():
    return person(is_staff=True, roles=[roles.STAFF])


@pytest.fixture
def trainer():
    return person(roles=[roles.TRAINER])


@pytest.fixture
def topics():
    from academy.models import Topic

    return list(Topic.objects.order_by("position")[:2])


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# ---- VAMOs staff -----------------------------------------------------------------------------------------------


def test_vamos_staff_without_superuser_open_every_list_and_add_page_of_the_admin(client, team_member):
    assert not team_member.is_superuser
    client.force_login(team_member)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in STAFF_APPS:
            continue  # groups, permissions, sites and allauth's MFA devices: superusers only
        assert client.get(admin_url(model)).status_code == 200, model
        request = client.get(admin_url(model)).wsgi_request
        if model_admin.has_add_permission(request):
            assert client.get(admin_url(model, "add")).status_code == 200, model


def test_vamos_staff_give_roles_but_cannot_make_anyone_superuser(client, team_member):
    client.force_login(team_member)
    for user in (team_member, person()):
        response = client.get(admin_url(User, "change", user.pk))
        assert response.status_code == 200
        readonly = response.context["adminform"].readonly_fields
        assert {"is_superuser", "user_permissions"} <= set(readonly) and "groups" not in readonly
    superuser = person(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    readonly = client.get(admin_url(User, "change", team_member.pk)).context["adminform"].readonly_fields
    assert "is_superuser" not in readonly


def test_vamos_staff_approve_an_organisation_in_the_admin(
    client, team_member, mailoutbox, django_capture_on_commit_callbacks
):
    contact = person()
    pending = OrganisationFactory(status=Organisation.Status.PENDING, admins=[contact])
    client.force_login(team_member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(Organisation), {"action": "approve", ACTION_CHECKBOX_NAME: [pending.pk]})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (Organisation.Status.APPROVED, team_member)
    assert [m.to for m in mailoutbox] == [[contact.email]]


def test_cancelling_a_booking_in_the_admin_moves_the_waiting_list_up_and_mails_like_the_portal(
    client, team_member, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    organisation = OrganisationFactory()
    first, second = person(), person()
    for someone in (first, second):
        Membership.objects.create(user=someone, organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        seat = event_services.booking_create(event=event, person=first, organisation=organisation, booked_by=first)
        waiting = event_services.booking_create(event=event, person=second, organisation=organisation, booked_by=second)
    mailoutbox.clear()
    client.force_login(team_member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(Booking), {"action": "cancel_bookings", ACTION_CHECKBOX_NAME: [seat.pk]})

    assert response.status_code == 302
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, seat.cancelled_by, waiting.status) == ("cancelled", team_member, "confirmed")
    event.refresh_from_db()
    assert event.confirmed_count == 1
    # The same mails as when the person cancels in the portal: their cancellation, the other's promotion.
    assert set(EventMail.objects.values_list("booking_id", "kind")) >= {
        (seat.pk, EventMail.Kind.CANCELLED),
        (waiting.pk, EventMail.Kind.PROMOTED),
    }
    assert sorted(m.to[0] for m in mailoutbox) == sorted([first.email, second.email])


def test_assigning_a_coach_in_the_admin_mails_the_organisation_and_the_coach(
    client, team_member, topics, mailoutbox, django_capture_on_commit_callbacks
):
    org_admin = person()
    organisation = OrganisationFactory(admins=[org_admin])
    case = submit_case(organisation, org_admin, topics[:1])
    coach = CoachFactory(topics=topics[:1])
    mailoutbox.clear()
    client.force_login(team_member)

    assert client.get(admin_url(CoachingCase, "change", case.pk)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:coaching_coachingcase_assign", args=[case.pk, coach.pk]))

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.coach) == (CoachingCase.Status.ASSIGNED, coach)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([org_admin.email, coach.user.email])
    entry = case.history.order_by("-history_date", "-history_id").first()
    assert (entry.status, entry.history_user) == (CoachingCase.Status.ASSIGNED, team_member)


# ---- trainers and coaches ---------------------------------------------------------------------------------------


def test_a_trainer_takes_attendance_of_their_own_events_only_and_never_enters_the_admin(client, trainer):
    own = EventFactory(trainers=[trainer])
    other = EventFactory()
    client.force_login(trainer)

    assert client.get(reverse("events:attendance", args=[own.dates.get().pk])).status_code == 200
    assert client.get(reverse("events:attendance", args=[other.dates.get().pk])).status_code == 404
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert client.get(admin_url(Booking)).status_code == 302


def test_a_coach_sees_their_own_cases_only_and_never_enters_the_admin(client, topics):
    org_admin = person()
    organisation = OrganisationFactory(admins=[org_admin])
    mine, theirs = CoachFactory(topics=topics[:1]), CoachFactory(topics=topics[:1])
    staff = person(is_staff=True, roles=[roles.STAFF])
    from coaching import services as coaching_services

    own_case = coaching_services.case_assign(
        case=submit_case(organisation, org_admin, topics[:1]), coach=mine, by=staff
    )
    other_case = coaching_services.case_assign(
        case=submit_case(organisation, org_admin, topics[:1]), coach=theirs, by=staff
    )
    client.force_login(mine.user)

    assert client.get(reverse("coaching:coach_case", args=[own_case.pk])).status_code == 200
    assert client.get(reverse("coaching:coach_case", args=[other_case.pk])).status_code == 404
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(admin_url(CoachingCase, "change", own_case.pk)).status_code == 302


# ---- a staff account in no group ------------------------------------------------------------------------------


def test_a_staff_account_in_no_group_gets_no_permission_in_the_admin(client):
    roleless = person(is_staff=True)
    client.force_login(roleless)

    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and index.context["app_list"] == []
    for model in (Organisation, Booking, CoachingCase):
        assert client.get(admin_url(model)).status_code == 403
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    client.post(admin_url(Organisation), {"action": "approve", ACTION_CHECKBOX_NAME: [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.PENDING


# ---- the lists a working day needs ------------------------------------------------------------------------------


def test_the_lists_show_members_sessions_lessons_and_upcoming_events(client, team_member):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event

    organisation = OrganisationFactory(admins=[person()], members=[person(), person()])
    upcoming = EventFactory(title="Bald")
    past = EventFactory(
        title="Vorbei", dates=[(timezone.now() - timedelta(days=3), timezone.now() - timedelta(days=3, hours=-2))]
    )
    client.force_login(team_member)

    listed = client.get(admin_url(Organisation)).context["cl"].result_list
    assert next(o for o in listed if o.pk == organisation.pk).account_count == 3
    assert list(client.get(admin_url(Event) + "?when=upcoming").context["cl"].result_list) == [upcoming]
    assert list(client.get(admin_url(Event) + "?when=past").context["cl"].result_list) == [past]
    assert client.get(admin_url(CoachingCase)).status_code == 200
