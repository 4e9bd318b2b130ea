"""iCalendar (RFC 5545) files: one event's dates, a person's bookings, or any academy.calendar entries.

Written by hand (no dependency): text values escaped (RFC 5545 3.3.11), lines folded at 75 octets without
splitting a UTF-8 character (3.1), CRLF line ends, times in UTC (…Z), so no VTIMEZONE is needed. Each date
of an event is one VEVENT with a stable UID, and SEQUENCE is the event's change number, so a calendar that
imports the file again after a change updates the entry instead of adding a second one.

The online meeting link goes into a file only when asked for (`include_online_link`), i.e. for confirmed
participants.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.calendar import CalendarEntry

from .models import Booking, Event, EventDate

PRODID = "-//VAMOs//Verbandsakademie Portal//DE"
MIME_TYPE = "text/calendar"


def escape_text(value: str) -> str:
    """Escapes a TEXT value: backslash, semicolon, comma and line breaks."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str, limit: int = 75) -> str:
    """Folds a content line into pieces of at most `limit` octets; continuation lines start with a space."""
    pieces = []
    current = ""
    current_size = 0
    for character in line:
        size = len(character.encode("utf-8"))
        # The first line may hold `limit` octets, the following ones limit - 1 after their leading space.
        room = limit if not pieces else limit - 1
        if current_size + size > room:
            pieces.append(current)
            current, current_size = "", 0
        current += character
        current_size += size
    pieces.append(current)
    return "\r\n ".join(pieces)


def format_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url}"


def _vevent(entry: CalendarEntry, *, stamp: datetime, sequence: int = 0, tentative: bool = False) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(entry.uid)}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART:{format_utc(entry.start)}",
        f"DTEND:{format_utc(entry.end)}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{escape_text(entry.title)}",
    ]
    if entry.location:
        lines.append(f"LOCATION:{escape_text(entry.location)}")
    if entry.description:
        lines.append(f"DESCRIPTION:{escape_text(entry.description)}")
    if entry.url:
        lines.append(f"URL:{_absolute(entry.url)}")
    if entry.cancelled:
        lines.append("STATUS:CANCELLED")
    else:
        lines.append("STATUS:TENTATIVE" if tentative else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def calendar_ics(
    *,
    entries: Iterable[CalendarEntry],
    name: str = "VAMOs",
    sequences: dict[str, int] | None = None,
    tentative: set[str] | frozenset = frozenset(),
    method: str = "PUBLISH",
    now: datetime | None = None,
) -> str:
    """A VCALENDAR with one VEVENT per entry. `sequences` and `tentative` are keyed by the entries' uid."""
    stamp = now or timezone.now()
    sequences = sequences or {}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for entry in entries:
        lines += _vevent(entry, stamp=stamp, sequence=sequences.get(entry.uid, 0), tentative=entry.uid in tentative)
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


def date_uid(event_date: EventDate) -> str:
    return f"event-date-{event_date.pk}@vamos"


def event_entries(
    *,
    event: Event,
    include_online_link: bool = False,
    dates: list[EventDate] | None = None,
    waiting: bool = False,
) -> list[CalendarEntry]:
    """One calendar entry per date of the event; the link only with include_online_link (confirmed people)."""
    dates = list(event.dates.all()) if dates is None else dates
    link = event.online_link if include_online_link and event.has_online_link else ""
    location = event.place
    if link:
        location = f"{location} – {link}" if event.format == Event.Format.HYBRID else link
    description_parts = []
    if waiting:
        description_parts.append(_("You are on the waiting list for this event."))
    if link:
        description_parts.append(_("Online meeting link: %(link)s") % {"link": link})
    if event.description:
        description_parts.append(event.description)
    url = event.get_absolute_url()
    description_parts.append(_absolute(url))
    count = len(dates)
    entries = []
    for number, event_date in enumerate(dates, start=1):
        title = event.title if count == 1 else f"{event.title} ({number}/{count})"
        if waiting:
            title = _("Waiting list: %(title)s") % {"title": title}
        entries.append(
            CalendarEntry(
                uid=date_uid(event_date),
                title=title,
                start=event_date.start,
                end=event_date.end,
                location=location,
                url=url,
                description="\n\n".join(description_parts),
                cancelled=event.status == Event.Status.CANCELLED,
            )
        )
    return entries


def event_ics(*, event: Event, include_online_link: bool = False, now: datetime | None = None) -> str:
    """The .ics of one event (all its dates): the public file, or a confirmed participant's with the link."""
    entries = event_entries(event=event, include_online_link=include_online_link)
    return calendar_ics(
        entries=entries,
        name=event.title,
        sequences={entry.uid: event.sequence for entry in entries},
        now=now,
    )


def booking_entries(*, bookings: Iterable[Booking]) -> tuple[list[CalendarEntry], dict[str, int], set[str]]:
    """Entries for bookings (their events' dates prefetched), with sequences and the uids of waiting ones.

    Cancelled bookings are left out; the link is only in the entries of confirmed bookings.
    """
    entries: list[CalendarEntry] = []
    sequences: dict[str, int] = {}
    tentative: set[str] = set()
    for booking in bookings:
        if booking.status == Booking.Status.CANCELLED:
            continue
        waiting = booking.status == Booking.Status.WAITING
        found = event_entries(event=booking.event, include_online_link=booking.is_confirmed, waiting=waiting)
        for entry in found:
            sequences[entry.uid] = booking.event.sequence
            if waiting:
                tentative.add(entry.uid)
        entries += found
    return entries, sequences, tentative


def bookings_ics(*, bookings: Iterable[Booking], name: str = "VAMOs", now: datetime | None = None) -> str:
    """A person's bookings as one calendar (e.g. the personal feed): confirmed and waiting ones."""
    entries, sequences, tentative = booking_entries(bookings=bookings)
    entries.sort(key=lambda entry: (entry.start, entry.uid))
    return calendar_ics(entries=entries, name=name, sequences=sequences, tentative=tentative, now=now)
