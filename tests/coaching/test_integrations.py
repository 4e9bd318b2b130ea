import pytest
from django.urls import reverse

from academy.calendar import calendar_entries
from coaching import integrations, services
from organisations.plan import development_plan
from organisations.selectors import TopicScore

from .conftest import tomorrow_at

pytestmark = pytest.mark.django_db


def test_sessions_are_in_the_personal_calendar_of_both_sides(assigned_case, org_admin, org_member, coach):
    session = services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    for user in (org_admin, org_member, coach.user):
        entries = [e for e in calendar_entries(user=user) if e.uid == f"coaching-session-{session.pk}@vamos"]
        assert len(entries) == 1 and entries[0].start == session.start


def test_development_plan_suggests_coaching_for_topics_with_coaches(
    organisation, coach, topics, django_assert_num_queries
):
    scores = [TopicScore(topic=topic, average=1.5, percent=17) for topic in topics]
    plan = development_plan(organisation=organisation, scores=scores)
    items = {entry.topic.pk: [i for i in entry.items if i.kind == "Coaching"] for entry in plan}
    assert items[topics[0].pk] and items[topics[1].pk]
    assert not items[topics[2].pk]  # no coach for it
    assert items[topics[0].pk][0].url.startswith(reverse("coaching:request", args=[organisation.pk]))
    with django_assert_num_queries(1):
        integrations.plan_items(organisation=organisation, topics=topics)


def test_organisation_home_shows_coaching(client, case, organisation, org_admin):
    client.force_login(org_admin)
    content = client.get(reverse("organisations:home", args=[organisation.pk])).content.decode()
    assert reverse("coaching:case", args=[organisation.pk, case.pk]) in content
    assert reverse("coaching:request", args=[organisation.pk]) in content


def test_the_home_slot_names_each_case_its_state_and_coach_in_one_query(
    assigned_case, organisation, org_admin, coach, rf, django_assert_num_queries
):
    request = rf.get("/")
    request.user = org_admin
    with django_assert_num_queries(1):
        slot = integrations.home_slot(request=request, organisation=organisation)
    html = slot["html"]
    assert f"{assigned_case.get_kind_display().capitalize()} #{assigned_case.pk}" in html
    assert assigned_case.get_status_display() in html
    assert f"({coach.user.get_full_name()})" in html
