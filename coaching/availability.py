"""Free time of a coach: weekly windows and one-off slots, minus blocked times and sessions.

Weekly windows are wall-clock times in Europe/Berlin: "Tuesday 10:00–12:00" stays 10:00 local time across the
change to and from summer time. Every window is turned into an aware datetime with zoneinfo and then into UTC,
and all arithmetic happens in UTC (adding a timedelta to a zoneinfo datetime counts wall-clock time, which
would make a slot across the change an hour too long or short).
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

Interval = tuple[datetime, datetime]


def berlin() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "COACHING_TIME_ZONE", "Europe/Berlin"))


def local_datetime(day: date, at: time) -> datetime:
    """The aware UTC instant of a Berlin wall-clock time on a day.

    A time that does not exist (02:30 on the night clocks go forward) falls to the later side; one that
    exists twice (02:30 when they go back) is its first occurrence (fold=0).
    """
    instant = datetime.combine(day, at, tzinfo=berlin()).astimezone(UTC)
    return instant


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of the intervals."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(intervals: list[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """The parts of the (merged) intervals that no hole covers."""
    result = intervals
    for hole_start, hole_end in merge(holes):
        next_result = []
        for start, end in result:
            if hole_end <= start or hole_start >= end:
                next_result.append((start, end))
                continue
            if start < hole_start:
                next_result.append((start, hole_start))
            if hole_end < end:
                next_result.append((hole_end, end))
        result = next_result
    return result


def weekly_windows(rules, first_day: date, last_day: date) -> list[Interval]:
    """Every occurrence of the weekly rules (objects with weekday, start_time, end_time) between the days."""
    by_weekday: dict[int, list] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    windows = []
    day = first_day
    while day <= last_day:
        for rule in by_weekday.get(day.weekday(), ()):
            windows.append((local_datetime(day, rule.start_time), local_datetime(day, rule.end_time)))
        day += timedelta(days=1)
    return windows


def free_intervals(*, rules, available, blocked, busy, start: datetime, end: datetime) -> list[Interval]:
    """Free time between start and end (aware): weekly rules plus one-off windows, minus blocked and busy."""
    local_start = start.astimezone(berlin()).date() - timedelta(days=1)
    local_end = end.astimezone(berlin()).date() + timedelta(days=1)
    windows = merge([*weekly_windows(rules, local_start, local_end), *available])
    windows = subtract(windows, [*blocked, *busy])
    clipped = [(max(s, start), min(e, end)) for s, e in windows]
    return [(s, e) for s, e in clipped if e > s]


def slots_in(intervals: list[Interval], *, minutes: int, step_minutes: int, not_before: datetime) -> list[Interval]:
    """Slots of the given length inside the intervals, starting at each interval's start and every step.

    Slots that start before `not_before` (now) are left out; a slot start is rounded up to the step.
    """
    length = timedelta(minutes=minutes)
    step = timedelta(minutes=step_minutes)
    slots = []
    for start, end in intervals:
        cursor = start.astimezone(UTC)
        end = end.astimezone(UTC)
        if cursor < not_before:
            skipped = -(-(not_before - cursor) // step)  # whole steps, rounded up
            cursor += skipped * step
        while cursor + length <= end:
            slots.append((cursor, cursor + length))
            cursor += step
    return slots


def covers(intervals: list[Interval], start: datetime, end: datetime) -> bool:
    return any(s <= start and end <= e for s, e in intervals)
