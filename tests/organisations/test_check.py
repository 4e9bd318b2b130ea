import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from academy.models import Topic
from organisations import plan, selectors, services
from organisations.models import Assessment, AssessmentStatement
from tests.factories import UserFactory

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def all_ratings(value_for_topic):
    return {s.pk: value_for_topic(s.topic) for s in AssessmentStatement.objects.filter(is_active=True)}


def test_the_statements_are_seeded_for_every_topic_in_two_languages():
    statements = AssessmentStatement.objects.all()
    assert {s.topic_id for s in statements} == set(Topic.objects.values_list("pk", flat=True))
    assert all(s.text_de and s.text_en for s in statements)


def test_an_admin_submits_and_the_scores_per_topic_follow(organisation, admin_user):
    assessment = services.assessment_submit(
        organisation=organisation, by=admin_user, ratings=all_ratings(lambda t: 4 if t.position == 1 else 1)
    )
    scores = selectors.assessment_scores(assessment=assessment)
    assert [s.topic.position for s in scores] == sorted(s.topic.position for s in scores)
    assert scores[0].percent == 100
    assert {s.percent for s in scores[1:]} == {0}


def test_every_statement_must_be_rated_from_1_to_4(organisation, admin_user):
    ratings = all_ratings(lambda t: 2)
    with pytest.raises(ValidationError):
        services.assessment_submit(organisation=organisation, by=admin_user, ratings=dict(list(ratings.items())[1:]))
    ratings[next(iter(ratings))] = 5
    with pytest.raises(ValidationError):
        services.assessment_submit(organisation=organisation, by=admin_user, ratings=ratings)
    assert not Assessment.objects.exists()


def test_members_do_not_fill_it_in(organisation, member_user):
    with pytest.raises(PermissionDenied):
        services.assessment_submit(organisation=organisation, by=member_user, ratings=all_ratings(lambda t: 2))


def test_results_are_kept_and_compared_with_the_previous_round(organisation, admin_user):
    first = services.assessment_submit(organisation=organisation, by=admin_user, ratings=all_ratings(lambda t: 1))
    second = services.assessment_submit(organisation=organisation, by=admin_user, ratings=all_ratings(lambda t: 3))
    assert selectors.assessment_previous(assessment=second) == first
    scores = selectors.assessment_scores(assessment=second, previous=first)
    assert {(s.percent, s.previous_percent, s.change) for s in scores} == {(67, 0, 67)}


def test_the_plan_takes_the_weakest_topics_and_asks_every_provider(organisation, admin_user, monkeypatch):
    assessment = services.assessment_submit(
        organisation=organisation, by=admin_user, ratings=all_ratings(lambda t: 1 if t.position in (2, 5) else 4)
    )
    calls = []

    def seminars(*, organisation, topics):
        calls.append([t.position for t in topics])
        return {topics[0].pk: [plan.PlanItem(title="Fördermittel beantragen", url="/x/", kind="Seminar")]}

    monkeypatch.setattr(plan, "plan_providers", [seminars])
    entries = plan.development_plan(
        organisation=organisation, scores=selectors.assessment_scores(assessment=assessment)
    )
    assert [e.topic.position for e in entries] == [2, 5]
    assert calls == [[2, 5]]
    assert entries[0].items[0].title == "Fördermittel beantragen"
    assert entries[1].items == []


@pytest.fixture
def check_world(organisation, admin_user, member_user, staff_user):
    outsider = UserFactory(language="en")
    services.consent_record(user=outsider)
    OrganisationFactory(admins=[outsider])
    assessment = services.assessment_submit(
        organisation=organisation, by=admin_user, ratings=all_ratings(lambda t: t.position % 4 + 1)
    )
    users = {"anonymous": None, "outsider": outsider, "member": member_user, "admin": admin_user, "staff": staff_user}
    return organisation, assessment, users


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "admin", "staff"])
def test_check_pages_per_role(client, check_world, role):
    organisation, assessment, users = check_world
    if users[role]:
        client.force_login(users[role])
    pages = {
        reverse("organisations:check", args=[organisation.pk]): ("member", "admin", "staff"),
        reverse("organisations:check_result", args=[organisation.pk, assessment.pk]): ("member", "admin", "staff"),
        reverse("organisations:check_fill", args=[organisation.pk]): ("admin", "staff"),
    }
    for url, allowed in pages.items():
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302
        elif role == "outsider":
            assert response.status_code == 404
        else:
            assert response.status_code == (200 if role in allowed else 403), url


def test_another_organisations_result_is_not_found(client, check_world):
    _organisation, assessment, users = check_world
    other = OrganisationFactory(admins=[users["member"]])
    client.force_login(users["member"])
    assert client.get(reverse("organisations:check_result", args=[other.pk, assessment.pk])).status_code == 404


def test_filling_in_keeps_the_answers_and_marks_the_missing_ones(client, organisation, admin_user):
    statements = list(AssessmentStatement.objects.filter(is_active=True))
    client.force_login(admin_user)
    url = reverse("organisations:check_fill", args=[organisation.pk])
    data = {f"statement_{s.pk}": "3" for s in statements[1:]}
    response = client.post(url, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="error_1_id_statement_{statements[0].pk}"' in content
    assert "Please rate this statement." in content
    assert re.search(rf'name="statement_{statements[1].pk}" value="3"[^>]*checked', content)

    data[f"statement_{statements[0].pk}"] = "1"
    response = client.post(url, data)
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("organisations:check_result", args=[organisation.pk, assessment.pk])


def test_result_page_has_chart_table_and_plan_with_pinned_queries(client, check_world, django_assert_num_queries):
    organisation, _assessment, users = check_world
    services.assessment_submit(organisation=organisation, by=users["admin"], ratings=all_ratings(lambda t: 2))
    latest = Assessment.objects.filter(organisation=organisation).first()  # the latest: newest first
    client.force_login(users["member"])
    url = reverse("organisations:check_result", args=[organisation.pk, latest.pk])
    client.get(url)
    # 8 of its own (the consent is remembered in the session) + one per plan provider (events, coaching, elearning)
    with django_assert_num_queries(11):
        response = client.get(url)
    content = response.content.decode()
    assert "<svg" in content and 'role="img"' in content
    assert content.count('<th scope="row">') == Topic.objects.count()
    assert "Your development plan" in content
    assert "Before" in content  # compared with the earlier round


def test_home_shows_the_latest_check(client, check_world):
    organisation, assessment, users = check_world
    client.force_login(users["member"])
    content = client.get(reverse("organisations:home", args=[organisation.pk])).content.decode()
    assert reverse("organisations:check_result", args=[organisation.pk, assessment.pk]) in content
