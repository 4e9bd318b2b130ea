import pytest

from coaching.demo import create_demo
from coaching.models import CoachingCase, CoachProfile, Session, WeeklyAvailability
from organisations.demo import create_demo as create_organisations_demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_has_coaches_with_availability_and_cases_in_every_status():
    UserFactory(is_staff=True, is_superuser=True)
    create_organisations_demo(password="demo-password-1")
    logins = create_demo(password="demo-password-1")
    create_demo(password="demo-password-1")  # idempotent

    assert {email for email, _ in logins} == {"coach2@vamos.example", "coach3@vamos.example"}
    assert CoachProfile.objects.count() == 3
    assert CoachProfile.objects.filter(user__email="coach@vamos.example").exists()
    assert WeeklyAvailability.objects.values("coach").distinct().count() == 3
    statuses = set(CoachingCase.objects.values_list("status", flat=True))
    assert statuses == set(CoachingCase.Status.values)
    assert CoachingCase.objects.count() == 7
    assert Session.objects.filter(recorded_at__isnull=False).exists()
    assert Session.objects.filter(status=Session.Status.PROPOSED).exists()
    assert CoachingCase.objects.filter(feedback_rating=5).exists()
    held = Session.objects.get(case__status=CoachingCase.Status.ACTIVE, held=True)
    assert held.duration_minutes and held.private_note and held.next_steps and held.recorded_at


def test_demo_records_a_held_session_in_older_demo_data():
    """Demo data made before held sessions existed gets one when the demo runs again."""
    UserFactory(is_staff=True, is_superuser=True)
    create_organisations_demo(password="demo-password-1")
    create_demo(password="demo-password-1")
    Session.objects.filter(held=True).update(held=None, duration_minutes=None, recorded_at=None)

    create_demo(password="demo-password-1")
    create_demo(password="demo-password-1")
    held = Session.objects.get(case__status=CoachingCase.Status.ACTIVE, held=True)
    assert held.duration_minutes == 90 and held.private_note and held.next_steps
