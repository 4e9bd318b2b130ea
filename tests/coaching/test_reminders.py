"""Coaching session reminders: 24 h ahead, to the coach and the organisation's admins, once per session time."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext

from academy.models import SentReminder
from academy.reminders import reminders_decide
from academy.tasks import reminder_send, reminders_dispatch
from coaching import reminders, services
from coaching.models import Format, Session

LINK = "https://meet.example.org/vamos-abc"
PLACE = "Vereinsheim, Hauptstraße 1, Berlin"
INTRO = "a reminder of tomorrow's coaching session:"


def _session(case, *, hours: float, **fields) -> Session:
    start = timezone.now() + timedelta(hours=hours)
    fields.setdefault("status", Session.Status.CONFIRMED)
    fields.setdefault("format", Format.ONLINE)
    fields.setdefault("meeting_link", LINK if fields["format"] == Format.ONLINE else "")
    fields.setdefault("place", PLACE if fields["format"] == Format.IN_PERSON else "")
    if fields["status"] == Session.Status.CANCELLED:
        fields.setdefault("cancelled_at", timezone.now())
    return Session.objects.create(
        case=case, coach_id=case.coach_id, start=start, end=start + timedelta(hours=1), **fields
    )


def _dispatch(capture):
    with capture(execute=True):
        reminders_dispatch()


def _by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def _weekday(start, language):
    """The weekday the mail names: the session's in Berlin (23:30 UTC is already the next day there)."""
    with translation.override(language), timezone.override("Europe/Berlin"):
        return dateformat.format(timezone.localtime(start), "l")


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.outbox.clear()


@pytest.mark.django_db
def test_confirmed_online_session_reminds_coach_and_admin_each_in_their_language(
    assigned_case, coach, org_admin, org_member, django_capture_on_commit_callbacks
):
    coach.user.language = "de"
    coach.user.save(update_fields=["language"])
    assert org_admin.language == "en"
    session = _session(assigned_case, hours=23)
    mail.outbox.clear()

    _dispatch(django_capture_on_commit_callbacks)

    messages = _by_recipient()
    assert set(messages) == {coach.user.email, org_admin.email}  # not the plain member
    assert len(mail.outbox) == 2
    for message in messages.values():
        assert LINK in message.body
        assert LINK in message.alternatives[0][0]
    assert f"/{assigned_case.pk}/" in messages[coach.user.email].body
    # each in the recipient's language: the (Django-translated) weekday and the template's phrase
    english, german = messages[org_admin.email], messages[coach.user.email]
    assert _weekday(session.start, "en") in english.body
    assert _weekday(session.start, "de") in german.body
    assert INTRO in english.body
    with translation.override("de"):
        assert gettext(INTRO) in german.body
    if _weekday(session.start, "en") != _weekday(session.start, "de"):
        assert _weekday(session.start, "en") not in german.body
    keys = set(SentReminder.objects.values_list("kind", "subject_key", "status"))
    assert keys == {(reminders.SESSION, f"session-{session.pk}-{session.sequence}", SentReminder.Status.SENT)}


@pytest.mark.django_db
def test_in_person_session_names_the_place(assigned_case, django_capture_on_commit_callbacks):
    _session(assigned_case, hours=20, format=Format.IN_PERSON)
    _dispatch(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert PLACE in message.body
        assert LINK not in message.body


@pytest.mark.django_db
def test_dispatch_twice_sends_nothing_more(assigned_case, django_capture_on_commit_callbacks):
    session = _session(assigned_case, hours=23)
    _dispatch(django_capture_on_commit_callbacks)
    _dispatch(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    for row in SentReminder.objects.all():
        reminder_send(row.pk)  # a duplicated send task
    assert len(mail.outbox) == 2
    assert SentReminder.objects.filter(subject_key=f"session-{session.pk}-{session.sequence}").count() == 2


@pytest.mark.django_db
def test_cancelled_or_proposed_session_gets_no_reminder(assigned_case, django_capture_on_commit_callbacks):
    _session(assigned_case, hours=10, status=Session.Status.CANCELLED)
    _session(assigned_case, hours=15, status=Session.Status.PROPOSED)
    _dispatch(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not SentReminder.objects.filter(kind=reminders.SESSION).exists()


@pytest.mark.django_db
def test_session_cancelled_after_the_decision_is_skipped(assigned_case, staff, django_capture_on_commit_callbacks):
    session = _session(assigned_case, hours=23)
    with django_capture_on_commit_callbacks(execute=False):
        reminders_dispatch()
    services.session_cancel(session=session, by=staff, reason="ill")
    mail.outbox.clear()
    for row in SentReminder.objects.all():
        reminder_send(row.pk)
    assert mail.outbox == []
    assert set(SentReminder.objects.values_list("status", flat=True)) == {SentReminder.Status.SKIPPED}


@pytest.mark.django_db
def test_session_further_than_24_hours_is_not_reminded_yet(assigned_case, django_capture_on_commit_callbacks):
    session = _session(assigned_case, hours=25)
    _dispatch(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    # … but it is once the 24 hours are reached (a later beat)
    later = timezone.now() + timedelta(hours=2)
    assert {key for _user, key in reminders.due(later)} == {f"session-{session.pk}-{session.sequence}"}
    with django_capture_on_commit_callbacks(execute=False):
        assert len(reminders_decide(now=later)) == 2


@pytest.mark.django_db
def test_past_session_is_not_reminded(assigned_case, django_capture_on_commit_callbacks):
    _session(assigned_case, hours=-1)
    _dispatch(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_moved_session_is_reminded_again_for_its_new_time(
    assigned_case, coach, org_admin, staff, django_capture_on_commit_callbacks
):
    session = _session(assigned_case, hours=23)
    _dispatch(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    old_start = session.start

    moved = services.session_reschedule(session=session, by=staff, start=old_start + timedelta(hours=-3))
    assert moved.status == Session.Status.CONFIRMED and moved.sequence == session.sequence + 1
    mail.outbox.clear()
    _dispatch(django_capture_on_commit_callbacks)
    _dispatch(django_capture_on_commit_callbacks)

    messages = _by_recipient()
    assert set(messages) == {coach.user.email, org_admin.email}
    assert len(mail.outbox) == 2
    with translation.override("en"), timezone.override("Europe/Berlin"):
        new_time = formats.date_format(timezone.localtime(moved.start), "DATETIME_FORMAT")
        old_time = formats.date_format(timezone.localtime(old_start), "DATETIME_FORMAT")
    assert new_time in messages[org_admin.email].body
    assert old_time not in messages[org_admin.email].body
    assert SentReminder.objects.filter(subject_key=f"session-{moved.pk}-{moved.sequence}").count() == 2


@pytest.mark.django_db
def test_no_reminder_for_a_former_admin(assigned_case, org_admin, coach, django_capture_on_commit_callbacks):
    from organisations.models import Membership

    _session(assigned_case, hours=23)
    with django_capture_on_commit_callbacks(execute=False):
        reminders_dispatch()
    Membership.objects.filter(user=org_admin).delete()
    for row in SentReminder.objects.all():
        reminder_send(row.pk)
    assert [message.to for message in mail.outbox] == [[coach.user.email]]
