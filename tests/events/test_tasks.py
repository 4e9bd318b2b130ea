import pytest
from django.core import mail

from events import services, tasks
from events.models import Booking, EventMail
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory

from .conftest import make_person
from .factories import EventFactory, OnlineEventFactory

pytestmark = pytest.mark.django_db

LINK = "https://meet.vamos.example/room-42"


@pytest.fixture
def club():
    return OrganisationFactory(name="Kulturbrücke e.V.")


def join(organisation, **kwargs):
    person = make_person(**kwargs)
    Membership.objects.create(user=person, organisation=organisation)
    return person


def book(event, person, organisation, callbacks):
    with callbacks(execute=True):
        return services.booking_create(event=event, person=person, organisation=organisation, booked_by=person)


def ics_of(message) -> str:
    files = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(files) == 1
    content = files[0][1]
    return content.decode() if isinstance(content, bytes) else content


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_confirmed_mail_in_english_carries_the_link_and_the_ics(club, django_capture_on_commit_callbacks):
    event = OnlineEventFactory(title_de="Fördermittel beantragen", title_en="Applying for funding")
    person = join(club, language="en")

    book(event, person, club, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert message.subject == "[VAMOs] Your seat at “Applying for funding” is confirmed"
    assert LINK in message.body and LINK in html_of(message)
    assert "Kulturbrücke e.V." in message.body
    assert 'lang="en"' in html_of(message)
    calendar = ics_of(message)
    assert "SUMMARY:Applying for funding" in calendar
    assert LINK in calendar.replace("\r\n ", "")
    assert EventMail.objects.filter(kind=EventMail.Kind.CONFIRMED).count() == 1


def test_mail_follows_the_persons_language(club, django_capture_on_commit_callbacks):
    event = EventFactory(title_de="Fördermittel beantragen", title_en="Applying for funding")
    person = join(club, language="de")

    book(event, person, club, django_capture_on_commit_callbacks)

    message = mail.outbox[0]
    assert "Fördermittel beantragen" in message.subject
    assert "Applying for funding" not in message.body
    assert 'lang="de"' in html_of(message)
    assert "SUMMARY:Fördermittel beantragen" in ics_of(message)


def test_waiting_list_mail_has_the_position_and_no_link(club, django_capture_on_commit_callbacks):
    event = OnlineEventFactory(capacity=1)
    first, second, third = (join(club) for _ in range(3))
    for person in (first, second, third):
        book(event, person, club, django_capture_on_commit_callbacks)

    waiting_mail = mail.outbox[2]
    assert waiting_mail.to == [third.email]
    assert "waiting list" in waiting_mail.subject
    assert "position 2" in waiting_mail.body
    assert LINK not in waiting_mail.body
    assert LINK not in html_of(waiting_mail)
    assert not waiting_mail.attachments


def test_promotion_mail_gives_the_link_to_the_promoted_person(club, django_capture_on_commit_callbacks):
    event = OnlineEventFactory(capacity=1)
    first, second = join(club), join(club)
    booking = book(event, first, club, django_capture_on_commit_callbacks)
    book(event, second, club, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=first)

    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {first.email, second.email}
    promoted = by_person[second.email]
    assert "you have a seat" in promoted.subject
    assert LINK in promoted.body
    assert LINK in ics_of(promoted).replace("\r\n ", "")
    cancelled = by_person[first.email]
    assert "is cancelled" in cancelled.subject
    assert LINK not in cancelled.body


def test_cancellation_by_an_admin_says_who_cancelled(django_capture_on_commit_callbacks):
    admin = make_person(first_name="Kemal", last_name="Aksoy")
    club = OrganisationFactory(admins=[admin])
    person = join(club)
    booking = book(EventFactory(), person, club, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=admin)

    assert "Kemal Aksoy cancelled it for you." in mail.outbox[-1].body


def test_event_cancelled_mail_reaches_booked_and_waiting_people_with_the_message(
    club, staff_user, django_capture_on_commit_callbacks
):
    event = OnlineEventFactory(capacity=1)
    confirmed, waiting = join(club), join(club)
    book(event, confirmed, club, django_capture_on_commit_callbacks)
    book(event, waiting, club, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, message="Die Referentin ist leider erkrankt.", by=staff_user)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([confirmed.email, waiting.email])
    for message in mail.outbox:
        assert message.subject.startswith("[VAMOs] Cancelled:")
        assert "Die Referentin ist leider erkrankt." in message.body
        assert LINK not in message.body
        assert "STATUS:CANCELLED" in ics_of(message)


def test_change_mail_link_only_for_confirmed(club, django_capture_on_commit_callbacks):
    event = OnlineEventFactory(capacity=1)
    confirmed, waiting = join(club), join(club)
    book(event, confirmed, club, django_capture_on_commit_callbacks)
    book(event, waiting, club, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_notify_change(event=event, what=["dates", "venue"])

    by_person = {message.to[0]: message for message in mail.outbox}
    assert "date and time, place" in by_person[confirmed.email].body
    assert LINK in by_person[confirmed.email].body
    assert "SEQUENCE:1" in ics_of(by_person[confirmed.email])
    assert LINK not in by_person[waiting.email].body
    assert "position 1" in by_person[waiting.email].body
    assert not by_person[waiting.email].attachments

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_notify_change(event=event, what=["dates"])
    assert len(mail.outbox) == 2  # a second change is told again


def test_running_a_mail_task_twice_sends_once(club, django_capture_on_commit_callbacks):
    person = join(club)
    booking = book(EventFactory(), person, club, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    tasks.send_booking_mail.delay(booking.pk, EventMail.Kind.CONFIRMED)
    tasks.send_booking_mail.delay(booking.pk, EventMail.Kind.CONFIRMED, 0, [])

    assert len(mail.outbox) == 1
    assert EventMail.objects.filter(booking=booking).count() == 1


def test_a_mail_whose_news_is_stale_is_not_sent(club):
    person = join(club)
    booking = services.booking_create(event=EventFactory(), person=person, organisation=club, booked_by=person)
    services.booking_cancel(booking=booking, by=person)  # before the worker ran the confirmation

    tasks.send_booking_mail.delay(booking.pk, EventMail.Kind.CONFIRMED)
    tasks.send_booking_mail.delay(booking.pk, EventMail.Kind.CANCELLED)

    assert [m.subject for m in mail.outbox] == [f"[VAMOs] Your booking for “{booking.event.title}” is cancelled"]


def test_a_failed_send_is_not_recorded_and_a_retry_sends(club, monkeypatch):
    person = join(club)
    booking = services.booking_create(event=EventFactory(), person=person, organisation=club, booked_by=person)

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(tasks, "send_templated_mail", broken)
    with pytest.raises(OSError, match="SMTP down"):
        tasks.send_booking_mail.run(booking.pk, EventMail.Kind.CONFIRMED)
    assert not EventMail.objects.exists()

    monkeypatch.undo()
    tasks.send_booking_mail.run(booking.pk, EventMail.Kind.CONFIRMED)
    assert len(mail.outbox) == 1
    assert EventMail.objects.get().kind == EventMail.Kind.CONFIRMED


def test_unknown_and_anonymous_bookings_are_skipped(club):
    person = join(club)
    booking = services.booking_create(event=EventFactory(), person=person, organisation=club, booked_by=person)
    Booking.objects.filter(pk=booking.pk).update(person=None)

    tasks.send_booking_mail.run(booking.pk, EventMail.Kind.CONFIRMED)
    tasks.send_booking_mail.run(999999, EventMail.Kind.CONFIRMED)
    assert mail.outbox == []
