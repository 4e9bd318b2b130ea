from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from coaching import availability


def rule(weekday, start, end):
    return SimpleNamespace(weekday=weekday, start_time=time(*start), end_time=time(*end))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_weekly_window_keeps_berlin_wall_clock_across_summer_time():
    # 2026-03-29 is the Sunday clocks go forward; Mondays before and after.
    before = availability.weekly_windows([rule(0, (10, 0), (12, 0))], date(2026, 3, 23), date(2026, 3, 23))
    after = availability.weekly_windows([rule(0, (10, 0), (12, 0))], date(2026, 3, 30), date(2026, 3, 30))
    assert before == [(utc(2026, 3, 23, 9), utc(2026, 3, 23, 11))]  # CET, UTC+1
    assert after == [(utc(2026, 3, 30, 8), utc(2026, 3, 30, 10))]  # CEST, UTC+2


def test_window_over_the_night_clocks_go_back_is_an_hour_longer():
    # 2026-10-25: 02:00–04:00 wall clock lasts three real hours.
    windows = availability.weekly_windows([rule(6, (1, 0), (4, 0))], date(2026, 10, 25), date(2026, 10, 25))
    start, end = windows[0]
    assert end - start == timedelta(hours=4)
    slots = availability.slots_in(windows, minutes=60, step_minutes=60, not_before=utc(2000, 1, 1))
    assert len(slots) == 4
    assert all(e - s == timedelta(hours=1) for s, e in slots)


def test_free_intervals_subtract_blocked_and_busy_and_add_one_offs():
    monday = [rule(0, (9, 0), (13, 0))]
    free = availability.free_intervals(
        rules=monday,
        available=[(utc(2026, 6, 2, 14), utc(2026, 6, 2, 15))],  # Tuesday one-off, 16:00 Berlin
        blocked=[(utc(2026, 6, 1, 7), utc(2026, 6, 1, 8))],  # 09:00–10:00 Berlin
        busy=[(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10))],  # 11:00–12:00 Berlin
        start=utc(2026, 6, 1, 0),
        end=utc(2026, 6, 3, 0),
    )
    assert free == [
        (utc(2026, 6, 1, 8), utc(2026, 6, 1, 9)),
        (utc(2026, 6, 1, 10), utc(2026, 6, 1, 11)),
        (utc(2026, 6, 2, 14), utc(2026, 6, 2, 15)),
    ]


def test_slots_start_on_the_step_and_not_in_the_past():
    slots = availability.slots_in(
        [(utc(2026, 6, 1, 8), utc(2026, 6, 1, 11))], minutes=60, step_minutes=30, not_before=utc(2026, 6, 1, 8, 10)
    )
    assert slots[0] == (utc(2026, 6, 1, 8, 30), utc(2026, 6, 1, 9, 30))
    assert slots[-1] == (utc(2026, 6, 1, 10), utc(2026, 6, 1, 11))
    assert len(slots) == 4


def test_merge_and_covers():
    merged = availability.merge(
        [(utc(2026, 1, 1, 10), utc(2026, 1, 1, 12)), (utc(2026, 1, 1, 11), utc(2026, 1, 1, 13))]
    )
    assert merged == [(utc(2026, 1, 1, 10), utc(2026, 1, 1, 13))]
    assert availability.covers(merged, utc(2026, 1, 1, 12), utc(2026, 1, 1, 13))
    assert not availability.covers(merged, utc(2026, 1, 1, 12), utc(2026, 1, 1, 14))
