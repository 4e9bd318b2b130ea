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
@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("tr-TR,tr;q=0.9,en;q=0.5", "tr"),
        ("uk", "uk"),
        ("ar-SY", "ar"),
        ("ru-RU,ru;q=0.9", "ru"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,ru;q=0.4", "ru"),  # the best language the portal speaks, not the first one asked for
        ("de-AT", "de"),
        ("fr-FR,fr;q=0.9", "de"),  # nothing the portal speaks: German
        ("fa, *;q=0.5", "de"),
        ("tr;q=0, en;q=0.5", "en"),  # q=0 means "not this one"
        ("", "de"),
        ("x" * 300, "de"),  # malformed: German, no error
    ],
)
def test_a_visitor_without_a_choice_meets_the_portal_in_their_browsers_language(client, accept_language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 200
    assert f'<html lang="{expected}"' in response.content.decode()
    assert response.headers["Content-Language"] == expected


@pytest.mark.django_db
def test_pages_vary_by_the_browsers_language_and_the_cookie(client):
    vary = {value.strip() for value in client.get("/").headers["Vary"].split(",")}

    assert {"Accept-Language", "Cookie"} <= vary


@pytest.mark.django_db
def test_the_switchers_cookie_wins_over_the_browser(client):
    client.post(URL, {"language": "uk", "next": "/"})

    assert '<html lang="uk"' in client.get("/", HTTP_ACCEPT_LANGUAGE="tr-TR,tr;q=0.9").content.decode()


@pytest.mark.django_db
def test_a_signed_in_persons_language_wins_over_cookie_and_browser(client, settings):
    client.force_login(UserFactory(language="ar"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    assert '<html lang="ar"' in client.get("/", HTTP_ACCEPT_LANGUAGE="tr").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["tr", "ar", "ru", "uk"])
def test_every_new_language_can_be_chosen_and_is_kept_on_the_account(client, code):
    user = UserFactory(language="de")
    client.force_login(user)

    client.post(URL, {"language": code, "next": "/"})

    user.refresh_from_db()
    assert user.language == code
    assert f'<html lang="{code}"' in client.get("/").content.decode()


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
