"""Date-times read from PostgreSQL through the compiled loader (academy.db) are the values Django's own loader
reads: the same instant, the same tzinfo, naive where Django's is."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from academy.db import timestamptz_loader
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Text PostgreSQL gives for these (the session's time zone is UTC): offsets, microseconds, years far apart, the
# night the clocks change in Germany.
LITERALS = [
    "2026-11-27 13:45:00+00",
    "2026-11-27 13:45:00.000001+00",
    "2026-03-29 00:59:59.999999+00",
    "2026-03-29 01:00:00+00",
    "2026-10-25 00:30:00+01",
    "1999-12-31 23:59:59.5-05:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _read(literals, *, django_loader: bool, session_zone: str = "UTC"):
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [session_zone])
        if django_loader:
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(
            "SELECT value::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(value, n) ORDER BY n", [literals]
        )
        return [row[0] for row in cursor.fetchall()]


def test_the_connection_reads_timestamptz_with_the_compiled_loader(postgresql):
    import psycopg
    from psycopg.postgres import types
    from psycopg.pq import Format

    connection.ensure_connection()
    oid = types["timestamptz"].oid
    loader = connection.connection.adapters.get_loader(oid, Format.TEXT)
    assert loader is timestamptz_loader(connection.timezone)
    # Django re-registers its own loader before a cursor whose loader's time zone differs from the connection's.
    assert loader.timezone == connection.timezone
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        assert cursor.cursor.adapters.get_loader(oid, Format.TEXT) is loader
    if psycopg.pq.__impl__ in ("c", "binary"):
        assert psycopg.adapters.get_loader(oid, Format.TEXT).__module__.startswith("psycopg_")  # psycopg_c/_binary


def test_values_and_time_zones_are_djangos(postgresql):
    ours = _read(LITERALS, django_loader=False)
    djangos = _read(LITERALS, django_loader=True)
    assert ours == djangos
    assert [value.tzinfo for value in ours] == [value.tzinfo for value in djangos]
    assert ours[0] == datetime(2026, 11, 27, 13, 45, tzinfo=UTC)
    assert ours[5] == datetime(2000, 1, 1, 5, 29, 59, 500000, tzinfo=UTC)


def test_in_another_session_time_zone_the_values_are_still_djangos(postgresql):
    # Django puts the connection's zone (UTC) in place of the session's; the portal never changes the session's,
    # but a value read after a query did is the same as Django's.
    literals = LITERALS[:-1]  # the last one is after the year 9999 in Berlin
    ours = _read(literals, django_loader=False, session_zone="Europe/Berlin")
    djangos = _read(literals, django_loader=True, session_zone="Europe/Berlin")
    assert ours == djangos
    assert [value.tzinfo for value in ours] == [value.tzinfo for value in djangos]


def test_a_model_reads_back_the_instant_it_saved(postgresql):
    moment = timezone.now().replace(microsecond=123456) - timedelta(days=3)
    user = UserFactory(last_login=moment)
    user.refresh_from_db()
    assert user.last_login == moment
    assert user.last_login.tzinfo is UTC


def test_without_a_time_zone_the_value_is_naive_as_with_django():
    loader = timestamptz_loader(None)
    assert loader.timezone is None
    # Parsed the way the connection's own loader parses, then the zone taken off (USE_TZ = False).
    value = loader(1184, None).load(b"2026-11-27 13:45:00+00")
    assert value == datetime(2026, 11, 27, 13, 45)
    assert value.tzinfo is None


def test_postgresql_keeps_a_statement_a_connection_repeats_prepared(postgresql):
    """PostgreSQL binds the values and keeps the portal's repeated statements prepared, so that it does not plan
    them anew on every visit (vamos/settings/base.py, DATABASE_PREPARED_STATEMENTS)."""
    from academy.models import User

    def prepared_statements():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    emails = [UserFactory().email for _ in range(6)]
    for email in emails:  # the same statement, other values
        assert User.objects.get(email=email).email == email
    kept = [sql for sql in prepared_statements() if '"academy_user"."email" = $1' in sql]
    assert len(kept) == 1
