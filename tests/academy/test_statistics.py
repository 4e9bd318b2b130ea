"""The staff statistics page (academy.statistics with the sections of every app), against a hand-counted data set.

The data set (`world`) for the year 2026, with a record just before and just after the year for each kind:

organisations  A club BE (registered 1.2.2026), B state federation NW (1.5.2026), C federal BY (31.12.2025 23:30),
               D club HH declined (1.3.2026), E club SN (2024); people p1, p2 in A, p3 in B, p4 in C, p5 in E
events         E1 seminar in person, topic 1, 2 seats, 10. and 11.3.2026: p1 confirmed (present, then absent),
                  p2 confirmed (absent twice), p3 waiting, p4 cancelled; full
               E2 networking online, topics 1 and 2, 1.6.2026: p1 confirmed (present), p3 confirmed (not marked),
                  p2 cancelled
               E3 31.12.2025 20:00 and E4 1.1.2027 00:30: p5 confirmed and present (outside the year)
feedback       E1: 4 and 5; E2: 3; E3: 1 (outside)
coaching       K1 org C, topic 1, submitted 15.1.2026, active: S1 1.2.2026 held 90 min, S2 15.2.2026 not held,
                  S3 20.12.2025 held 60 min (outside)
               K2 org A, topic 2, submitted 1.11.2025, completed: S4 10.1.2026 held 120 min
               K3 org B, topic 1, submitted 1.4.2026, declined
e-learning     M1: p1 started 1.2.2026, completed 1.3.2026; p2 started 1.12.2025, completed 5.1.2026
               M2: p3 started 1.7.2026; p4 started 1.6.2025, completed 1.7.2025
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from academy import roles
from academy.models import Topic
from academy.statistics import Period, statistics_collect
from coaching.models import CoachingCase, Session
from elearning.models import Enrolment
from events.models import Attendance, Booking, Event, Feedback
from organisations.models import Organisation
from tests.coaching.factories import CoachFactory
from tests.elearning.factories import ModuleFactory
from tests.events.factories import EventFactory, OnlineEventFactory
from tests.factories import UserFactory
from tests.organisations.factories import FederationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
YEAR = Period.year(2026)
URL = reverse("academy:statistics")
EXPORT_URL = reverse("academy:statistics_export")


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def registered(organisation, when):
    Organisation.objects.filter(pk=organisation.pk).update(created_at=when)


def book(event, person, organisation, status=Booking.Status.CONFIRMED):
    return Booking.objects.create(
        event=event,
        person=person,
        organisation=organisation,
        status=status,
        cancelled_at=timezone.now() if status == Booking.Status.CANCELLED else None,
    )


def mark(booking, *presence):
    for event_date, present in zip(booking.event.dates.order_by("start"), presence, strict=False):
        Attendance.objects.create(booking=booking, event_date=event_date, present=present)


def enrol(person, module, started, completed=None):
    enrolment = Enrolment.objects.create(user=person, module=module)
    Enrolment.objects.filter(pk=enrolment.pk).update(started_at=started, completed_at=completed)
    return enrolment


def build_world():
    for position, (slug, name) in enumerate((("projekte", "Projektmanagement"), ("finanzen", "Finanzierung"))):
        if Topic.objects.count() < 2:  # the seven topics are data of a migration, gone under transactional_db
            Topic.objects.create(slug=slug, name_de=name, name_en=name, position=position)
    topic1, topic2 = Topic.objects.order_by("position", "slug")[:2]
    p1, p2, p3, p4, p5 = (UserFactory() for _ in range(5))
    org_a = OrganisationFactory(members=[p1, p2], bundesland="BE")
    org_b = FederationFactory(members=[p3], bundesland="NW")
    org_c = OrganisationFactory(members=[p4], kind=Organisation.Kind.FEDERAL, bundesland="BY")
    org_d = OrganisationFactory(
        kind=Organisation.Kind.CLUB, bundesland="HH", status=Organisation.Status.DECLINED, decline_reason="Kein Verein"
    )
    org_e = OrganisationFactory(members=[p5], bundesland="SN")
    registered(org_a, at(2026, 2, 1))
    registered(org_b, at(2026, 5, 1))
    registered(org_c, at(2025, 12, 31, 23, 30))
    registered(org_d, at(2026, 3, 1))
    registered(org_e, at(2024, 5, 1))

    e1 = EventFactory(
        capacity=2,
        topics=[topic1],
        dates=[(at(2026, 3, 10), at(2026, 3, 10, 16)), (at(2026, 3, 11), at(2026, 3, 11, 16))],
    )
    e2 = OnlineEventFactory(
        kind=Event.Kind.NETWORKING, topics=[topic1, topic2], dates=[(at(2026, 6, 1), at(2026, 6, 1, 12))]
    )
    e3 = EventFactory(topics=[topic2], dates=[(at(2025, 12, 31, 20), at(2025, 12, 31, 22))])
    e4 = EventFactory(topics=[topic2], dates=[(at(2027, 1, 1, 0, 30), at(2027, 1, 1, 2))])

    b = book(e1, p1, org_a)
    mark(b, True, False)
    Feedback.objects.create(booking=b, rating=4)
    b = book(e1, p2, org_a)
    mark(b, False, False)
    Feedback.objects.create(booking=b, rating=5)
    book(e1, p3, org_b, Booking.Status.WAITING)
    book(e1, p4, org_c, Booking.Status.CANCELLED)
    Event.objects.filter(pk=e1.pk).update(confirmed_count=2)
    b = book(e2, p1, org_a)
    mark(b, True)
    Feedback.objects.create(booking=b, rating=3)
    book(e2, p3, org_b)
    book(e2, p2, org_a, Booking.Status.CANCELLED)
    Event.objects.filter(pk=e2.pk).update(confirmed_count=2)
    for event in (e3, e4):
        b = book(event, p5, org_e)
        mark(b, True)
        Feedback.objects.create(booking=b, rating=1)
        Event.objects.filter(pk=event.pk).update(confirmed_count=1)

    coach = CoachFactory()
    k1 = CoachingCase.objects.create(
        organisation=org_c, goals="g", situation="s", status=CoachingCase.Status.ACTIVE, coach=coach
    )
    k2 = CoachingCase.objects.create(
        organisation=org_a, goals="g", situation="s", status=CoachingCase.Status.COMPLETED, coach=coach
    )
    k3 = CoachingCase.objects.create(
        organisation=org_b, goals="g", situation="s", status=CoachingCase.Status.DECLINED, decline_reason="nein"
    )
    k1.topics.set([topic1])
    k2.topics.set([topic2])
    k3.topics.set([topic1])
    for case, when in ((k1, at(2026, 1, 15)), (k2, at(2025, 11, 1)), (k3, at(2026, 4, 1))):
        CoachingCase.objects.filter(pk=case.pk).update(created_at=when)
    for case, start, held, minutes in (
        (k1, at(2026, 2, 1), True, 90),
        (k1, at(2026, 2, 15), False, None),
        (k1, at(2025, 12, 20), True, 60),
        (k2, at(2026, 1, 10), True, 120),
    ):
        Session.objects.create(
            case=case, coach=coach, start=start, end=start.replace(hour=12), held=held, duration_minutes=minutes
        )

    m1, m2 = ModuleFactory(title_en="Funding basics"), ModuleFactory(title_en="Members")
    enrol(p1, m1, at(2026, 2, 1), at(2026, 3, 1))
    enrol(p2, m1, at(2025, 12, 1), at(2026, 1, 5))
    enrol(p3, m2, at(2026, 7, 1))
    enrol(p4, m2, at(2025, 6, 1), at(2025, 7, 1))
    return {
        "topics": (topic1, topic2),
        "people": (p1, p2, p3, p4, p5),
        "organisations": (org_a, org_b, org_c, org_d, org_e),
        "modules": (m1, m2),
    }


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def figures(period=YEAR) -> dict[str, dict[str, tuple]]:
    """{figure key: {row label: numbers}} of every section."""
    return {
        figure.key: {str(row[0]): tuple(row[1:]) for row in figure.rows}
        for section in statistics_collect(period=period)
        for figure in section.figures
    }


def test_organisations_reached_are_counted_by_hand(world, english):
    found = figures()

    assert found["organisations-total"] == {"Registered": (2,), "Active": (3,)}
    kinds = found["organisations-kind"]
    assert kinds[str(Organisation.Kind.CLUB.label)] == (1, 1)  # A (D declined, E registered in 2024, inactive)
    assert kinds[str(Organisation.Kind.STATE.label)] == (1, 1)  # B, active through e-learning
    assert kinds[str(Organisation.Kind.FEDERAL.label)] == (0, 1)  # C registered 30 minutes before the year
    assert kinds[str(Organisation.Kind.INITIATIVE.label)] == (0, 0)
    lands = found["organisations-bundesland"]
    assert lands["Berlin"] == (1, 1)
    assert lands["Nordrhein-Westfalen"] == (1, 1)
    assert lands["Bayern"] == (0, 1)
    assert lands["Hamburg"] == (0, 0)
    assert lands["Sachsen"] == (0, 0)  # E's only events are just outside the year
    assert len(lands) == 16
    assert list(found["organisations-federations"].values()) == [(1, 2), (1, 1)]


def test_participation_is_counted_by_hand(world, english):
    topic1, topic2 = world["topics"]
    found = figures()

    assert found["participation-total"] == {
        "Bookings": (4,),
        "Attended": (2,),
        "No-shows": (1,),
        "Not marked yet": (1,),
        "Cancellations": (2,),
        "Different people with a booking": (3,),
        "Different people who attended": (1,),
        "Different organisations with a booking": (2,),
        "Different organisations that attended": (1,),
    }
    assert found["participation-format"] == {"in person": (2, 1, 1, 1), "online": (2, 1, 0, 1), "hybrid": (0, 0, 0, 0)}
    assert found["participation-kind"] == {
        "seminar": (2, 1, 1, 1),
        "networking meeting": (2, 1, 0, 1),
        "expert event": (0, 0, 0, 0),
    }
    by_topic = found["participation-topic"]
    assert by_topic[topic1.name] == (4, 2, 1, 2)
    assert by_topic[topic2.name] == (2, 1, 0, 1)
    assert by_topic["(no topic)"] == (0, 0, 0, 0)


def test_unmet_demand_is_counted_by_hand(world, english):
    topic1, topic2 = world["topics"]
    found = figures()

    assert found["demand-format"] == {"in person": (1, 1, 1), "online": (0, 1, 0), "hybrid": (0, 0, 0)}
    assert found["demand-topic"][topic1.name] == (1, 2, 1)
    assert found["demand-topic"][topic2.name] == (0, 1, 0)


def test_feedback_is_averaged_by_hand(world, english):
    topic1, topic2 = world["topics"]
    found = figures()

    per_event = found["feedback-event"]
    assert per_event["All events"] == (4.0, 3)
    assert [numbers for label, numbers in per_event.items() if label != "All events"] == [(4.5, 2), (3.0, 1)]
    assert found["feedback-topic"] == {topic1.name: (4.0, 3), topic2.name: (3.0, 1)}


def test_coaching_is_counted_by_hand(world, english):
    topic1, topic2 = world["topics"]
    found = figures()

    statuses = found["coaching-status"]
    assert statuses["active"] == (1,)
    assert statuses["declined"] == (1,)
    assert statuses["completed"] == (0,)  # K2 was submitted in 2025
    assert sum(n for (n,) in statuses.values()) == 2
    assert found["coaching-sessions"] == {
        "Sessions held": (2,),
        "Hours delivered": (3.5,),
        "Sessions recorded as not held": (1,),
        "Cases with a session held": (2,),
        "Organisations with a session held": (2,),
    }
    assert found["coaching-topic"][topic1.name] == (2, 1, 1.5)
    assert found["coaching-topic"][topic2.name] == (0, 1, 2.0)


def test_elearning_is_counted_by_hand(world, english):
    found = figures()

    assert found["elearning-modules"] == {"Funding basics": (1, 2), "Members": (1, 0)}


def test_a_period_of_one_day_counts_only_that_day(world, english):
    """10.3.2026 holds E1's first date and nothing else of the data set."""
    found = figures(Period(datetime(2026, 3, 10).date(), datetime(2026, 3, 10).date()))

    assert found["participation-total"]["Bookings"] == (2,)
    assert found["organisations-total"] == {"Registered": (0,), "Active": (1,)}
    assert found["coaching-sessions"]["Sessions held"] == (0,)
    assert found["elearning-modules"] == {"Funding basics": (0, 0), "Members": (0, 0)}


def test_the_records_just_outside_the_year_count_in_their_own_year(world, english):
    found = figures(Period.year(2025))

    assert found["participation-total"]["Bookings"] == (1,)  # E3 on New Year's Eve
    assert found["organisations-total"]["Registered"] == (1,)  # C, 23:30 on New Year's Eve
    assert found["coaching-sessions"]["Hours delivered"] == (1.0,)
    assert found["feedback-event"]["All events"] == (1.0, 1)
    assert figures(Period.year(2027))["participation-total"]["Attended"] == (1,)  # E4, half past midnight


def test_bars_are_as_long_as_their_share_of_the_largest_value():
    from academy.charts import bar_chart

    chart = bar_chart(labels=["a", "b", "c", "d"], values=[10, 5, 0, 0.01])

    assert [bar.width for bar in chart.bars] == [100, 50, 0, 0.5]  # above zero is never invisible
    assert chart.height == 4 * 40
    assert bar_chart(labels=["x"], values=[0]).bars[0].width == 0


def test_a_figure_of_more_rows_than_a_chart_can_show_is_a_table_of_them_all(rf, english):
    """E.g. the rating of each of a year's events: a chart of a thousand bars would be metres long."""
    from academy.charts import MAX_BARS
    from academy.statistics import Figure, Section
    from academy.statistics_views import _sections_html

    def figure(key, count):
        return Figure(key=key, title=key, columns=["Event", "Rating"], rows=[(f"Event {n}", n) for n in range(count)])

    empty = Figure(key="empty", title="empty", columns=["Event", "Rating"], rows=[("E", 0)] * (MAX_BARS + 1))
    html = _sections_html(
        rf.get("/"),
        [Section(key="s", title="S", figures=[figure("many", MAX_BARS + 1), figure("few", MAX_BARS), empty])],
    )

    many = html[html.index('id="many"') : html.index('id="few"')]
    assert "<svg" not in many
    assert "Too many rows for a chart: the table below lists them all." in many
    assert many.count("<tr>") == 1 + MAX_BARS + 1  # the head and every row
    few = html[html.index('id="few"') : html.index('id="empty"')]
    assert few.count("<rect ") == MAX_BARS and "Too many rows" not in few
    assert "Nothing to chart in this period." in html[html.index('id="empty"') :]


# ---- the page ---------------------------------------------------------------------------------------------------


def staff_user(**kwargs):
    return UserFactory(is_staff=True, roles=[roles.STAFF], **kwargs)


def test_staff_see_every_figure_as_chart_and_table(client, world):
    client.force_login(staff_user())

    response = client.get(URL, {"from": "2026-01-01", "to": "2026-12-31"})

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('role="img"') >= 10
    assert page.count("<caption") == sum(len(section.figures) for section in statistics_collect(period=YEAR))
    assert '<th scope="col"' in page and '<th scope="row"' in page
    assert 'class="table-responsive"' in page
    assert f"{EXPORT_URL}?from=2026-01-01&amp;to=2026-12-31" in page


def test_the_page_defaults_to_the_current_year(client, world):
    client.force_login(staff_user())
    year = timezone.localdate().year

    response = client.get(URL)

    assert response.context["period"] == Period.year(year)
    assert f'value="{year}-01-01"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-12-31", "to": "2026-01-01"}, "to", "The end of the period must not be before its start."),
        ({"from": "kein Datum", "to": "2026-01-01"}, "from", "Please enter a date, e.g. 31.12.2026."),
        ({"from": "", "to": "2026-01-01"}, "from", "Please enter a date."),
        ({"from": "2026-01-01", "to": "9999-12-31"}, "to", "Please choose a date between 2000 and 2100."),
    ],
)
def test_bad_dates_get_a_message_beside_the_field(client, query, field, message):
    client.force_login(staff_user(language="en"))

    response = client.get(URL, query)
    page = response.content.decode()

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert f'<div class="invalid-feedback" id="id_{field}_error">{message}</div>' in page
    assert 'aria-invalid="true"' in page
    assert response.context["figures_html"] == ""
    assert client.get(EXPORT_URL, query).status_code == 400


@pytest.mark.parametrize("role", ["member", "coach", "trainer"])
def test_people_who_are_not_staff_get_404(client, world, role):
    if role == "member":
        user = world["people"][0]
    else:
        user = UserFactory(roles=[roles.COACH if role == "coach" else roles.TRAINER])
    client.force_login(user)

    assert client.get(URL).status_code == 404
    assert client.get(EXPORT_URL).status_code == 404


def test_visitors_are_sent_to_the_login(client):
    for url in (URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_the_xlsx_has_a_sheet_per_section_with_the_figures(client, world, english):
    import io

    from openpyxl import load_workbook

    client.force_login(staff_user(language="en"))
    response = client.get(EXPORT_URL, {"from": "2026-01-01", "to": "2026-12-31"})

    assert response.status_code == 200
    assert "vamos-statistik-2026-01-01-2026-12-31.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sections = statistics_collect(period=YEAR)
    assert len(workbook.sheetnames) == len(sections)
    participation = next(name for name in workbook.sheetnames if name.startswith("Participation"))
    rows = [
        tuple(cell for cell in row if cell is not None) for row in workbook[participation].iter_rows(values_only=True)
    ]
    assert ("Different people with a booking", 3) in rows
    assert ("in person", 2, 1, 1, 1) in rows
    elearning = [tuple(c for c in row if c is not None) for row in workbook["E-learning"].iter_rows(values_only=True)]
    assert ("Funding basics", 1, 2) in elearning


def add_more_data(world):
    """As much again of everything, in other organisations, events, cases and modules."""
    topic1, topic2 = world["topics"]
    for index in range(3):
        people = [UserFactory() for _ in range(3)]
        organisation = OrganisationFactory(members=people, bundesland="HE")
        event = EventFactory(topics=[topic1, topic2], dates=[(at(2026, 9, 1 + index), at(2026, 9, 1 + index, 16))])
        for person in people:
            booking = book(event, person, organisation)
            mark(booking, True)
            Feedback.objects.create(booking=booking, rating=5)
        case = CoachingCase.objects.create(organisation=organisation, goals="g", situation="s")
        case.topics.set([topic2])
        module = ModuleFactory()
        for person in people:
            enrol(person, module, at(2026, 9, 2))


def test_the_page_runs_the_same_number_of_queries_however_much_data(client, world, django_assert_num_queries):
    client.force_login(staff_user())
    query = {"from": "2026-01-01", "to": "2026-12-31", "recompute": "1"}  # the figures computed, not cached
    client.get(URL, query)  # warms the session and the content types

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert client.get(URL, query).status_code == 200
    add_more_data(world)

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(URL, query)
    assert response.status_code == 200
    assert '<td class="text-end">13</td>' in response.content.decode()  # 4 + 9 bookings: the new data counts
    # session, person, header; 9 for the six sections, which read the topics, the period's events' topics and
    # their bookings per event once for all of them (academy.statistics.shared)
    assert len(first.captured_queries) == 12


def test_the_figures_come_from_the_cache_until_staff_compute_them_again(
    client, world, django_assert_num_queries, english
):
    client.force_login(staff_user(language="en"))
    query = {"from": "2026-01-01", "to": "2026-12-31"}
    first = client.get(URL, query).content.decode()
    assert "Figures as of" in first and '<td class="text-end">4</td>' in first
    add_more_data(world)

    with django_assert_num_queries(3):  # session, person, header: no section asks the database
        cached = client.get(URL, query).content.decode()
    assert '<td class="text-end">13</td>' not in cached  # as of the first request

    fresh = client.get(URL, {**query, "recompute": "1"}).content.decode()
    assert '<td class="text-end">13</td>' in fresh  # 4 + 9 bookings
    assert '<td class="text-end">13</td>' in client.get(URL, query).content.decode()  # and cached again
    assert "recompute=1" in fresh


def test_each_period_and_language_has_its_own_figures(client, world):
    client.force_login(staff_user())
    year = client.get(URL, {"from": "2026-01-01", "to": "2026-12-31"}).content.decode()
    day = client.get(URL, {"from": "2026-03-10", "to": "2026-03-10"}).content.decode()
    assert year != day
    assert "Participation in events" not in year  # German
    client.force_login(staff_user(language="en"))
    assert "Participation in events" in client.get(URL, {"from": "2026-01-01", "to": "2026-12-31"}).content.decode()
