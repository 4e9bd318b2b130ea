"""Anonymising a person (academy.services.user_anonymise): the personal data goes, the records and figures stay."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse

from academy import roles
from academy.models import User
from academy.services import user_anonymise
from academy.statistics import statistics_collect
from events.models import Booking
from tests.factories import PASSWORD, UserFactory

from .test_statistics import YEAR, build_world

pytestmark = pytest.mark.django_db


def all_figures():
    return [
        (section.key, [(figure.key, [tuple(map(str, row)) for row in figure.rows]) for figure in section.figures])
        for section in statistics_collect(period=YEAR)
    ]


def test_statistics_are_the_same_after_every_participant_is_anonymised():
    world = build_world()
    before = all_figures()

    for person in world["people"]:
        user_anonymise(user=person)

    assert all_figures() == before
    assert Booking.objects.filter(person__in=world["people"]).count() == 9


def test_the_personal_data_is_erased_and_the_row_kept(client):
    person = UserFactory(email="ayse@verein.example", first_name="Ayşe", last_name="Yılmaz", roles=[roles.TRAINER])

    user_anonymise(user=person)

    person.refresh_from_db()
    assert person.email == f"anonymised-{person.pk}@anonymised.invalid"
    assert (person.first_name, person.last_name, person.display_name) == ("", "", "")
    assert not person.has_usable_password()
    assert not person.is_active
    assert not person.groups.exists()
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not User.objects.filter(email="ayse@verein.example").exists()
    # The address is free again, and the old login no longer works.
    assert not client.login(email="ayse@verein.example", password=PASSWORD)
    UserFactory(email="ayse@verein.example")


def test_a_logged_in_session_ends_with_the_anonymisation(client):
    person = UserFactory()
    client.force_login(person)

    user_anonymise(user=person)

    assert client.get(reverse("events:my_bookings")).status_code == 302


def test_superusers_are_refused():
    boss = UserFactory(is_staff=True, is_superuser=True)

    with pytest.raises(ValidationError):
        user_anonymise(user=boss)

    boss.refresh_from_db()
    assert boss.is_active and boss.first_name


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, roles=[roles.STAFF], language="en"))
    return client


def test_staff_anonymise_accounts_in_the_admin_but_never_a_superuser(staff_client):
    person = UserFactory()
    boss = UserFactory(is_staff=True, is_superuser=True)

    response = staff_client.post(
        reverse("admin:academy_user_changelist"),
        {"action": "anonymise", "_selected_action": [person.pk, boss.pk]},
        follow=True,
    )

    person.refresh_from_db()
    boss.refresh_from_db()
    assert person.email.endswith("@anonymised.invalid")
    assert boss.is_active and not boss.email.endswith(".invalid")
    page = response.content.decode()
    assert "1 account anonymised." in page
    assert "1 superuser was left as it is" in page


def test_nobody_deletes_a_person_in_the_admin(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory()
    client.force_login(superuser)

    assert client.get(reverse("admin:academy_user_delete", args=[person.pk])).status_code == 403
    response = client.post(
        reverse("admin:academy_user_changelist"), {"action": "delete_selected", "_selected_action": [person.pk]}
    )
    assert response.status_code in (200, 302)
    assert User.objects.filter(pk=person.pk).exists()
    changelist = client.get(reverse("admin:academy_user_changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist
    assert 'value="anonymise"' in changelist
