"""The background half of `make bench`: reminders for N bookings due at once and M certificates, each sent
through Redis to a real Celery worker (2 processes) and measured until the last is done. Prints JSON.

Reminders: an event starting in 12 hours with N confirmed bookings, booked weeks ago, so its 1-day reminder
is due for all of them. The dispatch (`reminders_decide`, what the beat task runs) is called here, with the
registry narrowed to this event, so that other seeded events cannot add to the count; the clock stops when
every reminder row is `sent` and the mail backend (vamos.bench.mail.CountingBackend) has taken N mails.

Certificates: a past event with M participants marked present; staff's bulk issuing (`issue_for_event`)
enqueues one issue task each, and each issue enqueues its render. The clock stops when M PDFs are stored.
The worker's child processes are sampled for their resident memory meanwhile.

    python manage.py bench_background [--reminders 10000] [--certificates 500] [--concurrency 2]
"""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from academy import reminders
from academy.bench import BATCH, DOMAIN
from academy.models import Certificate, OutboxMessage, SentReminder, User
from events.certificates import issue_for_event, subject_key
from events.models import Attendance, Booking, Event, EventDate
from organisations.models import Organisation
from vamos.celery import app


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Command(BaseCommand):
    help = "Measures reminders and certificates through a real Celery worker; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--reminders", type=int, default=10_000)
        parser.add_argument("--certificates", type=int, default=500)
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--timeout", type=int, default=900)

    def handle(self, *args, reminders: int, certificates: int, concurrency: int, timeout: int, **options):
        self.timeout = timeout
        people = self.people(max(reminders, certificates))
        # The last organisation, not the first: the page benchmark's people belong to the first ones, and the
        # 10,000 bookings left here until the next run would make "organisation home" measure an outlier.
        organisation = Organisation.objects.filter(status="approved").order_by("-pk").first()
        reminder_event = self.event("Bench: reminders", people[:reminders], organisation, days=0.5)
        certificate_event = self.event("Bench: certificates", people[:certificates], organisation, days=-3)
        # The booking mails the page benchmark enqueued (waiting in the outbox: no worker ran) are not part of this.
        OutboxMessage.objects.all().delete()
        app.control.purge()
        log = settings.BENCH_MAIL_LOG
        if os.path.exists(log):
            os.remove(log)

        worker = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
            [
                os.path.join(os.path.dirname(sys.executable), "celery"),
                "-A",
                "vamos",
                "worker",
                f"--concurrency={concurrency}",
                "--queues=celery,mail,pdf",  # all of them, with or without CELERY_SEPARATE_QUEUES
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            self.wait_ready()
            result = {
                "reminders": self.run_reminders(reminder_event, reminders, log),
                "certificates": self.run_certificates(certificate_event, certificates, worker.pid),
                "worker_processes": concurrency,
            }
        finally:
            worker.terminate()
            worker.wait(timeout=60)
        self.stdout.write(json.dumps(result))

    # ---- data -------------------------------------------------------------------------------------------------
    def people(self, count: int) -> list[int]:
        """People only this benchmark uses (so their bookings are the only ones on its events)."""
        existing = User.objects.filter(email__startswith="background", email__endswith=f"@{DOMAIN}").count()
        password = User.objects.get(email=f"staff@{DOMAIN}").password
        User.objects.bulk_create(
            [
                User(
                    email=f"background{n}@{DOMAIN}", password=password, first_name="Teilnehmerin", last_name=f"Nr. {n}"
                )
                for n in range(existing, count)
            ],
            batch_size=BATCH,
        )
        return list(
            User.objects.filter(email__startswith="background", email__endswith=f"@{DOMAIN}")
            .order_by("pk")
            .values_list("pk", flat=True)[:count]
        )

    @transaction.atomic
    def event(self, title: str, people: list[int], organisation, *, days: float) -> Event:
        """A fresh event (an earlier run's is deleted with its bookings, reminders and certificates)."""
        for old in Event.objects.filter(title_de=title):
            SentReminder.objects.filter(subject_key__startswith=f"event-{old.pk}-").delete()
            Certificate.objects.filter(subject_key=subject_key(old.pk)).delete()
            Booking.objects.filter(event=old).delete()
            old.delete()
        start = timezone.now() + timedelta(days=days)
        event = Event.objects.create(
            title_de=title,
            capacity=len(people),
            city="Berlin",
            venue_name="Haus der Vereine",
            status=Event.Status.PUBLISHED,
            confirmed_count=len(people),
        )
        date = EventDate.objects.create(event=event, start=start, end=start + timedelta(hours=6))
        booked_at = start - timedelta(days=30)
        bookings = Booking.objects.bulk_create(
            [
                Booking(event=event, person_id=pk, organisation=organisation, status="confirmed", created_at=booked_at)
                for pk in people
            ],
            batch_size=BATCH,
        )
        if date.end < timezone.now():
            Attendance.objects.bulk_create(
                [Attendance(booking=b, event_date=date, present=True, marked_at=date.end) for b in bookings],
                batch_size=BATCH,
            )
        return event

    # ---- runs -------------------------------------------------------------------------------------------------
    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(timeout=1.0):
                return
        raise RuntimeError("The Celery worker did not start within a minute.")

    def wait_for(self, condition) -> bool:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.25)
        return False

    def run_reminders(self, event: Event, count: int, log: str) -> dict:
        prefix = f"event-{event.pk}-"
        original = dict(reminders.reminder_kinds)
        narrowed = {
            name: reminders.ReminderKind(
                name=name,
                due=lambda now, kind=kind: [(u, key) for u, key in kind.due(now) if key.startswith(prefix)],
                send=kind.send,
            )
            for name, kind in original.items()
        }
        rows = SentReminder.objects.filter(subject_key__startswith=prefix)
        began = time.perf_counter()
        reminders.reminder_kinds.clear()
        reminders.reminder_kinds.update(narrowed)
        try:
            decided = len(reminders.reminders_decide())
        finally:
            reminders.reminder_kinds.clear()
            reminders.reminder_kinds.update(original)
        decide_seconds = time.perf_counter() - began

        def mails() -> int:
            try:
                with open(log) as handle:
                    return sum(1 for _line in handle)
            except OSError:
                return 0

        done = self.wait_for(lambda: rows.filter(status=SentReminder.Status.SENT).count() >= count and mails() >= count)
        seconds = time.perf_counter() - began
        return {
            "count": count,
            "decided": decided,
            "sent": rows.filter(status=SentReminder.Status.SENT).count(),
            "mails": mails(),
            "complete": done,
            "decide_seconds": round(decide_seconds, 1),
            "seconds": round(seconds, 1),
            "per_second": round(count / seconds, 1),
        }

    def run_certificates(self, event: Event, count: int, worker_pid: int) -> dict:
        issued = Certificate.objects.filter(subject_key=subject_key(event.pk), rendered_at__isnull=False)
        samples: dict[int, list[float]] = {}

        def sample():
            for child in _children(worker_pid):
                samples.setdefault(child, []).append(_rss_mb(child))
            return issued.count() >= count

        sample()
        before = max((values[0] for values in samples.values()), default=0.0)
        began = time.perf_counter()
        with transaction.atomic():
            enqueued = issue_for_event(event=event)
        done = self.wait_for(sample)
        seconds = time.perf_counter() - began
        return {
            "count": count,
            "enqueued": enqueued,
            "rendered": issued.count(),
            "complete": done,
            "seconds": round(seconds, 1),
            "per_second": round(count / seconds, 2),
            "worker_rss_start_mb": round(before),
            "worker_rss_peak_mb": round(max((max(v) for v in samples.values()), default=0.0)),
            "worker_processes_seen": len(samples),
            "max_tasks_per_child": settings.CELERY_WORKER_MAX_TASKS_PER_CHILD,
        }
