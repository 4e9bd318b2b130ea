"""The spreadsheet helpers every staff export uses: Excel must open them with umlauts, dates and numbers
right, and a participant's name must never become a formula."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from academy.exports import Sheet, csv_response, xlsx_file, xlsx_response

BERLIN = ZoneInfo("Europe/Berlin")


def _csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_is_streamed_with_bom_and_semicolons_and_keeps_umlauts():
    response = csv_response(
        filename="teilnehmende.csv",
        header=["Name", "Organisation"],
        rows=iter([["Özdemir, Ayşe", "Türkischer Elternverein Köln e. V."]]),
    )
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="teilnehmende.csv"'
    text = _csv_text(response)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["Name", "Organisation"], ["Özdemir, Ayşe", "Türkischer Elternverein Köln e. V."]]


def test_csv_neutralises_formulas_but_keeps_negative_numbers_and_shows_local_time():
    utc_noon = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=datetime.UTC)
    response = csv_response(
        filename="x.csv",
        header=["a", "b", "c", "d"],
        rows=[['=HYPERLINK("http://evil.example","klick")', "-3", "@SUM(A1)", utc_noon], [None, 5, "+49 30 123", ""]],
    )
    rows = list(csv.reader(io.StringIO(_csv_text(response).removeprefix("\ufeff")), delimiter=";"))
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","klick")', "-3", "'@SUM(A1)", "2026-07-01 12:00"]
    assert rows[2] == ["", "5", "'+49 30 123", ""]


def test_xlsx_cells_keep_their_types_and_formulas_stay_text():
    when = datetime.datetime(2026, 3, 29, 9, 30, tzinfo=BERLIN)
    handle = xlsx_file(
        [
            Sheet("Buchungen", ["Name", "Datum", "Anzahl", "Anwesend"], [["Şükrü Çelik", when, 3, True]]),
            Sheet(
                "A very long sheet title that Excel would refuse",
                ["Formel"],
                [["=1+1"], [datetime.date(2026, 1, 2)]],
            ),
        ]
    )
    with handle:
        workbook = openpyxl.load_workbook(handle)
    assert workbook.sheetnames == ["Buchungen", "A very long sheet title that Ex"]
    sheet = workbook["Buchungen"]
    assert [cell.value for cell in sheet[1]] == ["Name", "Datum", "Anzahl", "Anwesend"]
    assert [cell.value for cell in sheet[2]] == ["Şükrü Çelik", datetime.datetime(2026, 3, 29, 9, 30), 3, True]
    second = workbook.worksheets[1]
    assert second["A2"].value == "=1+1"
    assert second["A2"].data_type == "s"
    assert second["A3"].value == datetime.datetime(2026, 1, 2)


# Closing a response sends request_finished, whose handler looks at the process's database connection when one
# is open: without the mark the test failed once in a parallel run, after tests that had left it open.
@pytest.mark.django_db
def test_xlsx_response_is_an_attachment_of_the_spreadsheet_type():
    response = xlsx_response(filename="statistik.xlsx", sheets=[Sheet("S", ["a"], [[1]])])
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="statistik.xlsx"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    response.close()
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.active["A2"].value == 1
