"""A completed case issues the organisation's coaching certificate (sessions held, hours), once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academy.models import Certificate
from coaching import services
from coaching.models import Session

pytestmark = pytest.mark.django_db


def test_completing_a_case_issues_the_organisations_certificate(
    client, assigned_case, coach, org_admin, django_capture_on_commit_callbacks
):
    case = assigned_case
    services.case_agree_goals(case=case, by=coach.user, agreed_goals="A funding application by June.")
    start = timezone.now() - timedelta(days=3)
    for held in (True, True, False):
        Session.objects.create(
            case=case, coach=coach, start=start, end=start + timedelta(minutes=90), held=held, duration_minutes=90
        )
        start += timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_complete(case=case, by=coach.user, goals_reached="yes", goals_review="Submitted.")
    certificate = Certificate.objects.get()
    assert certificate.kind == Certificate.Kind.COACHING and certificate.recipient is None
    assert certificate.organisation_id == case.organisation_id
    assert certificate.details["sessions"] == 2 and certificate.details["hours"] == 3.0
    assert certificate.file
    client.force_login(org_admin)
    assert client.get(reverse("academy:certificate_download", args=[certificate.pk])).status_code == 200
