"""Funder evidence (Verwendungsnachweis): what VAMOs shows the funder about who took part.

- per date, a participant list to sign (PDF, A4 landscape) for dates in person;
- per date, an attendance record (PDF) for online dates: who was marked present or absent, when and by whom;
- per event, its participants as a spreadsheet (CSV or XLSX);
- all bookings of the events that began in a period, as a spreadsheet.

Each builder runs a fixed number of queries, however many people booked. The PDFs hold one event's
participants (its seats), so they are sorted in Python the German way (Ö beside O, whatever the database's
collation); the spreadsheets are rows from `.values_list().iterator()`, so 10,000 bookings stream.
Labels are translated while building (in the requesting person's language), not while streaming.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from academy.certificates import render_pdf
from academy.models import Topic, User
from organisations.models import Bundesland

from . import services
from .models import Attendance, Booking, Event, EventDate

SPARE_ROWS = 6  # blank rows at the end of a participant list, for people who come without a booking
ITERATOR_CHUNK = 2000


def german_sort_key(text: str) -> str:
    """Sorts names as a German list does (DIN 5007-1): Ä with A, ß as ss, case ignored."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def may_see_evidence(*, event: Event, user: User) -> bool:
    """Staff, and the event's trainers for their own event (the same check as taking attendance)."""
    return services.attendance_can_mark(event=event, user=user)


def _trainers_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(f"{prefix}trainers", queryset=User.objects.order_by("last_name", "first_name", "pk"))


# ---- the PDFs per date ---------------------------------------------------------------------------------------


def evidence_date(*, pk: int) -> EventDate:
    """A date with its event and the event's trainers (two queries); 404 if unknown."""
    event_date = (
        EventDate.objects.select_related("event").prefetch_related(_trainers_prefetch("event__")).filter(pk=pk).first()
    )
    if event_date is None:
        raise Http404
    return event_date


def date_participants(*, event_date: EventDate) -> list[Booking]:
    """The confirmed participants of the date's event with person and organisation, and what was marked for
    this date: `present` (True, False or None), `marked_at`, `marked_by_first_name`/`_last_name`. One query;
    sorted by last and first name the German way."""
    participants = (
        Booking.objects.filter(event_id=event_date.event_id, status=Booking.Status.CONFIRMED)
        .select_related("person", "organisation")
        .annotate(
            mark=FilteredRelation("attendances", condition=Q(attendances__event_date=event_date)),
            present=F("mark__present"),
            marked_at=F("mark__marked_at"),
            marked_by_first_name=F("mark__marked_by__first_name"),
            marked_by_last_name=F("mark__marked_by__last_name"),
            marked_by_email=F("mark__marked_by__email"),
        )
    )
    return sorted(participants, key=_person_sort_key)


def _person_sort_key(booking: Booking) -> tuple:
    person = booking.person
    if person is None:  # deleted account: at the end
        return (1, "", "", booking.pk)
    return (0, german_sort_key(person.last_name), german_sort_key(person.first_name), booking.pk)


def _marked_by(booking: Booking) -> str:
    name = f"{booking.marked_by_first_name or ''} {booking.marked_by_last_name or ''}".strip()
    return name or booking.marked_by_email or ""


@dataclass(frozen=True)
class Totals:
    present: int
    absent: int
    unmarked: int

    @property
    def total(self) -> int:
        return self.present + self.absent + self.unmarked


def _totals(participants: list[Booking]) -> Totals:
    present = sum(1 for p in participants if p.present is True)
    absent = sum(1 for p in participants if p.present is False)
    return Totals(present=present, absent=absent, unmarked=len(participants) - present - absent)


def page_counter_css() -> str:
    """The CSS `content` of the "page x of y" footer, from one translatable sentence."""
    pieces = _("Page %(page)s of %(pages)s").replace("\\", "").replace('"', "'").replace("<", "")
    pieces = pieces.replace("%(page)s", '" counter(page) "').replace("%(pages)s", '" counter(pages) "')
    return f'"{pieces}"'


def _base_context(*, event_date: EventDate, by: User, now: datetime) -> dict:
    event = event_date.event
    return {
        "event": event,
        "event_date": event_date,
        "start": timezone.localtime(event_date.start),
        "end": timezone.localtime(event_date.end),
        "trainers": [trainer.get_full_name() for trainer in event.trainers.all()],
        "made_at": timezone.localtime(now),
        "made_by": by.get_full_name(),
        "page_counter": page_counter_css(),
    }


def _title(kind: str, event_date: EventDate) -> str:
    day = formats.date_format(timezone.localtime(event_date.start), "SHORT_DATE_FORMAT")
    return f"{kind}: {event_date.event.title}, {day}"


def participant_list_pdf(*, event_date: EventDate, by: User, language: str, now: datetime | None = None) -> bytes:
    """The list to sign at a date in person: the confirmed participants, then blank rows for walk-ins."""
    participants = date_participants(event_date=event_date)
    context = _base_context(event_date=event_date, by=by, now=now or timezone.now()) | {
        "participants": participants,
        "spare_rows": range(len(participants) + 1, len(participants) + SPARE_ROWS + 1),
    }
    return render_pdf(
        template="events/evidence/participant_list.html",
        context=context,
        title=_title(_("Participant list"), event_date),
        language=language,
    )


def attendance_record_pdf(*, event_date: EventDate, by: User, language: str, now: datetime | None = None) -> bytes:
    """The proof of attendance at an online date: who was marked present or absent, when and by whom."""
    participants = date_participants(event_date=event_date)
    for participant in participants:
        participant.marked_by_name = _marked_by(participant)
    context = _base_context(event_date=event_date, by=by, now=now or timezone.now()) | {
        "participants": participants,
        "totals": _totals(participants),
    }
    return render_pdf(
        template="events/evidence/attendance_record.html",
        context=context,
        title=_title(_("Attendance record"), event_date),
        language=language,
    )


# ---- spreadsheets ------------------------------------------------------------------------------------------------


def evidence_event(*, pk: int) -> Event:
    """An event with its dates and trainers (three queries); 404 if unknown."""
    event = (
        Event.objects.prefetch_related(
            Prefetch("dates", queryset=EventDate.objects.order_by("start", "pk")), _trainers_prefetch()
        )
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404
    return event


def _person_name(first: str | None, last: str | None) -> tuple[str, str]:
    if first is None and last is None:
        return _("(deleted person)"), ""
    return last or "", first or ""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple]


def _present_count() -> Coalesce:
    present = (
        Attendance.objects.filter(booking=OuterRef("pk"), present=True)
        .order_by()
        .values("booking")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(present), 0)


def event_participants_table(*, event: Event) -> Table:
    """Every booking of the event (confirmed, waiting, cancelled), with attendance per date and the number of
    dates present. One query however many bookings (one subquery per date); `event` from evidence_event."""
    dates = list(event.dates.all())
    statuses = {value: str(label) for value, label in Booking.Status.choices}
    marks = {True: _("present"), False: _("absent"), None: ""}
    # Confirmed first, then the waiting list, then cancelled: the status codes do not sort that way themselves.
    rank = Case(
        When(status=Booking.Status.CONFIRMED, then=Value(0)),
        When(status=Booking.Status.WAITING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    per_date = {
        f"date_{event_date.pk}": Subquery(
            Attendance.objects.filter(booking=OuterRef("pk"), event_date=event_date).values("present")[:1]
        )
        for event_date in dates
    }
    bookings = (
        Booking.objects.filter(event=event)
        .annotate(**per_date, present_count=_present_count(), rank=rank)
        .order_by("rank", "person__last_name", "person__first_name", "pk")
        .values_list(
            "status",
            "person__first_name",
            "person__last_name",
            "person__email",
            "organisation__name",
            "created_at",
            "cancelled_at",
            *per_date,
            "present_count",
        )
    )
    header = [
        _("Status"),
        _("Last name"),
        _("First name"),
        _("Email"),
        _("Organisation"),
        _("Booked at"),
        _("Cancelled at"),
        *(
            _("Present on %(date)s")
            % {"date": formats.date_format(timezone.localtime(d.start), "SHORT_DATETIME_FORMAT")}
            for d in dates
        ),
        _("Dates present"),
    ]

    def rows():
        for status, first, last, email, organisation, booked, cancelled, *rest in bookings.iterator(ITERATOR_CHUNK):
            *attended, present_count = rest
            yield (
                statuses.get(status, status),
                *_person_name(first, last),
                email or "",
                organisation or "",
                booked,
                cancelled,
                *(marks[value] for value in attended),
                present_count,
            )

    return Table(header=header, rows=rows())


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events_in_period(*, date_from: date, date_to: date) -> QuerySet[Event]:
    """Events whose first date begins between the two days (inclusive, local time), not drafts."""
    return Event.objects.exclude(status=Event.Status.DRAFT).filter(
        first_start__gte=_day_start(date_from), first_start__lt=_day_start(date_to + timedelta(days=1))
    )


def period_bookings_table(*, date_from: date, date_to: date) -> Table:
    """Every booking (any status) of the events whose first date lies in the period. Three queries however
    many bookings: the events, their topics, then the bookings as a streamed `values_list`."""
    events = events_in_period(date_from=date_from, date_to=date_to).prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("position", "slug"))
    )
    formats_ = {value: str(label) for value, label in Event.Format.choices}
    kinds = {value: str(label) for value, label in Event.Kind.choices}
    info = {
        event.pk: (
            event.title,
            event.first_start,
            formats_.get(event.format, event.format),
            kinds.get(event.kind, event.kind),
            ", ".join(topic.name for topic in event.topics.all()),
        )
        for event in events
    }
    states = {value: str(label) for value, label in Bundesland.choices}
    statuses = {value: str(label) for value, label in Booking.Status.choices}
    bookings = (
        Booking.objects.filter(event_id__in=list(info))
        .annotate(present_count=_present_count())
        .order_by("event__first_start", "event_id", "person__last_name", "person__first_name", "pk")
        .values_list(
            "event_id",
            "person__first_name",
            "person__last_name",
            "organisation__name",
            "organisation__bundesland",
            "status",
            "created_at",
            "cancelled_at",
            "present_count",
        )
    )
    header = [
        _("Event"),
        _("First date"),
        _("Format"),
        _("Kind"),
        _("Topics"),
        _("Last name"),
        _("First name"),
        _("Organisation"),
        _("Federal state (Bundesland)"),
        _("Status"),
        _("Booked at"),
        _("Cancelled at"),
        _("Dates present"),
    ]

    def rows():
        for event_id, first, last, organisation, state, status, booked, cancelled, present in bookings.iterator(
            ITERATOR_CHUNK
        ):
            yield (
                *info[event_id],
                *_person_name(first, last),
                organisation or "",
                states.get(state, state or ""),
                statuses.get(status, status),
                booked,
                cancelled,
                present,
            )

    return Table(header=header, rows=rows())
