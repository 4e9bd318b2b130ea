"""Spreadsheets for the funder (events.evidence): an event's participants and all bookings over a period, as
CSV that German Excel opens with the umlauts right and as XLSX; who may download them; the period's
boundaries; streamed responses; a fixed number of queries."""

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Booking
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory
from .test_evidence import book, cancel, past

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def trainer():
    return make_person(first_name="Maria", last_name="Schmidt")


@pytest.fixture
def club():
    return OrganisationFactory(name="Türkischer Elternverein Köln e. V.", bundesland="NW")


def _person(club, first, last):
    person = make_person(first_name=first, last_name=last)
    club.memberships.create(user=person, role="member")
    return person


@pytest.fixture
def seminar(club, trainer):
    """Two dates in the past; Öztürk was present at both, the formula-named person at the first only; one
    cancelled booking and one on the waiting list."""
    event = EventFactory(
        title="Fördermittel beantragen",
        capacity=2,
        trainers=[trainer],
        dates=[(past(9, 10), past(9, 16)), (past(8, 10), past(8, 16))],
    )
    cancel(book(event, _person(club, "Carla", "Storniert"), club))
    here = book(event, _person(club, "Ayşe", "Öztürk"), club)
    evil = book(event, _person(club, "Eve", '=HYPERLINK("http://evil.example","klick")'), club)
    waiting = book(event, _person(club, "Walter", "Wartend"), club)
    assert waiting.is_waiting
    first, second = event.dates.order_by("start")
    for event_date in (first, second):
        services.attendance_mark(booking=here, event_date=event_date, present=True, by=trainer, now=event_date.end)
    services.attendance_mark(booking=evil, event_date=first, present=True, by=trainer, now=first.end)
    services.attendance_mark(booking=evil, event_date=second, present=False, by=trainer, now=second.end)
    return event


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def _xlsx_rows(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _participants_url(event, extension):
    return reverse("events:evidence_participants", args=[event.pk, extension])


# ---- participants of an event ----------------------------------------------------------------------------------


def test_participants_csv_is_streamed_with_bom_semicolons_umlauts_and_no_formulas(client, seminar, trainer):
    client.force_login(trainer)
    response = client.get(_participants_url(seminar, "csv"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="participants-fordermittel-beantragen.csv"'
    header, *rows = _csv_rows(response)
    assert header[:7] == ["Status", "Last name", "First name", "Email", "Organisation", "Booked at", "Cancelled at"]
    assert header[7].startswith("Present on ") and header[8].startswith("Present on ") and header[9] == "Dates present"
    # Confirmed first, then the waiting list, then cancelled.
    assert [row[0] for row in rows] == ["confirmed", "confirmed", "waiting list", "cancelled"]
    by_name = {row[1]: row for row in rows}
    assert by_name["Öztürk"][2] == "Ayşe" and by_name["Öztürk"][4] == "Türkischer Elternverein Köln e. V."
    assert by_name["Öztürk"][7:] == ["present", "present", "2"]
    evil = by_name['\'=HYPERLINK("http://evil.example","klick")']
    assert evil[7:] == ["present", "absent", "1"]
    assert by_name["Wartend"][7:] == ["", "", "0"]
    assert by_name["Storniert"][6] != ""
    booked = Booking.objects.get(person__last_name="Öztürk").created_at
    assert by_name["Öztürk"][5] == timezone.localtime(booked).strftime("%Y-%m-%d %H:%M")


def test_participants_xlsx_opens_with_types_and_text_only(client, seminar, staff_user):
    client.force_login(staff_user)
    response = client.get(_participants_url(seminar, "xlsx"))
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == 'attachment; filename="participants-fordermittel-beantragen.xlsx"'
    header, *rows = _xlsx_rows(response)
    assert header[1:3] == ["Last name", "First name"]
    by_name = {row[1]: row for row in rows}
    assert by_name["Öztürk"][2] == "Ayşe"
    assert isinstance(by_name["Öztürk"][5], datetime)
    assert by_name["Öztürk"][9] == 2
    formula = '=HYPERLINK("http://evil.example","klick")'
    assert formula in by_name, "kept as the text it is, never a formula"


def test_unknown_export_format_is_404(client, seminar, staff_user):
    client.force_login(staff_user)
    assert client.get(_participants_url(seminar, "pdf")).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("member", 404),
        ("org_admin", 404),
        ("other_trainer", 404),
        ("trainer", 200),
        ("staff", 200),
    ],
)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_who_may_export_participants(
    client, seminar, trainer, organisation, admin_user, member_user, staff_user, role, expected, extension
):
    other_trainer = make_person()
    EventFactory(trainers=[other_trainer])
    person = {
        "anonymous": None,
        "member": member_user,
        "org_admin": admin_user,
        "other_trainer": other_trainer,
        "trainer": trainer,
        "staff": staff_user,
    }[role]
    if person is not None:
        client.force_login(person)
    response = client.get(_participants_url(seminar, extension))
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, which closes the temporary file


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_participant_export_queries_do_not_grow_with_the_bookings(client, club, trainer, extension):
    small = EventFactory(
        capacity=40, trainers=[trainer], dates=[(past(5, 10), past(5, 12)), (past(4, 10), past(4, 12))]
    )
    large = EventFactory(
        capacity=40, trainers=[trainer], dates=[(past(5, 10), past(5, 12)), (past(4, 10), past(4, 12))]
    )
    book(small, _person(club, "Eine", "Person"), club)
    for n in range(20):
        booking = book(large, _person(club, f"Vorname{n}", f"Name{n}"), club)
        for event_date in large.dates.all():
            services.attendance_mark(
                booking=booking, event_date=event_date, present=True, by=trainer, now=event_date.end
            )
    client.force_login(trainer)

    def count(event):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_participants_url(event, extension))
            rows = _csv_rows(response) if extension == "csv" else _xlsx_rows(response)
        return len(queries), len(rows)

    count(small)  # warm the session
    small_queries, small_rows = count(small)
    large_queries, large_rows = count(large)
    assert (small_rows, large_rows) == (2, 21)
    assert small_queries == large_queries <= 7


# ---- bookings over a period ------------------------------------------------------------------------------------


def _local(year, month, day, hour=0, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@pytest.fixture
def year_events(club, organisation, member_user):
    """Events around the year 2025: only those whose first date lies in 2025 (local time) belong to it."""
    from academy.models import Topic

    topic = Topic.objects.order_by("position").first()
    inside = {
        "Erstes Treffen im Januar": [(_local(2025, 1, 1, 0, 0), _local(2025, 1, 1, 2))],
        "Silvesterseminar": [(_local(2025, 12, 31, 23, 0), _local(2026, 1, 1, 1))],
    }
    outside = {
        "Vorjahresreihe": [
            (_local(2024, 12, 31, 18), _local(2024, 12, 31, 20)),
            (_local(2025, 1, 10, 9), _local(2025, 1, 10, 12)),
        ],
        "Neujahrsempfang": [(_local(2026, 1, 1, 0, 0), _local(2026, 1, 1, 3))],
    }
    events = {}
    for title, dates in {**inside, **outside}.items():
        factory = OnlineEventFactory if title == "Silvesterseminar" else EventFactory
        events[title] = factory(title=title, dates=dates, topics=[topic] if topic else None)
        book(events[title], _person(club, "Ayşe", f"Öztürk-{title[:3]}"), club)
    book(events["Silvesterseminar"], member_user, organisation)
    return {"inside": set(inside), "outside": set(outside), "topic": topic}


def _period_url(**params):
    from urllib.parse import urlencode

    return reverse("events:evidence_bookings") + "?" + urlencode(params)


def test_period_export_keeps_the_events_whose_first_date_lies_in_the_period(client, staff_user, year_events):
    client.force_login(staff_user)
    response = client.get(_period_url(date_from="2025-01-01", date_to="2025-12-31", download="csv"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="bookings-2025-01-01-2025-12-31.csv"'
    header, *rows = _csv_rows(response)
    assert header == [
        "Event",
        "First date",
        "Format",
        "Kind",
        "Topics",
        "Last name",
        "First name",
        "Organisation",
        "Federal state (Bundesland)",
        "Status",
        "Booked at",
        "Cancelled at",
        "Dates present",
    ]
    assert {row[0] for row in rows} == year_events["inside"]
    assert [row[0] for row in rows] == ["Erstes Treffen im Januar", "Silvesterseminar", "Silvesterseminar"]
    silvester = next(row for row in rows if row[5] == "Öztürk-Sil")
    assert silvester[1] == "2025-12-31 23:00"
    assert silvester[2:4] == ["online", "seminar"]
    if year_events["topic"] is not None:
        assert silvester[4] == year_events["topic"].name
    assert silvester[6:10] == ["Ayşe", "Türkischer Elternverein Köln e. V.", "Nordrhein-Westfalen", "confirmed"]


def test_period_export_as_xlsx(client, staff_user, year_events):
    client.force_login(staff_user)
    response = client.get(_period_url(date_from="2025-01-01", date_to="2025-12-31", download="xlsx"))
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    header, *rows = _xlsx_rows(response)
    assert header[0] == "Event" and len(rows) == 3
    silvester = next(row for row in rows if row[5] == "Öztürk-Sil")
    assert silvester[0] == "Silvesterseminar" and silvester[1] == datetime(2025, 12, 31, 23, 0)
    assert silvester[12] == 0


def test_period_export_of_a_single_day(client, staff_user, year_events):
    client.force_login(staff_user)
    rows = _csv_rows(client.get(_period_url(date_from="2026-01-01", date_to="2026-01-01", download="csv")))[1:]
    assert [row[0] for row in rows] == ["Neujahrsempfang"]


def test_period_page_defaults_to_the_current_year(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("events:evidence_bookings"))
    assert response.status_code == 200
    page = response.content.decode()
    year = timezone.localdate().year
    assert f'value="{year}-01-01"' in page and f'value="{year}-12-31"' in page
    assert 'for="id_date_from"' in page and 'for="id_date_to"' in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2025-13-01", "date_to": "2025-12-31"}, "date_from", "Please enter a date such as 2026-03-14."),
        ({"date_from": "2025-06-01", "date_to": "2025-01-01"}, "date_to", "The end of the range must not be before"),
        ({"date_from": "", "date_to": "2025-01-01"}, "date_from", "This field is required."),
        ({"date_from": "2025-01-01", "date_to": "2025-01-02", "download": "exe"}, None, "Please choose CSV or Excel"),
    ],
)
def test_period_form_reports_bad_input_beside_the_field(client, staff_user, params, field, message):
    client.force_login(staff_user)
    params.setdefault("download", "csv")
    response = client.get(_period_url(**params))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if field is not None:
        assert f'id="error_1_id_{field}"' in page


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", "login"), ("member", 404), ("trainer", 404), ("staff", 200)]
)
def test_only_staff_export_a_period(client, member_user, trainer, seminar, staff_user, role, expected):
    person = {"anonymous": None, "member": member_user, "trainer": trainer, "staff": staff_user}[role]
    if person is not None:
        client.force_login(person)
    for url in (
        reverse("events:evidence_bookings"),
        _period_url(date_from="2025-01-01", date_to="2025-12-31", download="csv"),
    ):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        if expected == "login":
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == expected


def test_period_export_queries_do_not_grow_with_the_bookings(client, staff_user, club, trainer):
    client.force_login(staff_user)
    url = _period_url(date_from=f"{past(30, 0):%Y-%m-%d}", date_to=f"{timezone.localdate():%Y-%m-%d}", download="csv")
    client.get(reverse("events:evidence_bookings"))  # warm the session

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = _csv_rows(client.get(url))
        return len(queries), len(rows)

    event = EventFactory(capacity=40, dates=[(past(6, 10), past(6, 12))])
    book(event, _person(club, "Eine", "Person"), club)
    few = count()
    for n in range(12):
        other = EventFactory(capacity=40, dates=[(past(5, 10), past(5, 12))])
        book(other, _person(club, f"Vorname{n}", f"Name{n}"), club)
    many = count()
    assert (few[1], many[1]) == (2, 14)
    assert few[0] == many[0] <= 6


# ---- the benchmark command --------------------------------------------------------------------------------------


def test_bench_exports_runs_and_leaves_nothing_behind():
    out = io.StringIO()
    before = Booking.objects.count()
    call_command("bench_exports", bookings=300, stdout=out)
    text = out.getvalue()
    assert "300 bookings" in text and "CSV" in text and "XLSX" in text and "MB" in text
    assert Booking.objects.count() == before
