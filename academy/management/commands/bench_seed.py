"""Fills an empty database with an academy at ten times VAMOs' size for `make bench` (issue 10):
3,000 organisations, 15,000 people, 2,000 events with 5,000 dates, 100,000 bookings, 100 modules with
1,000 lessons, 2,000 coaching cases, 50,000 certificates. `--scale 0.1` makes a tenth of it.

Like demo_data, this command is where the apps' parts meet: it calls each app's `bench.py` in the order
their rows depend on each other (people, organisations, events, e-learning, coaching). A registry filled in
the AppConfigs would add nothing here: a command is the composition root, nothing imports it, and the order
is fixed by the foreign keys. Rows are made with bulk_create in batches; the whole seeding is one
transaction, so a failed run leaves the database empty rather than half filled.

    python manage.py bench_seed [--scale 0.1] [--seed 42]
"""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from academy.bench import DOMAIN
from academy.models import User


class Command(BaseCommand):
    help = "Seeds an empty database with benchmark data (ten times VAMOs' size, times --scale)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, scale, seed, **options):
        if scale <= 0 or scale > 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if User.objects.filter(email__endswith=f"@{DOMAIN}").exists():
            raise CommandError("This database holds benchmark data already; seed an empty one.")

        from academy.bench import people
        from coaching.bench import cases
        from elearning.bench import modules
        from events.bench import events
        from organisations.bench import organisations

        rng = random.Random(seed)  # noqa: S311 - made-up data, repeatable on purpose
        began = time.perf_counter()
        counts = {}
        with transaction.atomic():
            for step in (people, organisations, events, modules, cases):
                step_began = time.perf_counter()
                made = step(scale=scale, rng=rng)
                counts.update(made)
                made_text = ", ".join(f"{count:,} {name}" for name, count in made.items())
                self.stdout.write(f"{step.__module__}: {made_text} ({time.perf_counter() - step_began:.1f} s)")
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("ANALYZE")
        took = time.perf_counter() - began
        self.stdout.write(self.style.SUCCESS(f"Seeded at scale {scale} in {took:.1f} s."))
        return None
