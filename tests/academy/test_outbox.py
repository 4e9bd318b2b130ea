"""The outbox (academy.outbox): booking works while the broker is down, and the mail goes out once it is back.

The broker here is a redis-server of the test's own on a free port, stopped and started as the test needs
(never the machine's shared Redis). The end-to-end test runs a real worker (with its relay) in another process
against the test database and a file-based mail backend, so what it sends can be counted from here.
"""

import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from kombu import pools

from academy import outbox
from academy.models import OutboxMessage
from academy.outbox import enqueue, outbox_flush
from academy.tasks import ping
from events.models import Booking, EventMail
from organisations.services import consent_record
from tests.conftest import uses_postgresql
from tests.events.factories import EventFactory
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory
from tests.processes import stop
from vamos.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of this test only, on a port of its own, without persistence: stop() loses everything,
    as a crashed Redis does."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with redis.Redis(port=self.port, socket_connect_timeout=0.2) as client:
                    client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def queued(self, queue: str = "celery") -> list[dict]:
        """The task messages waiting in the queue, oldest first (kombu LPUSHes, workers BRPOP)."""
        import redis

        with redis.Redis(port=self.port) as client:
            raw = client.lrange(queue, 0, -1)
        return [json.loads(item)["headers"] for item in reversed(raw)]


@pytest.fixture
def broker():
    """The in-process Celery app publishes to a throwaway Redis that is down until the test starts it."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH (a broker of the test's own that it can stop)")
    redis_server = ThrowawayRedis(free_port())
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = redis_server.url
    celery_app.conf.broker_transport_options = {}
    outbox._broker_down_until = 0.0
    yield redis_server
    redis_server.stop()
    celery_app.conf.update(saved)
    outbox._broker_down_until = 0.0
    # Close the connections to the throwaway broker; the app makes its pools again when next used.
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def member():
    """A person of an approved organisation who accepted the privacy notice and reads English."""
    person = UserFactory(language="en")
    consent_record(user=person)
    OrganisationFactory(members=[person])
    return person


def book_through_the_portal(client, person, event):
    client.force_login(person)
    started = time.monotonic()
    response = client.post(reverse("events:book", args=[event.pk]), follow=True)
    return response, time.monotonic() - started


# ---- without a broker (the test suite's eager mode) --------------------------------------------------------------


@pytest.mark.django_db
def test_in_eager_mode_a_booking_mails_on_commit_as_before_and_keeps_no_row(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Vereinsfinanzen")
    with django_capture_on_commit_callbacks(execute=True):
        response, _seconds = book_through_the_portal(client, member, event)

    assert response.status_code == 200
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert not OutboxMessage.objects.exists()


# ---- the row commits or rolls back with the caller's transaction ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_task_is_handed_over_only_when_the_transaction_commits(broker):
    broker.start()

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(ping, "rolled-back")
        assert OutboxMessage.objects.count() == 1  # written in the transaction…
        raise RuntimeError("the booking failed")
    assert not OutboxMessage.objects.exists()  # …and gone with it

    with transaction.atomic():
        enqueue(ping, "committed")
    assert broker.queued() == []  # the caller never talks to the broker: the relay hands the row over
    assert OutboxMessage.objects.count() == 1
    assert outbox_flush() == 1
    assert not OutboxMessage.objects.exists()  # handed over and deleted
    assert [(headers["task"], headers["argsrepr"]) for headers in broker.queued()] == [
        ("academy.tasks.ping", "['committed']")
    ]
    assert outbox_flush() == 0  # once


@pytest.mark.django_db(transaction=True)
def test_an_enqueue_costs_one_insert_in_the_callers_transaction_and_nothing_after_it(broker, django_assert_num_queries):
    broker.start()
    expected = ["BEGIN", "INSERT", "COMMIT"]
    with django_assert_num_queries(len(expected)) as captured, transaction.atomic():
        enqueue(ping, "counted")
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert statements == expected
    assert broker.queued() == []


@pytest.mark.django_db
def test_the_row_is_written_by_djangos_own_insert_statement_kept_per_process(broker):
    from django.db.models.sql import InsertQuery

    query = InsertQuery(OutboxMessage)
    query.insert_values(outbox._INSERTED, [OutboxMessage(task="academy.tasks.ping")])
    [(djangos, _params)] = query.get_compiler(connection=connection).as_sql()
    assert outbox._insert_sql(connection.ops.quote_name) == djangos

    before = timezone.now()
    enqueue(ping, "Straße")
    enqueue(ping, token="ünïcode")
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [(row.task, row.args, row.kwargs, row.attempts, row.last_error) for row in rows] == [
        ("academy.tasks.ping", ["Straße"], {}, 0, ""),
        ("academy.tasks.ping", [], {"token": "ünïcode"}, 0, ""),
    ]
    assert all(before <= row.created_at <= timezone.now() for row in rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_flush_commits_without_waiting_for_the_disk_and_only_its_own_transaction(postgresql, monkeypatch):
    OutboxMessage.objects.create(task=ping.name, args=["x"], kwargs={})

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    during = []
    monkeypatch.setattr(outbox, "_publish", lambda *args: during.append(synchronous_commit()))
    assert synchronous_commit() == "on"
    assert outbox_flush() == 1
    assert during == ["off"]  # for the flush's transaction
    assert synchronous_commit() == "on"  # and no other
    assert not OutboxMessage.objects.exists()


# ---- the broker is down ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_booking_works_while_the_broker_is_down_and_the_flush_hands_the_mails_over(broker, client, member):
    event = EventFactory(title="Vereinsfinanzen")
    response, seconds = book_through_the_portal(client, member, event)

    assert response.status_code == 200
    assert "Your seat is booked" in response.content.decode()
    assert seconds < 3, f"booking took {seconds:.2f} s with the broker down"
    booking = Booking.objects.get(event=event, person=member)
    assert booking.is_confirmed
    row = OutboxMessage.objects.get()
    assert (row.task, row.args, row.attempts) == ("events.tasks.send_booking_mail", [booking.pk, "confirmed", 0, []], 0)

    colleague = UserFactory(language="en")
    consent_record(user=colleague)
    OrganisationFactory(members=[colleague])
    response, seconds = book_through_the_portal(client, colleague, event)
    assert response.status_code == 200 and seconds < 3

    # While the broker is down a flush keeps every row, in order, and records why on the first.
    assert outbox_flush() == 0
    first, second_row = OutboxMessage.objects.order_by("pk")
    assert first.attempts == 1 and "Connection refused" in first.last_error
    assert second_row.attempts == 0

    broker.start()
    call_command("outbox_flush", stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "2 handed over, 0 waiting"
    assert not OutboxMessage.objects.exists()
    queued = broker.queued()
    assert [headers["task"] for headers in queued] == ["events.tasks.send_booking_mail"] * 2
    second = Booking.objects.get(event=event, person=colleague)
    assert [headers["argsrepr"] for headers in queued] == [
        f"[{booking.pk}, 'confirmed', 0, []]",
        f"[{second.pk}, 'confirmed', 0, []]",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_flush_command_fails_loudly_while_tasks_wait(broker):
    enqueue(ping, "waiting")  # outside a transaction: committed at once
    assert OutboxMessage.objects.count() == 1
    with pytest.raises(Exception, match="Connection refused"):
        call_command("outbox_flush", stdout=io.StringIO())
    assert OutboxMessage.objects.get().attempts == 1


def wait_until(condition, *, timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_relay_hands_over_what_waits_and_what_comes_and_waits_out_a_broker_that_is_down(broker, settings):
    settings.OUTBOX_BROKER_BACKOFF = 1.0
    for token in ("a", "b"):
        enqueue(ping, token)  # committed while no relay runs (no worker): they wait

    relay = outbox.OutboxRelay(interval=0.05)
    relay.start()
    try:
        # The broker is down: the first round records the failure, then the relay waits out the backoff
        # instead of trying again every round.
        assert wait_until(lambda: OutboxMessage.objects.filter(attempts=1).exists(), timeout=10)
        time.sleep(0.5)
        assert list(OutboxMessage.objects.order_by("pk").values_list("attempts", flat=True)) == [1, 0]

        broker.start()
        assert wait_until(lambda: not OutboxMessage.objects.exists(), timeout=10)
        with transaction.atomic():
            enqueue(ping, "c")
        began = time.monotonic()
        assert wait_until(lambda: not OutboxMessage.objects.exists(), timeout=10)
        assert time.monotonic() - began < 1  # within a few rounds of its commit
    finally:
        relay.stop()
    assert not relay.is_alive()
    assert [headers["argsrepr"] for headers in broker.queued()] == ["['a']", "['b']", "['c']"]


def test_a_fork_waits_for_the_relays_round_and_the_child_starts_without_it():
    """A worker forks its pool's children while the relay runs: never in the middle of a round, whose transaction a
    child would otherwise inherit (with SQLite, a write lock that child could never give back)."""
    in_round, forked = threading.Event(), []

    def a_round():
        with outbox._round:
            in_round.set()
            time.sleep(0.3)
            forked.append(len(forked))  # the round ends before the fork below happens

    relay = threading.Thread(target=a_round)
    relay.start()
    assert in_round.wait(5)
    pid = os.fork()
    if pid == 0:  # the child: the round's lock is free here
        os._exit(0 if outbox._round.acquire(blocking=False) else 1)
    forked.append("fork")
    relay.join()
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert forked == [0, "fork"]
    assert outbox._round.acquire(blocking=False)  # and free in this process too
    outbox._round.release()


def test_every_worker_runs_the_relay():
    assert "academy.outbox:RelayStep" in celery_app.steps["worker"]


# ---- concurrency ----------------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_flushers_at_once_hand_each_row_over_once(broker, postgresql):
    broker.start()
    OutboxMessage.objects.bulk_create(OutboxMessage(task="academy.tasks.ping", args=[str(n)]) for n in range(300))
    start = threading.Barrier(2)
    counts, errors = [], []

    def flusher():
        try:
            start.wait(timeout=10)
            counts.append(outbox_flush(batch_size=10))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=flusher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(counts) == 300
    published = [headers["argsrepr"] for headers in broker.queued()]
    assert len(published) == 300
    assert sorted(published) == sorted(f"['{n}']" for n in range(300))  # each once
    assert not OutboxMessage.objects.exists()


# ---- end to end: a real worker (its relay), Redis crashes while a person books ------------------------------------

WORKER_SETTINGS = """
from vamos.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = {mail!r}
CELERY_BEAT_SCHEDULE = {{}}
OUTBOX_BROKER_BACKOFF = 1.0
"""


def wait_for(condition, *, timeout: float, what: str, log: Path):
    if not wait_until(condition, timeout=timeout, interval=0.2):
        pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-6000:]}")


@pytest.fixture
def worker(broker, tmp_path, transactional_db):
    """`celery worker` (its relay waiting a second after a failed publish) on the throwaway broker and the test
    database, mailing into files."""
    if not uses_postgresql():
        pytest.skip("needs PostgreSQL: the worker process must see the test's database")
    mail = tmp_path / "mail"
    mail.mkdir()
    (tmp_path / "outbox_worker_settings.py").write_text(WORKER_SETTINGS.format(mail=str(mail)))
    database = connection.settings_dict
    database_url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    log = tmp_path / "worker.log"
    broker.start()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "vamos", "worker", "--pool", "solo", "--without-gossip"),
                *("--without-mingle", "--loglevel", "INFO"),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
                "DJANGO_SETTINGS_MODULE": "outbox_worker_settings",
                "DATABASE_URL": database_url,
                "REDIS_URL": broker.url,
                "LOG_LEVEL": "INFO",
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "ready." in log.read_text(), timeout=60, what="the worker to start", log=log)
        yield mail, log
    finally:
        stop(process)


@pytest.mark.celery_worker
@pytest.mark.postgres
def test_redis_crashes_a_person_books_and_the_mail_goes_out_once_redis_is_back(worker, broker, client, member):
    mail, log = worker
    event = EventFactory(title="Vereinsfinanzen")

    broker.stop()  # Redis crashes under a running worker
    response, seconds = book_through_the_portal(client, member, event)
    assert response.status_code == 200
    assert "Your seat is booked" in response.content.decode()
    assert seconds < 3, f"booking took {seconds:.2f} s with the broker down"
    booking = Booking.objects.get(event=event, person=member)
    assert booking.is_confirmed
    assert OutboxMessage.objects.get().task == "events.tasks.send_booking_mail"

    broker.start()  # Redis is back, empty; nothing is restarted
    wait_for(
        lambda: EventMail.objects.filter(booking=booking).exists() and not OutboxMessage.objects.exists(),
        timeout=90,
        what="the confirmation mail",
        log=log,
    )
    time.sleep(3)  # the relay keeps going: later rounds must not send again

    sent = [path.read_text() for path in mail.iterdir()]
    assert len(sent) == 1, sent
    assert f"To: {member.email}" in sent[0]
    assert "Vereinsfinanzen" in sent[0]
    assert list(EventMail.objects.filter(booking=booking).values_list("kind", flat=True)) == [EventMail.Kind.CONFIRMED]


def test_no_task_is_enqueued_around_the_outbox():
    """Every task the portal starts goes through academy.outbox.enqueue; a `.delay(` elsewhere would be lost (or
    fail the request) while the broker is down."""
    offenders = []
    for app in ("academy", "organisations", "events", "coaching", "elearning", "vamos"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if path == ROOT / "academy" / "outbox.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if ".delay(" in line or ".apply_async(" in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# ---- end to end as `make run` has it: SQLite, the filesystem broker, a prefork worker ------------------------------

SQLITE_SETTINGS = """
from vamos.settings.dev import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {{
    "data_folder_in": {queue!r},
    "data_folder_out": {queue!r},
    "processed_folder": {processed!r},
    "control_folder": {control!r},
    "store_processed": False,
}}
CELERY_RESULT_BACKEND = "file://" + {results!r}
CELERY_BEAT_SCHEDULE = {{}}
EMAIL_FILE_PATH = {mail!r}
"""


@pytest.mark.celery_worker
def test_under_make_runs_setup_the_relay_hands_over_and_the_workers_children_write(tmp_path):
    """`make run`'s worker: SQLite, the filesystem broker, a prefork pool of two, the relay in the main process.
    Tasks that waited before it started and tasks enqueued while it runs are handed over and write their rows.
    (A pool child forked while the relay held SQLite's write lock could never write: one start of `make run` in
    four failed so before a fork waited for the relay's round; that race is tested with a fork of its own above.)"""
    database = tmp_path / "db.sqlite3"
    folders = {name: tmp_path / name for name in ("queue", "processed", "control", "results", "mail")}
    for folder in folders.values():
        folder.mkdir()
    (tmp_path / "sqlite_worker_settings.py").write_text(
        SQLITE_SETTINGS.format(**{k: str(v) for k, v in folders.items()})
    )
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL", "VAMOS_ENV")} | {
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "sqlite_worker_settings",
        "DATABASE_URL": f"sqlite:///{database}",
    }

    def manage(*arguments):
        subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True, capture_output=True)

    manage("migrate", "--no-input")
    enqueue_contacts = (
        "from academy.services import contact_message_create\n"
        "for n in range({count}):\n"
        "    contact_message_create(name='Person', email=f'p{{n}}@example.org', subject='Frage', message='Hallo')"
    )
    manage("shell", "-c", enqueue_contacts.format(count=4))  # waiting before the worker starts

    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "vamos", "worker", "--concurrency", "2", "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "ready." in log.read_text(), timeout=60, what="the worker to start", log=log)
        manage("shell", "-c", enqueue_contacts.format(count=4))  # and while it runs

        def notified() -> int:
            with sqlite3.connect(database) as db:
                return db.execute(
                    "SELECT COUNT(*) FROM academy_contactmessage WHERE notified_at IS NOT NULL"
                ).fetchone()[0]

        wait_for(lambda: notified() == 8, timeout=60, what="eight notices written by the children", log=log)
    finally:
        stop(process)
    assert "database is locked" not in log.read_text()
    assert len(list(folders["mail"].iterdir())) == 8
