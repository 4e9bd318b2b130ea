"""Event figures of the staff statistics (academy.statistics): participation, unmet demand and feedback.

Which events a period holds: an event belongs to the period in which its FIRST date starts (a seminar series
that runs over New Year counts in the year it began). Every figure here counts the bookings, waiting places and
feedback of those events, whenever the booking itself was made. Each section runs a fixed number of
aggregate queries, whatever the number of events and bookings.
"""

from django.db.models import Avg, Case, Count, F, IntegerField, Q, QuerySet, Sum, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from academy.statistics import Figure, Period, Section, ratio, shared, topic_labels

from .models import Booking, Event


def events_in(period: Period) -> QuerySet[Event]:
    """Events whose first date starts in the period."""
    return Event.objects.filter(**period.lookup("first_start"))


CONFIRMED = Q(status=Booking.Status.CONFIRMED)
PRESENT = Q(attendances__present=True)


def bookings_in(period: Period) -> QuerySet[Booking]:
    return Booking.objects.filter(event__in=events_in(period).values("pk")).order_by()


def attended_organisations(period: Period) -> QuerySet:
    """organisations.statistics.active_organisation_sources: organisations with a person who attended."""
    return bookings_in(period).filter(CONFIRMED & PRESENT).values("organisation_id")


def _topic_labels() -> list[tuple[int | None, str]]:
    """Every topic (one query for the page's sections), then "no topic" for events without one."""
    return [*topic_labels(), (None, _("(no topic)"))]


def _event_topics(period: Period) -> dict[int, list[int]]:
    """{event id: [topic id, …]} of the period's events (one query for the page's sections)."""

    def read() -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        pairs = Event.topics.through.objects.filter(event__in=events_in(period).values("pk")).values_list(
            "event_id", "topic_id"
        )
        for event_id, topic_id in pairs:
            found.setdefault(event_id, []).append(topic_id)
        return found

    return shared(("events.event_topics", period.start, period.end), read)


def _add(table: dict, key, numbers) -> None:
    table[key] = tuple(a + b for a, b in zip(table.get(key, (0,) * len(numbers)), numbers, strict=True))


def _sum_by(per_event: dict[int, dict], field: str, values: list, numbers) -> dict:
    """Sums the events' numbers (a function of the event's row) under the event's `field`."""
    table = {value: (0,) * len(numbers({})) for value in values}
    for row in per_event.values():
        _add(table, row[field], numbers(row))
    return table


def _sum_by_topic(per_event: dict[int, dict], topics_of: dict[int, list[int]], numbers) -> dict:
    """Sums the events' numbers under each of their topics (None: events without a topic)."""
    table: dict = {}
    for event_id, row in per_event.items():
        for topic_id in topics_of.get(event_id) or [None]:
            _add(table, topic_id, numbers(row))
    return table


def _bookings_per_event(period: Period) -> dict[int, dict]:
    """{event id: row} of every event of the period (one query for the page's sections): its format, kind and
    status, whether it is full, and its bookings counted by status and attendance. Participation and unmet
    demand both sum these rows.

    A booking is attended when marked present at one date at least, a no-show when marked at some date and
    present at none. The bookings are joined with their attendance (a row per date marked), so every number
    counts each booking once (COUNT DISTINCT), however many dates the event has.
    """

    def bookings(condition: Q) -> Count:
        return Count("bookings", distinct=True, filter=condition)

    def read() -> dict[int, dict]:
        confirmed = Q(bookings__status=Booking.Status.CONFIRMED)
        rows = (
            events_in(period)
            .order_by()
            .values("pk", "format", "kind", "status")
            .annotate(  # no annotation may be called "bookings": the conditions after it would read that name
                full=Case(When(confirmed_count__gte=F("capacity"), then=1), default=0, output_field=IntegerField()),
                confirmed=bookings(confirmed),
                cancellations=bookings(Q(bookings__status=Booking.Status.CANCELLED)),
                waiting=bookings(Q(bookings__status=Booking.Status.WAITING)),
                marked=bookings(confirmed & Q(bookings__attendances__isnull=False)),
                attended=bookings(confirmed & Q(bookings__attendances__present=True)),
            )
        )
        return {row["pk"]: row for row in rows}

    return shared(("events.bookings_per_event", period.start, period.end), read)


def _participation_numbers(row: dict) -> tuple[int, int, int, int]:
    if not row:
        return (0, 0, 0, 0)
    return (row["confirmed"], row["attended"], row["marked"] - row["attended"], row["cancellations"])


def participation_section(period: Period) -> Section:
    """Four queries: bookings and attendance per event (summed here by format, kind and topic), the topics of
    the events, the different people and organisations, the topic names."""
    per_event = _bookings_per_event(period)
    topics_of = _event_topics(period)
    people = bookings_in(period).aggregate(
        people=Count("person", distinct=True, filter=CONFIRMED),
        people_attended=Count("person", distinct=True, filter=CONFIRMED & PRESENT),
        organisations=Count("organisation", distinct=True, filter=CONFIRMED),
        organisations_attended=Count("organisation", distinct=True, filter=CONFIRMED & PRESENT),
    )
    bookings, attended, no_shows, cancellations = (
        sum(_participation_numbers(row)[i] for row in per_event.values()) for i in range(4)
    )
    marked = sum(row["marked"] for row in per_event.values())
    by_format = _sum_by(per_event, "format", Event.Format.values, _participation_numbers)
    by_kind = _sum_by(per_event, "kind", Event.Kind.values, _participation_numbers)
    by_topic = _sum_by_topic(per_event, topics_of, _participation_numbers)
    zero = (0, 0, 0, 0)
    columns = [_("Bookings"), _("Attended"), _("No-shows"), _("Cancellations")]
    charted = _("Charted: bookings.")
    return Section(
        key="participation",
        title=_("Participation in events"),
        note=_(
            "Events count in the period in which their first date starts. Bookings: seats confirmed (now). "
            "Attended: confirmed bookings marked present at one date at least. No-shows: confirmed bookings "
            "marked absent at every date marked. Not marked yet: confirmed bookings without any attendance "
            "marked. Cancellations: bookings cancelled by the person, their organisation or staff, including "
            "those of cancelled events and places given up on the waiting list. Anonymised people still count."
        ),
        figures=[
            Figure(
                key="participation-total",
                title=_("Participation overview"),
                columns=[_("Figure"), _("Number")],
                rows=[
                    (_("Bookings"), bookings),
                    (_("Attended"), attended),
                    (_("No-shows"), no_shows),
                    (_("Not marked yet"), bookings - marked),
                    (_("Cancellations"), cancellations),
                    (_("Different people with a booking"), people["people"]),
                    (_("Different people who attended"), people["people_attended"]),
                    (_("Different organisations with a booking"), people["organisations"]),
                    (_("Different organisations that attended"), people["organisations_attended"]),
                ],
                note=_("Different people and organisations are each counted once, however many events they booked."),
            ),
            Figure(
                key="participation-format",
                title=_("Participation by format"),
                columns=[_("Format"), *columns],
                rows=[(str(label), *by_format.get(value, zero)) for value, label in Event.Format.choices],
                note=charted,
            ),
            Figure(
                key="participation-kind",
                title=_("Participation by kind of event"),
                columns=[_("Kind"), *columns],
                rows=[(str(label), *by_kind.get(value, zero)) for value, label in Event.Kind.choices],
                note=charted,
            ),
            Figure(
                key="participation-topic",
                title=_("Participation by topic"),
                columns=[_("Topic"), *columns],
                rows=[(label, *by_topic.get(pk, zero)) for pk, label in _topic_labels()],
                note=_(
                    "An event with several topics counts under each of them, so the rows add up to more than the "
                    "total. Charted: bookings."
                ),
            ),
        ],
    )


def demand_section(period: Period) -> Section:
    """Three queries, all shared with participation: each event with its people waiting (summed here by format
    and topic), the topics of the events, the topic names."""
    per_event = {pk: row for pk, row in _bookings_per_event(period).items() if row["status"] == Event.Status.PUBLISHED}
    topics_of = _event_topics(period)

    def numbers(row):
        return (row["waiting"], 1, row["full"]) if row else (0, 0, 0)

    by_format = _sum_by(per_event, "format", Event.Format.values, numbers)
    by_topic = _sum_by_topic(per_event, topics_of, numbers)
    zero = (0, 0, 0)
    columns = [_("People waiting"), _("Events"), _("Events full")]
    return Section(
        key="demand",
        title=_("Unmet demand"),
        note=_(
            "Published events whose first date starts in the period (cancelled events are left out). People "
            "waiting: bookings on the waiting list now; for past events, the people who never got a seat. Events "
            "full: every seat confirmed now. An event with several topics counts under each of them."
        ),
        figures=[
            Figure(
                key="demand-format",
                title=_("Waiting list and full events by format"),
                columns=[_("Format"), *columns],
                rows=[(str(label), *by_format.get(value, zero)) for value, label in Event.Format.choices],
                note=_("Charted: people waiting."),
            ),
            Figure(
                key="demand-topic",
                title=_("Waiting list and full events by topic"),
                columns=[_("Topic"), *columns],
                rows=[(label, *by_topic.get(pk, zero)) for pk, label in _topic_labels()],
                note=_("Charted: people waiting."),
            ),
        ],
    )


def feedback_section(period: Period) -> Section:
    """Three queries: ratings per event (summed here by topic and overall), the topics of the events, the topic
    names."""
    per_event = (
        events_in(period)
        .annotate(
            ratings=Count("bookings__feedback"),
            average=Avg("bookings__feedback__rating"),
            points=Sum("bookings__feedback__rating"),
        )
        .filter(ratings__gt=0)
        .order_by("first_start", "pk")
    )
    events = list(per_event)
    event_rows = [
        (
            f"{event.title} ({formats.date_format(timezone.localtime(event.first_start), 'SHORT_DATE_FORMAT')})",
            round(event.average, 2),
            event.ratings,
        )
        for event in events
    ]
    topics_of = _event_topics(period)
    points_by_topic = _sum_by_topic(
        {event.pk: event for event in events}, topics_of, lambda event: (event.points, event.ratings)
    )
    by_topic = {topic_id: (ratio(points, ratings), ratings) for topic_id, (points, ratings) in points_by_topic.items()}
    all_ratings = sum(event.ratings for event in events)
    overall = ratio(sum(event.points for event in events), all_ratings)
    columns = [_("Average rating"), _("Ratings")]
    return Section(
        key="feedback",
        title=_("Feedback on events"),
        note=_(
            "Participants rate an event from 1 (poor) to 5 (very good) after it. Events count in the period in "
            "which their first date starts; only events with at least one rating are listed."
        ),
        figures=[
            Figure(
                key="feedback-event",
                title=_("Average rating per event"),
                columns=[_("Event"), *columns],
                rows=[(_("All events"), round(overall, 2), all_ratings), *event_rows],
                note=_("Charted: average rating."),
            ),
            Figure(
                key="feedback-topic",
                title=_("Average rating per topic"),
                columns=[_("Topic"), *columns],
                rows=[(label, *by_topic[pk]) for pk, label in _topic_labels() if pk in by_topic],
                note=_("An event with several topics counts under each of them. Charted: average rating."),
            ),
        ],
    )


def register() -> None:
    from academy.statistics import statistics_section_register
    from organisations.statistics import active_organisation_sources

    statistics_section_register(participation_section, position=20)
    statistics_section_register(demand_section, position=30)
    statistics_section_register(feedback_section, position=60)
    if attended_organisations not in active_organisation_sources:
        active_organisation_sources.append(attended_organisations)
