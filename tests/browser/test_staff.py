"""End-to-end, a staff working day in German: a VAMOs-Team member (not a superuser) logs in, sees on the admin's
start page that an organisation waits, approves it, opens the statistics (axe-core checks the page), downloads
the XLSX and an event's participant list to sign, and opens both files to check what they say."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from academy import roles
from events.models import Booking
from organisations.models import Organisation
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, UserFactory
from tests.organisations.factories import OrganisationFactory

from .test_organisations import log_in

pytestmark = pytest.mark.browser


def test_staff_approve_read_the_statistics_and_download_the_evidence(portal, tmp_path):
    page = portal.page
    staff = UserFactory(first_name="Selin", last_name="Arslan", is_staff=True, roles=[roles.STAFF])
    waiting = OrganisationFactory(name="Ukrainischer Kulturverein Leipzig e.V.", status=Organisation.Status.PENDING)
    club = OrganisationFactory(name="Türkischer Elternverein Köln e.V.")
    start = timezone.now() + timedelta(days=3)
    event = EventFactory(title="Fördermittel beantragen", dates=[(start, start + timedelta(hours=6))])
    for first, last in (("Zeynep", "Öztürk"), ("Jonas", "Abel"), ("Olena", "Pohl")):
        participant = UserFactory(first_name=first, last_name=last)
        Booking.objects.create(event=event, person=participant, organisation=club, status=Booking.Status.CONFIRMED)
    event.confirmed_count = 3
    event.save(update_fields=["confirmed_count"])

    # The admin's start page says what waits; the link leads to the organisations to approve.
    log_in(portal, staff.email, PASSWORD)
    page.goto(portal.url("/admin/"))
    attention = page.locator("#attention-module")
    assert "Organisation wartet auf Freigabe" in attention.inner_text()
    with page.expect_navigation():
        attention.get_by_role("link", name="Organisation wartet auf Freigabe").click()
    page.locator(f"input[name=_selected_action][value='{waiting.pk}']").check()
    page.select_option("select[name=action]", "approve")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    assert "1 Organisation freigegeben." in page.locator("ul.messagelist").inner_text()
    waiting.refresh_from_db()
    assert waiting.status == Organisation.Status.APPROVED
    assert waiting.history.latest().history_user == staff

    # From the start page to the statistics of this year.
    page.goto(portal.url("/admin/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Statistik für den Fördermittelgeber (mit XLSX-Export)").click()
    portal.check_accessibility()
    assert page.locator("h1").inner_text() == "Statistik"
    year = timezone.localdate().year
    xlsx_link = page.get_by_role("link", name="Alle Kennzahlen als XLSX herunterladen")
    assert f"from={year}-01-01" in xlsx_link.get_attribute("href")

    with page.expect_download() as download_info:
        xlsx_link.click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    workbook = load_workbook(path, read_only=True)
    rows = [
        tuple(cell for cell in row if cell is not None)
        for name in workbook.sheetnames
        for row in workbook[name].iter_rows(values_only=True)
    ]
    workbook.close()
    # Both organisations registered this year; the one just approved counts as registered.
    assert ("Registriert", 2) in rows

    # The participant list to sign, from the event's admin page.
    page.goto(portal.url(f"/admin/events/event/{event.pk}/change/"))
    link = page.get_by_role("link", name="Teilnahmeliste (PDF)").first
    response = page.request.get(portal.url(link.get_attribute("href")))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    first_page = reader.pages[0]
    assert first_page.mediabox.width > first_page.mediabox.height  # landscape
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Fördermittel beantragen" in text
    assert "Unterschrift" in text
    assert text.index("Abel") < text.index("Öztürk") < text.index("Pohl")
    assert "Türkischer Elternverein Köln e.V." in text

    # The admin's own favicon is missing (as in test_organisations); nothing else may show in the console.
    portal.console_errors = [e for e in portal.console_errors if "/admin/" not in e]
    portal.assert_private_and_clean()
