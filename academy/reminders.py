"""Reminders that go once and only once, whatever app they are about.

academy imports no offer app. Each app that reminds people of something registers a kind once, in its
AppConfig.ready:

    from academy.reminders import ReminderKind, reminder_kind_register

    def due(now):
        # a fixed number of queries, whatever the number of rows
        return [(user_id, "event-42-7d"), ...]

    def send(recipient, subject_key, kind) -> bool:
        # re-checks that the reminder still applies, builds and sends the mail (raises OSError on SMTP
        # failure); returns False when it no longer applies (nothing sent)
        ...

    reminder_kind_register(ReminderKind(name="event_before", due=due, send=send))

How "once and only once" holds:
- `reminders_dispatch` (Celery beat) asks every kind what is due and INSERTs a SentReminder (pending) per
  (recipient, subject, kind) in its own transaction. The UniqueConstraint refuses a second row, so two beat
  processes, a retried dispatch or a scheduler run twice decide once; the loser of a race skips.
  The rows of a kind are inserted in bulk (INSERT … ON CONFLICT DO NOTHING RETURNING id, one statement per
  thousand rows), so deciding 10,000 reminders takes a few statements, not 10,000 transactions.
- With that transaction, `reminders_send(ids)` is enqueued once per BATCH_SIZE rows (through the outbox, so
  after commit). It sends the batch over one mail-server connection; each reminder on its own locks its row
  (select_for_update), skips it unless pending or failed, re-checks that it applies, sends the mail and
  marks it sent in the same transaction: a retried or duplicated send task finds it sent.
- A worker killed between deciding and sending leaves a pending row; `reminders_dispatch` re-enqueues pending
  rows older than REMINDERS_SWEEP_MINUTES, so it is sent late but not skipped.
- SMTP errors (OSError) are retried with backoff; each failure is recorded (attempts, last_error) outside the
  sending transaction, and after the last retry the row is `failed`, shown to staff in the admin, who can send
  it again. A batch goes on after a failed reminder and retries only the failed ones.
"""

import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import SentReminder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderKind:
    name: str  # stored in SentReminder.kind; at most 50 characters, never renamed once used
    due: Callable[[datetime], Iterable[tuple[int, str]]]  # (recipient user id, subject key) pairs due now
    send: Callable[..., bool]  # send(recipient, subject_key, kind) -> False when it no longer applies


reminder_kinds: dict[str, ReminderKind] = {}

_batch: ContextVar[dict | None] = ContextVar("vamos_reminder_batch", default=None)


@contextmanager
def reminder_batch():
    """The scope of one batch of reminders (reminders_send): see batch_memo."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def batch_memo() -> dict | None:
    """Within a batch, a dict in which a kind may keep what the batch's reminders share and what is not part of
    the re-check (e.g. an event's text and dates for the mail), so it is read once per batch instead of once per
    reminder; None outside a batch. Whether a reminder still applies must be checked per reminder, as before."""
    return _batch.get()


def reminder_kind_register(kind: ReminderKind) -> None:
    """Registers (or replaces, e.g. on a second ready()) a kind of reminder under its name."""
    reminder_kinds[kind.name] = kind


BATCH_SIZE = 100  # reminders per send task: one task, one mail-server connection per batch
INSERT_CHUNK = 1000  # rows per INSERT statement


def _enqueue(sent_reminder_ids: list[int]) -> None:
    """Enqueues the sending of these reminders, one task per BATCH_SIZE of them (after the caller commits)."""
    from .outbox import enqueue
    from .tasks import reminders_send

    ids = sorted(sent_reminder_ids)
    for begin in range(0, len(ids), BATCH_SIZE):
        enqueue(reminders_send, ids[begin : begin + BATCH_SIZE])


def _insert_new(kind: str, due: list[tuple[int, str]], now: datetime) -> list[int]:
    """INSERTs a pending row per (recipient, subject) of this kind, skipping those that exist (ON CONFLICT DO
    NOTHING on the unique constraint; an insert racing with another run's waits for it and then skips), in
    statements of INSERT_CHUNK rows. Returns the ids of the rows this call inserted (RETURNING gives only those).
    """
    table = connection.ops.quote_name(SentReminder._meta.db_table)
    columns = ("recipient_id", "subject_key", "kind", "status", "attempts", "last_error", "created_at")
    column_sql = ", ".join(connection.ops.quote_name(column) for column in columns)
    created: list[int] = []
    with connection.cursor() as cursor:
        for begin in range(0, len(due), INSERT_CHUNK):
            chunk = due[begin : begin + INSERT_CHUNK]
            values_sql = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params: list = []
            for user_id, key in chunk:
                params += [user_id, key, kind, SentReminder.Status.PENDING, 0, "", now]
            cursor.execute(
                f"INSERT INTO {table} ({column_sql}) VALUES {values_sql} "  # noqa: S608 - names from the model
                f"ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name('id')}",
                params,
            )
            created += [row[0] for row in cursor.fetchall()]
    return created


def reminders_decide(*, now: datetime | None = None) -> list[int]:
    """Records a pending SentReminder for every due (recipient, subject, kind) that has none and enqueues
    their sending (in batches) after commit. Returns the ids of the rows this call created.

    One transaction per kind: the new rows are inserted in bulk (INSERT … ON CONFLICT DO NOTHING: a row
    another run decided is skipped, not an error) and their send tasks are enqueued in the same transaction.
    Must not be called inside an outer transaction (the enqueue would wait for it).
    """
    now = now or timezone.now()
    created: list[int] = []
    for kind in list(reminder_kinds.values()):
        due = {(int(user_id), str(key)) for user_id, key in kind.due(now)}
        if not due:
            continue
        existing = set(
            SentReminder.objects.filter(kind=kind.name, subject_key__in={key for _user, key in due}).values_list(
                "recipient_id", "subject_key"
            )
        )
        new = sorted(due - existing)
        if not new:
            continue
        with transaction.atomic():
            ids = _insert_new(kind.name, new, now)
            _enqueue(ids)
        created += ids
    return created


def reminders_sweep(*, now: datetime | None = None) -> list[int]:
    """Re-enqueues pending reminders older than REMINDERS_SWEEP_MINUTES (a worker died between deciding and
    sending, or the broker lost the message). Sending locks and checks the row, so an extra enqueue is harmless.
    """
    now = now or timezone.now()
    threshold = now - timedelta(minutes=settings.REMINDERS_SWEEP_MINUTES)
    stale = list(
        SentReminder.objects.filter(status=SentReminder.Status.PENDING, created_at__lt=threshold).values_list(
            "pk", flat=True
        )
    )
    _enqueue(stale)
    return stale


def sent_reminder_deliver(*, sent_reminder_id: int) -> bool:
    """Sends one decided reminder and marks it sent, under its row lock, in one transaction.

    Returns True when a mail went out. A reminder already sent (or skipped) is left alone, so running this
    twice sends once. Raises what the kind's send raises (OSError for SMTP failures); the transaction then
    rolls back and the row stays pending or failed.
    """
    with transaction.atomic():
        row = (
            SentReminder.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=sent_reminder_id)
            .first()
        )
        if row is None or row.status in (SentReminder.Status.SENT, SentReminder.Status.SKIPPED):
            return False
        kind = reminder_kinds.get(row.kind)
        recipient = row.recipient if row.recipient.is_active else None
        applies = False
        if kind is not None and recipient is not None:
            applies = bool(kind.send(recipient=recipient, subject_key=row.subject_key, kind=row.kind))
        row.attempts += 1
        row.last_error = ""
        if applies:
            row.status = SentReminder.Status.SENT
            row.sent_at = timezone.now()
        else:
            row.status = SentReminder.Status.SKIPPED
        row.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        return applies


def sent_reminder_record_failure(*, sent_reminder_id: int, error: BaseException, final: bool) -> None:
    """Records a failed attempt (in its own transaction, after the sending one rolled back); `final` marks the
    reminder failed, for staff to see and send again."""
    with transaction.atomic():
        row = SentReminder.objects.select_for_update().filter(pk=sent_reminder_id).first()
        if row is None or row.status in (SentReminder.Status.SENT, SentReminder.Status.SKIPPED):
            return
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        if final:
            row.status = SentReminder.Status.FAILED
        row.save(update_fields=["attempts", "last_error", "status"])
    logger.warning("reminder %s failed (attempt %s): %s", sent_reminder_id, row.attempts, row.last_error)


def sent_reminder_retry(*, sent_reminder_ids: Iterable[int]) -> int:
    """Staff's "send again": puts failed reminders back to pending and enqueues them. Sent ones stay sent."""
    with transaction.atomic():
        ids = list(
            SentReminder.objects.select_for_update()
            .filter(pk__in=list(sent_reminder_ids), status=SentReminder.Status.FAILED)
            .values_list("pk", flat=True)
        )
        SentReminder.objects.filter(pk__in=ids).update(status=SentReminder.Status.PENDING)
        _enqueue(ids)
    return len(ids)
