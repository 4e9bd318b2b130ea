"""What e-learning shows on the organisation home (a slot) and suggests in the development plan (a provider).

Registered in ElearningConfig.ready through organisations' small interfaces; organisations never imports us.
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.models import Membership
from organisations.plan import PlanItem

from . import selectors


def learning_slot(*, request, organisation) -> dict | None:
    """The organisation's learning progress in two numbers; admins (and staff) get the link to the details."""
    memberships = getattr(request, "_memberships", None)  # loaded for the header (current_organisation)
    if memberships is not None:
        membership = next((m for m in memberships if m.organisation_id == organisation.pk), None)
        is_admin = request.user.is_staff or bool(membership and membership.is_admin)
    else:
        is_admin = (
            request.user.is_staff
            or Membership.objects.filter(
                user=request.user, organisation=organisation, role=Membership.Role.ADMIN
            ).exists()
        )
    counts = selectors.organisation_progress_summary(organisation=organisation)
    html = render_to_string(
        "elearning/_organisation_slot.html",
        {"organisation": organisation, "counts": counts, "is_admin": is_admin},
    )
    return {"title": _("Learning"), "html": html}


def modules_for_plan(*, organisation, topics) -> dict[int, list[PlanItem]]:
    found = selectors.modules_for_topics(topics=topics)
    return {
        topic_id: [
            PlanItem(
                title=module.title,
                url=reverse("elearning:module", args=[module.slug]),
                kind=_("E-learning module"),
                detail=ngettext("about %(minutes)d minute", "about %(minutes)d minutes", module.estimated_minutes)
                % {"minutes": module.estimated_minutes},
            )
            for module in modules
        ]
        for topic_id, modules in found.items()
    }
