"""A tiny iCalendar (RFC 5545) writer for the .ics attached to session mails.

Lines end in CRLF, text values are escaped (backslash, semicolon, comma, newline), and lines longer than 75
octets are folded. Times are written in UTC ("Z"), which every calendar converts to the reader's zone. A
changed or cancelled session keeps its UID and raises SEQUENCE, so calendars update the entry they have.
"""

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    sequence: int = 0
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False
    organizer_email: str = ""


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Splits a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    pieces, current, limit = [], b"", 75
    for char in line:
        octets = char.encode("utf-8")
        if len(current) + len(octets) > limit:
            pieces.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += octets
    pieces.append(current.decode("utf-8"))
    return "\r\n ".join(pieces)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: list[IcsEvent], *, now: datetime | None = None) -> str:
    """The calendar as text (CRLF line ends), METHOD:REQUEST, or METHOD:CANCEL when every event is cancelled."""
    now = now or datetime.now(UTC)
    method = "CANCEL" if events and all(event.cancelled for event in events) else "REQUEST"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//VAMOs//Coaching//DE",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(event.start)}",
            f"DTEND:{_utc(event.end)}",
            f"SEQUENCE:{event.sequence}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        if event.organizer_email:
            lines.append(f"ORGANIZER:mailto:{event.organizer_email}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
