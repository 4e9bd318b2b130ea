"""The staff start page: "What needs attention today" above the admin's app list (templates/admin/index.html).

academy imports no offer app. Each app that has something for staff to look at registers a provider in its
AppConfig.ready:

    from academy.dashboard import attention_providers

    def attention(*, request, now):
        # a fixed number of queries, whatever the number of rows; nothing when the user may not see the model
        return [AttentionPanel(title=..., items=[AttentionItem(label=..., count=3, url=...)])]

    attention_providers.append(attention)

academy adds its own (certificates whose PDF failed, reminders that failed to send). A panel lists only
items that need attention; an empty panel is not shown.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A certificate still without its PDF this long after it was issued is shown as failed (the render task
# normally takes seconds; the wait covers a busy worker and its retries).
CERTIFICATE_GRACE = timedelta(minutes=15)
# A task in the outbox is normally handed to the broker within a second; one still there after this long means
# Redis or the worker is down (the beat flush retries every minute).
OUTBOX_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class AttentionItem:
    label: str
    count: int | None = None  # None: the item is one object (its detail says what is up)
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class AttentionPanel:
    title: str
    items: list[AttentionItem] = field(default_factory=list)
    order: int = 100  # smaller first


attention_providers: list[Callable[..., list[AttentionPanel]]] = []


def changelist_url(model_label: str, query: str = "") -> str:
    """The admin changelist of "app.model", optionally filtered by a query string ("status__exact=failed")."""
    app_label, model_name = model_label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{url}?{query}" if query else url


def _academy_attention(*, request, now: datetime) -> list[AttentionPanel]:
    """Certificates without their PDF 15 minutes after issuing, reminders that failed to send, staff accounts
    without a role (three queries)."""
    from .models import Certificate, OutboxMessage, SentReminder, User

    user = request.user
    items = []
    if user.has_perm("academy.view_certificate"):
        missing = Certificate.objects.filter(
            revoked_at__isnull=True, file="", issued_at__lt=now - CERTIFICATE_GRACE
        ).count()
        if missing:
            items.append(
                AttentionItem(
                    label=ngettext(
                        "certificate without its PDF (failed to generate)",
                        "certificates without their PDF (failed to generate)",
                        missing,
                    ),
                    count=missing,
                    url=changelist_url("academy.certificate", "pdf=missing"),
                )
            )
    if user.has_perm("academy.view_sentreminder"):
        failed = SentReminder.objects.filter(status=SentReminder.Status.FAILED).count()
        if failed:
            items.append(
                AttentionItem(
                    label=ngettext("reminder failed to send", "reminders failed to send", failed),
                    count=failed,
                    url=changelist_url("academy.sentreminder", "status__exact=failed"),
                )
            )
    if user.has_perm("academy.view_outboxmessage"):
        stuck = OutboxMessage.objects.filter(created_at__lt=now - OUTBOX_GRACE).count()
        if stuck:
            items.append(
                AttentionItem(
                    label=ngettext(
                        "background task waiting for the broker (mails, certificates)",
                        "background tasks waiting for the broker (mails, certificates)",
                        stuck,
                    ),
                    count=stuck,
                    url=changelist_url("academy.outboxmessage", "stuck=yes"),
                    detail=_("Redis or the Celery worker is not running; see docs/operations.md."),
                )
            )
    panels = [AttentionPanel(title=_("Certificates and mails"), items=items, order=90)]
    if user.has_perm("academy.view_user"):
        # A staff account in no group may log into the admin but has no permission there (least privilege),
        # while the portal treats it as staff: usually a forgotten role. Superusers need none.
        roleless = User.objects.filter(is_staff=True, is_active=True, is_superuser=False, groups__isnull=True).count()
        if roleless:
            panels.append(
                AttentionPanel(
                    title=_("People"),
                    items=[
                        AttentionItem(
                            label=ngettext(
                                "staff account without a role (group)",
                                "staff accounts without a role (group)",
                                roleless,
                            ),
                            count=roleless,
                            url=changelist_url("academy.user", "is_staff__exact=1&groups__isnull=True"),
                        )
                    ],
                    order=95,
                )
            )
    return panels


def attention_today(*, request, now: datetime | None = None) -> list[AttentionPanel]:
    """Every provider's panels that hold something, in their order; a fixed number of queries in all."""
    now = now or timezone.now()
    panels: list[AttentionPanel] = []
    for provider in [*attention_providers, _academy_attention]:
        panels.extend(panel for panel in provider(request=request, now=now) if panel.items)
    return sorted(panels, key=lambda panel: panel.order)
