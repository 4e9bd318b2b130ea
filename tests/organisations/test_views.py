import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from academy.models import Topic
from organisations import services
from organisations.models import Invitation, JoinRequest, Membership, Organisation
from tests.factories import UserFactory
from tests.memo import written_the_same_from_the_memo

from .factories import FederationFactory, InvitationFactory, JoinRequestFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "admin", "staff"]


@pytest.fixture
def world(admin_user, member_user, staff_user):
    """A federation whose member club has an admin and a member; an outsider is admin elsewhere."""
    federation = FederationFactory(admins=[admin_user], members=[member_user])
    outsider = UserFactory(language="en")
    services.consent_record(user=outsider)
    OrganisationFactory(admins=[outsider])
    club = OrganisationFactory(parent=federation, parent_confirmed=False)
    return {
        "organisation": federation,
        "club": club,
        "users": {
            "anonymous": None,
            "outsider": outsider,
            "member": member_user,
            "admin": admin_user,
            "staff": staff_user,
        },
    }


def login(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    return user


def expect(response, role, allowed_for):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif role == "outsider":
        assert response.status_code == 404
    elif role in allowed_for:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


PAGES = [
    ("home", ("member", "admin", "staff")),
    ("team", ("member", "admin", "staff")),
    ("federation", ("member", "admin", "staff")),
    ("edit", ("admin", "staff")),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "allowed_for"), PAGES)
def test_pages_per_role(client, world, role, name, allowed_for):
    login(client, world, role)
    response = client.get(reverse(f"organisations:{name}", args=[world["organisation"].pk]))
    expect(response, role, allowed_for)
    if response.status_code == 200:
        assert world["organisation"].name in response.content.decode()


def _tabs(html: str) -> str:
    return re.search(r'<nav aria-label="[^"]+" class="mb-4">.*?</nav>', html, re.S).group(0)


def test_the_tabs_kept_per_process_are_the_tabs_written_anew(client, world, settings):
    """The organisation's tabs come from the layout's memo: for each role, language, organisation (a federation and
    a club) and page the same tabs, marks and links as without it."""
    club_admin = UserFactory(language="en")
    services.consent_record(user=club_admin)
    Membership.objects.create(user=club_admin, organisation=world["club"], role=Membership.Role.ADMIN)
    cases = [
        (role, organisation, name)
        for role, organisation in [
            ("member", world["organisation"]),
            ("admin", world["organisation"]),
            ("staff", world["organisation"]),
            ("staff", world["club"]),
            ("club_admin", world["club"]),
        ]
        for name in ("home", "team", "check", "edit")
        if not (role == "member" and name == "edit")
    ]
    users = world["users"] | {"club_admin": club_admin}

    def read_all():
        tabs = {}
        for language in ("en", "de"):
            for user in users.values():
                if user is not None and user.language != language:
                    user.language = language
                    user.save(update_fields=["language"])
            for role, organisation, name in cases:
                client.force_login(users[role])
                response = client.get(reverse(f"organisations:{name}", args=[organisation.pk]))
                assert response.status_code == 200, (role, name)
                tabs[language, role, organisation.pk, name] = _tabs(response.text)
        return tabs

    written = written_the_same_from_the_memo(settings, read_all)
    seen = {key[1:]: tabs for key, tabs in written.items() if key[0] == "en"}
    assert (
        'aria-current="page" href="{}"'.format(reverse("organisations:team", args=[world["club"].pk]))
        in (seen["club_admin", world["club"].pk, "team"])
    )


@pytest.mark.parametrize("role", ROLES)
def test_changes_per_role(client, world, role):
    """Every changing view: admins (and staff) may; members get 403; others never learn the id exists."""
    organisation = world["organisation"]
    membership = Membership.objects.get(organisation=organisation, user=world["users"]["member"])
    invitation = InvitationFactory(organisation=organisation)
    join_request = JoinRequestFactory(organisation=organisation)
    pk = organisation.pk
    posts = [
        (reverse("organisations:invite", args=[pk]), {"email": "neu@example.org", "role": "member"}),
        (reverse("organisations:change_role", args=[pk, membership.pk]), {"role": "member"}),
        (reverse("organisations:revoke_invitation", args=[pk, invitation.pk]), {}),
        (reverse("organisations:decide_join_request", args=[pk, join_request.pk, "decline"]), {}),
        (reverse("organisations:confirm_club", args=[pk, world["club"].pk]), {}),
    ]
    login(client, world, role)
    for url, data in posts:
        expect(client.post(url, data), role, ("admin", "staff"))
    changed = Invitation.objects.filter(email="neu@example.org").exists()
    assert changed == (role in ("admin", "staff"))


@pytest.mark.parametrize("role", ["outsider", "member", "admin"])
def test_removing_a_member_per_role(client, world, role):
    organisation = world["organisation"]
    other = UserFactory()
    membership = Membership.objects.create(user=other, organisation=organisation)
    login(client, world, role)
    response = client.post(reverse("organisations:remove_member", args=[organisation.pk, membership.pk]))
    expect(response, role, ("admin",))
    assert Membership.objects.filter(pk=membership.pk).exists() == (role != "admin")


def test_another_organisations_membership_id_is_not_found(client, world):
    foreign = Membership.objects.exclude(organisation=world["organisation"]).first()
    client.force_login(world["users"]["admin"])
    response = client.post(reverse("organisations:remove_member", args=[world["organisation"].pk, foreign.pk]))
    assert response.status_code == 404


def test_the_last_admin_is_told_why_they_cannot_leave(client, world):
    organisation = world["organisation"]
    admin = world["users"]["admin"]
    membership = Membership.objects.get(organisation=organisation, user=admin)
    client.force_login(admin)
    response = client.post(reverse("organisations:remove_member", args=[organisation.pk, membership.pk]), follow=True)
    assert "The last admin cannot leave" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_hand_over_from_the_team_page(client, world):
    organisation = world["organisation"]
    client.force_login(world["users"]["admin"])
    response = client.post(
        reverse("organisations:hand_over", args=[organisation.pk]), {"to_user": world["users"]["member"].pk}
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.contact_person == world["users"]["member"]


def test_a_member_cannot_hand_over(client, world):
    client.force_login(world["users"]["member"])
    response = client.post(
        reverse("organisations:hand_over", args=[world["organisation"].pk]), {"to_user": world["users"]["admin"].pk}
    )
    assert response.status_code == 403


def test_invitation_form_keeps_the_input_and_shows_the_error(client, world):
    client.force_login(world["users"]["admin"])
    response = client.post(
        reverse("organisations:invite", args=[world["organisation"].pk]),
        {"email": world["users"]["member"].email, "role": "admin"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "already a member" in content
    assert f'value="{world["users"]["member"].email}"' in content


def png(size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def registration_data(**overrides):
    data = {
        "name": "Afrika Forum e.V.",
        "legal_form": "ev",
        "kind": "club",
        "street": "Domstraße 3",
        "postcode": "50667",
        "city": "Köln",
        "bundesland": "NW",
        "founding_year": "2010",
        "working_languages": "Deutsch, Französisch, deutsch",
        "communities": "westafrikanisch",
        "topics": [Topic.objects.first().pk],
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def test_registration_flow(client, person, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(person)
    assert client.get(reverse("organisations:start")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:register"),
            registration_data(logo=SimpleUploadedFile("logo.png", png(), content_type="image/png")),
        )
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:home", args=[organisation.pk])
    assert organisation.working_languages == ["Deutsch", "Französisch"]
    assert organisation.logo.name.startswith("organisations/logos/")
    assert organisation.status == Organisation.Status.PENDING
    assert len(mailoutbox) == 1
    # The start page now leads to the organisation, and the header names it.
    response = client.get(reverse("organisations:start"), follow=True)
    content = response.content.decode()
    assert "waits for approval" in content
    assert content.count("Afrika Forum e.V.") >= 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "5066", "exactly five digits"),
        ("bundesland", "XX", "Select a valid choice"),
        ("logo", "not-an-image", "valid image"),
        ("logo", "too-large", "at most 2 MB"),
    ],
)
def test_bad_registration_input_is_shown_at_the_field_and_the_rest_is_kept(client, person, field, value, message):
    client.force_login(person)
    if value == "not-an-image":
        value = SimpleUploadedFile("logo.png", b"GIF89a but not really", content_type="image/png")
    elif value == "too-large":
        value = SimpleUploadedFile("logo.png", png() + b"\0" * (2 * 1024 * 1024 + 1), content_type="image/png")
    response = client.post(reverse("organisations:register"), registration_data(**{field: value}))
    content = response.content.decode()
    assert response.status_code == 200
    assert not Organisation.objects.exists()
    error = re.search(rf'<[^>]+id="error_1_id_{field}"[^>]*>(.*?)</', content, re.S)
    assert error, f"no error next to {field}"
    assert message in error.group(1)
    assert 'value="Domstraße 3"' in content
    assert 'value="Deutsch, Französisch, deutsch"' in content


def test_a_duplicate_is_shown_with_a_join_request_instead(client, person):
    existing = OrganisationFactory(name="Afrika Forum", city="Köln")
    client.force_login(person)
    response = client.post(reverse("organisations:register"), registration_data(name="AFRIKA-FORUM e. V."))
    content = response.content.decode()
    assert "is registered already" in content
    assert reverse("organisations:join", args=[existing.pk]) in content
    assert Organisation.objects.count() == 1

    response = client.post(reverse("organisations:join", args=[existing.pk]), {"message": "Ich bin Kassenwartin."})
    assert response.status_code == 302
    assert JoinRequest.objects.get().user == person


def test_a_join_request_to_ones_own_organisation_is_refused_with_a_message(client, world):
    client.force_login(world["users"]["member"])
    response = client.post(reverse("organisations:join", args=[world["organisation"].pk]), {"message": "hi"})
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_search_finds_organisations_to_join(client, person):
    OrganisationFactory(name="Afrika Forum e.V.", city="Köln")
    client.force_login(person)
    response = client.get(reverse("organisations:search"), {"q": "afrika"})
    assert "Afrika Forum e.V." in response.content.decode()


def test_accepting_an_invitation(client, world):
    invitation = services.invitation_create(
        organisation=world["organisation"], email="neu@example.org", invited_by=world["users"]["admin"]
    )
    url = reverse("organisations:invitation", args=[invitation.token])
    # Anonymous: the page explains and offers login and signup.
    response = client.get(url)
    assert response.status_code == 200
    assert reverse("account_signup") in response.content.decode()

    newcomer = UserFactory(email="neu@example.org", language="en")
    client.force_login(newcomer)
    response = client.post(url, {})
    assert response.status_code == 200  # consent is required
    assert not Membership.objects.filter(user=newcomer).exists()
    response = client.post(url, {"privacy_consent": "on"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, organisation=world["organisation"]).exists()

    response = client.get(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_an_unknown_invitation_token(client):
    response = client.get(reverse("organisations:invitation", args=["nonsense"]))
    assert response.status_code == 410


def test_switching_the_current_organisation(client, world):
    admin = world["users"]["admin"]
    club = world["club"]
    Membership.objects.create(user=admin, organisation=club)
    client.force_login(admin)
    response = client.post(reverse("organisations:switch"), {"organisation": club.pk})
    assert response["Location"] == reverse("organisations:home", args=[club.pk])
    assert client.session[services.SESSION_KEY] == club.pk
    response = client.get(reverse("organisations:start"))
    assert response["Location"] == reverse("organisations:home", args=[club.pk])
    # Not one's own: 404, the session keeps the old choice.
    foreign = Organisation.objects.exclude(pk__in=[club.pk, world["organisation"].pk]).first()
    assert client.post(reverse("organisations:switch"), {"organisation": foreign.pk}).status_code == 404


def test_federation_lists_confirmed_clubs_and_admins_confirm(client, world):
    federation, club = world["organisation"], world["club"]
    client.force_login(world["users"]["member"])
    assert club.name not in client.get(reverse("organisations:federation", args=[federation.pk])).content.decode()
    client.force_login(world["users"]["admin"])
    client.post(reverse("organisations:confirm_club", args=[federation.pk, club.pk]))
    client.force_login(world["users"]["member"])
    assert club.name in client.get(reverse("organisations:federation", args=[federation.pk])).content.decode()


def test_a_club_has_no_federation_page(client, world):
    client.force_login(world["users"]["staff"])
    assert client.get(reverse("organisations:federation", args=[world["club"].pk])).status_code == 404


def test_a_new_privacy_notice_is_asked_for_before_the_organisation_pages(client, world):
    member = world["users"]["member"]
    client.force_login(member)
    home = reverse("organisations:home", args=[world["organisation"].pk])
    assert client.get(home).status_code == 200  # the current consent, now remembered in the session
    with override_settings(PRIVACY_NOTICE_VERSION="2099-01"):
        response = client.get(home)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("organisations:consent"))
        response = client.post(response["Location"], {"privacy_consent": "on"})
        assert response["Location"] == home
        assert client.get(home).status_code == 200


def test_login_after_a_new_privacy_notice_says_so(client, world):
    from tests.factories import PASSWORD

    member = world["users"]["member"]
    with override_settings(PRIVACY_NOTICE_VERSION="2099-01"):
        response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD}, follow=True)
    assert "privacy notice has changed" in response.content.decode()


def test_an_accepted_notice_is_remembered_at_login_so_the_first_page_does_not_look_it_up(
    client, world, django_assert_num_queries
):
    from tests.factories import PASSWORD

    member = world["users"]["member"]
    home = reverse("organisations:home", args=[world["organisation"].pk])
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(home).status_code == 200
    assert not [query for query in queries if "organisations_consentrecord" in query["sql"]]
    # A notice newer than the one accepted is not remembered: the page asks for it.
    client.logout()
    with override_settings(PRIVACY_NOTICE_VERSION="2099-01"):
        client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
        assert client.get(home)["Location"].startswith(reverse("organisations:consent"))


def still_missing(page: str) -> str:
    """The home's "Still missing: …" line, or "" when the profile is complete."""
    return page.split("Still missing:")[1].split("</p>")[0] if "Still missing:" in page else ""


def test_home_shows_the_topics_the_latest_check_and_what_is_open_to_its_admins(client, world, member_user):
    from datetime import timedelta

    from django.utils import timezone

    from organisations.models import Assessment

    organisation, admin = world["organisation"], world["users"]["admin"]
    url = reverse("organisations:home", args=[organisation.pk])
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "topics of interest" in still_missing(page)
    assert "Start the Organisationscheck" in page
    assert "Open invitations" not in page and "Requests to join" not in page

    organisation.topics.add(Topic.objects.first())
    now = timezone.now()
    older = Assessment.objects.create(
        organisation=organisation, completed_by=admin, completed_at=now - timedelta(days=9)
    )
    latest = Assessment.objects.create(
        organisation=organisation, completed_by=admin, completed_at=now - timedelta(days=2)
    )
    InvitationFactory(organisation=organisation, email="open@example.org")
    InvitationFactory(organisation=organisation, email="expired@example.org", expires_at=now - timedelta(hours=1))
    InvitationFactory(organisation=organisation, email="taken@example.org", accepted_at=now)
    InvitationFactory(organisation=organisation, email="withdrawn@example.org", revoked_at=now)
    waiting = JoinRequestFactory(organisation=organisation, user=UserFactory(first_name="Ayla", last_name="Demir"))
    JoinRequestFactory(
        organisation=organisation, status=JoinRequest.Status.DECLINED, user=UserFactory(last_name="Nein")
    )
    JoinRequestFactory(user=UserFactory(last_name="Anderswo"))  # another organisation's

    page = client.get(url).content.decode()
    assert "topics of interest" not in still_missing(page)
    assert reverse("organisations:check_result", args=[organisation.pk, latest.pk]) in page
    assert reverse("organisations:check_result", args=[organisation.pk, older.pk]) not in page
    assert "open@example.org" in page
    assert not {"expired@", "taken@", "withdrawn@"} & set(re.findall(r"\w+@", page))
    assert waiting.user.get_full_name() in page and "Nein" not in page and "Anderswo" not in page

    client.force_login(member_user)  # a member sees the check, not what only admins answer
    page = client.get(url).content.decode()
    assert reverse("organisations:check_result", args=[organisation.pk, latest.pk]) in page
    assert "open@example.org" not in page and "Ayla" not in page


def test_home_page_query_count_does_not_grow_with_members(client, world, django_assert_num_queries):
    organisation = world["organisation"]
    for _ in range(10):
        Membership.objects.create(user=UserFactory(), organisation=organisation)
    client.force_login(world["users"]["admin"])
    url = reverse("organisations:home", args=[organisation.pk])
    client.get(url)  # warms the session
    # Session, person, memberships (the consent is remembered in the session); the topics, the latest check and
    # whether any invitation or join request is open, in one query; the team; one per slot (events, coaching,
    # elearning, whose admin check reads the header's memberships)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    for _ in range(10):
        JoinRequestFactory(organisation=organisation)
        InvitationFactory(organisation=organisation)
    with django_assert_num_queries(10):  # the open invitations and join requests, each one query
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("@example.org</li>") == 10


def test_team_page_query_count_does_not_grow_with_members(client, world, django_assert_num_queries):
    organisation = world["organisation"]
    for _ in range(10):
        Membership.objects.create(user=UserFactory(), organisation=organisation)
        JoinRequestFactory(organisation=organisation)
        InvitationFactory(organisation=organisation)
    client.force_login(world["users"]["admin"])
    url = reverse("organisations:team", args=[organisation.pk])
    client.get(url)
    with django_assert_num_queries(7):  # the consent is remembered in the session
        response = client.get(url)
    assert response.status_code == 200


def test_federation_admins_see_participation_only_of_clubs_that_share_it(client, world, monkeypatch):
    from organisations import participation

    federation = world["organisation"]
    sharing = OrganisationFactory(parent=federation, parent_confirmed=True, shares_participation=True)
    private = OrganisationFactory(parent=federation, parent_confirmed=True, shares_participation=False)

    def seminars(*, organisations):
        assert [o.pk for o in organisations] == [sharing.pk]
        return {sharing.pk: [participation.ParticipationLine(offer="Fördermittel beantragen", count=3)]}

    monkeypatch.setattr(participation, "participation_providers", [seminars])
    client.force_login(world["users"]["admin"])
    content = client.get(reverse("organisations:federation", args=[federation.pk])).content.decode()
    assert "Fördermittel beantragen: 3" in content
    assert private.name in content
    assert "does not share its participation" in content

    client.force_login(world["users"]["member"])
    content = client.get(reverse("organisations:federation", args=[federation.pk])).content.decode()
    assert "Fördermittel beantragen" not in content


def test_pending_organisations_cannot_book_yet():
    assert not OrganisationFactory(status=Organisation.Status.PENDING).can_book
    assert OrganisationFactory().can_book


def edit_data(organisation, **overrides):
    data = {
        "name": organisation.name,
        "legal_form": organisation.legal_form,
        "kind": organisation.kind,
        "postcode": organisation.postcode,
        "city": organisation.city,
        "bundesland": organisation.bundesland,
        "working_languages": "Arabisch, Deutsch",
        "website": "verein.example",
        "topics": [t.pk for t in Topic.objects.all()[:2]],
        "description": "Wir beraten Familien.",
    }
    data.update(overrides)
    return data


def test_an_admin_edits_the_profile(client, world):
    club = world["club"]
    admin = world["users"]["admin"]
    Membership.objects.create(user=admin, organisation=club, role=Membership.Role.ADMIN)
    federation = world["organisation"]
    federation.parent = None
    client.force_login(admin)
    response = client.post(reverse("organisations:edit", args=[club.pk]), edit_data(club, parent=""))
    assert response.status_code == 302
    club.refresh_from_db()
    assert club.working_languages == ["Arabisch", "Deutsch"]
    assert club.website == "https://verein.example"
    assert club.topics.count() == 2
    assert club.parent is None


def test_a_new_parent_federation_must_confirm_again(client, world):
    club = world["club"]
    club.parent_confirmed = True
    club.parent = None
    club.save()
    admin = world["users"]["admin"]
    Membership.objects.create(user=admin, organisation=club, role=Membership.Role.ADMIN)
    client.force_login(admin)
    client.post(reverse("organisations:edit", args=[club.pk]), edit_data(club, parent=world["organisation"].pk))
    club.refresh_from_db()
    assert club.parent == world["organisation"]
    assert club.parent_confirmed is False


def test_editing_with_a_bad_postcode_keeps_the_input(client, world):
    organisation = world["organisation"]
    client.force_login(world["users"]["admin"])
    response = client.post(
        reverse("organisations:edit", args=[organisation.pk]), edit_data(organisation, postcode="ABCDE")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_postcode"' in content
    assert 'value="ABCDE"' in content
    assert "Wir beraten Familien." in content
    organisation.refresh_from_db()
    assert organisation.description == ""


def test_a_member_cannot_post_the_profile(client, world):
    organisation = world["organisation"]
    client.force_login(world["users"]["member"])
    response = client.post(reverse("organisations:edit", args=[organisation.pk]), edit_data(organisation))
    assert response.status_code == 403


def test_staff_notes_never_reach_the_portal(client, world):
    organisation = world["organisation"]
    organisation.staff_notes = "Nur für das Team: Satzung fehlt"
    organisation.save()
    client.force_login(world["users"]["admin"])
    for name in ("home", "team", "edit", "federation"):
        content = client.get(reverse(f"organisations:{name}", args=[organisation.pk])).content.decode()
        assert "Satzung fehlt" not in content
