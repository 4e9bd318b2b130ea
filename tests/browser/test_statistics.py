"""End-to-end: staff open the statistics page (axe-core checks it), choose a period, download the XLSX and open it;
the page fits a 360 px phone."""

import pytest
from openpyxl import load_workbook

from tests.academy.test_statistics import build_world
from tests.factories import PASSWORD

from .test_events import person
from .test_organisations import log_in

pytestmark = pytest.mark.browser

YEAR_2026 = "/team/statistik/?from=2026-01-01&to=2026-12-31"


def staff_person():
    staff = person("Sven", "Staff", "sven@vamos.example")
    staff.is_staff = True
    staff.save()
    return staff


def test_staff_read_the_statistics_and_download_the_xlsx(portal, tmp_path):
    page = portal.page
    build_world()
    staff = staff_person()

    log_in(portal, staff.email, PASSWORD)
    portal.visit("/team/statistik/")
    page.fill("#id_from", "2026-01-01")
    page.fill("#id_to", "2026-12-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Show figures").click()
    portal.check_accessibility()
    assert "from=2026-01-01" in page.url
    table = page.get_by_role("table", name="Participation overview")
    assert table.get_by_role("row", name="Bookings").locator("td").inner_text() == "4"
    assert page.locator("svg[role=img]").count() >= 10

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all figures as XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "vamos-statistik-2026-01-01-2026-12-31.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path, read_only=True)
    rows = [
        tuple(cell for cell in row if cell is not None)
        for name in workbook.sheetnames
        for row in workbook[name].iter_rows(values_only=True)
    ]
    assert ("Different people with a booking", 3) in rows
    assert ("Hours delivered", 3.5) in rows

    # A staff login lands on the admin, whose favicon is missing (as in test_organisations).
    portal.console_errors = [e for e in portal.console_errors if "/admin/" not in e]
    portal.assert_private_and_clean()


def test_a_reversed_period_is_explained_beside_the_field(portal):
    page = portal.page
    staff = staff_person()

    log_in(portal, staff.email, PASSWORD)
    portal.visit("/team/statistik/?from=2026-12-31&to=2026-01-01")

    assert page.locator("#id_to_error").inner_text() == "The end of the period must not be before its start."
    assert page.locator("#id_to").get_attribute("aria-describedby") == "id_to_error"


def test_the_statistics_fit_a_phone(phone_portal):
    page = phone_portal.page
    build_world()
    staff = staff_person()

    log_in(phone_portal, staff.email, PASSWORD)
    phone_portal.visit(YEAR_2026)

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.get_by_role("table", name="Organisations by Bundesland").is_visible()
