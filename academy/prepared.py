"""Reads whose SQL Django compiles once per process.

Building a queryset and compiling it to SQL costs Django 1,000–8,000 Python calls per query (joins, selected
columns, ordering and where clauses resolved anew each time); for the portal's hot reads that is more than reading
the rows. A prepared read builds its queryset once per process with stand-in values for its parameters, keeps the
compiled SQL and the compiler's description of the columns, and on each call puts the real values where the
stand-ins were and lets Django's own iterables turn the rows into model instances or tuples (select_related,
only(), values_list and prefetch_related work as usual).

    @prepared(user=int)
    def memberships(user):
        return Membership.objects.filter(user_id=user).select_related("organisation").order_by("organisation__name")

    memberships(user=request.user.pk)  # a list

The rules the build function follows (the first is checked when a shape is first compiled; under the test
settings, PREPARED_READS_VERIFY compares every call's SQL and values with what Django compiles from the real
values, which catches a break of any of them in any test that calls the read):
- every parameter reaches the SQL unchanged, as a parameter (an `int`, `str`, `date` or `datetime`): no
  `timezone.now()` or arithmetic on a parameter inside the function, no slicing or `__in` lists by a parameter;
- a parameter never changes the shape of the query (no `if` on it);
- anything else the SQL depends on (the active language, a flag) is a positional argument: the shape.

Reached for only where a profile showed the building and compiling to be a large part of a page (docs/benchmarks.md,
sixth round). SQLAlchemy keeps compiled statements the same way; Django has no public API for it, so this module
leans on internals that have kept their form since Django 2: `SQLCompiler.as_sql()`'s (sql, params), the compiler
that `Query.get_compiler()` returns and `QuerySet._chain()`. The test suite covers them on every Django upgrade.
"""

import copy
import datetime as dt
from collections.abc import Callable
from functools import update_wrapper

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

# Within a small integer column's range: Django 5 turns a lookup outside its column's range into "no rows" (or
# "every row") before any SQL is written. A constant of the query equal to a stand-in would be taken for the
# parameter: the test settings' check would see the difference.
_INT_BASE = 32_000


def _stand_in(kind: type, index: int):
    if kind is int:
        return _INT_BASE + index
    if kind is str:
        return f"\x1fprepared-{index}\x1f"
    if kind is dt.datetime:
        return dt.datetime(2222, 2, 2, 2, 2, 2, index + 1, tzinfo=dt.UTC)
    if kind is dt.date:
        return dt.date(2222, 2, index + 1)
    raise ImproperlyConfigured(f"A prepared read's parameter is an int, str, date or datetime, not {kind!r}.")


def _adapt(kind: type, value, connection):
    """The value as Django's lookups hand it to the database driver."""
    if kind is dt.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is dt.date:
        return connection.ops.adapt_datefield_value(value)
    return value


class _Compiled:
    __slots__ = ("compiler", "params", "queryset", "slots", "sql")

    def __init__(self, queryset, compiler, sql, params, slots):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.slots = slots  # (position in params, parameter name, kind)


KEPT_SHAPES = 64  # per prepared read: a shape's entry is a few kB; page numbers are shapes too


class PreparedRead:
    """See the module. Positional arguments shape the query (each combination is compiled once: a flag, the
    language); keyword arguments are its parameters."""

    def __init__(self, build: Callable[..., QuerySet], kinds: dict[str, type]):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[tuple, _Compiled] = {}
        update_wrapper(self, build)

    def __call__(self, *shape, **values) -> list:
        return self.rows(shape, None, values)

    def bind(self, *shape, **values) -> "BoundRead":
        """The read as a list that Django's Paginator (and academy.pagination) can slice and count."""
        return BoundRead(self, shape, values)

    def rows(self, shape: tuple, window: tuple[int, int] | None, values: dict) -> list:
        if values.keys() != self.kinds.keys():
            raise TypeError(f"{self.build.__name__}() takes {sorted(self.kinds)}, got {sorted(values)}")
        compiled = self._compiled.get((shape, window))
        if compiled is None:
            if len(self._compiled) >= KEPT_SHAPES:
                self._compiled.clear()
            compiled = self._compiled[shape, window] = self._compile(shape, window)
        connection = connections[compiled.queryset.db]
        params = list(compiled.params)
        for position, name, kind in compiled.slots:
            params[position] = _adapt(kind, values[name], connection)
        params = tuple(params)
        if getattr(settings, "PREPARED_READS_VERIFY", False):
            self._verify(compiled, shape, window, values, params)
        # A compiler of our own for this call: the kept one's columns and joins, this thread's connection, the
        # kept SQL with this call's values. Django's iterable asks the query for its compiler and runs it.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        queryset = compiled.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def queryset(self, shape: tuple, window: tuple[int, int] | None, values: dict) -> QuerySet:
        queryset = self.build(*shape, **values)
        return queryset if window is None else queryset[window[0] : window[1]]

    def _compile(self, shape: tuple, window: tuple[int, int] | None) -> _Compiled:
        stand_ins = {name: _stand_in(kind, index) for index, (name, kind) in enumerate(self.kinds.items())}
        queryset = self.queryset(shape, window, stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        connection = compiler.connection
        slots = []
        for name, kind in self.kinds.items():
            adapted = _adapt(kind, stand_ins[name], connection)
            positions = [position for position, param in enumerate(params) if param == adapted]
            if not positions or str(stand_ins[name]) in sql:
                raise ImproperlyConfigured(
                    f"{self.build.__name__}: the parameter {name!r} must reach the SQL unchanged, as a parameter."
                )
            slots.extend((position, name, kind) for position in positions)
        return _Compiled(queryset, compiler, sql, tuple(params), tuple(slots))

    def _verify(self, compiled: _Compiled, shape: tuple, window, values: dict, params: tuple) -> None:
        fresh = self.queryset(shape, window, values)
        sql, fresh_params = fresh.query.get_compiler(using=fresh.db).as_sql()
        if (sql, tuple(fresh_params)) != (compiled.sql, params):
            raise AssertionError(
                f"{self.build.__name__}: the prepared SQL differs from Django's for {shape} {values}:\n"
                f"{compiled.sql} {params}\n{sql} {tuple(fresh_params)}"
            )


class BoundRead:
    """A prepared read with its values: slicing reads a window of rows (the window is part of the shape), count()
    asks Django (a page beyond the first is rare: academy.pagination counts only then)."""

    def __init__(self, read: PreparedRead, shape: tuple, values: dict):
        self.read = read
        self.shape = shape
        self.values = values

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("A bound prepared read is sliced with [start:stop].")
        return self.read.rows(self.shape, (index.start or 0, index.stop), self.values)

    def count(self) -> int:
        return self.read.queryset(self.shape, None, self.values).count()


def prepared(**kinds: type) -> Callable[[Callable], PreparedRead]:
    """Turn a function that builds a queryset into a prepared read: prepared(user=int) for a parameter `user`."""

    def decorate(build: Callable[..., QuerySet]) -> PreparedRead:
        return PreparedRead(build, kinds)

    return decorate
