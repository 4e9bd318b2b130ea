"""The reminder machinery: decided once, sent once, swept after a crash, failures retried and recorded."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import connection
from django.utils import timezone

from academy import reminders
from academy.models import SentReminder
from academy.tasks import reminder_send, reminders_dispatch
from tests.factories import UserFactory

KIND = "test_kind"


@pytest.fixture
def kind():
    """A kind due for every user in `people`, sending a plain mail."""
    people = []

    def due(now):
        return [(person.pk, "subject-1") for person in people]

    def send(recipient, subject_key, kind):
        mail.send_mail(f"{kind} {subject_key}", "body", None, [recipient.email])
        return True

    saved = dict(reminders.reminder_kinds)
    reminders.reminder_kinds.clear()
    reminders.reminder_kind_register(reminders.ReminderKind(name=KIND, due=due, send=send))
    yield people
    reminders.reminder_kinds.clear()
    reminders.reminder_kinds.update(saved)


@pytest.mark.django_db
def test_dispatch_twice_sends_once(kind, django_capture_on_commit_callbacks):
    kind.append(UserFactory())
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_dispatch()
    assert len(mail.outbox) == 1
    row = SentReminder.objects.get()
    assert row.status == SentReminder.Status.SENT and row.sent_at is not None
    reminder_send(row.pk)  # a duplicated task
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_crash_between_decide_and_send_is_swept_once(kind, django_capture_on_commit_callbacks, settings):
    person = UserFactory()
    row = SentReminder.objects.create(recipient=person, subject_key="subject-1", kind=KIND)  # decided, never sent
    kind.append(person)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch()
    assert mail.outbox == []  # not yet stale
    SentReminder.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.REMINDERS_SWEEP_MINUTES + 1)
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_dispatch()
    assert len(mail.outbox) == 1
    assert SentReminder.objects.get().status == SentReminder.Status.SENT


@pytest.mark.django_db
def test_smtp_failure_is_retried_and_recorded(kind, django_capture_on_commit_callbacks):
    kind.append(UserFactory())
    with django_capture_on_commit_callbacks(execute=False):
        reminders_dispatch()
    row = SentReminder.objects.get()
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("SMTP down")):
        with pytest.raises(OSError):
            reminder_send(row.pk)  # a first attempt: recorded, still pending (Celery retries it)
        row.refresh_from_db()
        assert (row.status, row.attempts) == (SentReminder.Status.PENDING, 1)
        assert "SMTP down" in row.last_error
        with pytest.raises(OSError):
            reminder_send.apply(args=[row.pk], retries=reminder_send.max_retries)  # the last retry
    row.refresh_from_db()
    assert (row.status, row.attempts) == (SentReminder.Status.FAILED, 2)
    assert mail.outbox == []
    # staff: "send again" once SMTP is back
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sent_reminder_retry(sent_reminder_ids=[row.pk]) == 1
    row.refresh_from_db()
    assert row.status == SentReminder.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_admin_lists_reminders(admin_client, kind, django_capture_on_commit_callbacks):
    kind.append(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch()
    response = admin_client.get("/admin/academy/sentreminder/?status__exact=sent")
    assert response.status_code == 200
    assert KIND in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatch_decides_once(postgresql, kind):
    people = [UserFactory() for _ in range(5)]
    kind.extend(people)
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    errors = []

    def run():
        try:
            barrier.wait()
            reminders_dispatch()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert SentReminder.objects.count() == len(people)
    assert SentReminder.objects.filter(status=SentReminder.Status.SENT).count() == len(people)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)


@pytest.mark.django_db
def test_batch_sends_the_others_when_one_fails_and_retries_only_that_one(kind, django_capture_on_commit_callbacks):
    failing, fine = UserFactory(), UserFactory()
    kind.extend([failing, fine])
    with django_capture_on_commit_callbacks(execute=False):
        created = reminders.reminders_decide()
    assert len(created) == 2
    original = reminders.reminder_kinds[KIND].send

    def send(recipient, subject_key, kind):
        if recipient == failing:
            raise OSError("mailbox unavailable")
        return original(recipient=recipient, subject_key=subject_key, kind=kind)

    reminders.reminder_kind_register(reminders.ReminderKind(name=KIND, due=lambda now: [], send=send))
    from academy.tasks import reminders_send

    with pytest.raises(Retry) as retry:
        reminders_send.apply(args=[sorted(created)])
    assert retry.value.sig.args == ([SentReminder.objects.get(recipient=failing).pk],)  # only the failed one
    assert [message.to[0] for message in mail.outbox] == [fine.email]
    assert SentReminder.objects.get(recipient=fine).status == SentReminder.Status.SENT
    failed = SentReminder.objects.get(recipient=failing)
    assert (failed.status, failed.attempts) == (SentReminder.Status.PENDING, 1)
    reminders_send.apply(args=[[failed.pk]], retries=reminders_send.max_retries)  # the last retry
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (SentReminder.Status.FAILED, 2)
    reminders_send([SentReminder.objects.get(recipient=fine).pk])  # a duplicated task: the sent one stays sent
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_decide_creates_rows_in_bulk_and_skips_decided_ones(kind, django_assert_max_num_queries):
    people = [UserFactory() for _ in range(30)]
    kind.extend(people)
    SentReminder.objects.create(recipient=people[0], subject_key="subject-1", kind=KIND)
    with django_assert_max_num_queries(8):  # not one per reminder
        created = reminders.reminders_decide()
    assert len(created) == 29
    assert SentReminder.objects.count() == 30
    assert reminders.reminders_decide() == []
