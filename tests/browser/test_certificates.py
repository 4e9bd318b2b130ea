"""End-to-end: staff mark attendance at the last date, the participant finds the certificate under
"Meine Nachweise", downloads it and its verification address says it is valid. axe-core checks every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from academy.certificates import verification_url
from academy.models import Certificate
from events import services
from organisations.models import Membership, Organisation
from tests.factories import PASSWORD

from .test_events import click_and_wait, make_event, person
from .test_organisations import log_in, log_out

pytestmark = pytest.mark.browser


def test_certificate_after_attendance_appears_and_verifies(portal):
    page = portal.page
    staff = person("Sven", "Staff", "sven@vamos.example")
    staff.is_staff = True
    staff.save()
    club = Organisation.objects.create(
        name="Kulturbrücke e.V.",
        legal_form="ev",
        kind="club",
        postcode="10115",
        city="Berlin",
        bundesland="BE",
        status="approved",
    )
    participant = person("Mehmet", "Aydın", "mehmet@verein.example")
    Membership.objects.create(user=participant, organisation=club)
    start = timezone.now() + timedelta(days=2)
    event = make_event(title="Vereinsfinanzen verstehen", capacity=10, start=start)
    services.booking_create(event=event, person=participant, organisation=club, booked_by=participant)
    event_date = event.dates.get()
    now = timezone.now()
    event_date.start, event_date.end = now - timedelta(hours=3), now - timedelta(minutes=5)
    event_date.save()

    log_in(portal, staff.email, PASSWORD)
    portal.visit(f"/veranstaltungen/anwesenheit/{event_date.pk}/")
    page.locator(".attendance-row").first.get_by_role("button", name="Present").click()
    page.wait_for_function("() => document.querySelector('#attendance-count').innerText.includes('1 of 1 present')")
    certificate = Certificate.objects.get(recipient=participant)
    assert certificate.file, "the certificate's PDF is made by the (eager) task"
    log_out(portal)
    # A staff login lands on a missing admin favicon (as in test_organisations); the portal's pages stay clean.
    portal.console_errors = [e for e in portal.console_errors if "/admin/" not in e]

    log_in(portal, participant.email, PASSWORD)
    portal.visit("/nachweise/")
    row = page.locator("main tr", has_text="Vereinsfinanzen verstehen")
    assert row.count() == 1
    download = page.request.get(portal.url(f"/nachweise/{certificate.pk}/pdf/"))
    assert download.ok and download.body().startswith(b"%PDF")

    click_and_wait(portal, row.get_by_role("link", name="valid"))
    path = verification_url(certificate).split("//", 1)[1].split("/", 1)[1]
    assert page.url.endswith("/" + path)
    main = page.locator("main").inner_text()
    assert "This certificate is valid." in main and "Mehmet Aydın" in main
    assert participant.email not in page.content()
    portal.assert_private_and_clean()
