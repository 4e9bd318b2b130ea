"""The event pages: catalogue filters and pagination, the event page, booking, cancelling, bookings lists and
attendance, as people use them; query counts pinned with enough rows that an N+1 would show."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academy.models import Topic
from events import services
from events.models import Attendance, Booking, Event
from organisations.models import Organisation
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory, soon

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("events:catalogue")


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    """Anonymous visitors read English too (the factories write the English columns; people read "en")."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def book(event, person, organisation):
    return services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)


# ---- catalogue ---------------------------------------------------------------------------------------------------


def test_catalogue_lists_upcoming_published_events_only(client):
    EventFactory(title="Fördermittel beantragen")
    EventFactory(title="Entwurf", status=Event.Status.DRAFT)
    EventFactory(title="Vorbei", dates=[(soon(-3), soon(-3, hour=16))])
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Fördermittel beantragen" in content
    assert "Entwurf" not in content
    assert "Vorbei" not in content
    assert content.count("<h1") == 1


def test_catalogue_card_shows_seats_waiting_list_and_online(client, organisation, member_user):
    full = EventFactory(title="Voll", capacity=1)
    book(full, member_user, organisation)
    OnlineEventFactory(title="Im Netz")
    content = client.get(CATALOGUE).content.decode()
    assert "Fully booked – waiting list" in content
    assert "Online" in content
    assert "10 seats left" in content


def test_catalogue_filters_combine(client):
    topic = Topic.objects.create(slug="finanzierung-x", name="Finanzierung", position=90)
    EventFactory(title="Passt", topics=[topic], format=Event.Format.IN_PERSON, language="de")
    EventFactory(title="Falsches Format", topics=[topic], format=Event.Format.HYBRID, online_link="https://x.example")
    EventFactory(title="Falsches Thema", format=Event.Format.IN_PERSON)
    response = client.get(CATALOGUE, {"topic": topic.pk, "format": "in_person", "language": "de", "free": "on"})
    content = response.content.decode()
    assert "Passt" in content
    assert "Falsches Format" not in content
    assert "Falsches Thema" not in content


def test_catalogue_text_search_month_and_range(client):
    in_march = timezone.localtime().replace(month=1, day=1) + timedelta(days=400)  # some day next year
    EventFactory(title="Strategie im Verband", dates=[(in_march, in_march + timedelta(hours=3))])
    EventFactory(title="Öffentlichkeitsarbeit")
    assert "Strategie im Verband" not in client.get(CATALOGUE, {"q": "ffentlichkeit"}).content.decode()
    assert "Öffentlichkeitsarbeit" in client.get(CATALOGUE, {"q": "ffentlichkeit"}).content.decode()
    month = in_march.strftime("%Y-%m")
    content = client.get(CATALOGUE, {"month": month}).content.decode()
    assert "Strategie im Verband" in content
    assert "Öffentlichkeitsarbeit" not in content
    day = in_march.date().isoformat()
    content = client.get(CATALOGUE, {"date_from": day, "date_to": day}).content.decode()
    assert "Strategie im Verband" in content
    assert "Öffentlichkeitsarbeit" not in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"topic": "abc"}, "Please choose a topic from the list."),
        ({"topic": "999999"}, "Please choose a topic from the list."),
        ({"month": "2026-13"}, "Please enter a month such as 2026-03."),
        ({"month": "März"}, "Please enter a month such as 2026-03."),
        ({"kind": "party"}, "Please choose a kind from the list."),
        ({"format": "<script>"}, "Please choose a format from the list."),
        ({"language": "xx"}, "Please choose a language from the list."),
        ({"date_from": "2026-02-30"}, "Please enter a date such as 2026-03-14."),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "The end of the range must not be before its start."),
        ({"q": "x" * 300}, "Ensure this value has at most 100 characters"),
    ],
)
def test_catalogue_invalid_filters_are_explained_and_ignored(client, params, message):
    EventFactory(title="Immer sichtbar")
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "Some filters could not be used and were ignored" in content
    assert "Immer sichtbar" in content


@pytest.mark.parametrize("page", ["999", "abc", "0", "-1"])
def test_catalogue_bad_page_shows_a_page_and_says_so(client, page):
    EventFactory.create_batch(13)
    response = client.get(CATALOGUE, {"page": page})
    assert response.status_code == 200
    assert f"There is no page {page}" in response.content.decode()


def test_catalogue_paginates_with_accessible_nav(client):
    EventFactory.create_batch(30)
    response = client.get(CATALOGUE, {"kind": "seminar", "page": "2"})
    content = response.content.decode()
    assert 'aria-label="Pages of results"' in content
    assert 'aria-current="page"' in content
    assert "kind=seminar&amp;page=3" in content
    assert len(response.context["events"]) == 12


def test_catalogue_htmx_gets_the_results_partial(client):
    EventFactory(title="Teil")
    response = client.get(CATALOGUE, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert "Teil" in content
    assert 'hx-swap-oob="innerHTML"' in content
    assert "HX-Request" in response["Vary"]


def test_catalogue_query_count_is_constant(client, django_assert_num_queries):
    topic = Topic.objects.create(slug="pm-x", name="Projektmanagement", position=91)
    for number in range(55):
        EventFactory(topics=[topic], dates=[(soon(10 + number), soon(10 + number, hour=12))])
    # the chosen topic, count, events, their dates, their topics, the topics of the filter
    with django_assert_num_queries(6):
        response = client.get(CATALOGUE, {"topic": topic.pk, "page": "2"})
    assert len(response.context["events"]) == 12
    with django_assert_num_queries(5):
        client.get(CATALOGUE, {"free": "on", "q": "Seminar"})


def test_catalogue_results_come_from_the_cache_until_an_event_or_booking_changes(
    client, django_assert_num_queries, organisation, member_user
):
    event = EventFactory(title="Zwischengespeichert", capacity=1)
    assert "Fully booked" not in client.get(CATALOGUE).content.decode()
    with django_assert_num_queries(0):  # the filter form and the results come from the cache (visitor: no session)
        assert "Zwischengespeichert" in client.get(CATALOGUE).content.decode()

    services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    assert "Fully booked" in client.get(CATALOGUE).content.decode()  # the last seat went: not from the cache

    event.title = "Neuer Titel"
    event.save()
    content = client.get(CATALOGUE).content.decode()
    assert "Neuer Titel" in content and "Zwischengespeichert" not in content
    assert "Neuer Titel" in client.get(CATALOGUE, headers={"HX-Request": "true"}).content.decode()


def test_only_canonical_catalogue_queries_are_cached(client, django_assert_num_queries):
    topic = Topic.objects.create(slug="cache-x", name="Zwischenspeicher", position=93)
    EventFactory(title="Gefiltert", topics=[topic])
    form_submit = {"q": "", "topic": str(topic.pk), "kind": "", "format": "", "language": "", "month": ""}
    form_submit |= {"date_from": "", "date_to": "", "free": "on"}
    client.get(CATALOGUE, form_submit)
    with django_assert_num_queries(0):  # all from the cache: no form is made, no topic read to check the filters
        assert "Gefiltert" in client.get(CATALOGUE, form_submit).content.decode()
    for uncached in ({"q": "Gefiltert"}, {"free": "yes"}, {"page": "01"}, {"utm": "x"}, {"month": "2026-3"}):
        client.get(CATALOGUE, uncached)
        # read again: events, dates, topics, the topics' list; the first page needs no count when it is the only
        # one, "?page=01" (not written as the page links write it) is counted
        with django_assert_num_queries(5 if "page" in uncached else 4):
            client.get(CATALOGUE, uncached)


# ---- event page ------------------------------------------------------------------------------------------------------


def test_event_page_shows_details(client):
    trainer = make_person(first_name="Tarek", last_name="Trainer")
    event = EventFactory(
        title="Finanzierung jenseits von Förderprogrammen",
        learning_goals="Drei Wege der Finanzierung kennen",
        target_group="Vorstände",
        trainers=[trainer],
        language="en",
    )
    response = client.get(event.get_absolute_url())
    content = response.content.decode()
    for text in ("Finanzierung jenseits", "Drei Wege", "Vorstände", "Tarek Trainer", "Haus der Vereine", "10115"):
        assert text in content
    assert "English" in content
    assert "10 seats left" in content
    assert "Log in to book" in content
    assert f"?next=/veranstaltungen/{event.pk}/" in content


def test_draft_event_is_404_except_for_staff(client, staff_user):
    draft = EventFactory(status=Event.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(staff_user)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_online_link_only_for_confirmed_participants(client, organisation, member_user, admin_user):
    event = OnlineEventFactory(capacity=1)
    link = event.online_link
    assert link not in client.get(event.get_absolute_url()).content.decode()  # anonymous
    client.force_login(admin_user)
    assert link not in client.get(event.get_absolute_url()).content.decode()  # not booked
    book(event, admin_user, organisation)
    waiting = book(event, member_user, organisation)
    assert waiting.is_waiting
    assert link in client.get(event.get_absolute_url()).content.decode()  # confirmed
    assert link in client.get(reverse("events:event_ics", args=[event.pk])).content.decode()
    client.force_login(member_user)
    content = client.get(event.get_absolute_url()).content.decode()
    assert link not in content  # on the waiting list
    assert "position 1" in content
    assert link not in client.get(reverse("events:event_ics", args=[event.pk])).content.decode()


def test_event_ics_download(client):
    event = EventFactory(title="Kalender")
    response = client.get(reverse("events:event_ics", args=[event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert "SUMMARY:Kalender" in response.content.decode()


def test_event_page_query_count_is_constant(client, organisation, admin_user, django_assert_num_queries):
    event = EventFactory(capacity=100, dates=[(soon(20 + n), soon(20 + n, hour=12)) for n in range(5)])
    for _ in range(55):
        colleague = make_person()
        organisation.memberships.create(user=colleague)
        book(event, colleague, organisation)
    client.force_login(admin_user)
    # session, user, the event's seats with its waiting list, the event, dates, topics, trainers (these four kept
    # in the cache for the next visit; no contact here), own booking, memberships (page and header), colleagues
    # (read once: whether there are any and the list)
    with django_assert_num_queries(10):
        response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert "Book for colleagues" in response.content.decode()
    with django_assert_num_queries(6):
        client.get(event.get_absolute_url())
    book(event, admin_user, organisation)
    # the same: the cancellation deadline is the first date the event was read with
    with django_assert_num_queries(6):
        client.get(event.get_absolute_url())


# ---- booking ---------------------------------------------------------------------------------------------------------


def test_member_books_a_seat(client, organisation, member_user, mailoutbox):
    event = EventFactory()
    client.force_login(member_user)
    response = client.post(reverse("events:book", args=[event.pk]), follow=True)
    assert "Your seat is booked" in response.content.decode()
    assert "Your seat is confirmed." in response.content.decode()
    booking = Booking.objects.get(event=event, person=member_user)
    assert booking.is_confirmed and booking.organisation == organisation


def test_the_booking_post_runs_a_fixed_number_of_queries(
    client, organisation, member_user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    first, second = EventFactory(), EventFactory()
    client.force_login(member_user)
    # session, user, the event (visibility), memberships (header; the booking service takes the membership from
    # there); savepoint, the event locked with its dates, the three counts, the booking, its history row, the
    # seat counter, release; the session's flash message (one update). The consent was
    # remembered at login. With a broker (no eager tasks) the outbox adds its row, nothing after commit (the
    # worker's relay hands it over). The mail task is not run.
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(12):
        response = client.post(reverse("events:book", args=[first.pk]))
    assert response.status_code == 302
    assert Booking.objects.get(event=first, person=member_user).is_confirmed
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(12):
        response = client.post(reverse("events:book", args=[second.pk]))
    assert response.status_code == 302
    assert Booking.objects.get(event=second, person=member_user).is_confirmed


def test_booking_a_full_event_puts_on_the_waiting_list_with_position(client, organisation, admin_user, member_user):
    event = EventFactory(capacity=1)
    book(event, admin_user, organisation)
    ahead = make_person()
    organisation.memberships.create(user=ahead)
    book(event, ahead, organisation)  # waits first
    client.force_login(member_user)
    response = client.post(reverse("events:book", args=[event.pk]), follow=True)
    content = response.content.decode()
    assert "you are on the waiting list at position 2" in content
    assert "You are on the waiting list, position 2." in content


@pytest.mark.parametrize(
    ("make_event", "message"),
    [
        (lambda: EventFactory(status=Event.Status.CANCELLED, cancelled_at=timezone.now()), "has been cancelled"),
        (lambda: EventFactory(dates=[(soon(-2), soon(-2, hour=16))]), "has already begun or taken place"),
        (lambda: EventFactory(capacity=1, waiting_list_enabled=False), "This event is fully booked."),
    ],
)
def test_bad_bookings_get_a_clear_message_and_nothing_is_booked(
    client, organisation, admin_user, member_user, make_event, message
):
    event = make_event()
    if event.capacity == 1:
        book(event, admin_user, organisation)
    before = Booking.objects.count()
    client.force_login(member_user)
    response = client.post(reverse("events:book", args=[event.pk]), follow=True)
    assert message in response.content.decode()
    assert Booking.objects.count() == before


def test_pending_organisation_sees_an_explanation_not_the_form(client):
    person = make_person()
    OrganisationFactory(members=[person], status=Organisation.Status.PENDING, name="Neuer Verein e.V.")
    event = EventFactory()
    client.force_login(person)
    content = client.get(event.get_absolute_url()).content.decode()
    assert "Neuer Verein e.V. waits for approval" in content
    assert reverse("events:book", args=[event.pk]) not in content
    response = client.post(reverse("events:book", args=[event.pk]), follow=True)
    assert "once the VAMOs team has approved it" in response.content.decode()
    assert not Booking.objects.exists()


def test_person_without_organisation_is_told_to_register_one(client):
    person = make_person()
    event = EventFactory()
    client.force_login(person)
    content = client.get(event.get_absolute_url()).content.decode()
    assert "Register your organisation or join one" in content
    response = client.post(reverse("events:book", args=[event.pk]), follow=True)
    assert "Please register your organisation" in response.content.decode()
    assert not Booking.objects.exists()


def test_admin_books_several_colleagues_and_sees_each_outcome(client, organisation, admin_user, member_user):
    second = make_person(first_name="Zweite", last_name="Person")
    organisation.memberships.create(user=second)
    event = EventFactory(capacity=1)
    client.force_login(admin_user)
    content = client.get(event.get_absolute_url()).content.decode()
    assert "Book for colleagues" in content
    assert "<legend" in content
    assert "Zweite Person" in content and member_user.get_full_name() in content  # both can be chosen
    assert "have booked this event already" not in content
    response = client.post(reverse("events:book_colleagues", args=[event.pk]), {"people": [member_user.pk, second.pk]})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Your colleagues&#x27; bookings" in content or "Your colleagues' bookings" in content
    assert "confirmed" in content and "waiting list" in content
    statuses = dict(Booking.objects.values_list("person_id", "status"))
    assert statuses == {member_user.pk: "confirmed", second.pk: "waiting"}
    content = client.get(event.get_absolute_url()).content.decode()
    assert "All members of your organisation have booked this event already." in content


def test_admin_cannot_book_a_person_outside_the_organisation(client, organisation, admin_user):
    stranger = make_person()
    OrganisationFactory(members=[stranger])
    event = EventFactory()
    client.force_login(admin_user)
    response = client.post(reverse("events:book_colleagues", args=[event.pk]), {"people": [stranger.pk]})
    assert response.status_code == 400
    assert "is not a member of your organisation who can still be booked" in response.content.decode()
    assert not Booking.objects.exists()


def test_the_colleagues_chosen_stay_chosen_when_the_form_comes_back(client, organisation, admin_user, member_user):
    """One valid and one foreign id: the page says why and keeps the valid colleague ticked, each box labelled."""
    stranger = make_person()
    OrganisationFactory(members=[stranger])
    event = EventFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("events:book_colleagues", args=[event.pk]), {"people": [str(member_user.pk), str(stranger.pk)]}
    )

    assert response.status_code == 400
    content = response.content.decode()
    boxes = re.findall(r'<input type="checkbox" name="people" value="(\d+)"[^>]*\sid="([^"]+)"([^>]*)>', content)
    assert boxes == [(str(member_user.pk), "id_people_0", ' aria-invalid="true" checked')]
    assert f'<label class="form-check-label" for="id_people_0">{member_user.get_full_name()}</label>' in content
    assert not Booking.objects.exists()


def test_admin_must_choose_someone(client, organisation, admin_user):
    event = EventFactory()
    client.force_login(admin_user)
    response = client.post(reverse("events:book_colleagues", args=[event.pk]), {})
    assert response.status_code == 400
    assert "Please choose at least one colleague." in response.content.decode()


def test_member_cannot_book_colleagues(client, organisation, admin_user, member_user):
    event = EventFactory()
    client.force_login(member_user)
    assert "Book for colleagues" not in client.get(event.get_absolute_url()).content.decode()
    response = client.post(reverse("events:book_colleagues", args=[event.pk]), {"people": [admin_user.pk]})
    assert response.status_code == 403
    assert not Booking.objects.exists()


# ---- cancelling ------------------------------------------------------------------------------------------------------


def test_cancel_asks_first_then_promotes_the_waiting(client, organisation, admin_user, member_user):
    event = EventFactory(capacity=1)
    first = book(event, admin_user, organisation)
    second = book(event, member_user, organisation)
    client.force_login(admin_user)
    url = reverse("events:cancel", args=[first.pk])
    response = client.get(url)
    assert "Yes, cancel the booking" in response.content.decode()
    first.refresh_from_db()
    assert first.is_confirmed  # a GET changes nothing
    response = client.post(url, {"next": reverse("events:my_bookings")})
    assert response.status_code == 302 and response["Location"] == reverse("events:my_bookings")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_cancelled and second.is_confirmed


def test_cancel_after_the_deadline_is_refused_with_the_reason(client, organisation, member_user):
    event = EventFactory(cancellation_deadline=timezone.now() + timedelta(hours=1))
    booking = book(event, member_user, organisation)
    Event.objects.filter(pk=event.pk).update(cancellation_deadline=timezone.now() - timedelta(hours=1))
    client.force_login(member_user)
    url = reverse("events:cancel", args=[booking.pk])
    assert "The cancellation deadline" in client.get(url).content.decode()
    assert "The cancellation deadline" in client.get(event.get_absolute_url()).content.decode()
    response = client.post(url)
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.is_confirmed


def test_cancel_rejects_an_outside_next_url(client, organisation, member_user):
    booking = book(EventFactory(), member_user, organisation)
    client.force_login(member_user)
    response = client.post(reverse("events:cancel", args=[booking.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == booking.event.get_absolute_url()


# ---- bookings lists --------------------------------------------------------------------------------------------------


def _many_bookings(person, organisation, count=55):
    for number in range(count):
        days = 5 + number if number % 2 else -5 - number
        event = EventFactory(dates=[(soon(days), soon(days, hour=12))], capacity=5)
        Booking.objects.create(
            event=event, person=person, organisation=organisation, booked_by=person, status=Booking.Status.CONFIRMED
        )


def test_my_bookings_splits_upcoming_and_past_in_pages_with_constant_queries(
    client, organisation, member_user, django_assert_num_queries
):
    _many_bookings(member_user, organisation)
    client.force_login(member_user)
    # session, user, upcoming and past: a page each with the count of all in it, the pages' dates, memberships of
    # the header
    with django_assert_num_queries(6):
        response = client.get(reverse("events:my_bookings"))
    upcoming, past = response.context["upcoming"], response.context["past"]
    assert (len(upcoming.items), upcoming.page.paginator.count) == (20, 27)
    assert (len(past.items), past.page.paginator.count) == (20, 28)
    starts = [booking.event.first_start for booking in upcoming.items]
    assert starts == sorted(starts)  # soonest first
    starts = [booking.event.first_start for booking in past.items]
    assert starts == sorted(starts, reverse=True)  # latest first
    # Each list has its own page links, and a link of one keeps the page the other shows.
    content = response.content.decode()
    assert 'href="?page=2#past-heading"' in content
    assert 'href="?upcoming_page=2#upcoming-heading"' in content
    response = client.get(reverse("events:my_bookings"), {"page": "2", "upcoming_page": "2"})
    upcoming, second_past = response.context["upcoming"], response.context["past"]
    assert (len(upcoming.items), len(second_past.items)) == (7, 8)
    assert {b.pk for b in second_past.items}.isdisjoint({b.pk for b in past.items})
    content = response.content.decode()
    assert 'href="?upcoming_page=2&amp;page=1#past-heading"' in content
    assert 'href="?page=2&amp;upcoming_page=1#upcoming-heading"' in content


def _items(html: str) -> list[str]:
    return re.findall(r'<li class="booking-item.*?</li>', html, re.S)


def test_each_booking_says_its_event_dates_state_and_how_to_cancel(client, organisation, admin_user, member_user):
    confirmed = book(EventFactory(title="Vereinsrecht kompakt", capacity=1), member_user, organisation)
    waiting = book(confirmed.event, admin_user, organisation)
    book(EventFactory(title="Zweiter Termin", capacity=5), admin_user, organisation)
    called_off = book(EventFactory(title="Abgesagt & vorbei", capacity=5), member_user, organisation)
    services.event_cancel(event=called_off.event, message="Krank.", by=make_person(is_staff=True))
    client.force_login(member_user)

    mine = _items(client.get(reverse("events:my_bookings")).content.decode())

    assert len(mine) == 2
    first = next(item for item in mine if "Vereinsrecht kompakt" in item)
    assert f'<a href="{confirmed.event.get_absolute_url()}">Vereinsrecht kompakt</a>' in first
    assert '<span class="visually-hidden">Date: </span><time datetime=' in first
    assert f"{confirmed.event.get_format_display().capitalize()} · {organisation.name}" in first
    assert '<span class="badge text-bg-success">confirmed</span>' in first
    cancel = reverse("events:cancel", args=[confirmed.pk]) + "?next=" + reverse("events:my_bookings")
    hidden = '<span class="visually-hidden"> – Vereinsrecht kompakt</span>'
    assert f'<a class="ms-2" href="{cancel}">Cancel{hidden}</a>' in first
    other = next(item for item in mine if "Abgesagt" in item)
    assert "Abgesagt &amp; vorbei" in other and "event cancelled" in other and "stornieren" not in other

    client.force_login(admin_user)
    url = reverse("events:organisation_bookings", args=[organisation.pk])
    client.get(url)  # the consent, remembered
    everyone = _items(client.get(url).content.decode())
    line = next(item for item in everyone if reverse("events:cancel", args=[waiting.pk]) in item)
    assert '<span class="badge text-bg-warning">waiting list, position 1</span>' in line
    assert f"· {admin_user.get_full_name()}</p>" in line
    hidden = f'<span class="visually-hidden"> – Vereinsrecht kompakt, {admin_user.get_full_name()}</span>'
    assert f"Leave the waiting list{hidden}" in line
    assert len(everyone) == 4


def test_booking_rows_speak_the_language_of_each_request(client, organisation, admin_user, member_user):
    """The rows' fixed texts are translated once per language and process: a German page after an English one (and
    back) says everything in its own language."""
    event = EventFactory(capacity=1)
    book(event, member_user, organisation)
    book(event, admin_user, organisation)
    client.force_login(admin_user)
    pages = {}
    for language in ("en", "de", "en"):
        admin_user.language = language
        admin_user.save(update_fields=["language"])
        pages.setdefault(language, []).append("".join(_items(client.get(reverse("events:my_bookings")).text)))
    assert pages["en"][0] == pages["en"][1]
    assert "waiting list, position 1" in pages["en"][0] and "Leave the waiting list" in pages["en"][0]
    assert "Warteliste, Platz 1" in pages["de"][0] and "Warteliste verlassen" in pages["de"][0]


def test_my_bookings_answers_a_page_that_does_not_exist_with_the_nearest_and_a_notice(
    client, organisation, member_user
):
    _many_bookings(member_user, organisation)
    client.force_login(member_user)
    for asked, shown in (("9", 2), ("zwei", 1), ("-1", 2)):
        response = client.get(reverse("events:my_bookings"), {"page": asked})
        assert response.status_code == 200
        assert response.context["past"].page.number == shown
        assert f"There is no page {asked}; you see page {shown}." in response.content.decode()


def test_organisation_bookings_admins_see_all_members_their_own(
    client, organisation, admin_user, member_user, django_assert_num_queries
):
    _many_bookings(member_user, organisation)
    _many_bookings(admin_user, organisation, count=3)
    url = reverse("events:organisation_bookings", args=[organisation.pk])
    client.force_login(admin_user)
    client.get(url)  # the first request of a session checks the consent and remembers it in the session
    # session, user, memberships (access and header), upcoming and past: a page each with the count of all in it,
    # the pages' dates
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.context["upcoming"].page.paginator.count + response.context["past"].page.paginator.count == 58
    assert len(response.context["upcoming"].items) == 20
    assert len(response.context["past"].items) == 20
    client.force_login(member_user)
    response = client.get(url)
    assert response.context["upcoming"].page.paginator.count + response.context["past"].page.paginator.count == 55
    assert "You see your own bookings" in response.content.decode()


# ---- attendance ------------------------------------------------------------------------------------------------


@pytest.fixture
def running_event(organisation, admin_user, member_user):
    trainer = make_person(first_name="Tina", last_name="Trainerin")
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    event = EventFactory(trainers=[trainer], dates=[(start, start + timedelta(hours=6))])
    book(event, admin_user, organisation)
    book(event, member_user, organisation)
    Event.objects.filter(pk=event.pk).update()  # nothing else changes
    return event, trainer


def _today_date(event):
    """Moves the event's date to now, so attendance can be taken."""
    event_date = event.dates.get()
    now = timezone.now()
    event_date.start, event_date.end = now - timedelta(minutes=30), now + timedelta(hours=2)
    event_date.save()
    return event_date


def test_trainer_marks_attendance_without_javascript(client, running_event, member_user):
    event, trainer = running_event
    event_date = _today_date(event)
    booking = Booking.objects.get(event=event, person=member_user)
    client.force_login(trainer)
    page = reverse("events:attendance", args=[event_date.pk])
    content = client.get(page).content.decode()
    assert 'aria-live="polite"' in content
    assert "0 of 2 present" in content
    response = client.post(reverse("events:attendance_mark", args=[event_date.pk, booking.pk]), {"present": "1"})
    assert response.status_code == 302 and response["Location"].startswith(page)
    assert Attendance.objects.get(booking=booking).present is True
    assert "1 of 2 present" in client.get(page).content.decode()


def test_trainer_marks_attendance_with_htmx_gets_the_row_and_count(client, running_event, member_user):
    event, trainer = running_event
    event_date = _today_date(event)
    booking = Booking.objects.get(event=event, person=member_user)
    client.force_login(trainer)
    url = reverse("events:attendance_mark", args=[event_date.pk, booking.pk])
    response = client.post(url, {"present": "0"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="participant-{booking.pk}"' in content
    assert 'hx-swap-oob="innerHTML"' in content and "0 of 2 present" in content and "1 absent" in content
    assert Attendance.objects.get(booking=booking).present is False


def test_attendance_before_the_day_is_refused_clearly(client, running_event, member_user):
    event, trainer = running_event
    event_date = event.dates.get()
    event_date.start += timedelta(days=3)
    event_date.end += timedelta(days=3)
    event_date.save()
    booking = Booking.objects.get(event=event, person=member_user)
    client.force_login(trainer)
    url = reverse("events:attendance_mark", args=[event_date.pk, booking.pk])
    response = client.post(url, {"present": "1"}, headers={"HX-Request": "true"})
    assert "Attendance can be taken from the day of the date on." in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_bad_input(client, running_event, member_user):
    event, trainer = running_event
    event_date = _today_date(event)
    booking = Booking.objects.get(event=event, person=member_user)
    client.force_login(trainer)
    url = reverse("events:attendance_mark", args=[event_date.pk, booking.pk])
    response = client.post(url, {"present": "maybe"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    other = book(EventFactory(), member_user, booking.organisation)
    assert client.post(reverse("events:attendance_mark", args=[event_date.pk, other.pk])).status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_page_query_count_is_constant(client, organisation, django_assert_num_queries):
    trainer = make_person()
    event = EventFactory(trainers=[trainer], capacity=80)
    for _ in range(55):
        person = make_person()
        organisation.memberships.create(user=person)
        book(event, person, organisation)
    client.force_login(trainer)
    url = reverse("events:attendance", args=[event.dates.get().pk])
    # session, user, date (+ event), its trainers (which answer the trainer check), participants, memberships
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["participants"]) == 55


def test_attendance_overview_lists_the_trainers_dates(client, running_event, staff_user):
    event, trainer = running_event
    client.force_login(trainer)
    response = client.get(reverse("events:attendance_overview"))
    assert event.title in response.content.decode()
    assert reverse("events:attendance", args=[event.dates.get().pk]) in response.content.decode()
