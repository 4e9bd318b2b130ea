import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError

from academy.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_whatever_its_case():
    user = User.objects.create_user(email="Ayse.Demir@Example.ORG", password=PASSWORD)

    assert user.email == "ayse.demir@example.org"
    assert authenticate(username="AYSE.DEMIR@example.org", password=PASSWORD) == user


def test_one_address_belongs_to_one_person_only():
    User.objects.create_user(email="team@verein.example", password=PASSWORD)
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="Team@Verein.example", password=PASSWORD)


def test_names_for_certificates_and_for_addressing_the_person():
    user = UserFactory(first_name="Leyla", last_name="Aydın", display_name="Leyla A.")

    assert user.get_full_name() == "Leyla Aydın"
    assert user.get_short_name() == "Leyla A."


def test_a_new_person_reads_german_unless_they_choose_otherwise():
    assert User.objects.create_user(email="neu@verein.example").language == "de"


def test_signup_asks_for_the_names_and_requires_verification(client, mailoutbox):
    response = client.post(
        "/konto/signup/",
        {
            "first_name": "Olena",
            "last_name": "Kovalenko",
            "display_name": "",
            "email": "olena@verein.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="olena@verein.example")
    assert (user.first_name, user.last_name, user.display_name) == ("Olena", "Kovalenko", "Olena")
    assert user.emailaddress_set.get().verified is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["olena@verein.example"]
    # Without verification there is no login.
    response = client.post("/konto/login/", {"login": "olena@verein.example", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_signup_keeps_what_was_typed_when_a_field_is_wrong(client):
    response = client.post(
        "/konto/signup/",
        {"first_name": "Olena", "last_name": "", "email": "olena@verein.example", "password1": "x", "password2": "y"},
    )

    assert response.status_code == 200
    assert not User.objects.exists()
    assert 'value="Olena"' in response.content.decode()
    assert 'value="olena@verein.example"' in response.content.decode()
    assert response.context["form"].errors["last_name"]


def test_failed_logins_are_rate_limited(client):
    from allauth.account.adapter import get_adapter

    UserFactory(email="ziel@verein.example")
    for _attempt in range(5):
        client.post("/konto/login/", {"login": "ziel@verein.example", "password": "wrong"})

    # allauth allows 5 failed attempts per address in 5 minutes; then even the right password is refused.
    response = client.post("/konto/login/", {"login": "ziel@verein.example", "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    too_many = str(get_adapter().error_messages["too_many_login_attempts"])
    assert too_many in response.context["form"].non_field_errors()
