"""Approvals and other changes of an organisation are in its history, naming who made them."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from academy import roles
from organisations import services
from organisations.models import Organisation
from tests.factories import UserFactory

from .factories import FederationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def last_change(organisation):
    return organisation.history.order_by("-history_date", "-history_id").first()


def test_an_approval_in_the_admin_shows_in_the_history_with_the_staff_member(client):
    team_member = UserFactory(is_staff=True, roles=[roles.STAFF])
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    client.force_login(team_member)

    client.post(
        reverse("admin:organisations_organisation_changelist"),
        {"action": "approve", ACTION_CHECKBOX_NAME: [pending.pk]},
    )

    entry = last_change(pending)
    assert (entry.status, entry.history_user, entry.decided_by) == ("approved", team_member, team_member)
    page = client.get(reverse("admin:organisations_organisation_history", args=[pending.pk]))
    assert page.status_code == 200 and len(page.context["page_obj"]) == 2  # created, approved


def test_a_federation_confirming_a_member_club_is_in_the_clubs_history():
    admin = UserFactory()
    federation = FederationFactory(admins=[admin])
    club = OrganisationFactory(parent=federation, parent_confirmed=False)
    before = club.history.count()

    services.organisation_confirm_member_club(federation=federation, club=club, by=admin)

    club.refresh_from_db()
    assert club.parent_confirmed
    assert club.history.count() == before + 1 and last_change(club).parent_confirmed
    services.organisation_confirm_member_club(federation=federation, club=club, by=admin)  # again: no new entry
    assert club.history.count() == before + 1
