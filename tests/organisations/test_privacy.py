"""Deleting an account, the organisations' part: admin roles given up, an organisation left without an admin
flagged to staff and mailed to the team, team lists without deleted accounts."""

import pytest
from django.core import mail
from django.urls import reverse

from academy import roles
from academy.privacy import user_delete_account
from organisations.models import Membership, Organisation
from organisations.selectors import organisation_member_clubs, organisation_members
from organisations.services import consent_record
from tests.factories import UserFactory

from .factories import FederationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_last_admin_leaving_is_flagged_on_the_start_page_and_mailed_to_the_team(
    client, django_capture_on_commit_callbacks, settings
):
    admin = UserFactory()
    member = UserFactory()
    organisation = OrganisationFactory(name="Kulturbrücke e.V.", admins=[admin], members=[member])
    OrganisationFactory(members=[UserFactory()])  # never had an admin (e.g. made by staff): not flagged

    with django_capture_on_commit_callbacks(execute=True):
        user_delete_account(user=admin)

    membership = Membership.objects.get(user=admin)
    assert membership.role == Membership.Role.MEMBER  # the membership stays, anonymous; the role is given up
    organisation.refresh_from_db()
    assert organisation.contact_person_id is None
    [message] = [m for m in mail.outbox if m.to == [settings.VAMOS_TEAM_EMAIL]]
    assert "Kulturbrücke e.V." in message.body

    client.force_login(UserFactory(is_staff=True, roles=[roles.STAFF], language="en"))
    panels = {panel.title: panel for panel in client.get(reverse("admin:index")).context["panels"]}
    [item] = [i for i in panels["Organisations"].items if "without an admin" in i.label]
    assert item.count == 1
    listed = client.get(item.url).context["cl"].queryset
    assert list(listed) == [organisation]


def test_with_another_admin_nothing_is_flagged_and_the_contact_role_moves_on(django_capture_on_commit_callbacks):
    first, second = UserFactory(), UserFactory()
    organisation = OrganisationFactory(admins=[first, second])

    with django_capture_on_commit_callbacks(execute=True):
        done = user_delete_account(user=first)

    assert done["organisations_without_admin"] == []
    organisation.refresh_from_db()
    assert organisation.contact_person_id == second.pk
    assert not mail.outbox


def test_team_pages_and_member_counts_skip_deleted_accounts(client):
    admin, leaving = UserFactory(last_name="Bleibt"), UserFactory(last_name="Geht")
    federation = FederationFactory()
    organisation = OrganisationFactory(admins=[admin], members=[leaving], parent=federation, parent_confirmed=True)

    user_delete_account(user=leaving)

    assert [m.user for m in organisation_members(organisation=organisation)] == [admin]
    assert organisation_member_clubs(federation=federation).get().member_total == 1
    consent_record(user=admin)
    client.force_login(admin)
    page = client.get(reverse("organisations:team", args=[organisation.pk])).content.decode()
    assert "Bleibt" in page and "anonymised" not in page
    assert Organisation.objects.get(pk=organisation.pk).memberships.count() == 2  # the figures still count both
