import io

import pytest
from django.core.management import call_command

from organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def test_demo_data_builds_a_federation_with_two_clubs_and_is_idempotent():
    call_command("demo_data", stdout=io.StringIO())
    output = io.StringIO()
    call_command("demo_data", stdout=output)
    assert "verband@vamos.example" in output.getvalue()

    federation = Organisation.objects.get(kind=Organisation.Kind.FEDERAL)
    clubs = Organisation.objects.filter(parent=federation, parent_confirmed=True)
    assert clubs.count() == 2
    assert all(club.kind == Organisation.Kind.CLUB for club in clubs)
    for organisation in [federation, *clubs]:
        assert organisation.is_approved
        assert Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN).exists()
    for club in clubs:
        assert Membership.objects.filter(organisation=club, role=Membership.Role.MEMBER).exists()
    assert Membership.objects.filter(user__email="mitglied@vamos.example").exists()
    assert Organisation.objects.count() == 3
