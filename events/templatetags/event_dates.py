"""How the portal writes an event's dates: `{% date_span event_date %}` (one date, start to end) and
`{% dates_short dates %}` (the first date and how many more follow), as template tags rather than included
templates: lists render them once per row (the catalogue's cards, "my bookings"), and an include costs a
template context and a render per row, which made up half of a long list's time (docs/benchmarks.md).

    {% load event_dates %}
"""

from html import escape

from django import template
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


def _day(moment) -> str:
    """ "Mo, 02.03.2026": the weekday in the page's language, as Django's date format "D, d.m.Y" writes it (which
    reads its format string letter by letter: a third of a long list's dates)."""
    return f"{escape(WEEKDAYS_ABBR[moment.weekday()])}, {moment:%d.%m.%Y}"


@register.simple_tag
def date_span(event_date):
    """<time>Mo, 02.03.2026, 10:00</time>–<time>16:00</time>, with the end's day when it ends on another."""
    start, end = timezone.localtime(event_date.start), timezone.localtime(event_date.end)
    end_text = f"{end:%H:%M}" if start.date() == end.date() else f"{_day(end)}, {end:%H:%M}"
    # Digits and a translated weekday name: only the weekday needs escaping (in _day).
    return mark_safe(  # noqa: S308
        f'<time datetime="{start.isoformat()}">{_day(start)}, {start:%H:%M}</time>–'
        f'<time datetime="{end.isoformat()}">{end_text}</time>'
    )


@register.simple_tag
def dates_short(dates):
    """The first date of a list (already ordered) and "and N more dates", as a paragraph; nothing for none."""
    dates = list(dates)
    if not dates:
        return ""
    more = ""
    if len(dates) > 1:
        counter = len(dates) - 1
        text = ngettext("and %(counter)s more date", "and %(counter)s more dates", counter) % {"counter": counter}
        more = f'<br><span class="small">{escape(text)}</span>'
    return mark_safe(  # noqa: S308
        f'<p class="mb-1"><span class="visually-hidden">{escape(gettext("Date:"))} </span>'
        f"{date_span(dates[0])}{more}</p>"
    )
