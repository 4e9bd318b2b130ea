import pytest

from organisations.models import Organisation
from organisations.services import consent_record
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

from .factories import LessonFactory, ModuleFactory, quiz_lesson


def _person(**kwargs):
    user = UserFactory(language="en", **kwargs)
    consent_record(user=user)
    return user


@pytest.fixture
def member():
    return _person()


@pytest.fixture
def org_admin():
    return _person()


@pytest.fixture
def stranger():
    """Signed in, a member of another approved organisation."""
    user = _person()
    OrganisationFactory(members=[user])
    return user


@pytest.fixture
def loner():
    """Signed in, in no organisation."""
    return _person()


@pytest.fixture
def pending_member():
    user = _person()
    OrganisationFactory(members=[user], status=Organisation.Status.PENDING)
    return user


@pytest.fixture
def staff():
    return _person(is_staff=True, is_superuser=True)


@pytest.fixture
def organisation(org_admin, member):
    return OrganisationFactory(admins=[org_admin], members=[member])


@pytest.fixture
def module():
    """A published module: a text lesson, then a lesson with a quiz (single + multiple choice)."""
    module = ModuleFactory()
    LessonFactory(module=module, position=1, text_en="# Welcome\n\nRead **this**.")
    quiz_lesson(module)
    return module


@pytest.fixture(autouse=True)
def _english(_german_by_default):
    from django.utils import translation

    translation.activate("en")
    yield
