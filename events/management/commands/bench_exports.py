"""Benchmark (not a test) of the period export: seconds and peak memory for CSV and XLSX of N bookings.

Creates N bookings (bulk_create) of events in the current year, then builds the period export as the view
does and reads the response to the end. Everything it writes is rolled back unless --keep is given.

    python manage.py bench_exports [--bookings 10000] [--keep]

Peak memory is Python's own allocations while the export runs (tracemalloc, a second run), which is what
grows with the rows if anything is held in memory; the process's peak RSS is printed beside it.
"""

import resource
import time
import tracemalloc
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from academy.exports import Sheet, csv_response, xlsx_response
from academy.models import User
from events import evidence
from events.models import Attendance, Booking, Event, EventDate
from organisations.models import Organisation

PER_EVENT = 50


class Rollback(Exception):
    pass


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _drain(response) -> int:
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    # Not response.close(): that signals request_finished, which closes the database connection.
    if hasattr(response, "file_to_stream"):
        response.file_to_stream.close()
    return size


class Command(BaseCommand):
    help = "Measures seconds and peak memory of the period bookings export (CSV and XLSX) for N bookings."

    def add_arguments(self, parser):
        parser.add_argument("--bookings", type=int, default=10_000)
        parser.add_argument("--keep", action="store_true", help="Keep the bookings instead of rolling back.")

    def handle(self, *args, bookings, keep, **options):
        try:
            with transaction.atomic():
                self._run(bookings)
                if not keep:
                    raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as before.")

    def _create(self, count: int) -> tuple[date, date]:
        year = timezone.localdate().year
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Benchmark-Verein {n} e.V.",
                normalised_name=f"benchmark verein {n}",
                legal_form=Organisation.LegalForm.EV,
                kind=Organisation.Kind.CLUB,
                bundesland="NW",
                postcode="50667",
                city="Köln",
                status=Organisation.Status.APPROVED,
            )
            for n in range(20)
        )
        people = User.objects.bulk_create(
            User(email=f"bench-export-{n}@vamos.invalid", first_name="Ayşe", last_name=f"Öztürk {n}")
            for n in range(count)
        )
        events = Event.objects.bulk_create(
            Event(title=f"Benchmark-Seminar {n}", capacity=PER_EVENT, status=Event.Status.PUBLISHED, city="Köln")
            for n in range((count + PER_EVENT - 1) // PER_EVENT)
        )
        start = timezone.make_aware(datetime(year, 3, 2, 10, 0))
        dates = EventDate.objects.bulk_create(
            EventDate(event=event, start=start + timedelta(days=n % 280), end=start + timedelta(days=n % 280, hours=4))
            for n, event in enumerate(events)
        )
        Event.objects.filter(pk__in=[event.pk for event in events]).refresh_dates()
        booked = Booking.objects.bulk_create(
            Booking(
                event=events[n // PER_EVENT],
                person=person,
                organisation=organisations[n % len(organisations)],
                booked_by=person,
                status=Booking.Status.CONFIRMED,
                created_at=start - timedelta(days=14),
            )
            for n, person in enumerate(people)
        )
        Attendance.objects.bulk_create(
            Attendance(booking=booking, event_date=dates[n // PER_EVENT], present=n % 3 != 0, marked_at=start)
            for n, booking in enumerate(booked)
        )
        return date(year, 1, 1), date(year, 12, 31)

    def _export(self, extension: str, date_from: date, date_to: date):
        table = evidence.period_bookings_table(date_from=date_from, date_to=date_to)
        if extension == "csv":
            response = csv_response(filename="bench.csv", header=table.header, rows=table.rows)
        else:
            response = xlsx_response(filename="bench.xlsx", sheets=[Sheet("Bench", table.header, table.rows)])
        return _drain(response)

    def _run(self, count: int) -> None:
        began = time.perf_counter()
        date_from, date_to = self._create(count)
        self.stdout.write(f"Created {count} bookings in {time.perf_counter() - began:.1f} s (bulk_create).")
        total = Booking.objects.filter(event__in=evidence.events_in_period(date_from=date_from, date_to=date_to))
        self.stdout.write(f"Period {date_from} – {date_to}: {total.count()} bookings in the export.")
        for extension in ("csv", "xlsx"):
            began = time.perf_counter()
            size = self._export(extension, date_from, date_to)
            seconds = time.perf_counter() - began
            tracemalloc.start()
            self._export(extension, date_from, date_to)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(
                f"{extension.upper()}: {seconds:.2f} s, {size / 1024 / 1024:.1f} MB file, "
                f"peak Python memory {peak / 1024 / 1024:.1f} MB (process peak RSS {_rss_mb():.0f} MB)"
            )
