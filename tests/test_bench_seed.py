"""The benchmark's seeding (make bench) keeps working as the models change: a tiny scale fills every app
with rows that satisfy the portal's own rules, so the benchmark measures a consistent academy."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from academy.models import Certificate, User
from coaching.models import CoachingCase
from elearning.models import Lesson, Module
from events.models import Booking, Event, EventDate
from organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_tiny_scale_seeds_every_app_consistently():
    call_command("bench_seed", scale=0.01, stdout=io.StringIO())

    assert User.objects.filter(email__endswith="@bench.invalid").count() >= 100
    assert Organisation.objects.count() >= 20
    assert Event.objects.count() >= 10 and EventDate.objects.count() >= Event.objects.count()
    assert Booking.objects.count() >= 500
    assert Module.objects.count() >= 1 and Lesson.objects.count() >= 5
    assert CoachingCase.objects.count() >= 10
    assert Certificate.objects.count() >= 100
    # confirmed_count is what booking trusts under its lock: it must equal the confirmed bookings.
    mismatched = Event.objects.annotate(
        confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED))
    ).exclude(confirmed_count=F("confirmed"))
    assert not mismatched.exists()

    with pytest.raises(CommandError, match="already"):
        call_command("bench_seed", scale=0.01, stdout=io.StringIO())
