"""The layout's header, footer and stylesheet links are kept per process ({% memo %}, academy/templatetags/layout.py):
what a person sees must be what the page would show without the memo, and what differs per request (the CSRF
token, the current path, the organisation a person acts for) must be fresh on every request."""

import re

import pytest
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.test import Client, override_settings
from django.urls import reverse, set_script_prefix

from academy import roles
from academy.templatetags.layout import memo_clear
from organisations.models import Membership
from organisations.services import consent_record
from tests.coaching.factories import CoachFactory
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory

PAGES = [
    "/",
    reverse("events:catalogue"),
    reverse("events:my_bookings"),
    reverse("academy:contact"),
    reverse("academy:imprint"),
    reverse("elearning:catalogue"),
]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SIGNED = re.compile(r':[0-9A-Za-z]{6}:[0-9A-Za-z_-]{43}"')  # a form's signed "shown at" time (the contact form)


@pytest.fixture(autouse=True)
def _empty_memo():
    memo_clear()
    yield
    memo_clear()


def _person(kind: str):
    if kind == "visitor":
        return None
    if kind == "coach":
        return CoachFactory().user
    groups = {"staff": [roles.STAFF], "trainer": [roles.TRAINER]}.get(kind, [])
    person = UserFactory(is_staff=kind == "staff", roles=groups)
    consent_record(user=person)
    if kind in ("member", "trainer"):
        MembershipFactory(user=person, role=Membership.Role.ADMIN)
    return person


def _normalised(html: str) -> str:
    return SIGNED.sub(':…"', CSRF.sub('name="csrfmiddlewaretoken" value="…"', html))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "ar"])
def test_each_page_looks_the_same_to_each_role_with_the_memo_as_without_it(language, settings):
    """Everyone's pages come from one memo here, in turn: a role or state missing from a key would show one
    person's header (an admin link, "My cases", a log-in button) to another."""
    clients = {}
    for kind in ("visitor", "member", "trainer", "coach", "staff"):
        clients[kind] = Client()
        clients[kind].cookies[settings.LANGUAGE_COOKIE_NAME] = language
        person = _person(kind)
        if person is not None:
            person.language = language
            person.save(update_fields=["language"])
            clients[kind].force_login(person)
    with override_settings(LAYOUT_MEMO=False):  # (changing a setting empties the memo: all plain pages first)
        plain = {(kind, path): client.get(path) for kind, client in clients.items() for path in PAGES}

    for _round in range(2):  # the first round fills the memo, the second reads it
        for (kind, path), expected in plain.items():
            if expected.status_code != 200:  # "my bookings" sends visitors to the login
                continue
            html = clients[kind].get(path).content.decode()
            assert _normalised(html) == _normalised(expected.content.decode()), (kind, path)


@pytest.mark.django_db
def test_the_memo_is_used_and_the_current_page_is_marked_in_the_header():
    client = Client()
    client.force_login(_person("member"))
    client.get(reverse("academy:contact"))  # fills the memo

    html = client.get(reverse("academy:contact")).content.decode()
    header = re.search(r"<header\b.*?</header>", html, re.S).group(0)

    assert re.findall(r'href="([^"]+)" aria-current="page"', header) == [reverse("academy:contact")]
    other = client.get(reverse("events:catalogue")).content.decode()
    assert re.findall(r'href="([^"]+)" aria-current="page"', other.split("</header>")[0]) == [
        reverse("events:catalogue")
    ]


@pytest.mark.django_db
def test_the_csrf_token_and_the_way_back_are_fresh_on_every_request(settings):
    """The language switch in a header from the memo carries this request's token and path, and works."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(_person("member"))
    client.get("/")
    client.get("/")

    path = reverse("events:catalogue") + "?format=online&page=2"
    html = client.get(path).content.decode()
    html = client.get(path).content.decode()
    tokens = CSRF.findall(html)

    assert 'name="next" value="{}"'.format(path.replace("&", "&amp;")) in html
    assert len(tokens) == 2 and tokens[0] != CSRF.findall(client.get(path).content.decode())[0]
    response = client.post(
        reverse("academy:set_language"), {"language": "en", "next": path, "csrfmiddlewaretoken": tokens[0]}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_the_organisation_in_the_header_is_fresh_after_a_rename():
    person = _person("member")
    client = Client()
    client.force_login(person)
    organisation = person.memberships.get().organisation
    client.get("/")
    client.get("/")

    organisation.name = "Neuer Name e. V."
    organisation.save()
    header = client.get("/").content.decode().split("</header>")[0]

    assert "Neuer Name e. V." in header
    assert reverse("organisations:home", args=[organisation.pk]) in header


def test_a_memo_renders_its_content_once_per_key_and_its_fresh_parts_every_time():
    """What the tag promises, and the rule it relies on: a value that is not in the key stays as first rendered."""
    template = Template(
        "{% load layout %}{% memo 'test' key %}[{{ kept }}|{% fresh %}{{ now }}{% endfresh %}]{% endmemo %}"
    )

    def render(**values):
        return template.render(Context(values))

    with override_settings(LAYOUT_MEMO=True):
        assert render(key=1, kept="a", now="1") == "[a|1]"
        assert render(key=1, kept="b", now="2") == "[a|2]"
        assert render(key=2, kept="b", now="3") == "[b|3]"
    with override_settings(LAYOUT_MEMO=False):
        assert render(key=1, kept="c", now="4") == "[c|4]"


def test_a_csrf_token_inside_a_memo_is_each_requests_own():
    """{% csrf_token %} and {{ csrf_token }} inside a memo write the token of the context they are rendered in, as
    without the memo; without a token (a template rendered outside a request) they write nothing, as Django's."""
    template = Template(
        "{% load layout %}{% memo 'csrf' %}<form>{% csrf_token %}</form><i>{{ csrf_token }}</i>{% endmemo %}"
    )
    written = {}
    for memo in (False, True):
        with override_settings(LAYOUT_MEMO=memo):
            written[memo] = [
                template.render(Context(values))
                for values in ({"csrf_token": "first"}, {"csrf_token": "sec<ond"}, {}, {"csrf_token": "third"})
            ]
    assert written[True] == written[False]
    assert written[True][1] == (
        '<form><input type="hidden" name="csrfmiddlewaretoken" value="sec&lt;ond"></form><i>sec&lt;ond</i>'
    )
    assert written[True][2] == "<form></form><i></i>"


def test_a_memo_keeps_its_links_per_script_prefix():
    """The same page served under another script prefix (a second mount of the portal) gets its own links."""
    template = Template("{% load layout %}{% memo 'links' %}<a href=\"{% url 'events:catalogue' %}\">{% endmemo %}")
    with override_settings(LAYOUT_MEMO=True):
        assert template.render(Context()) == f'<a href="{reverse("events:catalogue")}">'
        try:
            set_script_prefix("/portal/")
            assert template.render(Context()) == '<a href="/portal/veranstaltungen/">'
        finally:
            set_script_prefix("/")
        assert template.render(Context()) == '<a href="/veranstaltungen/">'


def test_a_memo_cannot_hold_a_block_and_a_pages_blocks_still_replace_the_layouts():
    """A block inside a memo would show every page what the first page put there, so the tag refuses one (in its
    fresh parts too); the search for the layout's blocks does not enter a memo, and the blocks beside it are the
    page's."""
    for inside in ("{% block title %}{% endblock %}", "{% fresh %}{% block title %}{% endblock %}{% endfresh %}"):
        with pytest.raises(TemplateSyntaxError, match="cannot hold a"):
            Template("{% load layout %}{% memo 'test' %}" + inside + "{% endmemo %}")

    engine = Engine(
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {
                    "layout.html": "{% load layout %}<title>{% block title %}Layout{% endblock %}</title>"
                    "{% memo 'test-header' %}<header>{% if 1 %}VAMOs{% endif %}</header>{% endmemo %}"
                    "<main>{% block content %}{% endblock %}</main>",
                    "page.html": "{% extends 'layout.html' %}{% block title %}Page{% endblock %}"
                    "{% block content %}Text{% endblock %}",
                },
            )
        ],
        libraries={"layout": "academy.templatetags.layout"},
    )
    with override_settings(LAYOUT_MEMO=True):
        for _ in range(2):
            assert engine.get_template("page.html").render(Context()) == (
                "<title>Page</title><header>VAMOs</header><main>Text</main>"
            )
