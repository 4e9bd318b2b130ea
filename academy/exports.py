"""Spreadsheet downloads for staff: CSV that Excel opens with the umlauts right, and XLSX.

Both take rows lazily (a queryset's `.iterator()` or a generator), so an export of 100,000 bookings never
holds them all in memory: CSV is streamed to the client as it is written; XLSX is written by XlsxWriter in
its constant-memory mode to a temporary file (a zip needs its directory at the end) and then streamed.

Cells are data, never formulas: a text that starts with = + - @ is what spreadsheet injection uses
("=HYPERLINK(…)" in a participant's name), so CSV cells get a leading apostrophe and XLSX cells are written
as strings with formula detection off.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]


def _plain(value):
    """A cell value as a spreadsheet should show it: local time for datetimes, '' for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    return value


def _csv_cell(value) -> str:
    value = _plain(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class _Echo:
    def write(self, value):
        return value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A streamed CSV download: UTF-8 with a byte-order mark and semicolons, as German Excel expects."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow([str(cell) for cell in header])
        for row in rows:
            yield writer.writerow([_csv_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_file(sheets: Iterable[Sheet]):
    """Writes the sheets to a temporary file and returns it, rewound."""
    import xlsxwriter

    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned open; the response closes it
    workbook = xlsxwriter.Workbook(
        handle,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": False},
    )
    bold = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.title[:31])
        worksheet.freeze_panes(1, 0)
        widths = [max(10, min(50, len(str(title)) + 2)) for title in sheet.header]
        for column, title in enumerate(sheet.header):
            worksheet.write_string(0, column, str(title), bold)
        for row_number, row in enumerate(sheet.rows, start=1):
            for column, value in enumerate(row):
                value = _plain(value)
                if isinstance(value, bool):
                    worksheet.write_boolean(row_number, column, value)
                elif isinstance(value, int | float):
                    worksheet.write_number(row_number, column, value)
                elif isinstance(value, datetime.datetime):
                    worksheet.write_datetime(row_number, column, value, when)
                    widths[column] = max(widths[column], 17)
                elif isinstance(value, datetime.date):
                    worksheet.write_datetime(row_number, column, value, day)
                    widths[column] = max(widths[column], 11)
                elif value != "":
                    text = str(value)
                    worksheet.write_string(row_number, column, text)
                    if row_number < 200:
                        widths[column] = max(widths[column], min(50, len(text) + 2))
        # constant_memory writes rows as they come, so widths are known only from the first rows.
        for column, width in enumerate(widths):
            worksheet.set_column(column, column, width)
    workbook.close()
    handle.seek(0)
    return handle


def xlsx_response(*, filename: str, sheets: Iterable[Sheet]) -> FileResponse:
    return FileResponse(xlsx_file(sheets), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
