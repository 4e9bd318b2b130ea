"""A transactional outbox for Celery tasks: booking works while Redis or the worker is down.

`enqueue(task, *args, **kwargs)` is how the services start background work. It writes an `OutboxMessage` in
the caller's transaction, so the task exists exactly when the booking (or whatever changed) committed. The
request does nothing more: it never talks to the broker. The relay, a thread in every Celery worker's main
process (`OutboxRelay`, a worker bootstep), hands the rows to the broker within OUTBOX_RELAY_INTERVAL seconds
of their commit: `outbox_flush` takes them oldest first under `SELECT … FOR UPDATE SKIP LOCKED`, publishes
each and deletes what it published in the same transaction, so two relays (two worker hosts) never publish one
row twice, and a publish that fails leaves the row (attempts and last error recorded) for a later round, after
OUTBOX_BROKER_BACKOFF seconds. A crash between publish and commit publishes a row again; every task is safe to
run twice (each docstring says why), so "at least once" is enough. `manage.py outbox_flush` does a round by hand.

Why a relay and not a hand-over after commit in the request: publishing through Celery and deleting the row
in a transaction of its own cost the booking POST a fifth of its CPU under load (docs/benchmarks.md, eleventh
round), and a broker that hung cost the person a second. The mail now leaves up to OUTBOX_RELAY_INTERVAL
later, and only while a worker runs (which it must to send it anyway).

With CELERY_TASK_ALWAYS_EAGER (the test suite) there is no broker to miss: the task runs on commit.
"""

import logging
import os
import threading
import time

from celery import bootsteps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from kombu import pools

from vamos.celery import app as celery_app

from .models import OutboxMessage
from .prepared import kept_statement

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 1.0  # seconds to reach the broker
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
BATCH_SIZE = 100

_broker_down_until = 0.0


def enqueue(task, *args, **kwargs) -> None:
    """Runs `task(*args, **kwargs)` in a worker once the caller's transaction commits (the relay hands it over
    within OUTBOX_RELAY_INTERVAL seconds); nothing if it rolls back.

    Arguments must be JSON values (ids, strings, lists), as for any Celery task here. Call it inside the
    transaction that makes the change, or outside any (then the row commits at once).
    """
    if celery_app.conf.task_always_eager:
        transaction.on_commit(lambda: task.delay(*args, **kwargs))
        return
    values = {"task": task.name, "args": list(args), "kwargs": kwargs, "created_at": timezone.now()}
    with connection.cursor() as cursor:
        cursor.execute(
            kept_statement("outbox-insert", connection, _insert_sql),
            [field.get_db_prep_save(values.get(field.name, field.get_default()), connection) for field in _INSERTED],
        )


# Every column but the id: what `enqueue` writes (attempts and last_error their defaults). The statement is
# Django's for one row without RETURNING, compiled once per process (academy.prepared.kept_statement): the row's
# model save compiled it on every booking, and nobody needs the id.
_INSERTED = [
    OutboxMessage._meta.get_field(name) for name in ("task", "args", "kwargs", "created_at", "attempts", "last_error")
]


def _insert_sql(quote) -> str:
    columns = ", ".join(quote(field.column) for field in _INSERTED)
    placeholders = ", ".join(["%s"] * len(_INSERTED))
    return f"INSERT INTO {quote(OutboxMessage._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - our names


def outbox_flush(*, batch_size: int = BATCH_SIZE) -> int:
    """Hands the waiting rows to the broker, oldest first, and deletes them; stops at the first failure (the
    broker is down: the failed row records it, the rest wait). Returns how many were handed over.

    Rows another flusher (another worker's relay) holds are skipped, not waited for, so concurrent flushers
    share the work and publish each row once.
    """
    global _broker_down_until
    handed_over = 0
    while True:
        failure = None
        with transaction.atomic():
            _commit_without_waiting_for_disk()
            rows = list(OutboxMessage.objects.select_for_update(skip_locked=True).order_by("pk")[:batch_size])
            sent = []
            for row in rows:
                try:
                    _publish(row.task, row.args, row.kwargs)
                except Exception as error:  # noqa: BLE001 - whatever the broker raised, the row waits
                    failure = (row, error)
                    break
                sent.append(row.pk)
            if sent:
                OutboxMessage.objects.filter(pk__in=sent).delete()
            if failure is not None:
                row, error = failure
                row.attempts += 1
                row.last_error = _describe(error)
                row.save(update_fields=["attempts", "last_error"])
        handed_over += len(sent)
        if failure is not None:
            _broker_down_until = time.monotonic() + settings.OUTBOX_BROKER_BACKOFF
            logger.warning("outbox: broker unreachable, %s handed over, the rest waits: %s", handed_over, failure[1])
            return handed_over
        if rows:
            _broker_down_until = 0.0
        if len(rows) < batch_size:
            return handed_over


# Held by the relay for each of its rounds. A worker's main process forks its pool's children while the relay
# runs; a fork waits for the round to end (os.register_at_fork below), so that no child starts with a copy of a
# transaction in progress: SQLite keeps its locks' state in the process, and a child that inherited a write lock
# in that state could never write (every task there failed with "database is locked" under `make run`).
_round = threading.Lock()
os.register_at_fork(before=_round.acquire, after_in_parent=_round.release, after_in_child=_round.release)


class OutboxRelay(threading.Thread):
    """Runs `outbox_flush` every `interval` seconds until stopped (after a failed publish, once the backoff is
    over), in a thread of its own with its own database connection (on PostgreSQL kept between rounds; SQLite's is
    closed after each, so that no fork copies an open one)."""

    def __init__(self, interval: float | None = None):
        super().__init__(name="outbox-relay", daemon=True)
        self.interval = settings.OUTBOX_RELAY_INTERVAL if interval is None else interval
        self._stopping = threading.Event()

    def run(self) -> None:
        from django.db import close_old_connections, connections

        try:
            while True:
                with _round:
                    try:
                        close_old_connections()  # as a request does: CONN_MAX_AGE and the health check hold
                        outbox_flush()
                    except Exception:  # the database may be away; try again next round
                        logger.exception("outbox: the relay's round failed")
                    if connection.vendor == "sqlite":
                        connections.close_all()
                pause = max(self.interval, _broker_down_until - time.monotonic())
                if self._stopping.wait(pause):
                    return
        finally:
            connections.close_all()  # this thread's own

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.join(timeout)


class RelayStep(bootsteps.StartStopStep):
    """The relay as a Celery worker bootstep (vamos/celery.py adds it): it starts with the worker, its first round
    handing over what waited while no worker ran, and stops with it; in the worker's main process."""

    def create(self, worker):
        return OutboxRelay()


def _publish(task_name: str, args: list, kwargs: dict) -> None:
    """Sends one task message, quickly or not at all (OperationalError and friends when the broker is down)."""
    with pools.producers[_publishing_connection()].acquire(block=True, timeout=PUBLISH_TIMEOUT) as producer:
        celery_app.send_task(
            task_name,
            args=args,
            kwargs=kwargs,
            producer=producer,
            ignore_result=True,  # no result-backend subscription: it would retry for 20 s when Redis is down
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
            # How the worker's log shows the arguments: JSON values (ids, strings, short lists) need no saferepr,
            # which Celery would otherwise run over them on every message.
            argsrepr=repr(args),
            kwargsrepr=repr(kwargs),
        )


_connections = {}


def _publishing_connection():
    """The broker connection the producers are pooled by, made once per broker URL: it connects nothing itself
    (the pool's producers hold the connections), and making it costs more than publishing the message (Celery
    reads a dozen settings through its chained mappings)."""
    conf = celery_app.conf
    key = (conf.broker_write_url, repr(conf.broker_transport_options))
    connection = _connections.get(key)
    if connection is None:
        connection = _connections[key] = celery_app.connection_for_write(
            connect_timeout=PUBLISH_TIMEOUT,
            transport_options={**conf.broker_transport_options, "max_retries": 0},
        )
    return connection


def _commit_without_waiting_for_disk() -> None:
    """The hand-over's commit need not be durable: if PostgreSQL crashed right after it, the rows would come
    back and be handed over again, which every task allows. Not waiting for the WAL flush saves ~3 ms a round."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
