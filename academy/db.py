"""What the portal sets on each new database connection (academy.apps connects it to `connection_created`).

PostgreSQL's `timestamptz` values are read by psycopg's compiled loader. Django's PostgreSQL backend registers a
loader of its own for them (django.db.backends.postgresql.psycopg_any.register_tzloader: the value with the
connection's time zone put in its place) that derives from psycopg's *pure-Python* loader, so with psycopg's C
build installed every date-time of every row was still parsed in Python: a tenth of the time of a list page such
as "my bookings" (docs/benchmarks.md; Django ticket #36960). The loader here does the same as Django's with the
compiled parser: the same values, the same `tzinfo`. Where the connection's zone is the one Django puts in (UTC,
always, unless a query changed the session's), the compiled loader itself is used, so that psycopg calls it
without Python in between.
"""

from functools import lru_cache


def use_compiled_timestamptz_loader(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    connection.connection.adapters.register_loader("timestamptz", timestamptz_loader(connection.timezone))


@lru_cache(maxsize=8)
def timestamptz_loader(timezone):
    """A text loader of `timestamptz` giving what Django's loader for the time zone gives (`timezone` None: a naive
    value). Django compares a connection's loader's `timezone` with the connection's before each cursor and
    registers its own when they differ, so the class carries it too."""
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.postgres import types
    from psycopg.pq import Format

    # The registered default: psycopg's compiled loader where its C build is installed (a final class, so it is
    # wrapped rather than derived from), else its Python one.
    parser = psycopg.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)

    class TimestamptzLoader(Loader):
        def __new__(cls, oid, context=None):
            loader = parser(oid, context)
            connection = context.connection if context is not None else None
            if timezone is not None and connection is not None and connection.info.timezone is timezone:
                # The parser already gives the connection's zone, the very tzinfo Django puts in: it reads alone.
                return loader
            wrapper = super().__new__(cls)
            wrapper._parse = loader.load
            return wrapper

        def load(self, data):
            return self._parse(data).replace(tzinfo=timezone)

    TimestamptzLoader.timezone = timezone
    return TimestamptzLoader
