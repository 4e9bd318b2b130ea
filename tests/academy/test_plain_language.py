"""Einfache Sprache: the home page and the how-to-take-part page in plain language, reachable from every page."""

import re

import pytest
from django.urls import reverse

from organisations.services import consent_record
from tests.factories import UserFactory

PLAIN_HOME = reverse("academy:plain_home")
PLAIN_JOIN = reverse("academy:plain_join")


def header(html: str) -> str:
    return re.search(r"<header\b.*?</header>", html, re.S).group(0)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", reverse("events:catalogue"), reverse("academy:contact"), PLAIN_JOIN])
def test_every_page_links_to_plain_language_in_its_header(client, url):
    html = client.get(url).content.decode()

    assert f'href="{PLAIN_HOME}"' in header(html)


@pytest.mark.django_db
def test_the_plain_pages_say_what_vamos_is_costs_and_how_to_take_part(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    home = client.get(PLAIN_HOME).content.decode()
    join = client.get(PLAIN_JOIN).content.decode()

    assert "VAMOs costs nothing." in home
    assert "VAMOs has 4 kinds of offers." in home and "VAMOs has 7 topics." in home
    assert f'href="{PLAIN_JOIN}"' in home
    for step in ("Step 1: Create your account", "Step 2: Register your organisation", "Step 4: Take part"):
        assert step in join
    for page in (home, join):
        assert f'href="{reverse("account_signup")}"' in page
        assert f'href="{reverse("academy:contact")}"' in page
        assert f'href="mailto:{settings.VAMOS_TEAM_EMAIL}"' in page


@pytest.mark.django_db
def test_the_header_marks_the_plain_page_as_the_current_one(client):
    html = client.get(PLAIN_HOME).content.decode()

    assert re.search(rf'<a [^>]*href="{PLAIN_HOME}" aria-current="page"', header(html))
    assert f'href="{PLAIN_HOME}" aria-current' not in header(client.get("/").content.decode())


@pytest.mark.django_db
def test_the_normal_pages_point_to_their_plain_version_at_the_top(client):
    home = client.get("/").content.decode()
    main = home[home.index('<main id="main"') :]
    assert main.index(f'href="{PLAIN_HOME}"') < main.index("<h1")

    person = UserFactory()
    consent_record(user=person)
    client.force_login(person)
    start = client.get(reverse("organisations:start")).content.decode()
    main = start[start.index('<main id="main"') :]
    assert main.index(f'href="{PLAIN_JOIN}"') < main.index("<h1")


@pytest.mark.django_db
def test_a_signed_in_person_is_offered_their_organisation_instead_of_registering(client):
    client.force_login(UserFactory())

    html = client.get(PLAIN_JOIN).content.decode()

    assert f'href="{reverse("organisations:start")}"' in html
    assert f'href="{reverse("account_signup")}"' not in html[html.index('<main id="main"') :]
