"""How coaching plugs into the rest of the portal without the rest importing it: the organisation home's slot,
the development plan, the personal calendar and the "My cases" link in the header."""

from django.conf import settings
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from academy import roles
from academy.calendar import CalendarEntry
from organisations.plan import PlanItem

from . import selectors
from .models import CoachProfile, Session


def home_slot(*, request, organisation):
    """The organisation's coaching cases on its home page (one query), with the link to request one."""
    cases = selectors.organisation_latest_cases(organisation=organisation.pk)
    membership = next((m for m in getattr(request, "_memberships", []) if m.organisation_id == organisation.pk), None)
    html = render_to_string(
        "coaching/_home_slot.html",
        {
            "organisation": organisation,
            "cases": cases,
            "is_admin": bool(membership and membership.is_admin),
        },
    )
    return {"title": _("Coaching and team development"), "html": html}


def plan_items(*, organisation, topics):
    """For each weak topic: coaching on it, with the number of coaches who work on it (one query)."""
    counts = dict(
        CoachProfile.objects.filter(is_active=True, user__groups__name=roles.COACH, topics__in=topics)
        .values_list("topics")
        .annotate(count=Count("pk", distinct=True))
    )
    base = reverse("coaching:request", args=[organisation.pk])
    return {
        topic.pk: [
            PlanItem(
                title=_("Coaching on “%(topic)s”") % {"topic": topic.name},
                url=f"{base}?topic={topic.pk}",
                kind=_("Coaching"),
                detail=_("%(count)d coaches for this topic") % {"count": counts[topic.pk]},
                admins_only=True,
            )
        ]
        for topic in topics
        if counts.get(topic.pk)
    }


def calendar_entries(*, user):
    """The person's coaching sessions (also cancelled ones, so that a feed removes them): one query."""
    entries = []
    for session in selectors.sessions_of_person(user=user, upcoming_only=False, include_cancelled=True):
        case = session.case
        location = _("Online") if session.format == "online" else session.place
        entries.append(
            CalendarEntry(
                uid=f"coaching-session-{session.pk}@vamos",
                title=_("Coaching: %(organisation)s with %(coach)s")
                % {"organisation": case.organisation.name, "coach": session.coach.name},
                start=session.start,
                end=session.end,
                location=location,
                url=settings.SITE_URL + reverse("coaching:case", args=[case.organisation_id, case.pk]),
                description=session.meeting_link if session.status == Session.Status.CONFIRMED else "",
                cancelled=session.status == Session.Status.CANCELLED,
            )
        )
    return entries


def is_coach(user) -> bool:
    """The header's "My cases" link (academy.roles.role_probes)."""
    return roles.has_role(user, roles.COACH)
