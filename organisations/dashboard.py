"""The organisations' part of the staff start page (academy.dashboard): registrations waiting for approval."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academy.dashboard import AttentionItem, AttentionPanel, changelist_url

from .models import Organisation


def attention(*, request, now):
    """Organisations waiting for approval (one query)."""
    if not request.user.has_perm("organisations.view_organisation"):
        return []
    pending = Organisation.objects.filter(status=Organisation.Status.PENDING).count()
    items = []
    if pending:
        items.append(
            AttentionItem(
                label=ngettext("organisation waiting for approval", "organisations waiting for approval", pending),
                count=pending,
                url=changelist_url("organisations.organisation", "status__exact=pending"),
            )
        )
    return [AttentionPanel(title=_("Organisations"), items=items, order=10)]
