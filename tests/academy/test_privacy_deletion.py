"""A person deletes their own account (academy.privacy.user_delete_account): personal data erased at once, the
records kept as anonymous, certificates revoked or kept without the name as the person chose, logged out."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from academy.models import Certificate, ContactMessage, DataExport, User
from coaching.models import CoachProfile
from elearning.models import Enrolment, LearningPreferences
from events.models import Attendance, Booking, Feedback
from organisations.models import JoinRequest
from tests.coaching.factories import CoachFactory
from tests.elearning.factories import LessonFactory
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(email="ayse@verein.example", first_name="Ayşe", last_name="Yılmaz", language="en")


def certificate_for(person, **extra):
    certificate = Certificate.objects.create(
        kind=Certificate.Kind.EVENT,
        subject_key=f"event:{Certificate.objects.count() + 1}",
        recipient=person,
        recipient_name=person.full_name,
        title="Fördermittel kompakt",
        **extra,
    )
    certificate.file.save("c.pdf", ContentFile(b"%PDF-1.7 Ayse"))
    return certificate


def delete(client, person, django_capture_on_commit_callbacks, **data):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("academy:account_delete"), {"password": PASSWORD, **data})


def test_the_page_explains_and_a_wrong_password_changes_nothing(client, person):
    client.force_login(person)
    page = client.get(reverse("academy:account_delete")).content.decode()
    assert "cannot be undone" in page
    assert "What stays, without your name" in page
    assert 'autocomplete="current-password"' in page

    response = client.post(reverse("academy:account_delete"), {"password": "not-it", "certificates": "revoke"})

    assert response.status_code == 200
    assert "This is not your password." in response.content.decode()
    person.refresh_from_db()
    assert person.is_active and person.email == "ayse@verein.example"


def test_the_account_is_erased_at_once_and_the_person_logged_out(client, person, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(members=[person])
    past_event = EventFactory(
        dates=[(timezone.now() - timedelta(days=20), timezone.now() - timedelta(days=20, hours=-4))]
    )
    booking = Booking.objects.create(
        event=past_event, person=person, organisation=organisation, status=Booking.Status.CONFIRMED
    )
    Attendance.objects.create(booking=booking, event_date=past_event.dates.get(), present=True)
    Feedback.objects.create(booking=booking, rating=4, comment="Mein Name ist Ayşe, und …")
    Enrolment.objects.create(user=person, module=LessonFactory().module)
    LearningPreferences.objects.create(user=person, reminders=False)
    ContactMessage.objects.create(name="Ayşe", email="ayse@verein.example", subject="Hi", message="…")
    JoinRequest.objects.create(user=person, organisation=OrganisationFactory(), message="Ich bin Ayşe aus Köln")
    DataExport.objects.create(user=person, status=DataExport.Status.READY, file="exports/x.zip")

    response = delete(client, person, django_capture_on_commit_callbacks, certificates="revoke")

    assert response.status_code == 302 and response["Location"] == reverse("academy:account_deleted")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("events:my_bookings")).status_code == 302
    assert "Ihr Konto wurde gelöscht" in client.get(reverse("academy:account_deleted")).content.decode()
    person.refresh_from_db()
    assert person.email.endswith("@anonymised.invalid") and not person.is_active
    assert (person.first_name, person.last_name) == ("", "")
    # Free texts go, the records stay (anonymous) so that the figures stay right.
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (4, "")
    assert Booking.objects.get().person_id == person.pk
    assert Attendance.objects.get().present is True
    assert Enrolment.objects.filter(user=person).exists()
    assert not LearningPreferences.objects.exists()
    assert not ContactMessage.objects.exists()
    assert JoinRequest.objects.get().message == ""
    assert JoinRequest.objects.get().status == JoinRequest.Status.DECLINED
    assert not DataExport.objects.exists()
    # The old address is free; no mail goes to the placeholder.
    assert not User.objects.filter(email="ayse@verein.example").exists()
    assert not [m for m in mail.outbox if any(to.endswith(".invalid") for to in m.to)]


def test_certificates_are_revoked_by_default(client, person, django_capture_on_commit_callbacks):
    certificate = certificate_for(person)

    delete(client, person, django_capture_on_commit_callbacks)  # no choice sent: revoke

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_reason
    assert certificate.recipient_name == "" and not certificate.file
    client.cookies["vamos_language"] = "en"
    page = client.get(reverse("academy:certificate_verify", args=[certificate.code])).content.decode()
    assert "This certificate has been revoked." in page and "Yılmaz" not in page


def test_certificates_stay_verifiable_without_the_name_if_the_person_chooses(
    client, person, django_capture_on_commit_callbacks
):
    certificate = certificate_for(person)
    client.force_login(person)
    assert "What should happen to it?" in client.get(reverse("academy:account_delete")).content.decode()

    with mock.patch("academy.tasks.render_certificate.delay") as render:
        delete(client, person, django_capture_on_commit_callbacks, certificates="keep")

    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.recipient_name == ""
    render.assert_called_once_with(certificate.pk)  # a new PDF, without the name
    client.cookies["vamos_language"] = "en"
    page = client.get(reverse("academy:certificate_verify", args=[certificate.code])).content.decode()
    assert "This certificate is valid." in page
    assert "Yılmaz" not in page and "name removed" in page


def test_a_coach_profile_loses_its_text_and_takes_no_new_cases(client, django_capture_on_commit_callbacks):
    coach = CoachFactory(bio="Ich bin Coach seit 2010 in Köln.")

    delete(client, coach.user, django_capture_on_commit_callbacks)

    coach = CoachProfile.objects.get(pk=coach.pk)
    assert coach.bio == "" and not coach.is_active


def test_a_superuser_cannot_delete_their_account_here(client, django_capture_on_commit_callbacks):
    boss = UserFactory(is_staff=True, is_superuser=True)

    response = delete(client, boss, django_capture_on_commit_callbacks, certificates="revoke")

    assert response.status_code == 200
    assert "Ein Superuser-Konto kann hier nicht gelöscht werden." in response.content.decode()
    boss.refresh_from_db()
    assert boss.is_active
