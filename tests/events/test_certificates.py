"""Certificates (academy.certificates) as events issues them: the rule, idempotency, the PDF's content,
who may download, the public verification page and staff's bulk issuing."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from academy.certificates import certificate_issue, certificate_render, certificate_revoke
from academy.models import Certificate
from events import certificates as event_certificates
from events import services
from events.models import Event
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory

pytestmark = pytest.mark.django_db


def _past(days, hour):
    day = timezone.localtime() - timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def past_event(staff_user):
    trainer = make_person(first_name="Maria", last_name="Schmidt")
    event = EventFactory(
        title="Fördermittel beantragen",
        dates=[(_past(20, 10), _past(20, 16)), (_past(19, 9), _past(19, 12))],
        trainers=[trainer],
    )
    return event


@pytest.fixture
def participant(organisation, member_user):
    member_user.first_name, member_user.last_name = "Ayşe", "Öztürk"
    member_user.save()
    return member_user


def _book_in_the_past(event, person, organisation):
    """Booked before the event: booking_create refuses past events, so book 'then'."""
    first = event.dates.order_by("start").first()
    return services.booking_create(
        event=event, person=person, organisation=organisation, booked_by=person, now=first.start - timedelta(days=7)
    )


def _mark_all(event, booking, by, present=True):
    for date in event.dates.order_by("start"):
        services.attendance_mark(booking=booking, event_date=date, present=present, by=by, now=date.end)


def _pdf_text(certificate) -> str:
    certificate.refresh_from_db()
    with certificate.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def issued(past_event, participant, organisation, staff_user, django_capture_on_commit_callbacks):
    booking = _book_in_the_past(past_event, participant, organisation)
    with django_capture_on_commit_callbacks(execute=True):
        _mark_all(past_event, booking, staff_user)
    return Certificate.objects.get(recipient=participant)


def test_the_certificates_qr_code_holds_its_verification_address(issued):
    """The QR code is a raster image in the PDF: read its modules back and compare them with the QR code of
    the verification address, so a phone that scans the paper lands on the certificate's page."""
    import qrcode

    from academy.certificates import verification_url

    with issued.file.open("rb") as handle:
        images = PdfReader(io.BytesIO(handle.read())).pages[0].images
    assert len(images) == 1  # the QR code (the logo is drawn as vector graphics)
    picture = images[0].image.convert("L")
    expected = qrcode.QRCode(border=1)
    expected.add_data(verification_url(issued))
    expected.make(fit=True)
    matrix = expected.get_matrix()
    module = picture.width / len(matrix)
    assert picture.width == picture.height
    seen = [
        [picture.getpixel((int((x + 0.5) * module), int((y + 0.5) * module))) < 128 for x in range(len(matrix))]
        for y in range(len(matrix))
    ]
    assert seen == matrix


def test_marking_the_last_date_issues_and_renders_the_certificate(issued, participant, organisation, past_event):
    assert issued.kind == Certificate.Kind.EVENT
    assert issued.subject_key == f"event:{past_event.pk}"
    assert issued.organisation_id == organisation.pk
    assert issued.details["hours"] == 9.0
    assert issued.file and issued.rendered_at
    assert len(issued.code) >= 16


def test_pdf_says_who_what_and_when(issued, participant, past_event, organisation):
    text = _pdf_text(issued)
    assert "Ayşe Öztürk" in text
    assert "Fördermittel beantragen" in text
    assert organisation.name in text
    assert "Maria Schmidt" in text
    assert issued.code in text
    first, last = past_event.dates.order_by("start")
    # The participant reads English (make_person): dates in the English format.
    from django.utils import formats, translation

    with translation.override("en"):
        for date in (first, last):
            assert formats.date_format(timezone.localtime(date.start), "DATE_FORMAT") in text


def test_pdf_is_tagged_and_titled(issued):
    with issued.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert reader.metadata.title == "Fördermittel beantragen"
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"


def test_no_certificate_before_the_last_date_or_without_presence(
    past_event, participant, organisation, staff_user, django_capture_on_commit_callbacks
):
    booking = _book_in_the_past(past_event, participant, organisation)
    first = past_event.dates.order_by("start").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_mark(booking=booking, event_date=first, present=True, by=staff_user, now=first.end)
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _mark_all(past_event, booking, staff_user, present=False)
    assert not Certificate.objects.exists()


def test_issuing_twice_gives_one_certificate_and_rendering_again_overwrites(
    issued, participant, past_event, django_capture_on_commit_callbacks
):
    name = issued.file.name
    with django_capture_on_commit_callbacks(execute=True):
        again = certificate_issue(kind="event", subject_key=f"event:{past_event.pk}", recipient=participant)
    assert again.pk == issued.pk
    assert Certificate.objects.count() == 1
    certificate_render(certificate_id=issued.pk)
    issued.refresh_from_db()
    assert issued.file.name == name
    assert issued.file.storage.exists(name)


def test_verification_page_shows_validity_and_no_email(client, issued, participant, organisation):
    response = client.get(reverse("academy:certificate_verify", args=[issued.code]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ayşe Öztürk" in content and "Fördermittel beantragen" in content
    assert participant.email not in content
    assert "valid" in content.lower() or "gültig" in content.lower()
    assert client.get(reverse("academy:certificate_verify", args=["not-a-code"])).status_code == 404


def test_revoked_certificate_shows_as_revoked(client, issued, staff_user, participant):
    with pytest.raises(PermissionDenied):
        certificate_revoke(certificate=issued, reason="Fehler", by=participant)
    certificate_revoke(certificate=issued, reason="Issued by mistake", by=staff_user)
    client.cookies["vamos_language"] = "en"
    content = client.get(reverse("academy:certificate_verify", args=[issued.code])).content.decode()
    assert "This certificate has been revoked." in content
    assert "Issued by mistake" not in content  # the reason is for staff


@pytest.mark.parametrize("who, expected", [("person", 200), ("org_admin", 200), ("staff", 200), ("other", 404)])
def test_download_permissions(client, issued, participant, admin_user, staff_user, who, expected):
    other = make_person()
    OrganisationFactory(admins=[other])  # an admin, but of another organisation
    OrganisationFactory(members=[make_person()])
    people = {"person": participant, "org_admin": admin_user, "staff": staff_user, "other": other}
    client.force_login(people[who])
    response = client.get(reverse("academy:certificate_download", args=[issued.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_download_by_a_colleague_who_is_no_admin_is_404(client, issued, organisation):
    colleague = make_person()
    organisation.memberships.create(user=colleague)
    client.force_login(colleague)
    assert client.get(reverse("academy:certificate_download", args=[issued.pk])).status_code == 404


def test_download_needs_login(client, issued):
    response = client.get(reverse("academy:certificate_download", args=[issued.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_my_certificates_lists_the_persons_certificates(client, issued, participant, admin_user):
    client.force_login(participant)
    content = client.get(reverse("academy:my_certificates")).content.decode()
    assert "Fördermittel beantragen" in content
    assert reverse("academy:certificate_download", args=[issued.pk]) in content
    client.force_login(admin_user)
    assert "Fördermittel beantragen" not in client.get(reverse("academy:my_certificates")).content.decode()


def test_organisation_record_for_admins_only(client, issued, organisation, admin_user, member_user):
    url = reverse("organisations:certificates", args=[organisation.pk])
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200 and "Ayşe Öztürk" in response.content.decode()
    pdf = client.get(reverse("organisations:certificates_pdf", args=[organisation.pk]))
    assert pdf.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Ayşe Öztürk" in text and "Fördermittel beantragen" in text
    client.force_login(member_user)
    assert client.get(url).status_code == 404
    other = make_person()
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_staff_bulk_action_enqueues_one_task_per_participant(
    rf, past_event, organisation, staff_user, django_capture_on_commit_callbacks
):
    people = [make_person() for _ in range(3)]
    for person in people:
        organisation.memberships.create(user=person)
    bookings = [_book_in_the_past(past_event, person, organisation) for person in people]
    absent = make_person()
    organisation.memberships.create(user=absent)
    absent_booking = _book_in_the_past(past_event, absent, organisation)
    with mock.patch("academy.tasks.issue_certificate.delay") as delay:
        for booking in bookings:
            _mark_all(past_event, booking, staff_user)
        _mark_all(past_event, absent_booking, staff_user, present=False)
        delay.reset_mock()

        admin = site._registry[Event]
        request = rf.post("/")
        request.user = staff_user
        request.session = {}
        request._messages = mock.MagicMock()
        with django_capture_on_commit_callbacks(execute=True):
            admin.issue_certificates(request, Event.objects.filter(pk=past_event.pk))
    assert delay.call_count == 3
    assert {call.args for call in delay.call_args_list} == {
        ("event", f"event:{past_event.pk}", person.pk) for person in people
    }
    assert event_certificates.progress(event=past_event) == {"due": 3, "issued": 0, "rendered": 0}


def test_admin_change_page_shows_progress(client, issued, past_event, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("admin:events_event_change", args=[past_event.pk]))
    assert response.status_code == 200
    assert "1 issued, 1 PDFs made, of 1 participants due" in response.content.decode()


def test_render_refuses_remote_urls():
    from academy.certificates import local_url_fetcher

    fetcher = local_url_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://fonts.example/font.ttf")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")


def test_staff_revoke_in_the_admin_with_a_reason(client, issued, staff_user):
    client.force_login(staff_user)
    url = reverse("admin:academy_certificate_change", args=[issued.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"revoked_reason": "Not present after all"})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.revoked_at and issued.revoked_by == staff_user
    assert issued.revoked_reason == "Not present after all"


def test_the_thank_you_mail_brings_the_certificate_to_those_who_attended(issued, participant, past_event, mailoutbox):
    from events import reminders

    assert reminders.send_thanks(participant, f"event-{past_event.pk}", reminders.THANKS)

    message = mailoutbox[-1]
    assert message.to == [participant.email]
    assert [name for name, _content, _mime in message.attachments] == [f"vamos-{issued.code}.pdf"]
    assert reverse("academy:my_certificates") in message.body


def test_the_issue_task_renders_the_pdf_itself_without_a_second_task(
    past_event, participant, organisation, staff_user, django_capture_on_commit_callbacks
):
    from academy.tasks import issue_certificate

    booking = _book_in_the_past(past_event, participant, organisation)
    with django_capture_on_commit_callbacks(execute=False):
        _mark_all(past_event, booking, staff_user)  # the issue task is enqueued, not run
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issue_certificate(Certificate.Kind.EVENT, event_certificates.subject_key(past_event.pk), participant.pk)
    certificate = Certificate.objects.get(recipient=participant)
    assert certificate.file and certificate.rendered_at is not None
    assert callbacks == []  # no render task enqueued
    assert "Fördermittel beantragen" in _pdf_text(certificate)


def test_one_participants_rule_is_checked_for_that_participant_alone(
    past_event, participant, organisation, staff_user, django_capture_on_commit_callbacks
):
    absent = make_person()
    other = OrganisationFactory(members=[absent])
    with django_capture_on_commit_callbacks(execute=True):
        _mark_all(past_event, _book_in_the_past(past_event, participant, organisation), staff_user)
        _mark_all(past_event, _book_in_the_past(past_event, absent, other), staff_user, present=False)
    key = event_certificates.subject_key(past_event.pk)
    assert event_certificates.build(subject_key=key, recipient=absent) is None
    assert event_certificates.build(subject_key=key, recipient=participant) is not None
    assert event_certificates.participants_due(event=past_event) == [participant.pk]
