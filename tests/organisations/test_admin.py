import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from organisations.models import ConsentRecord, Organisation
from tests.factories import UserFactory

from .factories import FederationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:organisations_organisation_changelist")


@pytest.fixture
def pending(db):
    contact = UserFactory(language="en")
    return OrganisationFactory(status=Organisation.Status.PENDING, admins=[contact])


def test_changelist_with_search_and_filters(client, staff_user, pending):
    federation = FederationFactory()
    OrganisationFactory(parent=federation, name="Mitgliedsverein Süd")
    client.force_login(staff_user)
    for params in (
        {},
        {"q": pending.name},
        {"status__exact": "pending"},
        {"kind__exact": "club"},
        {"bundesland__exact": "BE"},
        {"parent": str(federation.pk)},
        {"parent": "none"},
    ):
        response = client.get(CHANGELIST, params)
        assert response.status_code == 200, params
    assert "Mitgliedsverein Süd" in client.get(CHANGELIST, {"parent": str(federation.pk)}).content.decode()


def test_change_page_shows_members_and_staff_notes(client, staff_user, pending):
    client.force_login(staff_user)
    response = client.get(reverse("admin:organisations_organisation_change", args=[pending.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "staff_notes" in content
    assert pending.contact_person.email in content


def test_approve_action_calls_the_service(client, staff_user, pending, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "approve", ACTION_CHECKBOX_NAME: [pending.pk]})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.APPROVED
    assert pending.decided_by == staff_user
    assert mailoutbox[-1].to == [pending.contact_person.email]


def test_decline_action_asks_for_a_reason(client, staff_user, pending, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(staff_user)
    response = client.post(CHANGELIST, {"action": "decline", ACTION_CHECKBOX_NAME: [pending.pk]})
    assert response.status_code == 200
    assert pending.name in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.PENDING

    response = client.post(CHANGELIST, {"action": "decline", "apply": "1", ACTION_CHECKBOX_NAME: [pending.pk]})
    assert response.status_code == 200  # the reason is missing: asked again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {
                "action": "decline",
                "apply": "1",
                "reason": "Bitte Satzung nachreichen.",
                ACTION_CHECKBOX_NAME: [pending.pk],
            },
        )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.DECLINED
    assert pending.decline_reason == "Bitte Satzung nachreichen."
    assert "Bitte Satzung nachreichen." in mailoutbox[-1].body


def test_consent_records_are_listed_read_only(client, staff_user):
    record = ConsentRecord.objects.get(user=staff_user)
    client.force_login(staff_user)
    assert client.get(reverse("admin:organisations_consentrecord_changelist")).status_code == 200
    response = client.get(reverse("admin:organisations_consentrecord_change", args=[record.pk]))
    assert response.status_code == 200
    assert 'name="version"' not in response.content.decode()


@pytest.mark.parametrize("name", ["membership", "invitation", "joinrequest"])
def test_other_changelists_load(client, staff_user, name, pending):
    client.force_login(staff_user)
    assert client.get(reverse(f"admin:organisations_{name}_changelist")).status_code == 200
