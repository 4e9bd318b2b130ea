"""One case of the coach's case list as HTML: `{% case_item case %}`.

Written in Python rather than in the list's template, like the bookings lists' rows
(events/templatetags/booking_rows.py): the list shows 20 cases, and the template language spent most of the
page's time on its rows. What a row says is tested through the page (tests/coaching/test_views.py).

    {% load case_rows %}
    {% for case in cases.items %}{% case_item case %}{% endfor %}
"""

from html import escape

from django import template
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from academy.choices import choice_label
from academy.links import path_to
from coaching.models import CoachingCase, Session

register = template.Library()


@register.simple_tag
def case_item(case):
    """The organisation (linked to the case), kind and state; the topics and the next session, if one is planned
    (a coaching.selectors.CaseRow completed by complete_case_rows: `topic_list`, `upcoming_sessions` soonest
    first). Texts go through escape(), as format_html would do, without its calls per argument."""
    topics = ", ".join(escape(topic.name) for topic in case.topic_list)
    upcoming = ""
    if case.upcoming_sessions:
        session = case.upcoming_sessions[0]
        when = formats.date_format(timezone.localtime(session.start), "DATETIME_FORMAT")
        proposed = f" ({gettext('proposed')})" if session.status == Session.Status.PROPOSED else ""
        upcoming = f" · {escape(gettext('Next session:'))} {escape(when)}{escape(proposed)}"
    kind = escape(choice_label(CoachingCase.Kind, case.kind))
    status = escape(choice_label(CoachingCase.Status, case.status))
    return mark_safe(  # noqa: S308
        '<li class="list-group-item">\n'
        f'    <p class="mb-1"><a class="fw-bold" href="{path_to("coaching:coach_case", case.pk)}">'
        f"{escape(case.organisation_name)}</a> – {kind} "
        f'<span class="badge text-bg-light border">{status}</span></p>\n'
        f'    <p class="mb-0 small">{topics}\n      {upcoming}</p>\n  </li>'
    )
