import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from academy import roles
from academy.models import Topic, User
from coaching import selectors, services
from coaching.models import CoachingCase, Session, WeeklyAvailability
from organisations.models import Organisation
from tests.organisations.factories import OrganisationFactory

from .conftest import person, submit_case, tomorrow_at
from .factories import CoachFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "admin", "staff", "coach", "other_coach"]


@pytest.fixture
def world(organisation, org_admin, org_member, staff, assigned_case, coach):
    outsider = person()
    OrganisationFactory(admins=[outsider])
    other_coach = CoachFactory()
    session = services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    past = services.session_propose(case=assigned_case, by=coach.user, start=tomorrow_at(7))
    services.session_confirm(session=past, by=org_admin)
    Session.objects.filter(pk=past.pk).update(
        start=timezone.now() - timedelta(days=2), end=timezone.now() - timedelta(days=2) + timedelta(minutes=90)
    )
    past.refresh_from_db()
    services.session_record(
        session=past,
        by=coach.user,
        held=True,
        duration_minutes=90,
        private_note="SECRET-NOTE the board quarrels",
        next_steps="Write the project outline.",
    )
    return {
        "case": assigned_case,
        "session": session,
        "past": past,
        "organisation": organisation,
        "users": {
            "anonymous": None,
            "outsider": outsider,
            "member": org_member,
            "admin": org_admin,
            "staff": staff,
            "coach": coach.user,
            "other_coach": other_coach.user,
        },
    }


def login(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    return user


def check(response, role, *, allowed, not_found=(), forbidden=()):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif role in allowed:
        assert response.status_code in (200, 302), (role, response.status_code)
    elif role in not_found:
        assert response.status_code == 404, (role, response.status_code)
    else:
        assert role in forbidden, f"role {role} not covered"
        assert response.status_code == 403, (role, response.status_code)


ORG_VIEWERS = {"member", "admin", "staff"}
NON_MEMBERS_404 = {"outsider", "coach", "other_coach"}


def org_url(world, name, *extra):
    return reverse(f"coaching:{name}", args=[world["organisation"].pk, *extra])


@pytest.mark.parametrize("role", ROLES)
def test_organisation_case_list_and_page(client, world, role):
    login(client, world, role)
    check(client.get(org_url(world, "cases")), role, allowed=ORG_VIEWERS, not_found=NON_MEMBERS_404)
    check(client.get(org_url(world, "case", world["case"].pk)), role, allowed=ORG_VIEWERS, not_found=NON_MEMBERS_404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["request", "slots", "session_cancel"])
def test_organisation_actions_need_the_admin_role(client, world, role, name):
    login(client, world, role)
    extra = {"request": [], "slots": [world["case"].pk], "session_cancel": [world["case"].pk, world["session"].pk]}
    response = client.get(org_url(world, name, *extra[name]))
    check(response, role, allowed={"admin"}, not_found=NON_MEMBERS_404, forbidden={"member", "staff"})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["withdraw", "feedback", "session_confirm"])
def test_organisation_posts_need_the_admin_role(client, world, role, name):
    login(client, world, role)
    extra = {
        "withdraw": [world["case"].pk],
        "feedback": [world["case"].pk],
        "session_confirm": [world["case"].pk, world["session"].pk],
    }
    response = client.post(org_url(world, name, *extra[name]), {"rating": "5"})
    if role == "admin":
        assert response.status_code in (302, 400)
    else:
        check(response, role, allowed=set(), not_found=NON_MEMBERS_404, forbidden={"member", "staff"})


@pytest.mark.parametrize("role", ROLES)
def test_another_organisations_case_id_is_404(client, world, role, topics):
    other_admin = person()
    other = OrganisationFactory(admins=[other_admin])
    other_case = submit_case(other, other_admin, topics[:1])
    login(client, world, role)
    response = client.get(reverse("coaching:case", args=[world["organisation"].pk, other_case.pk]))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


COACH_CASE_VIEWS = ["coach_case", "coach_propose", "coach_complete"]
COACH_SESSION_VIEWS = ["coach_record", "coach_move", "coach_cancel"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", COACH_CASE_VIEWS + COACH_SESSION_VIEWS)
def test_coach_pages_only_for_the_assigned_coach(client, world, role, name):
    login(client, world, role)
    target = world["past"].pk if name == "coach_record" else world["session"].pk
    args = [world["case"].pk] if name in COACH_CASE_VIEWS else [target]
    response = client.get(reverse(f"coaching:{name}", args=args))
    check(
        response,
        role,
        allowed={"coach"},
        not_found={"other_coach"},
        forbidden={"outsider", "member", "admin", "staff"},
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["coach_goals", "coach_meeting"])
def test_coach_posts_only_for_the_assigned_coach(client, world, role, name):
    login(client, world, role)
    response = client.post(reverse(f"coaching:{name}", args=[world["case"].pk]), {"agreed_goals": "x", "place": "y"})
    check(
        response, role, allowed={"coach"}, not_found={"other_coach"}, forbidden={"outsider", "member", "admin", "staff"}
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["coach_cases", "availability", "profile"])
def test_coach_own_pages_need_the_coach_role(client, world, role, name):
    login(client, world, role)
    check(
        client.get(reverse(f"coaching:{name}")),
        role,
        allowed={"coach", "other_coach"},
        forbidden={"outsider", "member", "admin", "staff"},
    )


@pytest.mark.parametrize("role", ROLES)
def test_coach_list_for_approved_organisations_coaches_and_staff(client, world, role):
    login(client, world, role)
    check(
        client.get(reverse("coaching:coach_list")),
        role,
        allowed={"outsider", "member", "admin", "staff", "coach", "other_coach"},
    )


def test_coach_list_is_closed_to_people_of_pending_organisations(client, topics):
    user = person()
    OrganisationFactory(admins=[user], status=Organisation.Status.PENDING)
    client.force_login(user)
    assert client.get(reverse("coaching:coach_list")).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_calendar_shows_own_sessions(client, world, role):
    login(client, world, role)
    response = client.get(reverse("coaching:calendar"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    shown = world["organisation"].name in response.content.decode()
    assert shown == (role in {"member", "admin", "coach"})


def test_other_coach_cannot_delete_availability(client, world, coach):
    window = WeeklyAvailability.objects.filter(coach=coach).first()
    client.force_login(world["users"]["other_coach"])
    client.post(reverse("coaching:availability_delete", args=["weekly", window.pk]))
    assert WeeklyAvailability.objects.filter(pk=window.pk).exists()


@pytest.mark.parametrize("role", ["member", "admin", "staff"])
def test_private_note_never_reaches_organisation_pages(client, world, role):
    login(client, world, role)
    for url in [
        org_url(world, "case", world["case"].pk),
        org_url(world, "cases"),
        reverse("organisations:home", args=[world["organisation"].pk]),
        reverse("coaching:calendar"),
    ]:
        content = client.get(url).content.decode()
        assert "SECRET-NOTE" not in content, url
    assert "Write the project outline." in client.get(org_url(world, "case", world["case"].pk)).content.decode()


def test_coach_sees_the_private_note(client, world):
    client.force_login(world["users"]["coach"])
    assert "SECRET-NOTE" in client.get(reverse("coaching:coach_case", args=[world["case"].pk])).content.decode()


def test_header_shows_my_cases_to_coaches_only(client, world):
    client.force_login(world["users"]["coach"])
    assert reverse("coaching:coach_cases") in client.get("/").content.decode()
    client.force_login(world["users"]["admin"])
    assert reverse("coaching:coach_cases") not in client.get("/").content.decode()


# --- forms and bad input ---------------------------------------------------------------------------------------


def test_request_form_creates_a_case(client, organisation, org_admin, topics):
    client.force_login(org_admin)
    response = client.post(
        reverse("coaching:request", args=[organisation.pk]),
        {
            "kind": "coaching",
            "topics": [topics[0].pk],
            "goals": "Funding",
            "situation": "New",
            "preferred_format": "online",
            "language": "de",
        },
    )
    case = CoachingCase.objects.get()
    assert response["Location"] == reverse("coaching:case", args=[organisation.pk, case.pk])


def test_pending_organisation_gets_a_clear_message(client, topics):
    admin = person()
    pending = OrganisationFactory(admins=[admin], status=Organisation.Status.PENDING)
    client.force_login(admin)
    response = client.post(
        reverse("coaching:request", args=[pending.pk]),
        {
            "kind": "coaching",
            "topics": [topics[0].pk],
            "goals": "x",
            "situation": "y",
            "preferred_format": "online",
            "language": "de",
        },
    )
    assert response.status_code == 400
    assert "approved its registration" in response.content.decode()
    assert not CoachingCase.objects.exists()


def test_slot_picker_books_and_reports_a_taken_slot(
    client, assigned_case, organisation, org_admin, coach, staff, topics
):
    client.force_login(org_admin)
    url = reverse("coaching:slots", args=[organisation.pk, assigned_case.pk])
    start = tomorrow_at(10)
    response = client.post(url, {"start": start.isoformat()})
    assert response.status_code == 302
    other = services.case_assign(case=submit_case(organisation, org_admin, topics[:1]), coach=coach, by=staff)
    response = client.post(reverse("coaching:slots", args=[organisation.pk, other.pk]), {"start": start.isoformat()})
    assert response.status_code == 400
    assert "just been taken" in response.content.decode()
    response = client.post(url, {"start": "tomorrow"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["¹", "٣", "abc", "9" * 25])
def test_a_session_or_topic_that_is_no_id_is_not_found_and_no_error(
    client, assigned_case, organisation, org_admin, value
):
    client.force_login(org_admin)
    slots = reverse("coaching:slots", args=[organisation.pk, assigned_case.pk])
    assert client.get(slots, {"session": value}).status_code == 404
    request_page = client.get(reverse("coaching:request", args=[organisation.pk]), {"topic": value})
    assert request_page.status_code == 200


def test_coach_records_a_session_through_the_page(client, world):
    client.force_login(world["users"]["coach"])
    response = client.post(
        reverse("coaching:coach_record", args=[world["past"].pk]),
        {"held": "yes", "duration_minutes": "60", "next_steps": "Next", "private_note": "Note"},
    )
    assert response.status_code == 302
    world["past"].refresh_from_db()
    assert world["past"].duration_minutes == 60


def test_coach_adds_availability(client, coach):
    client.force_login(coach.user)
    response = client.post(
        reverse("coaching:availability"),
        {"weekly-weekday": "2", "weekly-start_time": "18:00", "weekly-end_time": "17:00"},
    )
    assert response.status_code == 400
    day = (timezone.now() + timedelta(days=3)).date().isoformat()
    response = client.post(
        reverse("coaching:availability"),
        {
            "once-kind": "blocked",
            "once-start_day": day,
            "once-start_time": "09:00",
            "once-end_day": day,
            "once-end_time": "12:00",
        },
    )
    assert response.status_code == 302
    assert coach.exceptions.count() == 1


# --- query counts ----------------------------------------------------------------------------------------------


def _many_cases(coach, staff, topics, count=6):
    for _ in range(count):
        admin = person()
        organisation = OrganisationFactory(admins=[admin])
        case = services.case_assign(case=submit_case(organisation, admin, topics[:2]), coach=coach, by=staff)
        for day in (1, 2):
            services.session_book(case=case, by=admin, start=tomorrow_at(8 + _ * 2 % 12, days=day + _ // 6 * 2))


def test_coach_case_list_query_count(client, coach, staff, topics, django_assert_num_queries):
    coach.max_active_cases = 20
    coach.save()
    _many_cases(coach, staff, topics)
    client.force_login(coach.user)
    # session, user, coach group check, cases (one page: no count), topics, upcoming sessions, memberships (header)
    with django_assert_num_queries(7):
        response = client.get(reverse("coaching:coach_cases"))
    assert response.status_code == 200
    assert len(response.context["cases"].items) == 6


def test_each_case_of_the_coach_says_organisation_kind_state_topics_and_next_session(
    client, coach, org_admin, assigned_case, topics
):
    start = tomorrow_at(11)
    services.session_propose(case=assigned_case, by=coach.user, start=start)
    client.force_login(coach.user)

    html = client.get(reverse("coaching:coach_cases")).content.decode()

    row = re.search(r'<li class="list-group-item">.*?</li>', html, re.S).group(0)
    link = reverse("coaching:coach_case", args=[assigned_case.pk])
    assert f'<a class="fw-bold" href="{link}">{assigned_case.organisation.name}</a>' in row
    assert f"– {assigned_case.get_kind_display()} " in row
    assert f'<span class="badge text-bg-light border">{assigned_case.get_status_display()}</span>' in row
    assert topics[0].name in row
    with translation.override("en"):
        when = formats.date_format(timezone.localtime(start), "DATETIME_FORMAT")
    assert f" · Next session: {when} (proposed)</p>" in row


def test_the_case_lists_topics_are_named_in_the_coachs_language_or_in_german(
    client, coach, org_admin, assigned_case, topics
):
    """The list reads the topics' names as values (coaching.selectors.TopicName): the name in the page's language,
    the German one where that language has none, as a topic itself says."""
    Topic.objects.filter(pk=topics[0].pk).update(name_de="Projektarbeit", name_en="Project work", name_tr="")
    client.force_login(coach.user)
    for language, expected in (("de", "Projektarbeit"), ("en", "Project work"), ("tr", "Projektarbeit")):
        User.objects.filter(pk=coach.user.pk).update(language=language)
        row = re.search(r'<li class="list-group-item">.*?</li>', client.get(reverse("coaching:coach_cases")).text, re.S)
        with translation.override(language):
            assert Topic.objects.get(pk=topics[0].pk).name == expected  # what the model says
        assert expected in row.group(0), language


def _cases_straight_in(organisation, statuses, coach=None):
    """Cases written to the database directly, oldest first (the services' way there is tested above)."""
    return CoachingCase.objects.bulk_create(
        CoachingCase(organisation=organisation, coach=coach, status=status, goals="Funding", situation="New")
        for status in statuses
    )


def test_the_coach_pages_through_cases_running_ones_first(client, coach, organisation, django_assert_num_queries):
    closed = _cases_straight_in(organisation, [CoachingCase.Status.COMPLETED] * 15, coach)
    running = _cases_straight_in(organisation, [CoachingCase.Status.ACTIVE] * 10, coach)
    client.force_login(coach.user)
    url = reverse("coaching:coach_cases")

    first = client.get(url)
    shown = [case.pk for case in first.context["cases"].items]
    # All ten running cases lead, newest first; then the newest closed ones fill the page of twenty.
    assert shown == [case.pk for case in reversed(running)] + [case.pk for case in reversed(closed)][:10]
    assert 'href="?page=2"' in first.content.decode()

    with django_assert_num_queries(8):  # the second page costs what the first does
        second = client.get(url, {"page": 2})
    assert [case.pk for case in second.context["cases"].items] == [case.pk for case in reversed(closed)][10:]
    assert 'href="?page=1"' in second.content.decode()

    too_far = client.get(url, {"page": 9})
    assert too_far.status_code == 200
    assert "There is no page 9; you see page 2." in too_far.content.decode()


def test_an_organisation_pages_through_its_coaching_requests(
    client, organisation, org_member, django_assert_num_queries
):
    mine = _cases_straight_in(organisation, [CoachingCase.Status.SUBMITTED] * 21)
    _cases_straight_in(OrganisationFactory(), [CoachingCase.Status.SUBMITTED] * 3)  # another's: never listed
    client.force_login(org_member)
    url = reverse("coaching:cases", args=[organisation.pk])
    client.get(url)  # the first request of a session checks the consent and remembers it in the session

    # session, user, memberships (access and header), count, cases with their coaches, topics
    with django_assert_num_queries(6):
        first = client.get(url)
    assert [case.pk for case in first.context["cases"].items] == [case.pk for case in reversed(mine)][:20]
    with django_assert_num_queries(6):
        second = client.get(url, {"page": 2})
    assert [case.pk for case in second.context["cases"].items] == [mine[0].pk]
    assert f"#{mine[0].pk}</a>" in second.content.decode()


def test_organisation_case_page_query_count(
    client, assigned_case, organisation, org_admin, coach, staff, django_assert_num_queries
):
    services.case_set_budget(case=assigned_case, by=staff, budget=20)
    for day in range(1, 9):
        services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10, days=day))
    client.force_login(org_admin)
    url = reverse("coaching:case", args=[organisation.pk, assigned_case.pk])
    client.get(url)  # the first request of a session checks the consent and remembers it in the session
    # session, user, memberships (access and header), case, sessions, timeline, topics
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["sessions"]) == 8


def test_slot_picker_query_count(
    client, assigned_case, organisation, org_admin, coach, staff, django_assert_num_queries
):
    services.case_set_budget(case=assigned_case, by=staff, budget=20)
    for day in range(1, 9):
        services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10, days=day))
    client.force_login(org_admin)
    url = reverse("coaching:slots", args=[organisation.pk, assigned_case.pk])
    client.get(url)  # the first request of a session checks the consent and remembers it in the session
    # session, user, memberships (access and header), case, weekly windows, exceptions, sessions
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    assert sum(len(day.slots) for day in response.context["days"]) > 100


def test_selectors_free_slots_fixed_queries(coach, django_assert_num_queries):
    with django_assert_num_queries(3):
        selectors.free_slots(coach_id=coach.pk, minutes=60)


def test_roles_module_used(world):
    assert roles.has_role(world["users"]["coach"], roles.COACH)
