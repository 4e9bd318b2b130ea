"""academy.redis_clients against the real Redis: the cache and Celery's publishing keep one client per pool,
and what they read and write is right from several threads at once and in a forked worker process."""

import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection, Exchange, Producer, Queue

from academy.redis_clients import Channel, RedisCache, RedisCacheClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url():
    if os.environ.get("VAMOS_REQUIRE_SERVICES") == "1" and not settings.REDIS_URL:
        pytest.fail("CI must run the Redis tests against Redis: set REDIS_URL")
    if not settings.REDIS_URL:
        pytest.skip("needs Redis at REDIS_URL")
    return settings.REDIS_URL


@pytest.fixture
def cache(redis_url):
    """A cache of its own key prefix; the test deletes what it wrote (clear() would empty the whole database)."""
    cache = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.close()


def test_the_settings_choose_them_for_a_redis_url():
    """With a redis:// REDIS_URL the portal's settings name these classes; with rediss:// (TLS) the broker keeps
    kombu's own transport. (The test settings themselves keep a per-process cache, hence a fresh process.)"""
    script = (
        "import json, vamos.settings.base as s; "
        "print(json.dumps([s.CACHES['default']['BACKEND'], getattr(s, 'CELERY_BROKER_TRANSPORT', None)]))"
    )
    chosen = {}
    for url in ("redis://redis.example:6379/0", "rediss://redis.example:6380/0"):
        env = {**os.environ, "REDIS_URL": url, "DJANGO_SETTINGS_MODULE": "vamos.settings.base"}
        output = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout
        chosen[url.split(":")[0]] = json.loads(output.strip().splitlines()[-1])
    assert chosen == {
        "redis": ["academy.redis_clients.RedisCache", "academy.redis_clients:Transport"],
        "rediss": ["academy.redis_clients.RedisCache", None],
    }


def test_the_cache_keeps_one_client_and_reads_what_it_wrote(cache):
    client = cache._cache
    assert isinstance(client, RedisCacheClient)
    assert client.get_client("a") is client.get_client("b", write=True)

    cache.set("person", {"name": "Ayşe", "bookings": [1, 2]}, 30)
    cache.set_many({"one": 1, "two": 2}, 30)
    assert cache.get("person") == {"name": "Ayşe", "bookings": [1, 2]}
    assert cache.get_many(["one", "two", "three"]) == {"one": 1, "two": 2}
    assert cache.incr("one") == 2
    cache.delete_many(["person", "one", "two"])
    assert cache.get("person") is None


def test_incr_raises_an_existing_number_in_one_round_trip_and_refuses_a_missing_key(cache, monkeypatch):
    """As Django's incr: the new number, a ValueError (and no key made) for a key that is not there; one command
    to Redis instead of two, also after Redis has forgotten the script (SCRIPT FLUSH, as after a restart)."""
    client = cache._cache.get_client("version", write=True)
    cache.set("version", 41, 30)
    sent = []
    original = type(client).execute_command
    monkeypatch.setattr(
        type(client), "execute_command", lambda self, *a, **k: sent.append(a[0]) or original(self, *a, **k)
    )

    assert cache.incr("version") == 42
    assert cache.incr("version", 8) == 50
    assert sent == ["EVALSHA", "EVALSHA"]
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")
    assert cache.get("missing") is None

    client.script_flush()
    assert cache.incr("version") == 51
    assert cache.get("version") == 51
    cache.delete("version")


def test_the_cache_is_right_from_many_threads_at_once(cache):
    errors = []

    def work(number):
        try:
            for round_ in range(50):
                cache.set(f"thread-{number}", (number, round_), 30)
                assert cache.get(f"thread-{number}") == (number, round_)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cache.delete_many([f"thread-{number}" for number in range(8)])
    assert errors == []


def test_a_forked_worker_process_uses_connections_of_its_own(cache):
    """gunicorn and Celery fork their workers: the kept client's pool starts afresh in the child."""
    cache.set("parent", "before the fork", 30)
    pid = os.fork()
    if pid == 0:  # the child: read, write, and say with the exit code whether it was right
        try:
            right = cache.get("parent") == "before the fork"
            cache.set("child", os.getpid(), 30)
        finally:
            os._exit(0 if right else 1)
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("child") == pid
    cache.delete_many(["parent", "child"])


def test_publishing_keeps_one_client_per_channel_and_delivers_in_order(redis_url):
    queue = Queue(f"test-{uuid.uuid4().hex}", Exchange("test-redis-clients", type="direct"), routing_key="rk")
    with Connection(redis_url, transport="academy.redis_clients:Transport") as connection:
        channel = connection.channel()
        assert isinstance(channel, Channel)
        producer = Producer(channel, exchange=queue.exchange, routing_key="rk")
        queue(channel).declare()
        clients = set()
        for number in range(5):
            producer.publish({"number": number}, declare=[queue])
            clients.add(id(channel._create_client()))
        assert len(clients) == 1
        received = []
        for _ in range(5):
            message = queue(channel).get(no_ack=True)
            received.append(message.payload["number"])
        assert received == [0, 1, 2, 3, 4]
        queue(channel).delete()
