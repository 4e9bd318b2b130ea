"""The public pages: reachable, German first, one h1 each, linked from every footer, queries pinned."""

import re
from itertools import pairwise

import pytest
from django.urls import reverse

from academy.models import Topic
from tests.factories import UserFactory

PAGES = ["academy:home", "academy:imprint", "academy:privacy", "academy:accessibility", "academy:contact"]
FOOTER_PAGES = ["academy:imprint", "academy:privacy", "academy:accessibility", "academy:contact"]
SEVEN_TOPICS_DE = [
    "Projektmanagement",
    "Finanzierung",
    "Strategieentwicklung",
    "Personalentwicklung und -management",
    "Öffentlichkeitsarbeit",
    "Mitgliedermanagement",
    "Politische Interessenvertretung",
]
SEVEN_TOPICS_EN = [
    "Project management",
    "Funding",
    "Strategy development",
    "Staff development and management",
    "Public relations",
    "Membership management",
    "Political advocacy",
]


def headings(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*PAGES, "academy:contact_sent"])
def test_page_is_german_by_default_with_one_h1_and_no_gaps_in_headings(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de"' in html
    assert response.headers["Content-Language"] == "de"
    levels = headings(html)
    assert levels.count(1) == 1
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in pairwise(levels))


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*PAGES, "academy:contact_sent"])
def test_footer_links_to_the_legal_pages_and_contact(client, name):
    html = client.get(reverse(name)).content.decode()

    footer = html[html.index("<footer") :]
    for target in FOOTER_PAGES:
        assert f'href="{reverse(target)}"' in footer


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_have_no_empty_links(client, name):
    html = client.get(reverse(name)).content.decode()

    for inner in re.findall(r"<a\b[^>]*>(.*?)</a>", html, flags=re.S):
        assert re.sub(r"<[^>]+>", "", inner).strip(), f"empty link in {name}"


@pytest.mark.django_db
def test_home_lists_the_seven_topics_in_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("academy:home"))

    html = response.content.decode()
    positions = [html.index(name) for name in SEVEN_TOPICS_DE]
    assert positions == sorted(positions), "topics appear in their configured order"
    for topic in Topic.objects.all():
        assert topic.description in html


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_topics(client, django_assert_num_queries):
    for position in range(10):
        Topic.objects.create(slug=f"extra-{position}", name=f"Zusatzthema {position}", position=100 + position)

    with django_assert_num_queries(1):
        response = client.get(reverse("academy:home"))

    assert "Zusatzthema 9" in response.content.decode()


@pytest.mark.django_db
def test_home_for_a_signed_in_person_pins_queries_and_drops_the_signup_call(client, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)

    with django_assert_num_queries(4):  # session, user, the organisation in the header, topics
        response = client.get(reverse("academy:home"))

    html = response.content.decode()
    assert f'href="{reverse("account_signup")}"' not in html
    assert f'href="{reverse("academy:contact")}"' in html


@pytest.mark.django_db
def test_home_invites_visitors_to_register_and_to_get_in_touch(client):
    html = client.get(reverse("academy:home")).content.decode()

    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("account_login")}"' in html
    assert f'href="{reverse("academy:contact")}"' in html


@pytest.mark.django_db
def test_home_in_english_shows_the_english_topic_names(client):
    client.cookies["vamos_language"] = "en"

    html = client.get(reverse("academy:home")).content.decode()

    assert '<html lang="en"' in html
    for name in SEVEN_TOPICS_EN:
        assert name in html
    assert "free of charge" in html
    assert "Federal Office for Migration and Refugees (BAMF)" in html


@pytest.mark.django_db
def test_imprint_names_the_provider_per_ddg(client):
    html = client.get(reverse("academy:imprint")).content.decode()

    assert "§ 5 DDG" in html
    assert "IMAP" in html
    assert "§ 18" in html  # responsible for content (MStV)
    assert "<mark>" in html, "example data is marked as such"


@pytest.mark.django_db
def test_privacy_notice_names_every_cookie_and_the_rights(client, settings):
    html = client.get(reverse("academy:privacy")).content.decode()

    for cookie in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME):
        assert f"<code>{cookie}</code>" in html
    for article in ("Art. 6", "Art. 15", "Art. 17", "Art. 20", "Art. 21", "Art. 77"):
        assert article in html
    assert "TDDDG" in html


@pytest.mark.django_db
def test_accessibility_statement_offers_feedback_and_the_conciliation_body(client):
    html = client.get(reverse("academy:accessibility")).content.decode()

    assert "BITV 2.0" in html
    assert "§ 16 BGG" in html
    main = html[html.index("<main") : html.index("</main>")]
    feedback_link = f"{reverse('academy:contact')}?subject=barrier"
    assert f'href="{feedback_link}"' in main
    assert "schlichtungsstelle-bgg.de" in html
    # The feedback link opens the contact form with the subject filled in; an unknown key presets nothing.
    from academy.views import CONTACT_SUBJECTS

    assert client.get(feedback_link).context["form"]["subject"].value() == str(CONTACT_SUBJECTS["barrier"])
    assert client.get(f"{reverse('academy:contact')}?subject=<script>").context["form"]["subject"].value() is None


@pytest.mark.django_db
def test_pages_load_nothing_from_other_hosts(client):
    for name in PAGES:
        html = client.get(reverse(name)).content.decode()
        assert not re.search(r'<(?:script|link|img)\b[^>]*(?:src|href)="(?:https?:)?//', html), name


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name in PAGES if name != "academy:contact"])
def test_pages_refuse_post(client, name):
    assert client.post(reverse(name)).status_code == 405
