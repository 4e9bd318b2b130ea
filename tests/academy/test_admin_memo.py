"""The admin's list of apps and models and its HTML (the navigation sidebar, the index's list) are kept per process
(vamos/admin_site.py): what staff see must be what the page shows without the memo, and two people with different
rights must never see each other's list."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from academy.templatetags.layout import memo_clear
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
SIDEBAR = re.compile(r'<nav class="sticky" id="nav-sidebar".*?</nav>', re.S)
PAGES = [
    reverse("admin:index"),
    reverse("admin:app_list", kwargs={"app_label": "events"}),
    reverse("admin:events_booking_changelist"),
    reverse("admin:events_booking_changelist") + "?status__exact=cancelled&o=-5",
    reverse("admin:events_event_changelist"),
]


@pytest.fixture(autouse=True)
def _empty_memo():
    memo_clear()
    admin.site._forget_app_lists()
    yield
    memo_clear()
    admin.site._forget_app_lists()


def _staff(*permissions: str, superuser: bool = False, language: str = "de"):
    person = UserFactory(is_staff=True, is_superuser=superuser, language=language)
    for permission in permissions:
        app_label, codename = permission.split(".")
        person.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return person


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _sidebar(html: str) -> str:
    return SIDEBAR.search(html).group(0)


def _content(html: str) -> str:
    return html[html.index('<div id="content-main">') :]


def test_staff_with_different_rights_get_their_own_app_list_and_sidebar_from_the_memo():
    """The same page, filled by the first person, read by the second: a key without the permissions would show the
    second person the first one's models (and hide their own)."""
    bookings_person = _client(_staff("events.view_booking", "academy.view_topic"))
    organisations_person = _client(_staff("organisations.view_organisation", "academy.view_topic"))
    bookings = reverse("admin:events_booking_changelist")
    organisations = reverse("admin:organisations_organisation_changelist")

    for path, part in ((reverse("admin:academy_topic_changelist"), _sidebar), (reverse("admin:index"), _content)):
        first = part(bookings_person.get(path).content.decode())
        assert bookings in first
        assert organisations not in first
        second = part(organisations_person.get(path).content.decode())
        assert organisations in second
        assert bookings not in second
        assert part(bookings_person.get(path).content.decode()) == first


def test_the_app_list_is_kept_per_rights_language_and_app():
    site = admin.site
    request = RequestFactory().get("/admin/")
    request.user = _staff("events.view_booking")
    kept = site.get_app_list(request)
    assert site.get_app_list(request) is kept  # from the memo
    assert site.get_app_list(request, "events") is not kept  # one app's list is its own entry

    same_rights = RequestFactory().get("/admin/")
    same_rights.user = _staff("events.view_booking")
    assert site.get_app_list(same_rights) is kept

    more_rights = RequestFactory().get("/admin/")
    more_rights.user = _staff("events.view_booking", "events.view_event")
    assert site.get_app_list(more_rights) is not kept
    assert len(site.get_app_list(more_rights)[0]["models"]) == 2

    superuser = RequestFactory().get("/admin/")
    superuser.user = _staff(superuser=True)
    assert site.get_app_list(superuser) is not kept

    english = RequestFactory().get("/admin/")
    english.user = _staff("events.view_booking")
    german = str(kept[0]["name"])
    with translation.override("en"):
        in_english = site.get_app_list(english)
        assert in_english is not kept  # the order of the apps and models follows the language's names
        assert str(in_english[0]["name"]) != german


def test_an_inactive_person_keeps_no_rights_in_the_key():
    site = admin.site
    request = RequestFactory().get("/admin/")
    request.user = _staff(superuser=True)
    request.user.is_active = False
    assert site.get_app_list(request) == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_admin_pages_look_the_same_with_the_memo_as_without_it(language, settings):
    """A superuser and two staff members with few rights, each page read from one memo in turn: the sidebar, the
    index's list and the booking list's rows must be what Django writes without it."""
    people = {
        "superuser": _staff(superuser=True, language=language),
        "bookings": _staff("events.view_booking", "events.change_booking", "events.view_event", language=language),
        "organisations": _staff("organisations.view_organisation", "academy.view_topic", language=language),
    }
    clients = {kind: _client(person) for kind, person in people.items()}
    with override_settings(LAYOUT_MEMO=False):  # (changing a setting empties the memo: all plain pages first)
        plain = {(kind, path): client.get(path) for kind, client in clients.items() for path in PAGES}
    assert sum(response.status_code == 200 for response in plain.values()) >= 10  # the others: 403 or 404
    assert plain["superuser", PAGES[0]]["Content-Language"] == language

    for _round in range(2):  # the first round fills the memo, the second reads it
        for (kind, path), expected in plain.items():
            response = clients[kind].get(path)
            assert response.status_code == expected.status_code, (kind, path)
            html = CSRF.sub("csrf", response.content.decode())
            assert html == CSRF.sub("csrf", expected.content.decode()), (kind, path)
