"""A transactional outbox for Celery tasks: booking works while Redis or the worker is down.

`enqueue(task, *args, **kwargs)` is how the services start background work. It writes an `OutboxMessage` in
the caller's transaction, so the task exists exactly when the booking (or whatever changed) committed, and
after commit hands it to the broker: the row is deleted and the task published in one transaction, so a
failed publish rolls the delete back and leaves the row for later. The publish is quick or nothing: a short
connection timeout, one quick retry, no result-backend round trip (nobody waits for these results) - a
broker that is down costs the request about a second once, not kombu's long retry loop or a 500 after the
booking committed. After a failure this process leaves new rows to the flush for BROKER_BACKOFF seconds.

`outbox_flush` hands over what is left, oldest first, under `SELECT … FOR UPDATE SKIP LOCKED`, so two
flushers never publish one row twice. It runs from beat every minute (beat publishes through the broker
too: its ticks fail while the broker is down and work again once it is back), when a worker starts, and as
`manage.py outbox_flush`. A crash between publish and commit publishes a row again; every task is safe to
run twice (each docstring says why), so "at least once" is enough.

With CELERY_TASK_ALWAYS_EAGER (the test suite) there is no broker to miss: the task runs on commit, as
before the outbox.
"""

import logging
import time

from django.db import connection, transaction
from django.db.models import F
from kombu import pools

from vamos.celery import app as celery_app

from .models import OutboxMessage

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 1.0  # seconds to reach the broker
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
BROKER_BACKOFF = 30.0  # seconds this process leaves new rows to the flush after a failed publish
BATCH_SIZE = 100

_broker_down_until = 0.0


def enqueue(task, *args, **kwargs) -> None:
    """Runs `task(*args, **kwargs)` in a worker once the caller's transaction commits; nothing if it rolls back.

    Arguments must be JSON values (ids, strings, lists), as for any Celery task here. Call it inside the
    transaction that makes the change, or outside any (then the row commits and is handed over at once).
    """
    if celery_app.conf.task_always_eager:
        transaction.on_commit(lambda: task.delay(*args, **kwargs))
        return
    message = OutboxMessage.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _hand_over(message.pk, task.name, list(args), kwargs))


def outbox_flush(*, batch_size: int = BATCH_SIZE) -> int:
    """Hands the waiting rows to the broker, oldest first, and deletes them; stops at the first failure (the
    broker is down: the failed row records it, the rest wait). Returns how many were handed over.

    Rows another flusher (or a request's own hand-over) holds are skipped, not waited for, so concurrent
    flushers share the work and publish each row once.
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
            _broker_down_until = time.monotonic() + BROKER_BACKOFF
            logger.warning("outbox: broker unreachable, %s handed over, the rest waits: %s", handed_over, failure[1])
            return handed_over
        if rows:
            _broker_down_until = 0.0
        if len(rows) < batch_size:
            return handed_over


def flush_when_worker_ready(sender=None, **kwargs) -> None:
    """celery.signals.worker_ready: a worker that starts (e.g. after the broker was down) hands over what waits."""
    from django.db import connections

    try:
        count = outbox_flush()
    except Exception:
        logger.exception("outbox: flush at worker start failed")
    else:
        if count:
            logger.info("outbox: %s waiting tasks handed over at worker start", count)
    finally:
        connections.close_all()  # the worker's main process runs no tasks; keep no idle connection


def _hand_over(pk: int, task_name: str, args: list, kwargs: dict) -> None:
    """After commit: delete the row and publish its task in one transaction; on failure the row stays."""
    if time.monotonic() < _broker_down_until:
        return
    try:
        with transaction.atomic():
            if not _delete_without_waiting_for_disk(pk):
                return  # a flusher handed it over already
            _publish(task_name, args, kwargs)
    except Exception as error:  # noqa: BLE001 - the booking is committed; its task waits for the flush
        _broker_unreachable(pk, error)


def _broker_unreachable(pk: int, error: BaseException) -> None:
    global _broker_down_until
    _broker_down_until = time.monotonic() + BROKER_BACKOFF
    logger.warning("outbox: task %s left for the flush, broker unreachable: %s", pk, _describe(error))
    try:
        OutboxMessage.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=_describe(error))
    except Exception:  # the database may be the problem; the row is there either way
        logger.exception("outbox: could not record the failure of %s", pk)


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
    """The hand-over's commit need not be durable: if PostgreSQL crashed right after it, the row would come back
    and be handed over again, which every task allows. Not waiting for the WAL flush saves about 3 ms a booking."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _delete_without_waiting_for_disk(pk: int) -> bool:
    """Deletes the row; on PostgreSQL the same statement sets what _commit_without_waiting_for_disk sets, with
    `set_config(..., true)` (SET LOCAL as a function), which PostgreSQL evaluates for the row it deletes: one
    round trip instead of two on every booking's hand-over. Without a row there is nothing to commit."""
    if connection.vendor != "postgresql":
        deleted, _per_model = OutboxMessage.objects.filter(pk=pk).delete()
        return deleted > 0
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id = %s AND set_config('synchronous_commit', 'off', true) IS NOT NULL",  # noqa: S608 - the table name is ours
            [pk],
        )
        return cursor.rowcount > 0


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
