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

A row maker, given first, turns each row into what the callers use (e.g. a values_list row into a light object):
`@prepared(BookingRow, person=int)`.

The rules the build function follows (the first is checked when a shape is first compiled; under the test
settings, PREPARED_READS_VERIFY compares every call's SQL and values with what Django compiles from the real
values, which catches a break of any of them in any test that calls the read):
- every parameter reaches the SQL unchanged, as a parameter (an `int`, `str`, `date` or `datetime`; a `list` of
  integers through the lookup `__any_of` below, not `__in`): no `timezone.now()` or arithmetic on a parameter
  inside the function, no slicing by a parameter;
- a parameter never changes the shape of the query (no `if` on it);
- anything else the SQL depends on (the active language, a flag) is a positional argument: the shape.

Reached for only where a profile showed the building and compiling to be a large part of a page (docs/benchmarks.md,
sixth round). SQLAlchemy keeps compiled statements the same way; Django has no public API for it, so this module
leans on internals that have kept their form since Django 2: `SQLCompiler.as_sql()`'s (sql, params), the compiler
that `Query.get_compiler()` returns and `QuerySet._chain()`. The test suite covers them on every Django upgrade.
"""

import copy
import datetime as dt
import json
from collections.abc import Callable
from functools import update_wrapper

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import Count, Lookup, QuerySet, Window

# Within a small integer column's range: Django 5 turns a lookup outside its column's range into "no rows" (or
# "every row") before any SQL is written. A constant of the query equal to a stand-in would be taken for the
# parameter: the test settings' check would see the difference.
_INT_BASE = 32_000


def _stand_in(kind: type, index: int):
    if kind is int:
        return _INT_BASE + index
    if kind is list:
        return [_INT_BASE + index, _INT_BASE + index]
    if kind is str:
        return f"\x1fprepared-{index}\x1f"
    if kind is dt.datetime:
        return dt.datetime(2222, 2, 2, 2, 2, 2, index + 1, tzinfo=dt.UTC)
    if kind is dt.date:
        return dt.date(2222, 2, index + 1)
    raise ImproperlyConfigured(f"A prepared read's parameter is an int, str, date, datetime or list, not {kind!r}.")


def _adapt(kind: type, value, connection):
    """The value as Django's lookups hand it to the database driver."""
    if kind is dt.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is dt.date:
        return connection.ops.adapt_datefield_value(value)
    if kind is list:
        return _array(value, connection)
    return value


def _array(values, connection):
    """Integers as one parameter: an array for PostgreSQL, a JSON text for SQLite's json_each."""
    values = [int(value) for value in values]
    return values if connection.vendor == "postgresql" else json.dumps(values)


@models.IntegerField.register_lookup
@models.ForeignKey.register_lookup
class AnyOf(Lookup):
    """`field__any_of=ids`: the field is one of a list of integers passed as one parameter, so that the SQL is the
    same for any number of them (`__in` writes a placeholder per value) and a prepared read (kind `list`) can keep
    it. PostgreSQL: `= ANY(array)`, which its indexes serve as they serve IN; SQLite: IN json_each(text)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [_array(value, connection)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
        # lhs is a quoted column, rhs a placeholder: the values travel as a parameter.
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", [*lhs_params, *rhs_params]  # noqa: S608


class _Compiled:
    __slots__ = ("compiler", "converters", "params", "queryset", "slots", "sql")

    def __init__(self, queryset, compiler, sql, params, slots):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.slots = slots  # (position in params, parameter name, kind)
        self.converters = (None, {})  # the connection they were asked of, and {columns: converters}

    def converters_for(self, compiler, connection):
        """The compiler's get_converters, answered once per connection (they follow from the columns and the
        database backend: ~150 Python calls per query to ask again)."""
        asked, kept = self.converters
        if asked is not connection:
            kept = {}
            self.converters = (connection, kept)
        original = type(compiler).get_converters

        def get_converters(expressions):
            key = tuple(map(id, expressions))
            found = kept.get(key)
            if found is None:
                found = kept[key] = original(compiler, expressions)
            return found

        return get_converters

    def queryset_with(self, params: tuple, connection) -> QuerySet:
        """The kept queryset, to be iterated once, running the kept SQL with these parameters: a compiler of its
        own for this call (the kept one's columns and joins, this thread's connection); Django's iterable asks the
        query for its compiler and runs it."""
        compiler = copy.copy(self.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        compiler.get_converters = self.converters_for(compiler, connection)
        queryset = _shallow_copy(self.queryset)
        queryset._query = query = _shallow_copy(self.queryset.query)  # (the query setter would reset the iterable)
        query.get_compiler = lambda *args, **kwargs: compiler
        return queryset


def compiled_as_it_is(queryset: QuerySet) -> _Compiled:
    """A queryset compiled once with its own values (no parameters to put in): for a read that a key outside the
    query names exactly, such as academy.admin_lists' page of rows by its query string."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    return _Compiled(queryset, compiler, sql, tuple(params), ())


KEPT_SHAPES = 64  # per prepared read: a shape's entry is a few kB; page numbers are shapes too
COUNT = "count"
Cut = tuple[int, int | None] | str | None  # all rows, a window (start, stop), COUNT, or (WITH_TOTAL, stop)
WITH_TOTAL = "with total"


class PreparedRead:
    """See the module. Positional arguments shape the query (each combination is compiled once: a flag, the
    language); keyword arguments are its parameters."""

    def __init__(self, build: Callable[..., QuerySet], kinds: dict[str, type], make_row: Callable | None = None):
        self.build = build
        self.kinds = kinds
        self.make_row = make_row
        self._compiled: dict[tuple, _Compiled] = {}
        update_wrapper(self, build)

    def __call__(self, *shape, **values) -> list:
        return self.rows(shape, None, values)

    def bind(self, *shape, **values) -> "BoundRead":
        """The read as a list that Django's Paginator (and academy.pagination) can slice and count."""
        return BoundRead(self, shape, values)

    def rows(self, shape: tuple, cut: Cut, values: dict) -> list:
        """The rows of the query, of a window of it (start, stop) or its number of rows (COUNT)."""
        if values.keys() != self.kinds.keys():
            raise TypeError(f"{self.build.__name__}() takes {sorted(self.kinds)}, got {sorted(values)}")
        compiled = self._compiled.get((shape, cut))
        if compiled is None:
            if len(self._compiled) >= KEPT_SHAPES:
                self._compiled.clear()
            compiled = self._compiled[shape, cut] = self._compile(shape, cut)
        connection = connections[compiled.queryset.db]
        params = list(compiled.params)
        for position, name, kind in compiled.slots:
            params[position] = _adapt(kind, values[name], connection)
        params = tuple(params)
        if getattr(settings, "PREPARED_READS_VERIFY", False):
            self._verify(compiled, shape, cut, values, params)
        queryset = compiled.queryset_with(params, connection)
        if cut == COUNT:
            return list(queryset)
        if isinstance(cut, tuple) and cut[0] == WITH_TOTAL:
            queryset = _without_total(queryset, found := [])
            rows = list(queryset if self.make_row is None else map(self.make_row, queryset))
            return [rows, found[0] if found else 0]
        if self.make_row is None:
            return list(queryset)
        return list(map(self.make_row, queryset))

    def queryset(self, shape: tuple, cut: Cut, values: dict) -> QuerySet:
        queryset = self.build(*shape, **values)
        if cut is None:
            return queryset
        if cut == COUNT:
            # The number of rows as a row: COUNT(*) OVER () of the first row, none when there are none. Like
            # count(), it leaves the order out; joins of select_related along required keys add no rows.
            return queryset.order_by().annotate(_total=Window(Count("*"))).values_list("_total")[:1]
        if cut[0] == WITH_TOTAL:
            # The first rows with the number of all rows in each: COUNT(*) OVER () is counted before the LIMIT.
            return queryset.annotate(_total=Window(Count("*")))[: cut[1]]
        return queryset[cut[0] : cut[1]]

    def _compile(self, shape: tuple, cut: Cut) -> _Compiled:
        stand_ins = {name: _stand_in(kind, index) for index, (name, kind) in enumerate(self.kinds.items())}
        queryset = self.queryset(shape, cut, stand_ins)
        if queryset.query.distinct or queryset.query.combinator:
            raise ImproperlyConfigured(f"{self.build.__name__}: a prepared read is not distinct() nor a union.")
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

    def _verify(self, compiled: _Compiled, shape: tuple, cut: Cut, values: dict, params: tuple) -> None:
        fresh = self.queryset(shape, cut, values)
        sql, fresh_params = fresh.query.get_compiler(using=fresh.db).as_sql()
        if (sql, tuple(fresh_params)) != (compiled.sql, params):
            raise AssertionError(
                f"{self.build.__name__}: the prepared SQL differs from Django's for {shape} {values}:\n"
                f"{compiled.sql} {params}\n{sql} {tuple(fresh_params)}"
            )


def _shallow_copy(obj):
    """A new object of obj's class sharing obj's attributes. A prepared read's queryset and query are never changed
    once compiled: each call runs a shallow copy of them with its own compiler (a clone of the query cost more than
    reading a row; copy.copy would evaluate a QuerySet to pickle it)."""
    copied = object.__new__(type(obj))
    copied.__dict__.update(obj.__dict__)
    return copied


def _without_total(queryset, found: list):
    """The rows of a WITH_TOTAL read as the read without it makes them (tuples, dicts or instances), the total put
    into `found` from the first."""
    for row in queryset:
        if type(row) is tuple:
            total, row = row[-1], row[:-1]
        elif type(row) is dict:
            total = row.pop("_total")
        elif isinstance(row, models.Model):
            total = row.__dict__.pop("_total")
        else:  # a flat or named values_list
            raise ImproperlyConfigured("The rows of a read with a total are instances, dicts or plain tuples.")
        if not found:
            found.append(total)
        yield row


class BoundRead:
    """A prepared read with its values: slicing reads a window of rows, count() the number of rows (each a shape
    of its own, compiled once)."""

    def __init__(self, read: PreparedRead, shape: tuple, values: dict):
        self.read = read
        self.shape = shape
        self.values = values

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("A bound prepared read is sliced with [start:stop].")
        return self.read.rows(self.shape, (index.start or 0, index.stop), self.values)

    def count(self) -> int:
        found = self.read.rows(self.shape, COUNT, self.values)
        return found[0][0] if found else 0

    def first_with_total(self, stop: int) -> tuple[list, int]:
        """The first `stop` rows and the number of all rows, in one query (academy.pagination's first page)."""
        rows, total = self.read.rows(self.shape, (WITH_TOTAL, stop), self.values)
        return rows, total


_STATEMENTS: dict[tuple[str, str], str] = {}


def kept_statement(name: str, connection, write: Callable[[Callable[[str], str]], str]) -> str:
    """A write's SQL kept per process and database instead of a queryset Django compiles anew on every call (the
    session's UPDATE, the seat counter's, the outbox's INSERT): `write(quote)` returns the text from the
    connection's quote_name, with table and column names only and every value a %s parameter."""
    key = (name, connection.alias)
    sql = _STATEMENTS.get(key)
    if sql is None:
        sql = _STATEMENTS[key] = write(connection.ops.quote_name)
    return sql


def prepared(make_row: Callable | None = None, /, **kinds: type) -> Callable[[Callable], PreparedRead]:
    """Turn a function that builds a queryset into a prepared read: prepared(user=int) for a parameter `user`;
    prepared(make_row, user=int) gives make_row(row) for each of its rows."""

    def decorate(build: Callable[..., QuerySet]) -> PreparedRead:
        return PreparedRead(build, kinds, make_row)

    return decorate
