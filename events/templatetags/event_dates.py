"""How the portal writes an event's dates: `{% date_span event_date %}` (one date, start to end) and
`{% dates_short dates %}` (the first date and how many more follow), as template tags rather than included
templates: lists render them once per row (the catalogue's cards, "my bookings"), and an include costs a
template context and a render per row, which made up half of a long list's time (docs/benchmarks.md).

    {% load event_dates %}
"""

from functools import lru_cache
from html import escape

from django import template
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

register = template.Library()


@lru_cache(maxsize=16)
def _weekdays(language: str) -> tuple[str, ...]:
    """The weekdays' short names in a language (called with it active), escaped."""
    return tuple(escape(str(WEEKDAYS_ABBR[day])) for day in range(7))


def _day(moment, weekdays: tuple[str, ...]) -> str:
    """ "Mo, 02.03.2026": the weekday in the page's language, as Django's date format "D, d.m.Y" writes it (which
    reads its format string letter by letter: a third of a long list's dates)."""
    return f"{weekdays[moment.weekday()]}, {moment:%d.%m.%Y}"


@register.simple_tag
def date_span(event_date, zone=None, language=None):
    """<time>Mo, 02.03.2026, 10:00</time>–<time>16:00</time>, with the end's day when it ends on another. A list
    passes the zone and the language it writes all its rows in."""
    zone = zone or timezone.get_current_timezone()
    weekdays = _weekdays(language or get_language())
    start, end = event_date.start.astimezone(zone), event_date.end.astimezone(zone)
    end_text = f"{end:%H:%M}" if start.date() == end.date() else f"{_day(end, weekdays)}, {end:%H:%M}"
    # Digits and a translated weekday name: only the weekday needs escaping (in _weekdays).
    return mark_safe(  # noqa: S308
        f'<time datetime="{start.isoformat()}">{_day(start, weekdays)}, {start:%H:%M}</time>–'
        f'<time datetime="{end.isoformat()}">{end_text}</time>'
    )


@lru_cache(maxsize=256)
def _texts(language: str, more: int) -> tuple[str, str]:
    """ "Date:" and "and N more dates" in a language (called with it active), escaped: translated once per
    process, not on every row of a list."""
    text = ngettext("and %(counter)s more date", "and %(counter)s more dates", more) % {"counter": more}
    return escape(gettext("Date:")), f'<br><span class="small">{escape(text)}</span>' if more else ""


@register.simple_tag
def dates_short(dates, zone=None, language=None):
    """The first date of a list (already ordered) and "and N more dates", as a paragraph; nothing for none."""
    dates = list(dates)
    if not dates:
        return ""
    language = language or get_language()
    label, more = _texts(language, len(dates) - 1)
    return mark_safe(  # noqa: S308
        f'<p class="mb-1"><span class="visually-hidden">{label} </span>{date_span(dates[0], zone, language)}{more}</p>'
    )
