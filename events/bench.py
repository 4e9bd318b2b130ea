"""Benchmark data, events' part (`manage.py bench_seed`): events, dates, bookings, attendance, feedback and
the event certificates.

Events lie between a year ago and a year ahead, none within ten days of the seeding, so the reminder
benchmark's event is the only one due. Each event gets its bookings up to its seats, then a waiting list,
and a few cancelled ones; `confirmed_count` is set to match (the CheckConstraint holds). Past events have
their attendance marked, some feedback and a certificate per attended participant (a snapshot like the real
one, without a PDF: rendering is what the certificate benchmark measures).
"""

import random
from datetime import timedelta

from django.utils import timezone

from academy.bench import BATCH, DOMAIN
from academy.models import Certificate, Topic, User
from organisations.models import Membership

from .certificates import subject_key
from .models import Attendance, Booking, Event, EventDate, Feedback

TITLES = [
    "Vereinsrecht kompakt",
    "Fördermittel beantragen",
    "Öffentlichkeitsarbeit",
    "Ehrenamt stärken",
    "Buchhaltung im Verein",
    "Projektmanagement",
    "Digitale Vereinsarbeit",
    "Netzwerktreffen",
]


def sizes(scale: float) -> dict[str, int]:
    return {
        "events": max(60, round(2_000 * scale)),
        "dates": max(150, round(5_000 * scale)),
        "bookings": max(3_000, round(100_000 * scale)),
        "certificates": max(1_000, round(40_000 * scale)),
    }


def events(*, scale: float, rng: random.Random) -> dict[str, int]:
    size = sizes(scale)
    now = timezone.now()
    trainers = list(
        User.objects.filter(email__startswith="trainer", email__endswith=f"@{DOMAIN}").values_list("pk", flat=True)
    )
    staff = User.objects.get(email=f"staff@{DOMAIN}")
    topics = list(Topic.objects.values_list("pk", flat=True))

    rows, starts = [], []
    for n in range(size["events"]):
        days = rng.randint(10, 365) * (1 if rng.random() < 0.5 else -1)
        start = (now + timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)
        status = rng.choices(["published", "draft", "cancelled"], weights=[90, 5, 5])[0]
        fmt = rng.choice(Event.Format.values)
        title = f"{rng.choice(TITLES)} {n}"
        rows.append(
            Event(
                title_de=title,
                title_en=f"{title} (en)",
                description_de="Ein Seminar der Benchmark-Daten. " * 20,
                learning_goals_de="Ziel eins\nZiel zwei\nZiel drei",
                kind=rng.choice(Event.Kind.values),
                format=fmt,
                language=rng.choices(["de", "en", "tr"], weights=[80, 15, 5])[0],
                capacity=rng.randint(20, 80),
                venue_name="Haus der Vereine",
                street="Musterstraße 1",
                postcode="10115",
                city=rng.choice(["Berlin", "Köln", "Hamburg", "Leipzig"]),
                online_link="https://meet.example/bench" if fmt != "in_person" else "",
                status=status,
                cancelled_at=now - timedelta(days=1) if status == "cancelled" else None,
                contact=staff,
            )
        )
        starts.append(start)
    Event.objects.bulk_create(rows, batch_size=BATCH)

    # Dates: every event one, the rest spread one a week after; then topics and trainers.
    dates = []
    extra = size["dates"] - len(rows)
    for index, (event, start) in enumerate(zip(rows, starts, strict=True)):
        count = 1 + extra // len(rows) + (1 if index < extra % len(rows) else 0)
        for week in range(count):
            begin = start + timedelta(weeks=week)
            dates.append(EventDate(event=event, start=begin, end=begin + timedelta(hours=6)))
    EventDate.objects.bulk_create(dates, batch_size=BATCH)
    Event.objects.filter(pk__in=[event.pk for event in rows]).refresh_dates()  # bulk_create sends no signal
    Event.topics.through.objects.bulk_create(
        [
            Event.topics.through(event_id=e.pk, topic_id=t)
            for e in rows
            for t in rng.sample(topics, k=rng.randint(1, 2))
        ],
        batch_size=BATCH,
    )
    Event.trainers.through.objects.bulk_create(
        [Event.trainers.through(event_id=e.pk, user_id=rng.choice(trainers)) for e in rows], batch_size=BATCH
    )

    # Bookings: people with their organisation, up to the seats confirmed, then waiting; 5 % cancelled.
    members = list(
        Membership.objects.filter(user__email__startswith="person", user__email__endswith=f"@{DOMAIN}")
        .order_by("user_id")
        .values_list("user_id", "organisation_id")
    )
    per_event = size["bookings"] // len(rows)
    bookings, confirmed_per_event = [], {}
    for index, (event, start) in enumerate(zip(rows, starts, strict=True)):
        count = per_event + (1 if index < size["bookings"] % len(rows) else 0)
        confirmed = 0
        booked_at = min(start, now) - timedelta(days=30)
        for person, organisation in rng.sample(members, k=min(count, len(members))):
            if rng.random() < 0.05:
                status, cancelled = Booking.Status.CANCELLED, booked_at + timedelta(days=1)
            elif confirmed < event.capacity:
                status, cancelled, confirmed = Booking.Status.CONFIRMED, None, confirmed + 1
            else:
                status, cancelled = Booking.Status.WAITING, None
            bookings.append(
                Booking(
                    event=event,
                    person_id=person,
                    organisation_id=organisation,
                    status=status,
                    created_at=booked_at,
                    cancelled_at=cancelled,
                )
            )
        confirmed_per_event[event.pk] = confirmed
    Booking.objects.bulk_create(bookings, batch_size=BATCH)
    for event in rows:
        event.confirmed_count = confirmed_per_event[event.pk]
    Event.objects.bulk_update(rows, ["confirmed_count"], batch_size=BATCH)

    # The past: attendance at every date, feedback from some, a certificate per attended participant.
    past_dates = {}
    for date in dates:
        if date.end < now:
            past_dates.setdefault(date.event_id, []).append(date)
    attendance, feedback, attended = [], [], []
    for booking in bookings:
        if booking.status != Booking.Status.CONFIRMED or booking.event_id not in past_dates:
            continue
        present_once = False
        for date in past_dates[booking.event_id]:
            present = rng.random() < 0.85
            present_once = present_once or present
            attendance.append(
                Attendance(booking=booking, event_date=date, present=present, marked_by=staff, marked_at=date.end)
            )
        if present_once:
            attended.append(booking)
            if rng.random() < 0.2:
                feedback.append(Feedback(booking=booking, rating=rng.randint(1, 5), comment="Hilfreich."))
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    Feedback.objects.bulk_create(feedback, batch_size=BATCH)

    events_by_pk = {event.pk: event for event in rows}
    names = dict(User.objects.filter(email__endswith=f"@{DOMAIN}").values_list("pk", "last_name"))
    certificates = [
        Certificate(
            kind=Certificate.Kind.EVENT,
            subject_key=subject_key(booking.event_id),
            recipient_id=booking.person_id,
            recipient_name=f"Bench {names[booking.person_id]}",
            organisation_id=booking.organisation_id,
            title=events_by_pk[booking.event_id].title_de,
            details={"hours": 6.0, "dates": []},
            issued_at=past_dates[booking.event_id][-1].end,
        )
        for booking in attended[: size["certificates"]]
    ]
    Certificate.objects.bulk_create(certificates, batch_size=BATCH)
    return {
        "events": len(rows),
        "dates": len(dates),
        "bookings": len(bookings),
        "attendance": len(attendance),
        "feedback": len(feedback),
        "event certificates": len(certificates),
    }
