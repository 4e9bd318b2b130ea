"""What events plugs into the other apps' interfaces (registered in EventsConfig.ready): the organisation
home, the development plan, the participation a federation sees, and the personal calendar."""

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from academy.calendar import CalendarEntry
from organisations.participation import ParticipationLine
from organisations.plan import PlanItem

from . import ics
from .models import Event
from .selectors import (
    bookings_of_person,
    organisation_upcoming_bookings,
    participation_counts,
    upcoming_events_by_topic,
)


def _event_url(pk: int) -> str:
    try:
        return reverse("events:detail", args=[pk])
    except NoReverseMatch:  # the pages are not wired (yet): show the offer without a link
        return ""


def _day(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT") if value else ""


def home_slot(*, request, organisation) -> dict | None:
    """The organisation's next bookings on its home page (two queries)."""
    bookings = organisation_upcoming_bookings(organisation=organisation)
    html = render_to_string("events/_home_slot.html", {"bookings": bookings, "organisation": organisation})
    return {"title": _("Seminars and events"), "html": html}


def plan_items(*, organisation, topics) -> dict[int, list[PlanItem]]:
    """Upcoming published events per topic of the development plan (one query)."""
    found = upcoming_events_by_topic(topic_ids=[topic.pk for topic in topics])
    return {
        topic_id: [
            PlanItem(
                title=event.title,
                url=_event_url(event.pk),
                kind=event.get_kind_display(),
                detail=f"{_day(event.first_start)}, {event.get_format_display()}",
            )
            for event in events
        ]
        for topic_id, events in found.items()
    }


def participation(*, organisations) -> dict[int, list[ParticipationLine]]:
    """Per club: the events its people are confirmed for, with how many (one query, no names)."""
    kinds = dict(Event.Kind.choices)
    rows = participation_counts(organisation_ids=[organisation.pk for organisation in organisations])
    return {
        organisation_id: [
            ParticipationLine(
                offer=f"{row['event__title']} ({kinds.get(row['event__kind'], '')}, {_day(row['event__first_start'])})",
                count=row["people"],
            )
            for row in found
        ]
        for organisation_id, found in rows.items()
    }


def calendar_entries(*, user) -> list[CalendarEntry]:
    """The dates of the person's active bookings; the online link only where the seat is confirmed (two queries)."""
    entries, _sequences, _tentative = ics.booking_entries(
        bookings=bookings_of_person(person=user, include_cancelled=False)
    )
    return entries
