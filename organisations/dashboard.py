"""The organisations' part of the staff start page (academy.dashboard): registrations waiting for approval."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academy.dashboard import AttentionItem, AttentionPanel, changelist_url

from .models import Organisation


def attention(*, request, now):
    """Organisations waiting for approval, and those whose last admin left (deleted their account): nobody can
    manage them until staff make someone admin (one query)."""
    if not request.user.has_perm("organisations.view_organisation"):
        return []
    from django.db.models import Count, Q

    from .privacy import had_an_admin, has_active_admin

    counts = (
        Organisation.objects.exclude(status=Organisation.Status.DECLINED)
        .annotate(had_admin=had_an_admin(), has_admin=has_active_admin())
        .aggregate(
            pending=Count("pk", filter=Q(status=Organisation.Status.PENDING)),
            without_admin=Count("pk", filter=Q(had_admin=True, has_admin=False)),
        )
    )
    pending, without_admin = counts["pending"], counts["without_admin"]
    items = []
    if pending:
        items.append(
            AttentionItem(
                label=ngettext("organisation waiting for approval", "organisations waiting for approval", pending),
                count=pending,
                url=changelist_url("organisations.organisation", "status__exact=pending"),
            )
        )
    if without_admin:
        items.append(
            AttentionItem(
                label=ngettext(
                    "organisation without an admin (the last one deleted their account)",
                    "organisations without an admin (the last one deleted their account)",
                    without_admin,
                ),
                count=without_admin,
                url=changelist_url("organisations.organisation", "admin=none"),
            )
        )
    return [AttentionPanel(title=_("Organisations"), items=items, order=10)]
