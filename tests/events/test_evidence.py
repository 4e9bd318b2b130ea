"""Funder evidence per date (events.evidence): the participant list to sign (A4 landscape PDF) and the online
attendance record (PDF), who may download them, the links to them, and their fixed number of queries."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from events import evidence, services
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory

pytestmark = pytest.mark.django_db

A4_LONG, A4_SHORT = 841.89, 595.28  # points


def past(days: int, hour: int):
    day = timezone.localtime() - timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def book(event, person, organisation):
    """Books as if a week before the event (booking_create refuses events that have begun)."""
    first = event.dates.order_by("start").first()
    return services.booking_create(
        event=event, person=person, organisation=organisation, booked_by=person, now=first.start - timedelta(days=7)
    )


def cancel(booking):
    first = booking.event.dates.order_by("start").first()
    return services.booking_cancel(booking=booking, by=booking.person, now=first.start - timedelta(days=6))


def pdf_of(response):
    content = response.content if not response.streaming else b"".join(response.streaming_content)
    return PdfReader(io.BytesIO(content))


def text_of(reader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def people(organisation, admin_user, member_user, staff_user):
    """Everybody whose access matters, and the club the participants come from."""
    club = OrganisationFactory(name="Türkischer Elternverein Köln e. V.")
    return {
        "anonymous": None,
        "member": member_user,
        "org_admin": admin_user,
        "other_trainer": make_person(first_name="Otto", last_name="Fremd"),
        "trainer": make_person(first_name="Maria", last_name="Schmidt"),
        "staff": staff_user,
        "club": club,
        "organisation": organisation,
    }


def _participant(club, first, last):
    person = make_person(first_name=first, last_name=last)
    club.memberships.create(user=person, role="member")
    return person


@pytest.fixture
def in_person(people):
    """A seminar in person two days ago: four confirmed (an umlaut sorts beside its vowel), one cancelled, one
    on the waiting list. The member of `organisation` is booked too, so the organisation's people have a stake."""
    club = people["club"]
    EventFactory(trainers=[people["other_trainer"]], dates=[(past(3, 10), past(3, 12))])
    event = EventFactory(
        title="Fördermittel beantragen",
        capacity=5,
        trainers=[people["trainer"]],
        dates=[(past(2, 10), past(2, 16))],
    )
    cancel(book(event, _participant(club, "Carla", "Storniert"), club))
    for first, last in [("Pia", "Pohl"), ("Ayşe", "Öztürk"), ("Zoe", "Zimmermann"), ("Jörg", "Abel")]:
        book(event, _participant(club, first, last), club)
    book(event, people["member"], people["organisation"])
    waiting = book(event, _participant(club, "Walter", "Wartend"), club)
    assert waiting.is_waiting
    return event


@pytest.fixture
def online(people):
    """An online date yesterday: one marked present by the trainer, one absent by staff, one not marked."""
    club = people["club"]
    event = OnlineEventFactory(
        title="Vereinsrecht online", trainers=[people["trainer"]], dates=[(past(1, 18), past(1, 20))]
    )
    event_date = event.dates.get()
    here = book(event, _participant(club, "Ümran", "Yıldız"), club)
    away = book(event, _participant(club, "Lena", "Berg"), club)
    book(event, _participant(club, "Sven", "Kaya"), club)
    services.attendance_mark(booking=here, event_date=event_date, present=True, by=people["trainer"], now=past(1, 19))
    services.attendance_mark(booking=away, event_date=event_date, present=False, by=people["staff"], now=past(1, 20))
    return event


def _list_url(event):
    return reverse("events:evidence_participant_list", args=[event.dates.get().pk])


def _record_url(event):
    return reverse("events:evidence_attendance_record", args=[event.dates.get().pk])


# ---- the participant list --------------------------------------------------------------------------------------


def test_participant_list_is_a4_landscape_with_the_confirmed_people_sorted_and_a_signature_column(
    client, people, in_person
):
    client.force_login(people["staff"])
    response = client.get(_list_url(in_person))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="participant-list-fordermittel-beantragen-')
    reader = pdf_of(response)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((A4_LONG, A4_SHORT), abs=1)
    assert reader.metadata.title.startswith("Participant list: Fördermittel beantragen")
    text = text_of(reader)
    assert "VAMOs" in text and "Academy for migrant organisations" in text
    assert "Fördermittel beantragen" in text and "seminar, in person" in text
    assert "Haus der Vereine, Musterstraße 5, 10115 Berlin" in text
    assert "Maria Schmidt" in text
    assert "Signature" in text and "Last name" in text and "First name" in text
    assert "Türkischer Elternverein Köln e. V." in text
    member = people["member"]
    names = ["Abel", "Öztürk", "Pohl", "Zimmermann"]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions), "sorted by last name, Ö beside O"
    assert "Ayşe" in text and "Jörg" in text
    assert member.last_name in text
    assert "Storniert" not in text and "Wartend" not in text
    assert "5 confirmed participants" in text
    # Spare rows for walk-ins continue the numbering after the five participants.
    assert "\n11" in text or " 11" in text
    assert "Page 1 of 1" in text


def test_participant_list_repeats_the_header_on_every_page_and_counts_pages(client, people):
    club = people["club"]
    event = EventFactory(title="Großes Netzwerktreffen", capacity=60, dates=[(past(2, 10), past(2, 16))])
    for n in range(45):
        book(event, _participant(club, f"Person{n}", f"Nachname{n:02d}"), club)
    client.force_login(people["staff"])
    reader = pdf_of(client.get(_list_url(event)))
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert "Signature" in page_text and "Last name" in page_text
        assert f"Page {number} of {len(reader.pages)}" in page_text
    assert "Nachname44" in text_of(reader)


def test_participant_list_speaks_the_language_of_the_person_who_asks(client, people, in_person):
    staff = people["staff"]
    staff.language = "de"
    staff.save()
    client.force_login(staff)
    reader = pdf_of(client.get(_list_url(in_person)))
    assert reader.trailer["/Root"]["/Lang"] == "de"


# ---- the online attendance record ----------------------------------------------------------------------------


def test_attendance_record_shows_present_absent_and_unmarked_with_who_marked_and_when(client, people, online):
    client.force_login(people["staff"])
    response = client.get(_record_url(online))
    assert response.status_code == 200
    reader = pdf_of(response)
    assert reader.metadata.title.startswith("Attendance record: Vereinsrecht online")
    text = text_of(reader)
    lines = text.splitlines()

    def line_of(name):
        return next(line for line in lines if name in line)

    assert "present" in line_of("Yıldız") and "Maria Schmidt" in line_of("Yıldız")
    assert "absent" in line_of("Berg") and people["staff"].get_full_name() in line_of("Berg")
    assert "not marked yet" in line_of("Kaya")
    marked = timezone.localtime(past(1, 19))
    assert marked.strftime("%m/%d/%Y") in line_of("Yıldız") or f"{marked:%-m/%-d/%Y}" in line_of("Yıldız")
    assert "Present 1" in text and "Absent 1" in text and "Not marked yet 1" in text
    assert "Confirmed participants 3" in text
    assert "This record was made on" in text and people["staff"].get_full_name() in line_of("This record was made")


# ---- who may -------------------------------------------------------------------------------------------------


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
@pytest.mark.parametrize("document", ["list", "record"])
def test_who_may_download_the_pdfs(client, people, in_person, online, role, expected, document):
    if people[role] is not None:
        client.force_login(people[role])
    url = _list_url(in_person) if document == "list" else _record_url(online)
    response = client.get(url)
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


def test_unknown_date_is_404_even_for_staff(client, people):
    client.force_login(people["staff"])
    assert client.get(reverse("events:evidence_participant_list", args=[999999])).status_code == 404
    assert client.get(reverse("events:evidence_attendance_record", args=[999999])).status_code == 404


def test_pdfs_answer_get_only(client, people, in_person):
    client.force_login(people["staff"])
    assert client.post(_list_url(in_person)).status_code == 405


# ---- a fixed number of queries -------------------------------------------------------------------------------


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("route", ["events:evidence_participant_list", "events:evidence_attendance_record"])
def test_pdf_queries_do_not_grow_with_the_participants(client, people, route, django_assert_max_num_queries):
    club = people["club"]
    small = EventFactory(capacity=50, trainers=[people["trainer"]], dates=[(past(2, 10), past(2, 16))])
    large = EventFactory(capacity=50, trainers=[people["trainer"]], dates=[(past(2, 10), past(2, 16))])
    book(small, _participant(club, "Eine", "Person"), club)
    for n in range(15):
        booking = book(large, _participant(club, f"Vorname{n}", f"Name{n}"), club)
        date = large.dates.get()
        services.attendance_mark(
            booking=booking, event_date=date, present=n % 2 == 0, by=people["trainer"], now=date.end
        )
    client.force_login(people["trainer"])
    small_url = reverse(route, args=[small.dates.get().pk])
    large_url = reverse(route, args=[large.dates.get().pk])
    _queries_for(client, small_url)  # warm the session
    assert _queries_for(client, small_url) == _queries_for(client, large_url)
    # session + user, the date with its event, its trainers, the trainer check, the participants
    with django_assert_max_num_queries(7):
        client.get(large_url)


# ---- links -----------------------------------------------------------------------------------------------------


def test_trainer_attendance_page_links_to_the_evidence(client, people, in_person, online):
    client.force_login(people["trainer"])
    page = client.get(reverse("events:attendance", args=[in_person.dates.get().pk])).content.decode()
    assert _list_url(in_person) in page
    assert _record_url(in_person) not in page
    assert reverse("events:evidence_participants", args=[in_person.pk, "xlsx"]) in page
    assert reverse("events:evidence_participants", args=[in_person.pk, "csv"]) in page
    page = client.get(reverse("events:attendance", args=[online.dates.get().pk])).content.decode()
    assert _record_url(online) in page and _list_url(online) not in page


def test_event_admin_links_to_the_evidence_of_each_date(client, people, in_person, online):
    client.force_login(people["staff"])
    page = client.get(reverse("admin:events_event_change", args=[in_person.pk])).content.decode()
    assert _list_url(in_person) in page and "Participant list (PDF)" in page
    assert reverse("events:evidence_participants", args=[in_person.pk, "csv"]) in page
    assert reverse("events:evidence_participants", args=[in_person.pk, "xlsx"]) in page
    page = client.get(reverse("admin:events_event_change", args=[online.pk])).content.decode()
    assert _record_url(online) in page and "Attendance record (PDF)" in page


def test_booking_admin_links_to_the_period_export(client, people):
    client.force_login(people["staff"])
    page = client.get(reverse("admin:events_booking_changelist")).content.decode()
    assert reverse("events:evidence_bookings") in page


def test_sort_key_puts_umlauts_beside_their_vowel():
    names = ["Zimmermann", "Öztürk", "Abel", "Ohm", "Straße", "Strasser", "ärger"]
    assert sorted(names, key=evidence.german_sort_key) == [
        "Abel",
        "ärger",
        "Ohm",
        "Öztürk",
        "Straße",
        "Strasser",
        "Zimmermann",
    ]
