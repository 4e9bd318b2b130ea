"""One case of the coach's case list as HTML: `{% case_item case %}`.

Written in Python rather than in the list's template, like the bookings lists' rows
(events/templatetags/booking_rows.py): the list shows 20 cases, and the template language spent most of the
page's time on its rows. What a row says is tested through the page (tests/coaching/test_views.py).

    {% load case_rows %}
    {% for case in cases.items %}{% case_item case %}{% endfor %}
"""

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from coaching.models import Session

register = template.Library()


@register.simple_tag
def case_item(case):
    """The organisation (linked to the case), kind and state; the topics and the next session, if one is planned
    (needs the case list's `topic_list` and `upcoming_sessions`, soonest first)."""
    topics = format_html_join(", ", "{}", ((topic.name,) for topic in case.topic_list))
    upcoming = ""
    if case.upcoming_sessions:
        session = case.upcoming_sessions[0]
        when = formats.date_format(timezone.localtime(session.start), "DATETIME_FORMAT")
        proposed = f" ({gettext('proposed')})" if session.status == Session.Status.PROPOSED else ""
        upcoming = format_html(" · {} {}{}", gettext("Next session:"), when, proposed)
    return format_html(
        '<li class="list-group-item">\n'
        '    <p class="mb-1"><a class="fw-bold" href="{}">{}</a> – {} '
        '<span class="badge text-bg-light border">{}</span></p>\n'
        '    <p class="mb-0 small">{}\n      {}</p>\n  </li>',
        reverse("coaching:coach_case", args=[case.pk]),
        case.organisation.name,
        case.get_kind_display(),
        case.get_status_display(),
        topics,
        upcoming,
    )
