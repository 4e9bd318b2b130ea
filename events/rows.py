"""A booking of a brief list ("my bookings", an organisation's bookings, the organisation home's next bookings) as
plain values rather than model instances: what the rows show of it, read with values_list().

A booking, its event and its organisation or person as model instances cost a third of "my bookings" in Python:
each instance is made field by field over all of its model's fields, most of them deferred (an event has 40,
its titles and descriptions in six languages). The row objects here have only what a row shows, and take the
models' own code for what is derived from it (the states, the title in the page's language with modeltranslation's
fallback, a person's name), so that a row says what the models would say: tests/events/test_rows.py compares
them with the models in every state and several languages; the pages' tests read them through the lists.
"""

from academy.models import User
from academy.translation import translated_columns

from .models import Booking, Event

_TITLES = translated_columns("title")[1:]  # title_de, title_en, …
_EVENT = ("event_id", "event__format", "event__first_start", "event__status", *(f"event__{t}" for t in _TITLES))
_WHOSE = {
    "organisation": ("organisation_id", "organisation__name"),
    "person": ("person_id", *(f"person__{column}" for column in User.NAME_COLUMNS)),
}


def brief_columns(whose: str) -> tuple[str, ...]:
    """The values a row is made of, for values_list(): the booking's, its event's, and its organisation's
    (whose="organisation", a person's list) or its person's (whose="person", an organisation's)."""
    return ("pk", "status", *_EVENT, *_WHOSE[whose])


class EventRow:
    Status = Event.Status
    is_cancelled = Event.is_cancelled
    # modeltranslation's descriptor of Event.title: the title in the page's language, or its fallback, read from the
    # row's title_<language> attributes as from an event's.
    title = Event.title

    def __init__(self, pk, format, first_start, status, titles):
        self.pk = self.id = pk
        self.format = format
        self.first_start = first_start
        self.status = status
        self.__dict__.update(zip(_TITLES, titles, strict=True))
        self.date_list = []  # its dates (DateSpans in order), given by events.selectors.complete_booking_rows

    def __str__(self):
        return self.title


class PersonRow:
    full_name = User.full_name
    get_full_name = User.get_full_name
    get_short_name = User.get_short_name

    def __init__(self, pk, first_name, last_name, display_name, email):
        self.pk = self.id = pk
        self.first_name, self.last_name, self.display_name, self.email = first_name, last_name, display_name, email

    def __str__(self):
        return self.email


class OrganisationRow:
    def __init__(self, pk, name):
        self.pk = self.id = pk
        self.name = name

    def __str__(self):
        return self.name


class BookingRow:
    Status = Booking.Status
    ACTIVE = Booking.ACTIVE
    is_active = Booking.is_active
    is_confirmed = Booking.is_confirmed
    is_waiting = Booking.is_waiting

    def __init__(self, values, whose: str, waiting_position: int | None = None):
        """From the values of brief_columns(whose), in their order."""
        self.pk = self.id = values[0]
        self.status = values[1]
        self.event_id = values[2]
        self.event = EventRow(values[2], values[3], values[4], values[5], values[6 : 6 + len(_TITLES)])
        rest = values[6 + len(_TITLES) :]
        self.organisation_id = self.person_id = None
        self.organisation = self.person = None
        if whose == "organisation":
            self.organisation_id = rest[0]
            self.organisation = OrganisationRow(*rest) if rest[0] is not None else None
        else:
            self.person_id = rest[0]
            self.person = PersonRow(*rest) if rest[0] is not None else None
        self.waiting_position = waiting_position  # 1 = next to move up; None unless waiting
