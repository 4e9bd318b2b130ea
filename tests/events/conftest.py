import pytest

from organisations.services import consent_record
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

from .factories import EventFactory


@pytest.fixture(autouse=True)
def _english_messages(_german_by_default):
    """Service errors are asserted in English (the msgids), whatever the German catalogue holds by then."""
    from django.utils import translation

    translation.activate("en")
    yield


def make_person(**kwargs):
    """A person who signed up and accepted the privacy notice; reads English unless told otherwise."""
    kwargs.setdefault("language", "en")
    user = UserFactory(**kwargs)
    consent_record(user=user)
    return user


@pytest.fixture
def admin_user():
    return make_person()


@pytest.fixture
def member_user():
    return make_person()


@pytest.fixture
def organisation(admin_user, member_user):
    return OrganisationFactory(admins=[admin_user], members=[member_user])


@pytest.fixture
def staff_user():
    return make_person(is_staff=True, is_superuser=True)


@pytest.fixture
def event():
    return EventFactory()
