"""The admin calls the same services as the participants: publishing, copying, cancelling, notifying."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Booking, Event, EventDate
from organisations.models import Membership
from tests.memo import written_the_same_from_the_memo
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory, soon

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:events_event_changelist"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def people_booked(event, count):
    organisation = OrganisationFactory()
    bookings = []
    for _ in range(count):
        person = make_person()
        Membership.objects.create(user=person, organisation=organisation)
        bookings.append(
            services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)
        )
    return bookings


def _local(value):
    local = timezone.localtime(value)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def change_form_data(event, **overrides):
    """The POST of the event's change form as the browser sends it, with `overrides` applied."""
    data = {
        "title_de": event.title_de or "",
        "title_en": event.title_en or "",
        "kind": event.kind,
        "format": event.format,
        "language": event.language,
        "description_de": event.description_de or "",
        "description_en": event.description_en or "",
        "learning_goals_de": "",
        "learning_goals_en": "",
        "target_group_de": "",
        "target_group_en": "",
        "capacity": event.capacity,
        "per_organisation_limit": event.per_organisation_limit or "",
        "waiting_list_enabled": "on" if event.waiting_list_enabled else "",
        "venue_name": event.venue_name,
        "street": event.street,
        "postcode": event.postcode,
        "city": event.city,
        "online_link": event.online_link,
        "registration_opens_0": "",
        "registration_opens_1": "",
        "registration_closes_0": "",
        "registration_closes_1": "",
        "cancellation_deadline_0": "",
        "cancellation_deadline_1": "",
        "bookings-TOTAL_FORMS": "0",
        "bookings-INITIAL_FORMS": "0",
        "staff_messages-TOTAL_FORMS": "0",
        "staff_messages-INITIAL_FORMS": "0",
    }
    dates = list(event.dates.all())
    data.update({"dates-TOTAL_FORMS": str(len(dates)), "dates-INITIAL_FORMS": str(len(dates))})
    for index, event_date in enumerate(dates):
        start_day, start_time = _local(event_date.start)
        end_day, end_time = _local(event_date.end)
        data.update(
            {
                f"dates-{index}-id": event_date.pk,
                f"dates-{index}-event": event.pk,
                f"dates-{index}-start_0": start_day,
                f"dates-{index}-start_1": start_time,
                f"dates-{index}-end_0": end_day,
                f"dates-{index}-end_1": end_time,
            }
        )
    bookings = list(event.bookings.all())
    data.update({"bookings-TOTAL_FORMS": str(len(bookings)), "bookings-INITIAL_FORMS": str(len(bookings))})
    for index, booking in enumerate(bookings):
        data.update({f"bookings-{index}-id": booking.pk, f"bookings-{index}-event": event.pk})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_changelist_shows_seats_and_waiting_in_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries):
    full = EventFactory(title_de="Volles Seminar", capacity=2)
    people_booked(full, 3)
    for _ in range(30):
        EventFactory()

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    row = next(r for r in response.context["cl"].result_list if r.pk == full.pk)
    assert (row.confirmed_count, row.waiting_count) == (2, 1)
    for filter_query in ("?status__exact=published", "?kind__exact=seminar", "?format__exact=online", "?q=Volles"):
        assert staff_client.get(reverse(CHANGELIST) + filter_query).status_code == 200


def test_change_form_and_booking_pages_render(staff_client):
    event = EventFactory()
    booking = people_booked(event, 1)[0]
    assert staff_client.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 200
    assert staff_client.get(reverse("admin:events_event_add")).status_code == 200
    assert staff_client.get(reverse("admin:events_booking_change", args=[booking.pk])).status_code == 200
    assert staff_client.get(reverse("admin:events_booking_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:events_attendance_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:events_eventmail_changelist")).status_code == 200


def test_the_booking_list_writes_the_same_action_checkboxes_as_django(staff_client):
    """The list's checkboxes are written without the widget template (academy.admin_lists), so a staff member's
    screen reader and the select-all script must meet exactly the element Django's own would write."""
    from django.contrib import admin

    from events.admin import BookingAdmin

    booking = people_booked(EventFactory(title_de="Vereinsrecht"), 1)[0]
    ours = BookingAdmin(Booking, admin.site).action_checkbox(booking)
    djangos = admin.ModelAdmin(Booking, admin.site).action_checkbox(booking)
    assert ours == djangos
    assert "Vereinsrecht" in ours
    content = staff_client.get(reverse("admin:events_booking_changelist")).content.decode()
    assert djangos in content


def test_publish_action(staff_client):
    draft = EventFactory(status=Event.Status.DRAFT)
    incomplete = OnlineEventFactory(status=Event.Status.DRAFT, online_link="")

    response = staff_client.post(
        reverse(CHANGELIST), {"action": "publish", ACTION_CHECKBOX_NAME: [draft.pk, incomplete.pk]}, follow=True
    )

    assert Event.objects.get(pk=draft.pk).status == Event.Status.PUBLISHED
    assert Event.objects.get(pk=incomplete.pk).status == Event.Status.DRAFT
    assert "meeting link" in response.content.decode()


def test_copy_action_asks_for_the_new_start_then_copies(staff_client):
    event = EventFactory(title_de="Strategie entwickeln")
    people_booked(event, 2)
    url = reverse(CHANGELIST)

    response = staff_client.post(url, {"action": "copy_to_new_date", ACTION_CHECKBOX_NAME: [event.pk]})
    assert response.status_code == 200
    assert "new_start_0" in response.content.decode()

    new_start = soon(days=100)
    response = staff_client.post(
        url,
        {
            "action": "copy_to_new_date",
            ACTION_CHECKBOX_NAME: [event.pk],
            "apply": "1",
            "new_start_0": new_start.strftime("%Y-%m-%d"),
            "new_start_1": new_start.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302
    copy = Event.objects.exclude(pk=event.pk).get()
    assert copy.title_de == "Strategie entwickeln"
    assert copy.status == Event.Status.DRAFT
    assert copy.dates.get().start == new_start
    assert not copy.bookings.exists()


def test_cancel_action_asks_for_a_message_then_cancels_and_mails(staff_client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    people_booked(event, 2)
    mail.outbox.clear()
    url = reverse(CHANGELIST)

    response = staff_client.post(url, {"action": "cancel_events", ACTION_CHECKBOX_NAME: [event.pk]})
    assert response.status_code == 200
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url,
            {
                "action": "cancel_events",
                ACTION_CHECKBOX_NAME: [event.pk],
                "apply": "1",
                "message": "Der Raum ist nicht verfügbar.",
            },
        )
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).status == Event.Status.CANCELLED
    assert not Booking.objects.filter(event=event, status__in=Booking.ACTIVE).exists()
    assert len(mail.outbox) == 2
    assert all("Der Raum ist nicht verfügbar." in m.body for m in mail.outbox)


def test_cancel_booking_action_moves_the_waiting_list_up(staff_client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1, cancellation_deadline=timezone.now() - timedelta(hours=1))
    confirmed, waiting = people_booked(event, 2)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:events_booking_changelist"),
            {"action": "cancel_bookings", ACTION_CHECKBOX_NAME: [confirmed.pk]},
        )
    assert response.status_code == 302
    assert Booking.objects.get(pk=confirmed.pk).is_cancelled  # staff may cancel after the deadline
    assert Booking.objects.get(pk=waiting.pk).is_confirmed
    assert {m.to[0] for m in mail.outbox} >= {confirmed.person.email, waiting.person.email}


def test_saving_a_new_place_or_date_tells_the_participants(staff_client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    confirmed, waiting = people_booked(event, 2)
    mail.outbox.clear()
    url = reverse("admin:events_event_change", args=[event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, change_form_data(event, venue_name="Rathaus Kreuzberg"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(m.to[0] for m in mail.outbox) == sorted([confirmed.person.email, waiting.person.email])
    assert "place" in mail.outbox[0].body
    event.refresh_from_db()
    assert event.venue_name == "Rathaus Kreuzberg"
    assert event.sequence == 1
    assert event.confirmed_count == 1

    mail.outbox.clear()
    new_start = soon(days=20)
    day, _time = _local(new_start)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, change_form_data(event, **{"dates-0-start_0": day, "dates-0-end_0": day}))
    assert EventDate.objects.get(event=event).start == new_start
    assert len(mail.outbox) == 2
    assert "date and time" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, change_form_data(event, description_de="Nur der Text ist neu."))
    assert mail.outbox == []


def test_raising_the_capacity_in_the_admin_promotes_waiting_people(staff_client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    _confirmed, waiting = people_booked(event, 2)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:events_event_change", args=[event.pk]), change_form_data(event, capacity=2)
        )
    assert response.status_code == 302
    assert Booking.objects.get(pk=waiting.pk).is_confirmed
    assert Event.objects.get(pk=event.pk).confirmed_count == 2


def test_capacity_below_the_confirmed_seats_is_refused_in_the_form(staff_client):
    event = EventFactory(capacity=3)
    people_booked(event, 2)

    response = staff_client.post(
        reverse("admin:events_event_change", args=[event.pk]), change_form_data(event, capacity=1)
    )
    assert response.status_code == 200
    assert "2 people are confirmed already" in response.content.decode()
    assert Event.objects.get(pk=event.pk).capacity == 3


def _result_table(html: str) -> str:
    start = html.index('<table id="result_list">')
    return html[start : html.index("</table>", start)]


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_booking_list_writes_the_same_page_as_django(language, client, monkeypatch, settings):
    """BookingAdmin writes its rows itself (academy.admin_lists.QuickRowsMixin) and reads only the columns they
    show: the page must be Django's, byte for byte, for every state, with empty dates, a date at noon and at
    midnight (English says "noon" and "midnight"), text that needs escaping, and the filters and sorting that
    the rows' links carry back to the list; its parts kept per process (the table's head for each sorting,
    search and filter) are those Django writes for that page."""
    from events.admin import BookingAdmin

    staff = make_person(is_staff=True, is_superuser=True, language=language)
    client.force_login(staff)
    event = EventFactory(title_de='Recht & "Satzung" <b>', title_en="Law & <i>statutes</i>", capacity=2)
    confirmed, promoted, waiting = people_booked(event, 3)
    cancelled = people_booked(EventFactory(title_de="Kassenführung"), 1)[0]
    services.booking_cancel(booking=cancelled, by=staff)
    Booking.objects.filter(pk=confirmed.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2025, 3, 30, 12, 0)),
    )
    Booking.objects.filter(pk=promoted.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2025, 3, 30, 0, 0)),
        promoted_at=timezone.make_aware(timezone.datetime(2025, 10, 26, 2, 30)),
    )
    Booking.objects.filter(pk=waiting.pk).update(  # the same hour and minute as another row, on another day
        created_at=timezone.make_aware(timezone.datetime(2025, 3, 31, 12, 0)),
    )
    Organisation = confirmed.organisation.__class__
    Organisation.objects.filter(pk=confirmed.organisation_id).update(name="Sport & Spiel <e.V.>")
    list_url = reverse("admin:events_booking_changelist")
    urls = [list_url, f"{list_url}?o=-5.1", f"{list_url}?status__exact=cancelled", f"{list_url}?q=Recht&o=2"]

    for url in urls:  # the table's head, the filters and the sidebar are kept per process from here on
        client.get(url)
    ours = {url: client.get(url).content.decode() for url in urls}
    monkeypatch.setattr(BookingAdmin, "quick_rows", lambda self, cl: None)  # Django writes the rows
    monkeypatch.setattr(BookingAdmin, "list_rows", None)  # and reads every column of model instances
    settings.LAYOUT_MEMO = False  # and every other part of the page anew
    for url in urls:
        djangos = client.get(url).content.decode()
        assert "result_list" in djangos, url
        assert CSRF.sub("", ours[url]) == CSRF.sub("", djangos), url
    table = _result_table(ours[list_url])
    assert table.count("<tr>") == 5  # the header and four bookings
    assert "Sport &amp; Spiel &lt;e.V.&gt;" in table
    assert f'href="{reverse("admin:events_booking_change", args=[waiting.pk])}"' in table
    assert "_changelist_filters=status__exact%3Dcancelled" in ours[f"{list_url}?status__exact=cancelled"]


def test_the_booking_list_reads_a_fixed_number_of_queries(staff_client, django_assert_num_queries):
    """The rows are read as values (list_rows) in one query with their person, event and organisation."""
    for _ in range(3):
        people_booked(EventFactory(), 4)
    staff_client.get(reverse("admin:events_booking_changelist"))
    # session, user, the count, the page (with person, event and organisation)
    with django_assert_num_queries(4):
        response = staff_client.get(reverse("admin:events_booking_changelist"))
    assert len(response.context["cl"].result_list) == 12


def test_the_unfiltered_booking_list_of_a_large_table_is_counted_from_the_estimate(
    staff_client, postgresql, monkeypatch, django_assert_num_queries
):
    """Above ESTIMATE_COUNT_ABOVE rows (PostgreSQL's estimate, kept by ANALYZE) the unfiltered list says "about"
    and PostgreSQL counts nothing; a filtered list and a small table are counted exactly; one query either way."""
    from django.db import connection

    from academy import admin_lists

    for _ in range(3):
        people_booked(EventFactory(capacity=3), 4)  # 9 confirmed, 3 waiting
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_booking")
    url = reverse("admin:events_booking_changelist")
    staff_client.get(url)

    with django_assert_num_queries(4):  # session, user, the count, the page
        response = staff_client.get(url)
    assert not response.context["cl"].paginator.estimated and response.context["cl"].result_count == 12
    assert "12 bookings" in response.text and "about 12" not in response.text

    monkeypatch.setattr(admin_lists, "ESTIMATE_COUNT_ABOVE", 5)
    Booking.objects.filter(status=Booking.Status.WAITING).delete()  # the estimate does not follow at once
    with django_assert_num_queries(4):
        response = staff_client.get(url)
    assert response.context["cl"].paginator.estimated and response.context["cl"].result_count == 12
    assert "about 12 bookings" in response.text

    filtered = staff_client.get(url, {"status__exact": "confirmed"})
    assert not filtered.context["cl"].paginator.estimated and filtered.context["cl"].result_count == 9


def test_the_booking_lists_filters_kept_per_process_are_the_filters_written_anew(client, settings, monkeypatch):
    """BookingAdmin's filters come from the layout's memo (keyed by language, query string, day and time zone):
    for each selection, sorting, search, language and day the same filters as written anew. The memo holds only
    while every filter is a choice or a date; a filter of another kind (one that reads rows) fails here first."""
    from django.contrib.admin import ChoicesFieldListFilter, DateFieldListFilter

    staff = make_person(is_staff=True, is_superuser=True)
    client.force_login(staff)
    people_booked(EventFactory(capacity=1), 2)
    url = reverse("admin:events_booking_changelist")
    since = "created_at__gte=2025-01-01+00%3A00%3A00%2B00%3A00"
    queries = ["", "status__exact=waiting", since, "q=Recht&o=2", "event__kind__exact=seminar"]
    today = timezone.now()
    days = [today, today + timedelta(days=1)]  # (the session stays valid)

    def read_all():
        found = {}
        for language in ("en", "de"):
            staff.language = language
            staff.save(update_fields=["language"])
            for day in days:
                monkeypatch.setattr(timezone, "now", lambda day=day: day)
                for query in queries:
                    response = client.get(f"{url}?{query}")
                    assert response.status_code == 200, (query, response.status_code, response.get("Location"))
                    assert {type(spec) for spec in response.context["cl"].filter_specs} <= {
                        ChoicesFieldListFilter,
                        DateFieldListFilter,
                    }
                    html = response.content.decode()
                    found[language, day, query] = re.search(r'<nav id="changelist-filter".*?</nav>', html, re.S)[0]
        return found

    written = written_the_same_from_the_memo(settings, read_all)
    assert written["en", days[0], ""] != written["en", days[1], ""]  # the date filter's links follow the day
    for day in days:
        assert f"created_at__gte={timezone.localdate(day).isoformat()}" in written["en", day, ""]


def test_the_booking_lists_kept_parts_are_the_parts_written_anew(client, settings, monkeypatch):
    """The booking list's head, breadcrumbs, tools, search bar, pager, selection counter, choice of actions and
    user links come from the layout's memo: for a superuser and a VAMOs staff member (one without a usable
    password) in two languages, on the first and a later page, searched, filtered and sorted, each page is the
    page written anew."""
    from academy import roles
    from events.admin import BookingAdmin

    monkeypatch.setattr(BookingAdmin, "list_per_page", 2)  # three bookings: a pager of two pages
    people = [make_person(is_staff=True, is_superuser=True), make_person(is_staff=True, roles=[roles.STAFF])]
    people[1].set_unusable_password()
    people[1].save()
    people_booked(EventFactory(capacity=1, title_de="Recht", title_en="Law"), 3)
    url = reverse("admin:events_booking_changelist")
    queries = ["", "?p=2", "?q=Recht", "?q=Kasse", "?status__exact=waiting&o=2", "?status__exact=confirmed"]

    def read_all():
        pages = {}
        for language in ("en", "de"):
            for person in people:
                person.language = language
                person.save(update_fields=["language"])
                client.force_login(person)
                for query in queries:
                    pages[language, person.pk, query] = CSRF.sub("", client.get(url + query).content.decode())
        return pages

    written = written_the_same_from_the_memo(settings, read_all)
    superuser, staff = people[0].pk, people[1].pk
    assert 'value="cancel_bookings"' in written["en", staff, ""]
    assert "Cancel selected bookings" in written["en", superuser, ""]
    assert "Cancel selected bookings" not in written["de", superuser, ""]
    assert written["en", superuser, ""].count('<form id="logout-form"') == 1
    assert "Change password" in written["en", superuser, ""] and "Change password" not in written["en", staff, ""]
    assert '<a href="?p=2" class="end">2</a>' in written["en", superuser, ""]
    assert '<span class="this-page">2</span>' in written["en", superuser, "?p=2"]
    assert "3 bookings" in written["en", superuser, ""] and "0 bookings" in written["en", superuser, "?q=Kasse"]
    assert "\n1 booking\n" in written["en", superuser, "?status__exact=confirmed"]
    assert 'value="Recht"' in written["de", staff, "?q=Recht"]


def test_the_logout_form_on_a_kept_admin_page_carries_this_requests_token(settings):
    """The user links are kept per process; the logout form inside them still carries the token of the request
    that shows it, and signs out."""
    from django.test import Client

    settings.LAYOUT_MEMO = True
    staff = make_person(is_staff=True, is_superuser=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    url = reverse("admin:events_booking_changelist")
    pages = [client.get(url).content.decode() for _ in range(3)]
    tokens = [
        re.search(r'id="logout-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S)[1] for page in pages
    ]

    assert len(set(tokens)) == 3  # masked anew on every request, as Django writes it
    response = client.post(reverse("admin:logout"), {"csrfmiddlewaretoken": tokens[-1]})
    assert response.status_code == 200
    assert client.get(url).status_code == 302  # signed out: the admin sends to its login


def test_the_booking_lists_kept_page_query_reads_the_rows_anew_on_every_visit(staff_client, settings):
    """The page's query is kept per process for its query string (academy.admin_lists.RowsChangeList), not its
    rows: a booking made between two visits of the same page shows on the second; a page of another window,
    language or query string is a query of its own (the test settings compare every kept query with Django's)."""
    from academy import admin_lists

    url = reverse("admin:events_booking_changelist")
    people_booked(EventFactory(title_de="Erste Veranstaltung"), 1)
    first = staff_client.get(url, {"q": "Veranstaltung"})
    assert first.context["cl"].result_count == 1
    kept = len(admin_lists._page_queries)

    people_booked(EventFactory(title_de="Zweite Veranstaltung"), 1)
    second = staff_client.get(url, {"q": "Veranstaltung"})

    assert len(admin_lists._page_queries) == kept  # the same query, kept
    assert sorted(str(row.event) for row in second.context["cl"].result_list) == [
        "Erste Veranstaltung",
        "Zweite Veranstaltung",
    ]
    staff_client.get(url, {"q": "Zweite"})
    assert len(admin_lists._page_queries) == kept + 1
