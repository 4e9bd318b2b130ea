import pytest
from django.urls import reverse

from coaching.models import CoachingCase

from .factories import CoachFactory

pytestmark = pytest.mark.django_db


def test_change_page_ranks_coaches_and_assigns_with_one_click(
    client, case, staff, topics, mailoutbox, django_capture_on_commit_callbacks
):
    fitting = CoachFactory(topics=topics[:1], languages=["de"])
    CoachFactory(topics=topics[2:3], languages=["tr"])
    client.force_login(staff)
    url = reverse("admin:coaching_coachingcase_change", args=[case.pk])
    response = client.get(url)
    assert response.status_code == 200
    suggestions = response.context["suggestions"]
    assert suggestions[0].coach == fitting
    assert reverse("admin:coaching_coachingcase_assign", args=[case.pk, fitting.pk]) in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:coaching_coachingcase_assign", args=[case.pk, fitting.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CoachingCase.Status.ASSIGNED and case.coach == fitting
    assert fitting.user.email in [m.to[0] for m in mailoutbox]


def test_review_and_decline_through_the_admin(client, case, staff):
    client.force_login(staff)
    client.post(reverse("admin:coaching_coachingcase_review", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == CoachingCase.Status.IN_REVIEW
    url = reverse("admin:coaching_coachingcase_decline", args=[case.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"reason": "Out of scope."})
    case.refresh_from_db()
    assert case.status == CoachingCase.Status.DECLINED and case.decline_reason == "Out of scope."


def test_assign_url_needs_staff(client, case, org_admin, coach):
    client.force_login(org_admin)
    response = client.post(reverse("admin:coaching_coachingcase_assign", args=[case.pk, coach.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    case.refresh_from_db()
    assert case.coach is None


def test_admin_lists_and_profile_pages_render(client, assigned_case, staff, coach):
    client.force_login(staff)
    assert client.get(reverse("admin:coaching_coachingcase_changelist")).status_code == 200
    assert client.get(reverse("admin:coaching_coachprofile_change", args=[coach.pk])).status_code == 200
    assert client.get(reverse("admin:coaching_coachingcase_change", args=[assigned_case.pk])).status_code == 200
