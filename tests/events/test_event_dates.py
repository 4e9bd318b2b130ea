"""How every list and page writes an event's dates ({% date_span %}, {% dates_short %}): in Berlin time, the
weekday in the page's language, the end's day only when it ends on another day."""

from datetime import UTC, datetime

from django.utils import translation

from events.models import EventDate
from events.templatetags.event_dates import date_span, dates_short


def _date(start: datetime, end: datetime) -> EventDate:
    return EventDate(start=start, end=end)


def test_a_date_on_one_day_in_berlin_time_with_the_weekday_in_the_pages_language():
    winter = _date(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 2, 15, 30, tzinfo=UTC))

    with translation.override("de"):
        assert date_span(winter) == (
            '<time datetime="2026-03-02T10:00:00+01:00">Mo, 02.03.2026, 10:00</time>'
            '–<time datetime="2026-03-02T16:30:00+01:00">16:30</time>'
        )
    with translation.override("en"):
        assert "Mon, 02.03.2026, 10:00" in date_span(winter)


def test_a_date_over_two_days_names_the_end_day_and_summer_time_counts():
    summer = _date(datetime(2026, 7, 3, 16, 0, tzinfo=UTC), datetime(2026, 7, 4, 12, 0, tzinfo=UTC))

    with translation.override("de"):
        assert date_span(summer) == (
            '<time datetime="2026-07-03T18:00:00+02:00">Fr, 03.07.2026, 18:00</time>'
            '–<time datetime="2026-07-04T14:00:00+02:00">Sa, 04.07.2026, 14:00</time>'
        )


def test_the_short_form_is_the_first_date_and_how_many_follow():
    first = _date(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    second = _date(datetime(2026, 3, 9, 9, 0, tzinfo=UTC), datetime(2026, 3, 9, 15, 0, tzinfo=UTC))

    with translation.override("en"):
        html = dates_short([first, second])
        assert html.startswith('<p class="mb-1"><span class="visually-hidden">Date: </span><time')
        assert "Mon, 02.03.2026, 10:00" in html and '<span class="small">and 1 more date</span>' in html
        assert "09.03.2026" not in html
        assert dates_short([]) == ""
