"""Choosing the language: German first, a visitor's choice in a cookie, a person's choice on their account."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

URL = reverse("academy:set_language")


@pytest.mark.django_db
def test_a_visitor_switches_to_english_and_the_next_page_speaks_english(client, settings):
    response = client.post(URL, {"language": "en", "next": reverse("academy:contact")})

    assert response.status_code == 302
    assert response.url == reverse("academy:contact")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE

    page = client.get(reverse("academy:contact"))
    assert '<html lang="en"' in page.content.decode()
    assert page.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_switching_back_to_german(client):
    client.post(URL, {"language": "en", "next": "/"})
    client.post(URL, {"language": "de", "next": "/"})

    assert '<html lang="de"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_browsers_language_does_not_override_german(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()

    assert '<html lang="de"' in html


@pytest.mark.django_db
def test_a_signed_in_persons_choice_is_saved_on_their_account(client):
    user = UserFactory(language="de")
    client.force_login(user)

    client.post(URL, {"language": "en", "next": "/"})

    user.refresh_from_db()
    assert user.language == "en"


@pytest.mark.django_db
def test_a_signed_in_persons_language_wins_over_the_cookie(client, settings):
    user = UserFactory(language="en")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    assert '<html lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_choice_follows_the_person_to_another_browser(client):
    user = UserFactory(language="de")
    client.force_login(user)
    client.post(URL, {"language": "en", "next": "/"})

    client.cookies.clear()
    client.force_login(user)

    assert '<html lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "https:/\\evil.example/"],
)
def test_an_unsafe_next_leads_home_instead(client, next_url):
    response = client.post(URL, {"language": "en", "next": next_url})

    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.django_db
def test_a_missing_next_leads_home(client):
    response = client.post(URL, {"language": "en"})

    assert response.url == "/"


@pytest.mark.django_db
def test_an_unknown_language_leaves_german(client, settings):
    response = client.post(URL, {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="de"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_does_not_touch_the_account(client):
    user = UserFactory(language="de")
    client.force_login(user)

    client.post(URL, {"language": "xx", "next": "/"})

    user.refresh_from_db()
    assert user.language == "de"


@pytest.mark.django_db
def test_a_forged_language_cookie_is_ignored(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    assert '<html lang="de"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_the_switch_needs_the_csrf_token(settings):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, {"language": "en", "next": "/"})

    assert response.status_code == 403


@pytest.mark.django_db
def test_every_page_offers_the_switch_back_to_where_it_was(client):
    html = client.get(reverse("academy:privacy")).content.decode()

    assert f'action="{URL}"' in html
    assert f'name="next" value="{reverse("academy:privacy")}"' in html
