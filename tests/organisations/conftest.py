import pytest

from organisations.services import consent_record
from tests.factories import UserFactory

from .factories import OrganisationFactory


@pytest.fixture
def person():
    """Signed up, verified, accepted the current privacy notice; no organisation yet.

    People of these tests read English, so that the assertions hold when the German catalogue grows."""
    user = UserFactory(language="en")
    consent_record(user=user)
    return user


@pytest.fixture
def admin_user():
    user = UserFactory(language="en")
    consent_record(user=user)
    return user


@pytest.fixture
def member_user():
    user = UserFactory(language="en")
    consent_record(user=user)
    return user


@pytest.fixture
def organisation(admin_user, member_user):
    return OrganisationFactory(admins=[admin_user], members=[member_user])


@pytest.fixture
def staff_user():
    user = UserFactory(is_staff=True, is_superuser=True, language="en")
    consent_record(user=user)
    return user


@pytest.fixture(autouse=True)
def _english_messages(_german_by_default):
    """Service errors are asserted in English (the msgids), whatever the German catalogue holds by then."""
    from django.utils import translation

    translation.activate("en")
    yield
