"""Coaching's part of the staff start page (academy.dashboard): requests submitted and in review."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academy.dashboard import AttentionItem, AttentionPanel, changelist_url

from .models import CoachingCase


def attention(*, request, now):
    """Coaching requests waiting for staff: submitted (nobody looked yet) and in review (one query)."""
    if not request.user.has_perm("coaching.view_coachingcase"):
        return []
    Status = CoachingCase.Status
    counts = CoachingCase.objects.aggregate(
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
        in_review=Count("pk", filter=Q(status=Status.IN_REVIEW)),
    )
    items = []
    if counts["submitted"]:
        items.append(
            AttentionItem(
                label=ngettext("coaching request submitted", "coaching requests submitted", counts["submitted"]),
                count=counts["submitted"],
                url=changelist_url("coaching.coachingcase", f"status__exact={Status.SUBMITTED}"),
            )
        )
    if counts["in_review"]:
        items.append(
            AttentionItem(
                label=ngettext("coaching request in review", "coaching requests in review", counts["in_review"]),
                count=counts["in_review"],
                url=changelist_url("coaching.coachingcase", f"status__exact={Status.IN_REVIEW}"),
            )
        )
    return [AttentionPanel(title=_("Coaching"), items=items, order=30)]
