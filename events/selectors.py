"""Queries that the event pages, mails and hooks need, each in a fixed number of queries.

Events carry their `first_start` and `last_end` as columns (kept from their dates) and, where the page shows it,
`waiting_count`; seats left is `event.seats_left` (capacity minus the `confirmed_count` column).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import NamedTuple

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from academy.models import Topic, User
from academy.prepared import BoundRead, prepared
from organisations.models import Membership, Organisation

from . import cache as event_cache
from .models import Attendance, Booking, Event, EventDate
from .rows import BookingRow, PersonRow, brief_columns


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# What pages show of a person who is not the viewer (a trainer, the contact, who booked): names and address; nothing
# else of their accounts is read, nor kept in the cache with an event (events.cache).
PERSON_NAME_COLUMNS = User.NAME_COLUMNS


def _dates_prefetch() -> Prefetch:
    return Prefetch("dates", queryset=EventDate.objects.order_by("start", "pk"))


def _topics_prefetch() -> Prefetch:
    return Prefetch("topics", queryset=Topic.objects.order_by("position", "slug"))


def _trainers_prefetch() -> Prefetch:
    return Prefetch("trainers", queryset=User.objects.only(*PERSON_NAME_COLUMNS).order_by("last_name", "first_name"))


def month_range(month: date) -> tuple[date, date]:
    """The first day of the month and the first day of the next one."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def event_catalogue(
    *,
    topic: Topic | int | None = None,
    kind: str | None = None,
    format: str | None = None,
    language: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    month: date | None = None,
    free_only: bool = False,
    search: str = "",
    now: datetime | None = None,
) -> QuerySet[Event]:
    """Upcoming (not yet ended) published events, soonest first; the filters combine.

    `date_from`/`date_to` (inclusive days) and `month` (any day of it) keep events with a date in that range.
    `free_only` keeps events with a free seat. `search` looks through the title, description, learning goals,
    target group (in every language) and the city. Evaluating it costs three queries however many events
    (events, their dates, their topics); paginate the queryset as it is.
    """
    now = now or timezone.now()
    events = Event.objects.published().with_waiting_count().filter(last_end__gte=now)
    if topic:
        events = events.filter(topics=topic)
    if kind:
        events = events.filter(kind=kind)
    if format:
        events = events.filter(format=format)
    if language:
        events = events.filter(language=language)
    if month is not None:
        first, following = month_range(month)
        date_from, date_to = first, following - timedelta(days=1)
    if date_from is not None or date_to is not None:
        in_range = EventDate.objects.filter(event=OuterRef("pk"))
        if date_from is not None:
            in_range = in_range.filter(end__gte=_day_start(date_from))
        if date_to is not None:
            in_range = in_range.filter(start__lt=_day_start(date_to + timedelta(days=1)))
        events = events.filter(Exists(in_range))
    if free_only:
        events = events.filter(confirmed_count__lt=F("capacity"))
    search = (search or "").strip()
    if search:
        condition = Q(city__icontains=search) | Q(venue_name__icontains=search)
        for name in ("title", "description", "learning_goals", "target_group"):
            for code in ("de", "en"):
                condition |= Q(**{f"{name}_{code}__icontains": search})
        events = events.filter(condition)
    return events.prefetch_related(_dates_prefetch(), _topics_prefetch()).order_by("first_start", "pk")


@prepared(pk=int)
def _event_counts(*, pk: int) -> QuerySet:
    """An event's confirmed seats, `updated_at` and the number of people waiting: what every visit reads afresh."""
    counts = Event.objects.filter(pk=pk).with_waiting_count()
    return counts.values_list("confirmed_count", "updated_at", "waiting_count")


def event_detail(*, pk: int, viewer: User | None = None) -> Event:
    """One event with its dates, topics, trainers and contact, its seats taken and `waiting_count`. Drafts only
    for staff; else 404.

    The event with its dates, topics, trainers and contact comes from the cache (events.cache: kept until any of
    them changes; four queries when it is not there); the seat and waiting counts, which every booking moves,
    and the row's `updated_at` are read from the database every time (one prepared query)."""
    fresh = _event_counts(pk=pk)
    if not fresh:
        raise Http404
    confirmed_count, updated_at, waiting_count = fresh[0]
    version, event = event_cache.event_get(pk)
    if event is None or event.updated_at != updated_at:
        event = (
            Event.objects.prefetch_related(
                Prefetch("contact", queryset=User.objects.only(*PERSON_NAME_COLUMNS)),
                _dates_prefetch(),
                _topics_prefetch(),
                _trainers_prefetch(),
            )
            .filter(pk=pk)
            .first()
        )
        if event is None:  # deleted in between
            raise Http404
        event_cache.event_set(event, version)
    if event.status == Event.Status.DRAFT and not (viewer is not None and viewer.is_authenticated and viewer.is_staff):
        raise Http404
    event.confirmed_count = confirmed_count
    event.waiting_count = waiting_count
    event.cache_version = version  # with updated_at, names this state of the event (the page's memo keys on it)
    return event


def event_to_book(*, pk: int, viewer: User | None = None) -> Event:
    """The event a booking form posts to, with event_detail's visibility rule (drafts only for staff; else 404),
    in one narrow query: the booking service locks and reads the row itself, and the view only redirects.
    Loading the dates, topics and trainers here cost a third of the booking POST."""
    found = _event_to_book(bool(viewer is not None and viewer.is_authenticated and viewer.is_staff), pk=pk)
    if not found:
        raise Http404
    return found[0]


@prepared(pk=int)
def _event_to_book(for_staff: bool, *, pk: int) -> QuerySet[Event]:
    events = Event.objects.only("pk", "status")
    if not for_staff:
        events = events.exclude(status=Event.Status.DRAFT)
    return events.filter(pk=pk)[:1]


def _with_waiting_position(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Annotates `waiting_position` (1 = next to move up) on waiting bookings; None for the others."""
    ahead = (
        Booking.objects.filter(event=OuterRef("event"), status=Booking.Status.WAITING)
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("event")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return bookings.annotate(
        waiting_position=Case(
            When(status=Booking.Status.WAITING, then=Coalesce(Subquery(ahead), 0) + 1),
            default=None,
            output_field=IntegerField(),
        )
    )


def booking_waiting_position(*, booking: Booking) -> int | None:
    """The position on the waiting list (1 = next to move up), in order of booking; None unless waiting."""
    if booking.status != Booking.Status.WAITING:
        return None
    if getattr(booking, "waiting_position", None) is not None:
        return booking.waiting_position
    ahead = (
        Booking.objects.filter(event_id=booking.event_id, status=Booking.Status.WAITING)
        .filter(Q(created_at__lt=booking.created_at) | Q(created_at=booking.created_at, pk__lt=booking.pk))
        .count()
    )
    return ahead + 1


def _bookings_with_events(bookings: QuerySet[Booking], *, brief: str = "") -> QuerySet:
    """brief="organisation" or "person" reads only what a list of bookings shows, as values (events.rows: the
    booking's state, the event's title, format and state, and the organisation's or the person's name) to be
    made into BookingRows. They get their dates and waiting positions from `complete_booking_rows`, once per page
    for all its lists (docs/benchmarks.md)."""
    if brief:
        return bookings.values_list(*brief_columns(brief))
    bookings = bookings.select_related("event", "organisation", "person")
    return _with_waiting_position(bookings.select_related("booked_by")).prefetch_related(
        Prefetch("event__dates", queryset=EventDate.objects.order_by("start", "pk"))
    )


class DateSpan(NamedTuple):
    start: datetime
    end: datetime


def complete_booking_rows(bookings: list[BookingRow]) -> list[BookingRow]:
    """Gives the rows of brief lists of bookings their events' dates (`event.date_list`, DateSpans in order) and
    each booking its `waiting_position` (None unless waiting), in one query for the dates and one for the
    waiting lists of the events someone on the page waits for (none if nobody does).

    A page's rows are read first and completed afterwards: the position's subquery and the dates' prefetch, built
    into each list's query, cost two thirds of "my bookings" in Python (query building, prefetch machinery, model
    instances for every date) for what two plain reads of the page's events answer. Both are prepared reads: the
    events' ids are one parameter (`__any_of`), whatever their number."""
    if not bookings:
        return bookings
    dates: dict[int, list[DateSpan]] = defaultdict(list)
    for event_id, start, end in _dates_of_events(events=sorted({booking.event_id for booking in bookings})):
        dates[event_id].append(DateSpan(start, end))
    waiting = {booking.event_id for booking in bookings if booking.status == Booking.Status.WAITING}
    positions: dict[int, int] = {}
    if waiting:
        ahead: dict[int, int] = defaultdict(int)
        for event_id, pk in _waiting_lists(events=sorted(waiting)):
            ahead[event_id] += 1
            positions[pk] = ahead[event_id]
    for booking in bookings:
        booking.event.date_list = dates[booking.event_id]
        booking.waiting_position = positions.get(booking.pk)
    return bookings


@prepared(events=list)
def _dates_of_events(*, events: list[int]) -> QuerySet:
    return (
        EventDate.objects.filter(event_id__any_of=events)
        .order_by("event_id", "start", "pk")
        .values_list("event_id", "start", "end")
    )


@prepared(events=list)
def _waiting_lists(*, events: list[int]) -> QuerySet:
    queue = Booking.objects.filter(event_id__any_of=events, status=Booking.Status.WAITING)
    return queue.order_by("event_id", "created_at", "pk").values_list("event_id", "pk")


def _split_by_time(bookings: QuerySet[Booking], *, upcoming: bool | None, now: datetime) -> QuerySet[Booking]:
    """Upcoming (the event's last date has not ended), soonest first; past ones or all, latest first."""
    if upcoming is True:
        return bookings.filter(event__last_end__gte=now).order_by("event__first_start", "pk")
    if upcoming is False:
        return bookings.filter(event__last_end__lt=now).order_by("-event__first_start", "-pk")
    return bookings.order_by("-event__first_start", "-pk")


def bookings_of_person(
    *,
    person: User,
    upcoming: bool | None = None,
    include_cancelled: bool = True,
    now: datetime | None = None,
    brief: bool = False,
) -> QuerySet[Booking]:
    """A person's bookings ("my bookings"), with event, dates, organisation and `waiting_position` (two queries).

    upcoming=True: events not yet over, soonest first; False: past ones, latest first; None: all, latest first.
    brief=True: only what a list shows, the organisation besides the event, as values for BookingRow(values,
    "organisation") (one query; complete_booking_rows adds dates and positions to a page; booking_lists prepares
    it).
    """
    bookings = Booking.objects.filter(person=person)
    if not include_cancelled:
        bookings = bookings.exclude(status=Booking.Status.CANCELLED)
    shown = "organisation" if brief else ""
    return _split_by_time(_bookings_with_events(bookings, brief=shown), upcoming=upcoming, now=now or timezone.now())


def bookings_of_organisation(
    *,
    organisation: Organisation,
    upcoming: bool | None = None,
    include_cancelled: bool = True,
    now: datetime | None = None,
    brief: bool = False,
) -> QuerySet[Booking]:
    """Every booking of an organisation (what its admins see), with person, event, dates (two queries); brief=True
    as for bookings_of_person, with the person besides the event (BookingRow(values, "person"))."""
    bookings = Booking.objects.filter(organisation=organisation)
    if not include_cancelled:
        bookings = bookings.exclude(status=Booking.Status.CANCELLED)
    shown = "person" if brief else ""
    return _split_by_time(_bookings_with_events(bookings, brief=shown), upcoming=upcoming, now=now or timezone.now())


# The brief lists as prepared reads (academy.prepared): the lists' query is built and compiled once per process for
# each of its shapes (upcoming or past, a page's window) instead of on every visit: half of what a list page cost.
@prepared(partial(BookingRow, whose="organisation"), person=int, now=datetime)
def _person_list(upcoming: bool, *, person: int, now: datetime) -> QuerySet:
    return bookings_of_person(person=person, upcoming=upcoming, brief=True, now=now)


@prepared(partial(BookingRow, whose="person"), organisation=int, now=datetime)
def _organisation_list(upcoming: bool, *, organisation: int, now: datetime) -> QuerySet:
    return bookings_of_organisation(organisation=organisation, upcoming=upcoming, brief=True, now=now)


@prepared(partial(BookingRow, whose="person"), organisation=int, person=int, now=datetime)
def _organisation_list_own(upcoming: bool, *, organisation: int, person: int, now: datetime) -> QuerySet:
    return bookings_of_organisation(organisation=organisation, upcoming=upcoming, brief=True, now=now).filter(
        person=person
    )


def booking_lists(
    *, person: User | None = None, organisation: Organisation | None = None, now: datetime | None = None
) -> tuple[BoundRead, BoundRead]:
    """The upcoming and the past brief lists, ready to be paged: a person's own ("my bookings"), an organisation's
    (what its admins see) or, with both, that person's bookings of that organisation (what a member sees there).
    A page's rows are completed by complete_booking_rows."""
    now = now or timezone.now()
    if organisation is None:
        return tuple(_person_list.bind(upcoming, person=person.pk, now=now) for upcoming in (True, False))
    if person is None:
        return tuple(
            _organisation_list.bind(upcoming, organisation=organisation.pk, now=now) for upcoming in (True, False)
        )
    return tuple(
        _organisation_list_own.bind(upcoming, organisation=organisation.pk, person=person.pk, now=now)
        for upcoming in (True, False)
    )


def booking_of_person_for_event(*, event: Event, person: User) -> Booking | None:
    """The person's active booking for the event (confirmed or waiting, with `waiting_position`), or None: one
    prepared query (built anew on every visit, the position's subquery cost 3,800 Python calls)."""
    if not person.is_authenticated:
        return None
    found = _active_booking(event=event.pk, person=person.pk)
    return found[0] if found else None


@prepared(event=int, person=int)
def _active_booking(*, event: int, person: int) -> QuerySet[Booking]:
    return _with_waiting_position(Booking.objects.filter(event=event, person=person, status__in=Booking.ACTIVE))[:1]


def booking_access(*, user: User, pk: int) -> Booking:
    """A booking the user may see and cancel: their own, one of an organisation they administer, or any for
    staff. Anything else is a 404, so ids of other organisations' bookings do not leak."""
    bookings = _with_waiting_position(Booking.objects.filter(pk=pk)).select_related(
        "event", "organisation", "person", "booked_by"
    )
    if not user.is_staff:
        administered = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("organisation")
        bookings = bookings.filter(Q(person=user) | Q(organisation__in=administered))
    booking = bookings.first()
    if booking is None:
        raise Http404
    return booking


def organisation_admin_of(*, user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation, role=Membership.Role.ADMIN).exists()


def bookable_colleagues(*, organisation: Organisation | int, event: Event | int) -> QuerySet[User]:
    """Members of the organisation who hold no active booking for the event (for "book colleagues")."""
    booked = Booking.objects.filter(event=event, status__in=Booking.ACTIVE).values("person")
    return (
        User.objects.filter(memberships__organisation=organisation, is_active=True)
        .exclude(pk__in=booked)
        .order_by("last_name", "first_name", "email")
    )


def bookable_colleague_names(*, organisation: Organisation, event: Event, viewer: User) -> list[tuple[int, str]]:
    """(id, full name) of bookable_colleagues but the viewer, as the event page lists them for an organisation's
    admin: one prepared read of their names (the list was a built query and user instances on every visit)."""
    rows = _bookable_colleagues(organisation=organisation.pk, event=event.pk, viewer=viewer.pk)
    return [(person.pk, person.get_full_name()) for person in rows]


@prepared(lambda row: PersonRow(*row), organisation=int, event=int, viewer=int)
def _bookable_colleagues(*, organisation: int, event: int, viewer: int) -> QuerySet:
    colleagues = bookable_colleagues(organisation=organisation, event=event).exclude(pk=viewer)
    return colleagues.values_list("pk", *User.NAME_COLUMNS)


# ---- attendance ------------------------------------------------------------------------------------------------


def event_date_for_attendance(*, pk: int) -> EventDate:
    """A date with its event (and the event's trainers, for the permission check); 404 if unknown."""
    event_date = (
        EventDate.objects.select_related("event")
        .prefetch_related(Prefetch("event__trainers", queryset=User.objects.only("pk")))
        .filter(pk=pk)
        .first()
    )
    if event_date is None:
        raise Http404
    return event_date


def participants_of_date(*, event_date: EventDate) -> QuerySet[Booking]:
    """The confirmed participants of a date's event, with person and organisation, annotated `present`
    (True, False, or None when not marked yet) for that date. One query."""
    present = Attendance.objects.filter(booking=OuterRef("pk"), event_date=event_date).values("present")[:1]
    return (
        Booking.objects.filter(event_id=event_date.event_id, status=Booking.Status.CONFIRMED)
        .select_related("person", "organisation")
        .annotate(present=Subquery(present))
        .order_by("person__last_name", "person__first_name", "pk")
    )


@dataclass(frozen=True)
class AttendanceCount:
    present: int
    absent: int
    unmarked: int

    @property
    def total(self) -> int:
        return self.present + self.absent + self.unmarked


def attendance_count(*, participants: list[Booking]) -> AttendanceCount:
    """Counts the `present` annotation of participants_of_date (no query)."""
    present = sum(1 for p in participants if p.present is True)
    absent = sum(1 for p in participants if p.present is False)
    return AttendanceCount(present=present, absent=absent, unmarked=len(participants) - present - absent)


def events_to_take_attendance(*, user: User, now: datetime | None = None, days: int = 30) -> QuerySet[Event]:
    """Events whose attendance the user takes (staff: all, trainers: theirs) with a date from `days` ago to a
    week ahead, with their dates; soonest first (two queries)."""
    now = now or timezone.now()
    near = EventDate.objects.filter(
        event=OuterRef("pk"), start__lt=now + timedelta(days=7), end__gte=now - timedelta(days=days)
    )
    events = Event.objects.exclude(status=Event.Status.DRAFT).filter(Exists(near))
    if not user.is_staff:
        events = events.filter(trainers=user)
    return events.prefetch_related(_dates_prefetch()).order_by("first_start", "pk")


# ---- what the hooks show ------------------------------------------------------------------------------------------


def organisation_upcoming_bookings(*, organisation: Organisation, now: datetime | None = None) -> list[BookingRow]:
    """The organisation's next five active bookings, for its home page: each booking's state, its event's title,
    format and first start, the person's name, and for a waiting booking its position (one prepared query).

    Reads only what the home page shows (an organisation list's row, events.rows; no list of dates). Sorting by
    the event's `first_start` column is a plain join; PostgreSQL computes the waiting position for the rows it
    returns.
    """
    return _upcoming_of_organisation(organisation=organisation.pk, now=now or timezone.now())


def _upcoming_row(values: tuple) -> BookingRow:
    return BookingRow(values[:-1], "person", waiting_position=values[-1])


@prepared(_upcoming_row, organisation=int, now=datetime)
def _upcoming_of_organisation(*, organisation: int, now: datetime) -> QuerySet:
    active = Booking.objects.filter(organisation=organisation).exclude(status=Booking.Status.CANCELLED)
    upcoming = _with_waiting_position(_split_by_time(active, upcoming=True, now=now))
    return upcoming.values_list(*brief_columns("person"), "waiting_position")[:5]


def upcoming_events_by_topic(
    *, topic_ids: list[int], per_topic: int = 3, now: datetime | None = None
) -> dict[int, list[Event]]:
    """Published events still open to book (not begun), per topic, soonest first (one query)."""
    now = now or timezone.now()
    events = (
        Event.objects.published()
        .filter(first_start__gt=now, topics__in=topic_ids)
        .annotate(topic_id=F("topics__id"))
        .order_by("first_start", "pk")
    )
    found: dict[int, list[Event]] = {topic_id: [] for topic_id in topic_ids}
    for event in events:
        if len(found[event.topic_id]) < per_topic:
            found[event.topic_id].append(event)
    return found


def participation_counts(*, organisation_ids: list[int], now: datetime | None = None) -> dict[int, list[tuple]]:
    """Per organisation: (event, confirmed people) for its confirmed bookings, latest first (one query).

    Counts, never names: what a federation may see of the clubs that share their participation.
    """
    rows = (
        Booking.objects.filter(organisation_id__in=organisation_ids, status=Booking.Status.CONFIRMED)
        .exclude(event__status=Event.Status.CANCELLED)
        .values("organisation_id", "event_id", "event__title", "event__kind", "event__first_start")
        .annotate(people=Count("pk"))
        .order_by("organisation_id", "-event__first_start")
    )
    found: dict[int, list[tuple]] = {}
    for row in rows:
        found.setdefault(row["organisation_id"], []).append(row)
    return found
