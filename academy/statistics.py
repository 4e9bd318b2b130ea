"""The staff statistics page (Reporting): figures for a chosen period, each as a chart and a table, and as XLSX.

academy imports no offer app. Each app that has something to report registers a provider once, in its
AppConfig.ready:

    from academy.statistics import Figure, Section, statistics_section_register

    def my_section(period):
        # a fixed number of queries, whatever the number of rows: aggregation in the database
        return Section(key="coaching", title=_("Coaching"), figures=[Figure(...)])

    statistics_section_register(my_section, position=40)

A provider takes the `Period` (two dates, both inclusive, in the portal's time zone) and returns a `Section`.
The page shows the sections in the order of their position; the XLSX has one sheet per section. Every figure
says in its note what it counts and which date puts a record in the period.
"""

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .exports import Sheet


@dataclass(frozen=True)
class Period:
    """From the start of `start` to the end of `end` (both inclusive), in the portal's time zone."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def since(self) -> datetime:
        """The first moment of the period (aware)."""
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first moment after the period (aware): filter with `__lt`."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def lookup(self, field_name: str) -> dict:
        """Filter keyword arguments that put a datetime field in the period: `.filter(**period.lookup("start"))`."""
        return {f"{field_name}__gte": self.since, f"{field_name}__lt": self.until}


@dataclass
class Figure:
    """One figure: a table with a label column and one or more number columns; one number column is charted.

    `rows` are (label, number, …) tuples; `chart_column` is the index of the charted number in the row
    (1 = the first number; None: no chart). `key` must be unique on the page (used for element ids).
    """

    key: str
    title: str
    columns: list[str]
    rows: list[tuple]
    note: str = ""
    chart_column: int | None = 1

    @property
    def is_empty(self) -> bool:
        return not any(value for row in self.rows for value in row[1:])


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class _Provider:
    position: int
    provide: Callable[[Period], Section]


statistics_sections: list[_Provider] = []


def statistics_section_register(provide: Callable[[Period], Section], *, position: int) -> None:
    """Registers a provider (once: a second ready() does not add it again); lower positions come first."""
    if any(provider.provide is provide for provider in statistics_sections):
        return
    statistics_sections.append(_Provider(position=position, provide=provide))
    statistics_sections.sort(key=lambda provider: provider.position)


# What several sections read alike, read once per statistics_collect (see shared()).
_shared: ContextVar[dict | None] = ContextVar("vamos_statistics_shared", default=None)


def statistics_collect(*, period: Period) -> list[Section]:
    """Every registered section for the period, in order."""
    token = _shared.set({})
    try:
        return [provider.provide(period) for provider in statistics_sections]
    finally:
        _shared.reset(token)


def shared(key: tuple, compute: Callable):
    """`compute()`, once per statistics_collect for the same key: what several sections need alike (the topics,
    the period's events' topics) is read once for the page instead of once per section. Outside a collection
    (one section on its own) it is simply computed. The result is shared: read it, do not change it."""
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def topic_labels() -> list[tuple[int, str]]:
    """Every topic as (id, name in the active language), in the portal's order (one query per collection)."""
    from .models import Topic

    return shared(
        ("academy.topics",),
        lambda: [(topic.pk, str(topic.name)) for topic in Topic.objects.order_by("position", "slug")],
    )


def statistics_sheets(*, sections: list[Section], period: Period) -> list[Sheet]:
    """One sheet per section: each figure as a block (title, header, rows, note), a blank row between them."""
    from django.utils.translation import gettext as _

    sheets = []
    for section in sections:
        rows: list[tuple] = [(_("Period"), period.start, period.end)]
        if section.note:
            rows.append((section.note,))
        for figure in section.figures:
            rows.append(())
            rows.append((figure.title,))
            rows.append(tuple(figure.columns))
            rows.extend(figure.rows)
            if figure.note:
                rows.append((figure.note,))
        # academy.exports sizes the columns by the header, so the header is as wide as the widest row.
        width = max(len(row) for row in rows)
        title = re.sub(r"[\[\]:*?/\\]", "-", str(section.title))[:31]  # what Excel allows in a sheet name
        sheets.append(Sheet(title=title, header=[section.title] + [""] * (width - 1), rows=rows))
    return sheets


def ratio(part: int | float, whole: int | float) -> float:
    """A rounded average or share; 0 when there is nothing to divide by."""
    return round(part / whole, 2) if whole else 0
