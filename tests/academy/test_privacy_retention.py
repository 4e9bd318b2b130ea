"""Retention jobs (academy.privacy.retention_jobs), run by Celery beat and logged as RetentionRun."""

from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from academy import roles, tasks
from academy.models import RetentionRun, User
from academy.privacy import retention_jobs, retention_run
from events.models import Booking
from organisations.models import ConsentRecord
from tests.events.factories import EventFactory
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def signed_up(days_ago: int, **extra) -> User:
    """Somebody who registered `days_ago` and never confirmed the address."""
    return UserFactory(verified=False, date_joined=NOW - timedelta(days=days_ago), **extra)


def test_unverified_unused_accounts_go_after_30_days_and_nothing_else_does():
    bot = signed_up(31)
    ConsentRecord.objects.create(user=bot, version="2026-11")
    EmailAddress.objects.create(user=bot, email=bot.email, verified=False, primary=True)
    fresh = signed_up(29)
    used = signed_up(400, last_login=NOW - timedelta(days=300))
    verified = UserFactory(date_joined=NOW - timedelta(days=400))
    staff = signed_up(400, is_staff=True)
    # Staff booked a seat for somebody who never confirmed: the booking must keep counting.
    booked_for = signed_up(60, last_name="Gebucht")
    Booking.objects.create(
        event=EventFactory(), person=booked_for, organisation=OrganisationFactory(), status=Booking.Status.CONFIRMED
    )

    run = retention_run(job="unverified_accounts", now=NOW)

    assert not User.objects.filter(pk=bot.pk).exists()
    assert not ConsentRecord.objects.exists()
    for kept in (fresh, used, verified, staff):
        assert User.objects.get(pk=kept.pk).is_active
    booked_for.refresh_from_db()
    assert not booked_for.is_active and booked_for.last_name == ""
    assert Booking.objects.get().person_id == booked_for.pk
    assert run.counts == {"accounts_deleted": 1, "accounts_anonymised": 1}
    assert run.cutoff == NOW - timedelta(days=30) and run.succeeded

    again = retention_run(job="unverified_accounts", now=NOW)
    assert again.counts == {"accounts_deleted": 0, "accounts_anonymised": 0}


def test_a_failing_job_is_logged_with_its_error():
    failing = {"unverified_accounts": mock.Mock(side_effect=RuntimeError("disk full"))}
    with mock.patch.dict(retention_jobs, failing), pytest.raises(RuntimeError):
        retention_run(job="unverified_accounts", now=NOW)

    run = RetentionRun.objects.get()
    assert run.error == "RuntimeError: disk full" and run.finished_at and not run.succeeded


def test_beat_runs_every_job_daily_through_one_task():
    scheduled = {
        entry["args"][0]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "academy.tasks.retention_run"
    }
    assert scheduled == set(retention_jobs) == {"unverified_accounts", "participant_lists", "data_exports"}
    assert tasks.retention_run.delay("data_exports").get() == {"exports_expired": 0}
    assert settings.VAMOS_RETENTION_YEARS == 10


def test_staff_see_the_runs_read_only_in_the_admin(client):
    retention_run(job="data_exports", now=NOW)
    client.force_login(UserFactory(is_staff=True, roles=[roles.STAFF], language="en"))

    response = client.get(reverse("admin:academy_retentionrun_changelist"))

    assert response.status_code == 200
    assert "data_exports" in response.content.decode()
    assert client.get(reverse("admin:academy_retentionrun_add")).status_code == 403
    run = RetentionRun.objects.get()
    assert client.post(reverse("admin:academy_retentionrun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403


def test_the_privacy_notice_names_every_processing(client):
    client.cookies["vamos_language"] = "en"
    page = client.get(reverse("academy:privacy")).content.decode()
    for heading in (
        "User account, organisation and offers",
        "Organisations and their teams",
        "Bookings, attendance and participant lists",
        "Coaching and team development",
        "Self-learning platform",
        "Certificates and their public verification",
        "Emails and reminders",
        "Contact form and email",
        "server log files",
        "Backups",
        "Downloading your data and deleting your account",
        "How long we keep data",
        "sessionid",
        "csrftoken",
        "vamos_language",
    ):
        assert heading in page, heading
    assert "kept for 10 years after the event" in page
