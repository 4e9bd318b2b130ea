from datetime import time, timedelta

import pytest
from django.utils import timezone

from academy.models import Topic
from coaching import services
from coaching.models import CoachingCase, WeeklyAvailability
from organisations.services import consent_record
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

from .factories import CoachFactory


@pytest.fixture(autouse=True)
def _english_messages(_german_by_default):
    """Service errors are asserted in English (the msgids)."""
    from django.utils import translation

    translation.activate("en")
    yield


def person(**kwargs):
    user = UserFactory(language="en", **kwargs)
    consent_record(user=user)
    return user


@pytest.fixture
def org_admin():
    return person()


@pytest.fixture
def org_member():
    return person()


@pytest.fixture
def organisation(org_admin, org_member):
    return OrganisationFactory(admins=[org_admin], members=[org_member])


@pytest.fixture
def staff():
    return person(is_staff=True, is_superuser=True)


@pytest.fixture
def topics():
    # Seeded by a data migration; transactional tests (which flush the tables) create their own.
    for position, slug in enumerate(["projektmanagement", "finanzierung", "strategie"], start=1):
        if Topic.objects.count() < 3:
            Topic.objects.get_or_create(slug=f"test-{slug}", defaults={"name": slug.title(), "position": position})
    return list(Topic.objects.order_by("position")[:3])


@pytest.fixture
def coach(topics):
    coach = CoachFactory(topics=topics[:2])
    consent_record(user=coach.user)
    # Every day 08:00–20:00, so that tests find free time whatever day they run.
    for weekday in range(7):
        WeeklyAvailability.objects.create(coach=coach, weekday=weekday, start_time=time(8), end_time=time(20))
    return coach


def submit_case(organisation, by, topics, **overrides) -> CoachingCase:
    data = {
        "kind": CoachingCase.Kind.COACHING,
        "topics": topics,
        "goals": "Apply for funding successfully.",
        "situation": "We have never applied.",
        "preferred_format": CoachingCase.PreferredFormat.ONLINE,
        "language": "de",
    }
    data.update(overrides)
    return services.case_submit(organisation=organisation, by=by, **data)


@pytest.fixture
def case(organisation, org_admin, topics):
    return submit_case(organisation, org_admin, topics[:1])


@pytest.fixture
def assigned_case(case, coach, staff):
    return services.case_assign(case=case, coach=coach, by=staff)


def tomorrow_at(hour: int, minute: int = 0, days: int = 1):
    """An aware datetime `days` days from now at the Berlin wall-clock time."""
    from coaching.availability import berlin, local_datetime

    day = (timezone.now().astimezone(berlin()) + timedelta(days=days)).date()
    return local_datetime(day, time(hour, minute))
