"""Benchmark data, academy's part (`manage.py bench_seed`): the people.

Like demo.py, but for volume: rows are made with bulk_create in batches, never through the services (which
lock, mail and write history one row at a time). Every person shares one password hash, computed once.
Addresses end in `@bench.invalid`, so bench data is never mistaken for real people.
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from academy import roles
from academy.models import User

BATCH = 5000
PASSWORD = "bench-2026"  # noqa: S105 - benchmark data only
DOMAIN = "bench.invalid"
STAFF_EMAIL = f"staff@{DOMAIN}"

FIRST_NAMES = ["Amira", "Jonas", "Elif", "Dimitri", "Olena", "Kemal", "Nadia", "Samir", "Leyla", "Tobias", "Ana"]
LAST_NAMES = ["Haddad", "Weber", "Yılmaz", "Ivanov", "Shevchenko", "Aksoy", "Rahimi", "Öztürk", "Nguyen", "Schmidt"]


def member_email(n: int) -> str:
    return f"person{n}@{DOMAIN}"


def coach_email(n: int) -> str:
    return f"coach{n}@{DOMAIN}"


def trainer_email(n: int) -> str:
    return f"trainer{n}@{DOMAIN}"


def sizes(scale: float) -> dict[str, int]:
    """The academy at ten times VAMOs' size (issue 10), times `scale`."""
    return {
        "people": max(200, round(15_000 * scale)),
        "coaches": max(5, round(30 * scale)),
        "trainers": max(5, round(60 * scale)),
    }


def people(*, scale: float, rng: random.Random) -> dict[str, int]:
    """Members, coaches, trainers and one staff superuser. Returns how many rows were made."""
    size = sizes(scale)
    password = make_password(PASSWORD)
    now = timezone.now()

    def person(email: str, **extra) -> User:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        return User(
            email=email,
            password=password,
            first_name=first,
            last_name=last,
            display_name=first,
            language="en" if rng.random() < 0.1 else "de",
            date_joined=now - timedelta(days=rng.randint(0, 900)),
            **extra,
        )

    users = [person(STAFF_EMAIL, is_staff=True, is_superuser=True)]
    users += [person(member_email(n)) for n in range(size["people"])]
    users += [person(coach_email(n)) for n in range(size["coaches"])]
    users += [person(trainer_email(n)) for n in range(size["trainers"])]
    User.objects.bulk_create(users, batch_size=BATCH)

    for role, pattern in ((roles.COACH, "coach"), (roles.TRAINER, "trainer")):
        group = Group.objects.get(name=role)
        ids = User.objects.filter(email__startswith=pattern, email__endswith=f"@{DOMAIN}").values_list("pk", flat=True)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=pk, group_id=group.pk) for pk in ids], batch_size=BATCH
        )
    return {"users": len(users)}
