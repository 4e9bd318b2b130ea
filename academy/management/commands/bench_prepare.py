"""Prepares a run of `make bench` on a seeded database and writes what the load driver needs as JSON:
signed-in sessions for the virtual people (members, a coach, staff), the pages to ask for, and the event of
the booking storm. Undoes the previous run first (the bookings its virtual people made, the storm's seats),
so every run starts from the same data.

Sessions are made the way a login makes them (django.contrib.auth.login, whose signal also stores the
person's roles), straight in the session table: logging 220 people in through the form would trip allauth's
rate limit (30 logins a minute from one address) and measure PBKDF2 rather than the portal.

    python manage.py bench_prepare --out var/bench/plan.json [--users 20] [--storm 200] [--storm-seats 20]
    python manage.py bench_prepare --storm-result EVENT_ID      # prints the storm's outcome as JSON
"""

import json
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import login
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from academy.bench import DOMAIN, STAFF_EMAIL
from academy.models import Certificate, User
from coaching.models import CoachingCase
from elearning.models import Enrolment, Lesson
from events.cache import event_changed
from events.models import Booking, Event, EventDate
from organisations.models import Membership, Organisation

STORM_TITLE = "Bench: booking storm"


def session_for(user: User) -> str:
    engine = import_module(settings.SESSION_ENGINE)
    request = HttpRequest()
    request.session = engine.SessionStore()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session.save()
    return request.session.session_key


def recount(event_ids) -> None:
    confirmed = (
        Booking.objects.filter(event=OuterRef("pk"), status=Booking.Status.CONFIRMED)
        .order_by()
        .values("event")
        .annotate(total=Count("pk"))
        .values("total")
    )
    Event.objects.filter(pk__in=list(event_ids)).update(confirmed_count=Coalesce(Subquery(confirmed), Value(0)))


class Command(BaseCommand):
    help = "Prepares a benchmark run (sessions, pages, storm event) and writes it as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--out")
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--storm", type=int, default=200)
        parser.add_argument("--storm-seats", type=int, default=20)
        parser.add_argument("--storm-result", type=int)

    def handle(self, *args, out, users, storm, storm_seats, storm_result, **options):
        if storm_result:
            self.stdout.write(json.dumps(self.storm_result(storm_result)))
            return
        with transaction.atomic():
            plan = self.prepare(users=users, storm=storm, storm_seats=storm_seats)
        self.vacuum()
        with open(out, "w") as handle:
            json.dump(plan, handle, indent=1)
        self.stdout.write(f"Prepared {len(plan['members'])} members, storm of {len(plan['storm']['sessions'])}.")

    def storm_result(self, event_id: int) -> dict:
        event = Event.objects.get(pk=event_id)
        counts = dict(Booking.objects.filter(event=event).values_list("status").annotate(n=Count("pk")))
        storm = Booking.objects.filter(event=event, booked_by__isnull=False)
        return {
            "capacity": event.capacity,
            "confirmed_count_column": event.confirmed_count,
            "confirmed": counts.get("confirmed", 0),
            "waiting": counts.get("waiting", 0),
            "storm_confirmed": storm.filter(status="confirmed").count(),
            "storm_waiting": storm.filter(status="waiting").count(),
            "people_with_two_active": Booking.objects.filter(event=event, status__in=Booking.ACTIVE)
            .values("person")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .count(),
        }

    def vacuum(self) -> None:
        """Every run books and the next deletes what it booked: without a vacuum the dead rows pile up run after
        run in the bookings' indexes (1,400 entries for the 41 live bookings of a virtual person's organisation
        after a dozen runs), which autovacuum leaves alone below a fifth of the table, and each run on the same
        database would measure slower pages than the last."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) events_booking, events_event, django_session, academy_outboxmessage")

    def prepare(self, *, users: int, storm: int, storm_seats: int) -> dict:
        now = timezone.now()
        approved = Q(organisation__status=Organisation.Status.APPROVED)
        members = list(
            Membership.objects.filter(approved, user__email__startswith="person", user__email__endswith=f"@{DOMAIN}")
            .select_related("user")
            .order_by("user_id")
        )
        virtual, stormers, fillers = members[:users], members[users : users + storm], members[users + storm :]

        # Undo the last run: whatever the virtual people booked themselves (seeded bookings have no booked_by).
        people = [m.user_id for m in virtual + stormers]
        touched = set(Booking.objects.filter(booked_by_id__in=people).values_list("event_id", flat=True))
        Booking.objects.filter(booked_by_id__in=people).delete()
        recount(touched)

        # The storm's event: its seats all but `storm_seats` taken by others, nobody waiting.
        event = Event.objects.filter(title_de=STORM_TITLE).first()
        fill = 40
        if event is None:
            start = (now + timedelta(days=60)).replace(hour=10, minute=0, second=0, microsecond=0)
            event = Event.objects.create(
                title_de=STORM_TITLE,
                capacity=fill + storm_seats,
                city="Berlin",
                venue_name="Haus der Vereine",
                status=Event.Status.PUBLISHED,
                send_reminders=False,
            )
            EventDate.objects.create(event=event, start=start, end=start + timedelta(hours=6))
            Booking.objects.bulk_create(
                Booking(event=event, person_id=m.user_id, organisation_id=m.organisation_id, status="confirmed")
                for m in fillers[:fill]
            )
        Booking.objects.filter(event=event).exclude(booked_by__isnull=True).delete()
        Event.objects.filter(pk=event.pk).update(capacity=fill + storm_seats)
        event_changed()  # an update sends no signal: the event page's cache must not keep the old capacity
        recount([event.pk])

        # What the members look at: events they may book (published, upcoming, open), a module and lesson.
        bookable = list(
            Event.objects.published()
            .filter(first_start__gt=now + timedelta(days=2))
            .exclude(pk=event.pk)
            .exclude(registration_closes__lt=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        enrolments = list(
            Enrolment.objects.filter(user_id__in=[m.user_id for m in virtual]).values_list(
                "user_id", "module__slug", "module_id"
            )
        )
        first_lesson = dict(Lesson.objects.order_by("module_id", "-position").values_list("module_id", "pk"))
        coach = (
            CoachingCase.objects.filter(coach__isnull=False)
            .values("coach__user_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        staff = User.objects.get(email=STAFF_EMAIL)
        topic = Event.topics.through.objects.values_list("topic_id", flat=True).first()

        plan_members = []
        for n, membership in enumerate(virtual):
            own = [(slug, module_id) for user_id, slug, module_id in enrolments if user_id == membership.user_id]
            slug, module_id = own[0] if own else next((s, m) for _u, s, m in enrolments)
            plan_members.append(
                {
                    "session": session_for(membership.user),
                    "user_id": membership.user_id,
                    "organisation": membership.organisation_id,
                    "event": bookable[n % len(bookable)],
                    "module": slug,
                    "lesson": first_lesson[module_id],
                    "book": bookable[n::users],
                }
            )
        coach_user = User.objects.get(pk=coach["coach__user_id"])
        return {
            "members": plan_members,
            "coach": {"session": session_for(coach_user), "user_id": coach_user.pk, "cases": coach["n"]},
            "staff": {"session": session_for(staff), "user_id": staff.pk},
            "topic": topic,
            "storm": {
                "event": event.pk,
                "capacity": event.capacity,
                "seats": storm_seats,
                "sessions": [session_for(m.user) for m in stormers],
            },
            "counts": {
                "users": User.objects.count(),
                "organisations": Organisation.objects.count(),
                "events": Event.objects.count(),
                "event_dates": EventDate.objects.count(),
                "bookings": Booking.objects.count(),
                "coaching_cases": CoachingCase.objects.count(),
                "modules": Lesson.objects.values("module").distinct().count(),
                "lessons": Lesson.objects.count(),
                "certificates": Certificate.objects.count(),
            },
        }
