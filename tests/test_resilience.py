"""When PostgreSQL restarts, the portal recovers without a restart of its own.

A restart of PostgreSQL ends every server-side connection. The portal keeps its connections open between
requests (production: CONN_MAX_AGE=60), so its next request would meet a dead connection, unless Django
checks it first (CONN_HEALTH_CHECKS, on in production). The test serves the real WSGI application with the
production settings in a separate process, ends that process's connection with pg_terminate_backend from a
connection of its own (what a restart does to it; the shared PostgreSQL server itself is not restarted),
and asks again.
"""

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from tests.events.factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent
READY = "SERVING ON "

# The portal as gunicorn runs it (vamos.wsgi with the production settings), behind a plain WSGI server in one
# thread, so that both requests are served by the same thread and thus the same persistent connection.
SERVER = """
import sys

import django

django.setup()

from django.conf import settings
from django.db import connections
from django.test.utils import override_settings

# No collectstatic and no Redis for this test: static files from the finders, a local cache.
override_settings(
    STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
).enable()
if sys.argv[1] == "without-health-checks":
    connections["default"].settings_dict["CONN_HEALTH_CHECKS"] = False

from wsgiref.simple_server import WSGIRequestHandler, make_server

from vamos.wsgi import application


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
print("%(ready)s" + str(server.server_port), flush=True)
server.serve_forever()
"""


@pytest.fixture
def database_url(postgresql):
    """The test database, as a URL a second process can use, with a name to find its connection by."""
    params = connection.settings_dict
    application_name = f"vamos-resilience-{uuid.uuid4().hex[:12]}"
    credentials = quote(params["USER"] or "")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"])
    host = f"{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}"
    url = f"postgres://{credentials}@{host}/{params['NAME']}"
    return url, application_name


@pytest.fixture
def admin_connection(database_url):
    """A connection of the test's own, as an operator's psql would be."""
    url, _name = database_url
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        yield conn


def start_portal(database_url, mode, tmp_path):
    url, application_name = database_url
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    for name in ("CONN_MAX_AGE", "DEBUG", "SECURE_SSL_REDIRECT", "INSECURE_LOCAL_HTTP"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "vamos.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": f"{url}?application_name={application_name}",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "LOG_LEVEL": "CRITICAL",
        }
    )
    log = tmp_path / f"server-{mode}.log"
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER % {"ready": READY}, mode],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    line = process.stdout.readline()
    if not line.startswith(READY):
        stop(process)
        pytest.fail("the portal did not start: " + log.read_text())
    return process, int(line.removeprefix(READY))


def stop(process):
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture
def portal(database_url, tmp_path):
    started = []

    def start(mode="as-in-production"):
        process, port = start_portal(database_url, mode, tmp_path)
        started.append(process)
        return port

    yield start
    for process in started:
        stop(process)


def get(port, path):
    """A page as the TLS proxy passes it on: over HTTPS, so no redirect to HTTPS."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - a local test server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def backends_of(admin_connection, application_name) -> list[int]:
    rows = admin_connection.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name]
    ).fetchall()
    return [pid for (pid,) in rows]


def terminate(admin_connection, application_name) -> int:
    """Ends the portal's server-side connection, as a PostgreSQL restart does, and waits until it is gone."""
    (pid,) = backends_of(admin_connection, application_name)
    assert admin_connection.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    deadline = time.monotonic() + 10
    while pid in backends_of(admin_connection, application_name):
        assert time.monotonic() < deadline, "the connection did not end"
        time.sleep(0.05)
    return pid


def test_the_portal_serves_again_after_its_database_connection_was_cut(portal, database_url, admin_connection):
    _url, application_name = database_url
    # The event's page, which reads the database on every request (the catalogue may come from the cache).
    path = EventFactory(title="Gründung und Satzung").get_absolute_url()
    port = portal()

    status, page = get(port, path)
    assert status == 200
    assert "Gründung und Satzung" in page
    # The connection outlived the request (CONN_MAX_AGE): it is what a restart would break.
    old_pid = terminate(admin_connection, application_name)

    status, page = get(port, path)

    assert status == 200
    assert "Gründung und Satzung" in page
    # Same portal process, new connection.
    assert backends_of(admin_connection, application_name) not in ([], [old_pid])


def test_without_health_checks_the_same_cut_breaks_the_next_request(portal, database_url, admin_connection):
    """The control: the cut above is real, and it is CONN_HEALTH_CHECKS that saves the next request."""
    _url, application_name = database_url
    path = EventFactory(title="Gründung und Satzung").get_absolute_url()
    port = portal("without-health-checks")

    assert get(port, path)[0] == 200
    terminate(admin_connection, application_name)

    assert get(port, path)[0] == 500
