"""A task goes through the real broker and a real worker runs it (Redis when REDIS_URL is set)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery.result import allow_join_result
from django.conf import settings

from academy.tasks import ping
from tests.processes import stop
from vamos.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_broker():
    if os.environ.get("VAMOS_REQUIRE_SERVICES") == "1" and not settings.REDIS_URL:
        pytest.fail("CI must run the Celery test against Redis: set REDIS_URL")
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            pytest.skip(f"needs Redis at REDIS_URL: {error}")
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def worker(real_broker, tmp_path):
    """A real `celery worker` process that consumes a queue of its own, so no other worker steals the task."""
    queue = f"vamos-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "vamos",
                "worker",
                "--queues",
                queue,
                "--concurrency",
                "1",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "vamos.settings.test"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield queue
    finally:
        stop(process)
        if process.returncode not in (0, -15):
            print(log.read_text())


@pytest.mark.celery_worker
def test_a_real_worker_runs_a_task_sent_through_the_broker(worker):
    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], queue=worker)

    with allow_join_result():  # this test is no task; eager tasks elsewhere may have left the flag set
        assert result.get(timeout=60) == f"pong:{token}"
    assert result.successful()


@pytest.mark.celery_worker
def test_the_broker_holds_a_task_until_a_worker_takes_it(real_broker, tmp_path):
    """Nothing consumes this queue at first: the task waits in the broker, then a worker started later runs it."""
    queue = f"vamos-test-{uuid.uuid4().hex[:12]}"
    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], queue=queue)
    assert result.state == "PENDING"

    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "vamos", "worker", "-Q", queue, "-P", "solo", "--without-gossip"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "vamos.settings.test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with allow_join_result():
            assert result.get(timeout=60) == f"pong:{token}"
    finally:
        process.terminate()
        process.wait(timeout=20)
