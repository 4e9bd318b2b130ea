"""A person's data export (academy.privacy): one ZIP with everything about them and their certificate PDFs, built by
a task, mailed as a link that works for them only and for seven days."""

import io
import json
import re
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from academy.models import CalendarFeedToken, Certificate, ContactMessage, DataExport
from academy.privacy import personal_data_zip, retention_run
from coaching.models import CoachingCase, Session
from elearning.models import Enrolment, QuizAttempt
from events.models import Attendance, Booking, Feedback
from organisations.models import ConsentRecord
from tests.coaching.factories import CoachFactory
from tests.elearning.factories import LessonFactory
from tests.events.factories import EventFactory
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 certificate of Ayse"


def past(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def world():
    """Ayşe and a colleague in one organisation; Ayşe booked, attended, requested coaching, learned, got a
    certificate, consented and wrote to the team. The coach wrote a private note on her session."""
    ayse = UserFactory(email="ayse@verein.example", first_name="Ayşe", last_name="Yılmaz", language="en")
    colleague = UserFactory(email="colleague@verein.example", first_name="Konstantin", last_name="Kollegovski")
    organisation = OrganisationFactory(name="Kulturbrücke e.V.", admins=[ayse], members=[colleague])

    event = EventFactory(title="Fördermittel kompakt", dates=[(past(30), past(30) + timedelta(hours=6))])
    booking = Booking.objects.create(
        event=event, person=ayse, organisation=organisation, status=Booking.Status.CONFIRMED, booked_by=ayse
    )
    Attendance.objects.create(booking=booking, event_date=event.dates.get(), present=True)
    Feedback.objects.create(booking=booking, rating=5, comment="Sehr hilfreich, danke!")
    colleagues_booking = Booking.objects.create(
        event=event, person=colleague, organisation=organisation, status=Booking.Status.CONFIRMED
    )
    Feedback.objects.create(booking=colleagues_booking, rating=2, comment="Colleague's own opinion")

    coach = CoachFactory()
    case = CoachingCase.objects.create(
        organisation=organisation,
        requested_by=ayse,
        goals="A funding strategy for 2027",
        situation="Two volunteers, no paid staff",
        status=CoachingCase.Status.ACTIVE,
        coach=coach,
    )
    Session.objects.create(
        case=case,
        coach=coach,
        start=past(10),
        end=past(10) + timedelta(hours=1),
        held=True,
        private_note="SECRET-NOTE: board seems divided",
        next_steps="Draft the application",
    )
    CoachingCase.objects.create(
        organisation=organisation, requested_by=colleague, goals="Colleague's own case", situation="…"
    )

    lesson = LessonFactory()
    Enrolment.objects.create(user=ayse, module=lesson.module)
    QuizAttempt.objects.create(user=ayse, lesson=lesson, token="t1", correct_count=2, question_count=2, score=100)

    certificate = Certificate.objects.create(
        kind=Certificate.Kind.EVENT,
        subject_key=f"event:{event.pk}",
        recipient=ayse,
        recipient_name="Ayşe Yılmaz",
        title="Fördermittel kompakt",
        organisation_name=organisation.name,
    )
    certificate.file.save("c.pdf", ContentFile(PDF))
    ConsentRecord.objects.create(user=ayse, version="2026-11")
    CalendarFeedToken.objects.create(user=ayse)
    ContactMessage.objects.create(
        name="Ayşe", email="ayse@verein.example", subject="Frage", message="Wann ist das nächste Seminar?", user=ayse
    )
    ContactMessage.objects.create(name="Someone", email="someone@else.example", subject="Other", message="Not hers")
    return {"ayse": ayse, "colleague": colleague, "certificate": certificate, "organisation": organisation}


def request_export(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("academy:data_export_create"))
    assert response.status_code == 302
    return DataExport.objects.latest("pk")


def download_link() -> str:
    message = mail.outbox[-1]
    return re.search(r"https?://\S+/konto/meine-daten/export/\d+/", message.body).group(0)


def test_the_person_gets_one_zip_with_all_their_data_and_nobody_elses(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["ayse"])

    export = request_export(client, django_capture_on_commit_callbacks)

    assert export.status == DataExport.Status.READY
    assert mail.outbox[-1].to == ["ayse@verein.example"]
    assert "Your data is ready" in mail.outbox[-1].subject
    path = download_link().split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    raw = archive.read("vamos-data.json").decode()
    data = json.loads(raw)

    assert data["profile"]["email"] == "ayse@verein.example"
    assert data["profile"]["last_name"] == "Yılmaz"
    assert [m["organisation"] for m in data["memberships"]] == ["Kulturbrücke e.V."]
    assert data["memberships"][0]["role"] == "admin"
    [booking] = data["bookings"]
    assert booking["event"] == "Fördermittel kompakt"
    assert [a["present"] for a in booking["attendance"]] == [True]
    assert booking["feedback"]["comment"] == "Sehr hilfreich, danke!"
    [case] = data["coaching_cases"]
    assert case["goals"] == "A funding strategy for 2027"
    assert case["sessions"][0]["agreed_next_steps"] == "Draft the application"
    assert [e["module"] for e in data["learning"]["enrolments"]] == [Enrolment.objects.get().module.title]
    assert data["learning"]["quiz_attempts"][0]["score_percent"] == 100
    [certificate] = data["certificates"]
    assert certificate["verification_code"] == world["certificate"].code
    assert archive.read(certificate["file"]) == PDF
    assert [c["version"] for c in data["consents"]] == ["2026-11"]
    assert data["calendar_feed_links"][0]["active"] is True
    assert [m["subject"] for m in data["contact_messages"]] == ["Frage"]
    assert "README.txt" in archive.namelist()

    # Never the coach's private note, never the secret of the calendar feed, never anybody else's data.
    assert "SECRET-NOTE" not in raw
    assert "private_note" not in raw
    assert CalendarFeedToken.objects.get().token not in raw
    for foreign in ("colleague@verein.example", "Kollegovski", "Colleague's own", "someone@else.example"):
        assert foreign not in raw


def test_the_download_is_only_for_the_person_and_only_for_seven_days(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["ayse"])
    export = request_export(client, django_capture_on_commit_callbacks)
    url = reverse("academy:data_export_download", args=[export.pk])
    assert client.get(url).status_code == 200

    client.force_login(world["colleague"])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 404  # not even staff
    client.logout()
    assert client.get(url).status_code == 302  # to the login

    client.force_login(world["ayse"])
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 404

    # The daily retention job deletes the expired file; the row stays as the record of the request.
    run = retention_run(job="data_exports")
    export.refresh_from_db()
    assert run.counts == {"exports_expired": 1}
    assert export.status == DataExport.Status.EXPIRED and not export.file
    assert client.get(reverse("academy:my_data")).status_code == 200


def test_asking_twice_while_it_is_being_made_asks_once(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["ayse"])
    with (
        mock.patch("academy.tasks.build_data_export.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(reverse("academy:data_export_create"))
        client.post(reverse("academy:data_export_create"))
    assert DataExport.objects.filter(status=DataExport.Status.PENDING).count() == 1
    assert delay.call_count == 1
    page = client.get(reverse("academy:my_data")).content.decode()
    assert "being put together" in page


def test_the_zip_is_built_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    ayse, organisation = world["ayse"], world["organisation"]
    with django_assert_num_queries(27):
        personal_data_zip(user=ayse)

    # Twice the records: the same number of queries.
    event = EventFactory(dates=[(past(5), past(5) + timedelta(hours=2)), (past(4), past(4) + timedelta(hours=2))])
    booking = Booking.objects.create(
        event=event, person=ayse, organisation=organisation, status=Booking.Status.CONFIRMED
    )
    for date in event.dates.all():
        Attendance.objects.create(booking=booking, event_date=date, present=False)
    CoachingCase.objects.create(organisation=organisation, requested_by=ayse, goals="Second", situation="…")
    Enrolment.objects.create(user=ayse, module=LessonFactory().module)
    with django_assert_num_queries(27):
        personal_data_zip(user=ayse)


def test_my_data_needs_a_login(client):
    for name in ("academy:my_data", "academy:account_delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/konto/login/" in response["Location"]
    assert client.get(reverse("academy:data_export_create")).status_code == 302
