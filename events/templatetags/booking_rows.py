"""One booking of a list ("my bookings", an organisation's bookings) as HTML: `{% booking_item booking %}`.

Written in Python rather than in the list's template: a list shows up to 40 bookings, and the template language
spent most of those pages' time on its rows (variable lookups, tags, filters per row); this writes the same
element with ~450 fewer Python calls a row (docs/benchmarks.md). What a row says is tested through the pages
(test_each_booking_says_its_event_dates_state_and_how_to_cancel in tests/events/test_views.py).

    {% load booking_rows %}
    {% for booking in paged.items %}{% booking_item booking cancellable=True show_person=False %}{% endfor %}
"""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from .event_dates import dates_short

register = template.Library()


def _status(booking) -> str:
    if booking.event.is_cancelled:
        return format_html('<span class="badge text-bg-danger">{}</span>', gettext("event cancelled"))
    if booking.is_confirmed:
        return format_html('<span class="badge text-bg-success">{}</span>', gettext("confirmed"))
    if booking.is_waiting:
        text = gettext("waiting list, position %(position)s") % {"position": booking.waiting_position}
        return format_html('<span class="badge text-bg-warning">{}</span>', text)
    return format_html('<span class="badge text-bg-secondary">{}</span>', gettext("cancelled"))


@register.simple_tag(takes_context=True)
def booking_item(context, booking, *, cancellable=False, show_person=False):
    """The booking's event (linked), its dates, format, whose or for which organisation, its state, and for an
    active booking of a list that may cancel, the link to cancel it (back to this page afterwards)."""
    event = booking.event
    person_name = booking.person.get_full_name() if booking.person is not None else ""
    facts = capfirst(event.get_format_display())
    if show_person:
        facts = format_html("{} · {}", facts, person_name or gettext("(deleted person)"))
    elif booking.organisation is not None:
        facts = format_html("{} · {}", facts, booking.organisation.name)
    cancel = ""
    if cancellable and booking.is_active and not event.is_cancelled:
        request = context.get("request")
        back = f"?next={quote(request.path)}" if request is not None else ""
        label = pgettext("booking", "Cancel") if booking.is_confirmed else gettext("Leave the waiting list")
        whose = f"{event.title}, {person_name}" if show_person else event.title
        cancel = format_html(
            '\n      <a class="ms-2" href="{}{}">{}<span class="visually-hidden"> – {}</span></a>',
            reverse("events:cancel", args=[booking.pk]),
            back,
            label,
            whose,
        )
    return format_html(
        '<li class="booking-item card mb-2">\n  <div class="card-body py-2">\n'
        '    <p class="mb-1 fw-semibold"><a href="{}">{}</a></p>\n'
        '    <div class="small">{}</div>\n'
        '    <p class="mb-1 small">{}</p>\n'
        '    <p class="mb-0">\n      {}{}\n    </p>\n  </div>\n</li>',
        event.get_absolute_url(),
        event.title,
        dates_short(event.dates.all()),
        facts,
        _status(booking),
        cancel,
    )
