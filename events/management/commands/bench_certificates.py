"""Benchmark (not a test) of bulk certificate issuing: certificates per second for an event of 200
participants, with one and with two worker processes, and the peak memory of a worker after many PDFs.

Everything it writes to the database is rolled back, and the PDFs go to an in-memory storage.

    python manage.py bench_certificates [--participants 200] [--memory-count 1000]
"""

import multiprocessing
import resource
import time
from datetime import timedelta

from django.core.files.storage import InMemoryStorage
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from academy.certificates import certificate_issue, certificate_pdf, certificate_render
from academy.models import Certificate, User
from events import services
from events.certificates import participants_due, subject_key
from events.models import Event, EventDate
from organisations.models import Membership, Organisation


class Rollback(Exception):
    pass


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _render_many(certificates: list[Certificate]) -> float:
    """In a worker process: render each PDF (the work a render task does besides storing it); returns peak MB."""
    for certificate in certificates:
        certificate_pdf(certificate=certificate)
    return _peak_mb()


class Command(BaseCommand):
    help = "Measures certificates per second (1 and 2 processes) and a worker's memory after many PDFs."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=200)
        parser.add_argument("--memory-count", type=int, default=1000)

    def handle(self, *args, participants, memory_count, **options):
        Certificate._meta.get_field("file").storage = InMemoryStorage()
        try:
            with transaction.atomic():
                self._run(participants, memory_count)
                raise Rollback
        except Rollback:
            pass

    def _run(self, count: int, memory_count: int) -> None:
        start = (timezone.localtime() - timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
        staff = User.objects.create(email="bench-staff@vamos.invalid", is_staff=True, first_name="Bench")
        organisation = Organisation.objects.create(
            name="Benchmark e.V.",
            legal_form=Organisation.LegalForm.EV,
            kind=Organisation.Kind.CLUB,
            bundesland="BE",
            postcode="10115",
            city="Berlin",
            status=Organisation.Status.APPROVED,
        )
        event = Event.objects.create(
            title="Benchmark-Seminar",
            capacity=count,
            city="Berlin",
            venue_name="Haus der Vereine",
            status=Event.Status.PUBLISHED,
        )
        date = EventDate.objects.create(event=event, start=start, end=start + timedelta(hours=6))
        people = User.objects.bulk_create(
            User(email=f"bench{n}@vamos.invalid", first_name="Teilnehmerin", last_name=f"Nummer {n}", language="de")
            for n in range(count)
        )
        Membership.objects.bulk_create(Membership(user=p, organisation=organisation) for p in people)
        with services.mails_suppressed():
            bookings = [
                services.booking_create(
                    event=event, person=p, organisation=organisation, booked_by=p, now=start - timedelta(days=7)
                )
                for p in people
            ]
        for booking in bookings:
            services.attendance_mark(booking=booking, event_date=date, present=True, by=staff, now=date.end)
        due = participants_due(event=event)
        self.stdout.write(f"{len(due)} participants due; WeasyPrint renders, PDFs to an in-memory storage.")

        # One process, the whole path of the two tasks: issue (snapshot, row) and render (PDF, storage).
        # (the render tasks that issuing enqueues on commit never run: this transaction is rolled back)
        began = time.perf_counter()
        issued = [certificate_issue(kind="event", subject_key=subject_key(event.pk), recipient=p) for p in people]
        for certificate in issued:
            certificate_render(certificate_id=certificate.pk)
        one = len(issued) / (time.perf_counter() - began)
        self.stdout.write(f"1 process, issue + render + store: {one:.1f} certificates/s")

        # Rendering is the CPU-bound part: the same PDFs in one and in two processes (fork).
        certificates = list(Certificate.objects.filter(pk__in=[c.pk for c in issued]))
        connection.close_if_unusable_or_obsolete()
        context = multiprocessing.get_context("fork")
        for processes in (1, 2):
            chunks = [certificates[i::processes] for i in range(processes)]
            began = time.perf_counter()
            with context.Pool(processes) as pool:
                pool.map(_render_many, chunks)
            rate = len(certificates) / (time.perf_counter() - began)
            self.stdout.write(f"{processes} process(es), render only: {rate:.1f} certificates/s")

        # Memory of one worker process after many PDFs (WeasyPrint has leaked in some versions).
        began_mb = _peak_mb()
        for n in range(1, memory_count + 1):
            certificate_pdf(certificate=certificates[n % len(certificates)])
            if n in (100, memory_count // 2, memory_count):
                self.stdout.write(f"after {n} PDFs: peak RSS {_peak_mb():.0f} MB (started at {began_mb:.0f} MB)")
