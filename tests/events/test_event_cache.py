"""The event page keeps the event with its dates, topics, trainers and contact in the cache (events.cache): whatever
staff or anyone else change must show on the next visit, and the seats and waiting list are always current."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from academy.models import Topic
from events import services
from events.cache import EVENT_VERSION_KEY, event_get
from events.models import Event, EventDate

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory, soon

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client, event) -> str:
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def event():
    trainer = make_person(first_name="Tina", last_name="Trainerin")
    event = EventFactory(title="Vereinsrecht", capacity=2, trainers=[trainer], topics=[Topic.objects.first()])
    event.contact = make_person(first_name="Carla", last_name="Kontakt", email="carla@example.org")
    event.save()
    return event


def test_changes_to_the_event_show_on_the_next_visit(client, event):
    _page(client, event)  # cached from here on

    event.title_de = "Vereinsrecht kompakt"
    event.save()
    assert "Vereinsrecht kompakt" in _page(client, event)

    Event.objects.filter(pk=event.pk).update(city="Hamburg", updated_at=timezone.now() + timedelta(seconds=1))
    assert "Hamburg" in _page(client, event)  # no signal, but a newer row


def test_changes_to_dates_topics_trainers_and_names_show_on_the_next_visit(client, event):
    _page(client, event)

    date = event.dates.get()
    date.start, date.end = soon(30, hour=9), soon(30, hour=17)
    date.save()
    assert timezone.localtime(date.start).strftime("%d.%m.%Y, 09:00") in _page(client, event)

    EventDate.objects.create(event=event, start=soon(31, hour=9), end=soon(31, hour=17))
    assert timezone.localtime(soon(31, hour=9)).strftime("%d.%m.%Y") in _page(client, event)

    topic = event.topics.get()
    topic.name_en = "A new name"
    topic.save()
    assert "A new name" in _page(client, event)
    event.topics.add(Topic.objects.exclude(pk=topic.pk).first())
    assert len(re.findall(r'class="badge text-bg-light border">', _page(client, event))) == 4  # kind, format, 2 topics

    trainer = event.trainers.get()
    trainer.last_name = "Umbenannt"
    trainer.save()
    assert "Tina Umbenannt" in _page(client, event)
    event.trainers.add(make_person(first_name="Zweite", last_name="Referentin"))
    assert "Zweite Referentin" in _page(client, event)

    event.contact.email = "neu@example.org"
    event.contact.save()
    assert "mailto:neu@example.org" in _page(client, event)


def test_seats_waiting_list_and_cancellation_are_always_current(client, event, organisation, member_user, admin_user):
    assert "2 seats left" in _page(client, event)

    services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    assert "1 seat left" in _page(client, event)
    services.booking_create(event=event, person=admin_user, organisation=organisation, booked_by=admin_user)
    other = make_person()
    organisation.memberships.create(user=other)
    services.booking_create(event=event, person=other, organisation=organisation, booked_by=other)
    html = _page(client, event)
    assert "Fully booked – waiting list" in html and "1 person on the waiting list" in html

    services.event_cancel(event=event, message="Die Referentin ist krank.", by=make_person(is_staff=True))
    assert "This event has been cancelled." in _page(client, event)


def test_a_draft_is_hidden_again_at_once_and_a_deleted_event_is_gone(client, event, staff_user):
    _page(client, event)
    event.status = Event.Status.DRAFT
    event.save()
    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(staff_user)
    assert "draft" in _page(client, event)

    url = event.get_absolute_url()
    event.delete()
    assert client.get(url).status_code == 404


def test_a_second_visit_reads_the_seats_and_waiting_list_only(client, event, django_assert_num_queries):
    _page(client, event)
    with django_assert_num_queries(1):  # anonymous: the event's seats, updated_at and waiting list
        _page(client, event)


def test_logging_in_does_not_empty_the_event_cache(client, event):
    """Every login saves the person's last_login: that is no change to any event page."""
    person = make_person()
    _page(client, event)
    version = cache.get(EVENT_VERSION_KEY)
    client.force_login(person)
    user_logged_in.send(sender=type(person), request=None, user=person)

    assert cache.get(EVENT_VERSION_KEY) == version


def test_the_cache_keeps_names_of_trainers_and_contact_not_their_accounts(client, event):
    """Only what the page shows of a person is read and kept (in Redis in production): no password hash."""
    _page(client, event)
    _version, kept = event_get(event.pk)

    for person in (kept.contact, *kept.trainers.all()):
        assert {"password", "last_login", "is_staff"} <= person.get_deferred_fields()
        assert person.get_full_name()


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_event_page_looks_the_same_to_each_viewer_with_the_memo_as_without_it(
    language, settings, organisation, member_user, admin_user, staff_user
):
    """The description, dates, place and facts are kept per process ({% memo %}) for everyone alike but for two
    flags: whether the viewer takes attendance (trainers, staff) and sees the online link (confirmed people). Each
    viewer reads the page from one memo in turn; a flag missing from its key would show one viewer's part to
    another."""
    trainer = make_person()
    event = OnlineEventFactory(capacity=5, trainers=[trainer])
    services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    viewers = {"visitor": None, "participant": member_user, "colleague": admin_user, "trainer": trainer}
    viewers["staff"] = staff_user
    clients = {}
    for name, person in viewers.items():
        clients[name] = Client()
        clients[name].cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if person is not None:
            clients[name].force_login(person)
    with override_settings(LAYOUT_MEMO=False):
        plain = {name: client.get(event.get_absolute_url()).content.decode() for name, client in clients.items()}

    for _round in range(2):
        for name, client in clients.items():
            html = client.get(event.get_absolute_url()).content.decode()
            assert CSRF.sub("", html) == CSRF.sub("", plain[name]), name
    assert event.online_link in plain["participant"] and event.online_link not in plain["colleague"]
    attendance = reverse("events:attendance", args=[event.dates.get().pk])
    assert attendance in plain["trainer"] and attendance not in plain["participant"]
