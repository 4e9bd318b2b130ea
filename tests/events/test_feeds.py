"""The personal calendar feed: a secret, revocable address that lists academy.calendar's entries."""

import pytest
from django.urls import reverse

from academy.models import CalendarFeedToken
from academy.services import calendar_feed_token_rotate
from events import services

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def feed_url(token: CalendarFeedToken) -> str:
    return reverse("events:calendar_feed", args=[token.token])


def test_person_creates_the_link_and_the_feed_lists_their_bookings(client, organisation, member_user, admin_user):
    booked = EventFactory(title="Gebucht")
    EventFactory(title="Nicht gebucht")
    online = OnlineEventFactory(title="Online gebucht", capacity=1)
    services.booking_create(event=online, person=admin_user, organisation=organisation, booked_by=admin_user)
    services.booking_create(event=booked, person=member_user, organisation=organisation, booked_by=member_user)
    services.booking_create(event=online, person=member_user, organisation=organisation, booked_by=member_user)
    client.force_login(member_user)
    page = client.get(reverse("events:calendar"))
    assert "Create my calendar link" in page.content.decode()
    response = client.post(reverse("events:calendar_rotate"), follow=True)
    token = CalendarFeedToken.objects.get(user=member_user)
    content = response.content.decode()
    assert token.token in content
    assert "readonly" in content and '<label for="feed-url"' in content

    client.logout()  # calendar programs have no session
    feed = client.get(feed_url(token))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:Gebucht" in body
    assert "Nicht gebucht" not in body
    assert "Waiting list: Online gebucht" in body
    assert online.online_link not in body  # waiting, not confirmed


def test_new_link_revokes_the_old(client, member_user):
    old = calendar_feed_token_rotate(user=member_user)
    client.force_login(member_user)
    response = client.post(reverse("events:calendar_rotate"), follow=True)
    assert "The old link no longer works" in response.content.decode()
    new = CalendarFeedToken.objects.get(user=member_user, revoked_at__isnull=True)
    assert new.token != old.token
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200
    assert CalendarFeedToken.objects.filter(user=member_user).count() == 2


def test_unknown_token_is_404(client):
    assert client.get(reverse("events:calendar_feed", args=["not-a-token"])).status_code == 404


def test_inactive_persons_feed_is_404(client):
    person = make_person()
    token = calendar_feed_token_rotate(user=person)
    person.is_active = False
    person.save()
    assert client.get(feed_url(token)).status_code == 404


def test_rotate_needs_post_and_login(client, member_user):
    response = client.post(reverse("events:calendar_rotate"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(member_user)
    assert client.get(reverse("events:calendar_rotate")).status_code == 405
    assert not CalendarFeedToken.objects.exists()


def test_feed_query_count_is_constant(client, organisation, member_user, django_assert_num_queries):
    for _ in range(55):
        event = EventFactory(capacity=5)
        services.booking_create(event=event, person=member_user, organisation=organisation, booked_by=member_user)
    token = calendar_feed_token_rotate(user=member_user)
    # token and owner, bookings, their dates, coaching sessions
    with django_assert_num_queries(4):
        body = client.get(feed_url(token)).content.decode()
    assert body.count("BEGIN:VEVENT") == 55
