"""Events' part of the staff start page (academy.dashboard): this week's dates with seats left or a waiting
list, and staff messages that failed for someone."""

from datetime import timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academy.dashboard import AttentionItem, AttentionPanel, changelist_url

from .models import Event, EventDate, EventMessage

WEEK = timedelta(days=7)
LIMIT = 12  # events listed by name; beyond that a link to the list


def _week_events(*, now):
    """Published events with a date in the next 7 days that have seats left or people waiting (one query)."""
    next_date = EventDate.objects.filter(event=OuterRef("pk"), start__gte=now, start__lt=now + WEEK).order_by("start")
    return list(
        Event.objects.published()
        .annotate(next_start=Subquery(next_date.values("start")[:1]))
        .filter(next_start__isnull=False)
        .with_waiting_count()
        .filter(Q(confirmed_count__lt=F("capacity")) | Q(waiting_count__gt=0))
        .order_by("next_start", "pk")[: LIMIT + 1]
    )


def _event_item(event) -> AttentionItem:
    seats = ngettext("%(count)d seat left", "%(count)d seats left", event.seats_left) % {"count": event.seats_left}
    waiting = ngettext("%(count)d waiting", "%(count)d waiting", event.waiting_count) % {"count": event.waiting_count}
    when = formats.date_format(timezone.localtime(event.next_start), "SHORT_DATETIME_FORMAT")
    return AttentionItem(
        label=f"{event.title} ({when})",
        url=reverse("admin:events_event_change", args=[event.pk]),
        detail=f"{seats}, {waiting}",
    )


def attention(*, request, now):
    """Two queries: this week's events, and the messages with failed recipients."""
    user = request.user
    panels = []
    if user.has_perm("events.view_event"):
        events = _week_events(now=now)
        items = [_event_item(event) for event in events[:LIMIT]]
        if len(events) > LIMIT:
            items.append(AttentionItem(label=_("more events this week"), url=changelist_url("events.event")))
        panels.append(
            AttentionPanel(title=_("Events in the next 7 days: seats left or a waiting list"), items=items, order=20)
        )
    if user.has_perm("events.view_eventmessage"):
        failed = EventMessage.objects.filter(failed_count__gt=0).aggregate(
            messages=Count("pk"), recipients=Sum("failed_count")
        )
        if failed["messages"]:
            panels.append(
                AttentionPanel(
                    title=_("Messages to participants"),
                    items=[
                        AttentionItem(
                            label=ngettext(
                                "message to participants failed for someone",
                                "messages to participants failed for someone",
                                failed["messages"],
                            ),
                            count=failed["messages"],
                            url=changelist_url("events.eventmessage", "failed=yes"),
                            detail=ngettext(
                                "%(count)d recipient not reached",
                                "%(count)d recipients not reached",
                                failed["recipients"],
                            )
                            % {"count": failed["recipients"]},
                        )
                    ],
                    order=91,
                )
            )
    return panels
