"""A list of bookings ("my bookings", an organisation's bookings) as HTML: `{% booking_items bookings %}`, one
<li> per booking.

Written in Python rather than in the list's template: a list shows up to 40 bookings, and the template language
spent most of those pages' time on its rows (variable lookups, tags, filters per row); this writes the same
elements with ~450 fewer Python calls a row, and it writes the HTML with f-strings and `html.escape` rather than
format_html (docs/benchmarks.md). What is the same for every row of a list (the language's texts, the time zone,
the way back after cancelling) is read once per list, not per row. What a row says is tested through the pages
(test_each_booking_says_its_event_dates_state_and_how_to_cancel in tests/events/test_views.py).

    {% load booking_rows %}
    <ul>{% booking_items paged.items cancellable=True show_person=False %}</ul>
"""

from datetime import date, datetime, time
from functools import lru_cache
from html import escape
from urllib.parse import quote

from django import template
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, pgettext

from academy.choices import choice_label
from academy.links import path_to
from academy.translation import translated_reader
from events.models import Event

from .event_dates import dates_short

register = template.Library()

_BADGE = '<span class="badge text-bg-{}">{}</span>'


@lru_cache(maxsize=16)
def _texts(language: str) -> dict[str, str]:
    """The rows' fixed texts in a language (called with it active), escaped: translated once per process instead of
    on every row (a translation costs Django ~15 Python calls; a page of 40 rows asked for 200)."""
    return {
        "event cancelled": _BADGE.format("danger", escape(gettext("event cancelled"))),
        "confirmed": _BADGE.format("success", escape(gettext("confirmed"))),
        "cancelled": _BADGE.format("secondary", escape(gettext("cancelled"))),
        "waiting": gettext("waiting list, position %(position)s"),
        "cancel": escape(pgettext("booking", "Cancel")),
        "leave": escape(gettext("Leave the waiting list")),
        "deleted": escape(gettext("(deleted person)")),
    }


@lru_cache(maxsize=1024)
def _when(language: str, day: date, hour: int, minute: int) -> str:
    """A local date and time in the language's short formats (called with it active), escaped: Django's formats
    read their format strings letter by letter, ~200 Python calls a row; a page shows few distinct times."""
    moment = datetime.combine(day, time(hour, minute))
    return escape(f"{formats.date_format(moment, 'SHORT_DATE_FORMAT')}, {formats.time_format(moment, 'TIME_FORMAT')}")


def _status(booking, texts: dict[str, str]) -> str:
    if booking.event.is_cancelled:
        return texts["event cancelled"]
    if booking.is_confirmed:
        return texts["confirmed"]
    if booking.is_waiting:
        return _waiting_badge(booking, texts)
    return texts["cancelled"]


def _waiting_badge(booking, texts: dict[str, str]) -> str:
    return _BADGE.format("warning", escape(texts["waiting"] % {"position": booking.waiting_position}))


@register.simple_tag(takes_context=True)
def booking_items(context, bookings, *, cancellable=False, show_person=False):
    """Each booking's event (linked), its dates, format, whose or for which organisation, its state, and for an
    active booking of a list that may cancel, the link to cancel it (back to this page afterwards). Needs the
    rows completed by events.selectors.complete_booking_rows (dates, waiting position)."""
    language = get_language()
    texts = _texts(language)
    request = context.get("request")
    back = f"?next={quote(request.path)}" if request is not None else ""
    zone = timezone.get_current_timezone()
    # The title in the page's language or its fallback, as Event.title says it, found once per list (the rows are
    # events.rows.BookingRow: every title column read).
    title_of = translated_reader(Event, "title")
    return mark_safe(  # noqa: S308
        "".join(
            _booking_item(booking, texts, language, zone, back, cancellable, show_person, title_of)
            for booking in bookings
        )
    )


def _booking_item(booking, texts, language, zone, back, cancellable, show_person, title_of) -> str:
    event = booking.event
    title = title_of(event.__dict__)
    # An organisation's list (show_person) reads each booking's person, a person's list its organisation: a row
    # touches only the one its list read.
    person_name = ""
    facts = escape(capfirst(choice_label(Event.Format, event.format)))
    if show_person:
        person_name = booking.person.get_full_name() if booking.person is not None else ""
        facts = f"{facts} · {escape(person_name) if person_name else texts['deleted']}"
    elif booking.organisation is not None:
        facts = f"{facts} · {escape(booking.organisation.name)}"
    cancel = ""
    if cancellable and booking.is_active and not event.is_cancelled:
        label = texts["cancel"] if booking.is_confirmed else texts["leave"]
        whose = f"{title}, {person_name}" if show_person else title
        cancel = (
            f'\n      <a class="ms-2" href="{escape(path_to("events:cancel", booking.pk) + back)}">{label}'
            f'<span class="visually-hidden"> – {escape(whose)}</span></a>'
        )
    # Every text from the database or a translation goes through escape() (what format_html does, without its
    # per-argument calls); the dates and the state are HTML made here.
    return (
        '<li class="booking-item card mb-2">\n  <div class="card-body py-2">\n'
        f'    <p class="mb-1 fw-semibold"><a href="{path_to("events:detail", event.pk)}">'
        f"{escape(title)}</a></p>\n"
        f'    <div class="small">{dates_short(event.date_list, zone=zone, language=language)}</div>\n'
        f'    <p class="mb-1 small">{facts}</p>\n'
        f'    <p class="mb-0">\n      {_status(booking, texts)}{cancel}\n    </p>\n  </div>\n</li>'
    )


@register.simple_tag
def home_booking_item(booking):
    """One of the organisation's next bookings on its home page (events/_home_slot.html): the event (linked), its
    first date and time, format, who, and the state (organisation_upcoming_bookings reads what it needs)."""
    event = booking.event
    language = get_language()
    when = ""
    if event.first_start is not None:
        local = timezone.localtime(event.first_start)
        when = _when(language, local.date(), local.hour, local.minute)
    person = booking.person.get_full_name() if booking.person is not None else ""
    texts = _texts(language)
    state = _waiting_badge(booking, texts) if booking.is_waiting else texts["confirmed"]
    return mark_safe(  # noqa: S308
        f'<li class="mb-2">\n    <a href="{path_to("events:detail", event.pk)}">{escape(event.title)}</a>\n'
        f'    <br><small class="text-body-secondary">{when} · '
        f"{escape(choice_label(Event.Format, event.format))} · {escape(person) if person else texts['deleted']} ·\n"
        f"    {state}</small>\n  </li>"
    )
