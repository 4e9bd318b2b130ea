"""The personal calendar: what a person has booked or agreed, across every offer app.

academy imports no offer app. Each app that has dated things for a person (events: booked dates;
coaching: sessions) registers a provider once, in its AppConfig.ready:

    from academy.calendar import CalendarEntry, calendar_providers

    def my_entries(*, user):
        # a fixed number of queries, whatever the number of entries
        return [CalendarEntry(uid=..., title=..., start=..., end=..., location=..., url=...)]

    calendar_providers.append(my_entries)

The calendar feed (an .ics behind a secret, revocable URL) and "my calendar" pages list
`calendar_entries(user=...)`; they need no change when an app is added.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable and unique across apps, e.g. "event-date-42@vamos" or "coaching-session-7@vamos"
    title: str
    start: datetime  # aware
    end: datetime  # aware
    location: str = ""  # a place, or "Online"
    url: str = ""  # absolute link to the page in the portal
    description: str = ""
    cancelled: bool = False


calendar_providers: list[Callable[..., list[CalendarEntry]]] = []


def calendar_entries(*, user) -> list[CalendarEntry]:
    """Every provider's entries for the person, in time order."""
    entries = [entry for provider in calendar_providers for entry in provider(user=user)]
    return sorted(entries, key=lambda entry: (entry.start, entry.uid))
