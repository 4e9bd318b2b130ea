"""Every form of the portal, fed random and hostile values, answers without a server error; and every text a
person types that the portal shows again is shown as text, never as markup that runs.

The forms are found, not listed: every URL of the permission matrix that accepts a POST (so a new view with a
form is covered as soon as it has its rule there, which tests/test_permission_matrix.py enforces). Each is
posted as a role that may use it. The field names come from the pages themselves: every page that role can
open is read once, and the fields of each <form method="post"> are collected by the address they post to.
Hypothesis then sends random text, huge numbers, markup, SQL fragments, malformed dates and lists for them.
"""

import os
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_hostile_input import HOSTILE, without_nul
from tests.test_permission_matrix import MATRIX, REFUSED, ROLES, build_world, finish

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("VAMOS_HOSTILE_EXAMPLES", "12"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)
# allauth's account forms are the portal's forms too: (URL name, role that uses it).
ACCOUNT_FORMS = {
    "account_login": "anonymous",
    "account_signup": "anonymous",
    "account_reset_password": "anonymous",
    "account_change_password": "member_a",
    "account_email": "member_a",
}
# Values that look almost right, so that forms get past their first checks now and then.
PLAUSIBLE = st.sampled_from(["1", "2", "on", "true", "admin", "member", "de", "en", "2026-12-01", "10:00", "60"])
VALUE = st.one_of(HOSTILE, PLAUSIBLE)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The permission matrix's world (two organisations, their people, an event, cases, a module …), rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


class FormFields(HTMLParser):
    """The fields of every <form method="post"> on a page, by the path it posts to."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: dict[str, dict[str, str]] = {}
        self.current: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = urlsplit(attrs.get("action") or self.page_path).path
            self.forms.setdefault(self.current, {})
        elif tag == "form":
            self.current = None
        elif self.current and tag in {"input", "select", "textarea"} and attrs.get("name"):
            kind = "file" if attrs.get("type") == "file" else "multi" if "multiple" in attrs else "text"
            if attrs.get("type") == "checkbox":
                kind = "multi"
            self.forms[self.current].setdefault(attrs["name"], kind)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def user_role(name: str) -> str:
    """The first role the matrix lets use the form (its answer is not a refusal)."""
    if name in ACCOUNT_FORMS:
        return ACCOUNT_FORMS[name]
    usable = [role for role in ROLES if MATRIX[name].post[role] not in REFUSED]
    assert usable, f"{name}: no role may post to it, so its form cannot be tested"
    # Prefer the people the form is for over staff and over the visitor.
    for role in ("admin_a", "member_a", "coach", "trainer", "loner", "staff", "anonymous"):
        if role in usable:
            return role
    return usable[0]


FORM_URLS = sorted(name for name, rule in MATRIX.items() if rule.post is not None) + sorted(ACCOUNT_FORMS)


def url_of(world, name: str) -> str:
    if name in ACCOUNT_FORMS:
        return reverse(name)
    return reverse(name, args=[world.value(arg) for arg in MATRIX[name].args])


_fields_cache: dict[str, dict[str, dict[str, str]]] = {}


def forms_seen_by(client, world, role: str) -> dict[str, dict[str, str]]:
    """Every post form on every page the role may open (read once per role and module)."""
    if role in _fields_cache:
        return _fields_cache[role]
    found: dict[str, dict[str, str]] = {}
    pages = [name for name, rule in MATRIX.items() if rule.get and rule.get[role] == 200]
    pages += [name for name, used_by in ACCOUNT_FORMS.items() if used_by == role]
    for name in pages:
        path = url_of(world, name)
        response = client.get(path)
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            parser = FormFields(path)
            parser.feed(response.content.decode())
            for action, fields in parser.forms.items():
                found.setdefault(action, {}).update(fields)
        finish(response)
    _fields_cache[role] = found
    return found


def test_every_form_is_found_with_its_fields(client, world):
    """Forms without any field the parser could find would be posted empty: say which, so that they are seen."""
    missing = []
    for name in FORM_URLS:
        role = user_role(name)
        client.logout()
        if role != "anonymous":
            client.force_login(world.user(role))
        fields = forms_seen_by(client, world, role).get(urlsplit(url_of(world, name)).path)
        if not fields:
            missing.append(name)
    # Forms on pages the role reaches only in a state the world does not have (e.g. after an event) are
    # posted with the field names of their form classes below.
    assert set(missing) <= set(FALLBACK_FIELDS), f"forms whose fields were not found on any page: {missing}"


# Fields of forms whose page the world does not show (a state it does not have); from the form classes.
FALLBACK_FIELDS = {
    "events:feedback": {"rating": "text", "comment": "text"},
    "events:attendance_mark": {"present": "text"},
    "events:book_colleagues": {"people": "multi"},
    "coaching:feedback": {"rating": "text", "comment": "text"},
    "elearning:quiz": {"token": "text", "question_1": "multi", "question_2": "multi"},
    "elearning:lesson_done": {},
    "elearning:start": {},
    "elearning:sharing_set": {"shares": "text"},
    "organisations:hand_over": {"to_user": "text"},
    "organisations:change_role": {"role": "text"},
    "organisations:remove_member": {},
    "organisations:revoke_invitation": {},
    "organisations:decide_join_request": {},
    "organisations:confirm_club": {},
    "organisations:switch": {"organisation": "text"},
    "coaching:withdraw": {},
    "coaching:session_confirm": {},
    "coaching:availability_delete": {},
    "events:book": {},
    "events:cancel": {"next": "text"},
    "events:calendar_rotate": {},
    "academy:data_export_create": {},
}


def hostile_data(fields: dict[str, str], draw) -> dict:
    data = {}
    for field, kind in fields.items():
        if field in {"csrfmiddlewaretoken"}:
            continue
        if kind == "file":
            data[field] = SimpleUploadedFile(
                draw(st.sampled_from(["a.png", "a.pdf", "a.svg"])), draw(st.binary(max_size=200))
            )
        elif kind == "multi":
            data[field] = [without_nul(value) for value in draw(st.lists(VALUE, max_size=4))]
        else:
            data[field] = without_nul(draw(VALUE))
    for extra in draw(st.lists(st.sampled_from(["next", "session", "id", "pk", "decision"]), max_size=2)):
        data[extra] = without_nul(draw(VALUE))
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORM_URLS)
def test_no_form_answers_hostile_input_with_a_server_error(client, world, name):
    role = user_role(name)
    if role != "anonymous":
        client.force_login(world.user(role))
    path = url_of(world, name)
    fields = dict(forms_seen_by(client, world, role).get(urlsplit(path).path) or FALLBACK_FIELDS.get(name, {}))

    @SETTINGS
    @given(draw=st.data())
    def post_hostile(draw):
        data = hostile_data(fields, draw.draw)
        with transaction.atomic():  # each example starts from the same world
            if role != "anonymous":
                client.force_login(world.user(role))
            response = client.post(path, data)
            finish(response)
            transaction.set_rollback(True)
        assert response.status_code < 500, f"POST {name} as {role} with {data!r}: {response.status_code}"

    post_hostile()


# ------------------------------------------------------------------------------------------------------------------
# Script injection: stored, then shown as text
# ------------------------------------------------------------------------------------------------------------------

PAYLOADS = (
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
)


class Executable(HTMLParser):
    """Markup in a page that would run: inline scripts, event-handler attributes, javascript: addresses."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.in_inline_script = True
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_data(self, data):
        if self.in_inline_script and "alert(" in data:
            self.found.append(f"<script>{data[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_inline_script = False


def shown_safely(html: str, escaped_marker: str | None = "&lt;script&gt;alert(") -> None:
    parser = Executable()
    parser.feed(html)
    assert not parser.found, f"executable markup in the page: {parser.found}"
    if escaped_marker:
        assert escaped_marker in html, f"the stored text is not shown at all: {html[-80:]}"


def payload(label: str) -> str:
    return f"{label} {PAYLOADS[0]} {PAYLOADS[1]} {PAYLOADS[2]}"


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode() + f"<!-- {url} -->"


@pytest.mark.django_db
def test_an_organisation_profile_with_markup_is_shown_as_text(client, world):
    client.force_login(world.admin_a)
    data = {
        "name": payload("Verein"),
        "legal_form": world.org_a.legal_form,
        "kind": world.org_a.kind,
        "postcode": "10115",
        "city": payload("Berlin"),
        "street": payload("Straße"),
        "bundesland": "BE",
        "description": payload("Wir"),
        "working_languages": "<script>alert('x')</script>, Deutsch",
        "communities": "<svg/onload=alert(1)>",
        "website": "javascript:alert(1)",
        "phone": "<svg/onload=alert(1)>",
    }
    response = client.post(reverse("organisations:edit", args=[world.org_a.pk]), data)
    # A javascript: address is not a website; the rest is stored as typed.
    assert response.status_code == 200 and "website" in response.context["form"].errors
    data["website"] = "https://verein.example"
    response = client.post(reverse("organisations:edit", args=[world.org_a.pk]), data)
    assert response.status_code == 302, response.context["form"].errors

    for user, url in [
        (world.admin_a, reverse("organisations:home", args=[world.org_a.pk])),
        (world.admin_a, reverse("organisations:edit", args=[world.org_a.pk])),
        (world.member_a, reverse("organisations:team", args=[world.org_a.pk])),
        (world.loner, reverse("organisations:join", args=[world.org_a.pk])),
        (world.loner, reverse("organisations:search") + "?q=Verein"),
        (world.staff, reverse("admin:organisations_organisation_change", args=[world.org_a.pk])),
        (world.staff, reverse("admin:organisations_organisation_changelist")),
    ]:
        shown_safely(page(client, user, url))


@pytest.mark.django_db
def test_names_with_markup_are_shown_as_text(client, world):
    for user in (world.member_a, world.admin_a):
        user.first_name, user.last_name, user.display_name = payload("A"), payload("B"), payload("C")
        user.save()
    for user, url in [
        (world.admin_a, reverse("organisations:team", args=[world.org_a.pk])),
        (world.admin_a, reverse("organisations:home", args=[world.org_a.pk])),
        (world.admin_a, reverse("events:organisation_bookings", args=[world.org_a.pk])),
        (world.trainer, reverse("events:attendance", args=[world.event_date.pk])),
        (world.staff, reverse("admin:academy_user_changelist")),
    ]:
        shown_safely(page(client, user, url))


@pytest.mark.django_db
def test_a_contact_message_with_markup_is_shown_to_staff_as_text(client, world):
    from academy.models import ContactMessage
    from tests.academy.conftest import contact_stamp

    data = {
        "name": payload("Name"),
        "email": "a@verein.example",
        "organisation": payload("Org"),
        "subject": payload("Betreff"),
        "message": payload("Nachricht"),
        "website": "",
        "shown_at": contact_stamp(seconds_ago=60),
    }
    assert client.post(reverse("academy:contact"), data).status_code == 302
    message = ContactMessage.objects.latest("pk")

    shown_safely(page(client, world.staff, reverse("admin:academy_contactmessage_change", args=[message.pk])))
    shown_safely(page(client, world.staff, reverse("admin:academy_contactmessage_changelist")))


@pytest.mark.django_db
def test_coaching_texts_with_markup_are_shown_as_text(client, world):
    case = world.case_a
    case.goals, case.situation, case.agreed_goals = payload("Ziele"), payload("Lage"), payload("Vereinbart")
    case.save()
    world.session.next_steps = payload("Weiter")
    world.session.save()
    world.coach_profile.bio = payload("Über mich")
    world.coach_profile.save()

    for user, url in [
        (world.admin_a, reverse("coaching:case", args=[world.org_a.pk, case.pk])),
        (world.coach, reverse("coaching:coach_case", args=[case.pk])),
        (world.member_a, reverse("coaching:coach_list")),
        (world.staff, reverse("admin:coaching_coachingcase_change", args=[case.pk])),
    ]:
        shown_safely(page(client, user, url))


@pytest.mark.django_db
def test_a_join_request_message_with_markup_is_shown_as_text(client, world):
    world.join_request.message = payload("Hallo")
    world.join_request.save()

    shown_safely(page(client, world.admin_a, reverse("organisations:team", args=[world.org_a.pk])))


@pytest.mark.django_db
def test_an_event_description_with_markup_is_shown_as_text(client, world):
    world.event.title_de = world.event.title_en = payload("Seminar")
    world.event.description_de = world.event.description_en = payload("Beschreibung")
    world.event.save()

    for user in (world.loner, world.member_a, world.trainer):
        shown_safely(page(client, user, reverse("events:detail", args=[world.event.pk])))
    shown_safely(page(client, world.member_a, reverse("events:catalogue")))
    shown_safely(page(client, world.member_a, reverse("events:my_bookings")))


@pytest.mark.django_db
def test_lesson_markdown_by_staff_is_sanitised(client, world):
    lesson = world.video_lesson
    lesson.text_de = lesson.text_en = "\n\n".join(
        [
            "# Lektion",
            "<script>alert('x')</script>",
            '<img src=x onerror=alert(1)> <svg/onload=alert(1)> <iframe src="https://evil.example"></iframe>',
            '[klick](javascript:alert(1)) <a href="javascript:alert(1)">a</a> <style>body{display:none}</style>',
            "**fett** bleibt",
        ]
    )
    lesson.save()

    html = page(client, world.member_a, reverse("elearning:lesson", args=[world.module.slug, lesson.pk]))

    shown_safely(html, escaped_marker=None)
    assert "<strong>fett</strong>" in html
    assert "javascript:alert" not in html
    assert "<iframe" not in html and "<style>body" not in html


@pytest.mark.parametrize(
    "target", ["home", "a:b", ":", "javascript:alert(1)", "//evil.example/", "https://evil.example/"]
)
def test_a_next_address_that_is_not_a_path_here_falls_back_instead_of_failing(client, world, target):
    """`redirect()` takes a bare word for a view name: a hostile `next` used to end in a server error."""
    client.force_login(world.member_a)

    response = client.post(reverse("events:cancel", args=[world.booking_a.pk]), {"next": target})
    assert response.status_code == 302 and response["Location"] == world.event.get_absolute_url()

    response = client.post(reverse("organisations:consent") + f"?next={target}", {"next": target, "accept": "on"})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == reverse("organisations:start")
