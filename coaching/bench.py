"""Benchmark data, coaching's part (`manage.py bench_seed`): coach profiles, cases and their sessions.

Cases spread over the organisations and, once assigned, over the coaches (so a coach's case list holds
cases / coaches rows). Running and completed cases have sessions, each coach's a fixed two hours apart so
that the exclusion constraint (no overlapping sessions of a coach) holds.
"""

import random
from datetime import timedelta

from django.utils import timezone

from academy.bench import BATCH, DOMAIN
from academy.models import Topic, User
from organisations.models import Membership

from .models import CaseEvent, CoachingCase, CoachProfile, Session


def sizes(scale: float) -> dict[str, int]:
    return {"cases": max(200, round(2_000 * scale))}


def cases(*, scale: float, rng: random.Random) -> dict[str, int]:
    size = sizes(scale)
    topics = list(Topic.objects.values_list("pk", flat=True))
    coaches = [
        CoachProfile(user_id=pk, bio="Coach der Benchmark-Daten.", languages=["de", "en"], max_active_cases=100)
        for pk in User.objects.filter(email__startswith="coach", email__endswith=f"@{DOMAIN}").values_list(
            "pk", flat=True
        )
    ]
    CoachProfile.objects.bulk_create(coaches, batch_size=BATCH)
    admins = list(
        Membership.objects.filter(role=Membership.Role.ADMIN, user__email__endswith=f"@{DOMAIN}").values_list(
            "organisation_id", "user_id"
        )
    )
    statuses = list(CoachingCase.Status.values)
    rows = []
    for _n in range(size["cases"]):
        organisation, admin = rng.choice(admins)
        status = rng.choice(statuses)
        needs_coach = status in ("assigned", "active", "completed")
        rows.append(
            CoachingCase(
                organisation_id=organisation,
                requested_by_id=admin,
                goals="Wir wollen unsere Vorstandsarbeit neu aufstellen.",
                situation="Der Vorstand ist neu gewählt und braucht Orientierung.",
                status=status,
                coach=rng.choice(coaches) if needs_coach else None,
                decline_reason="Passt nicht zum Programm." if status == "declined" else "",
                budget=5,
                feedback_rating=rng.randint(1, 5) if status == "completed" else None,
            )
        )
    CoachingCase.objects.bulk_create(rows, batch_size=BATCH)
    # created_at is auto_now_add: spread the submissions over the last two years afterwards.
    now = timezone.now()
    for case in rows:
        case.created_at = now - timedelta(days=rng.randint(1, 700))
    CoachingCase.objects.bulk_update(rows, ["created_at"], batch_size=BATCH)
    CoachingCase.topics.through.objects.bulk_create(
        [CoachingCase.topics.through(coachingcase_id=c.pk, topic_id=rng.choice(topics)) for c in rows],
        batch_size=BATCH,
    )
    CaseEvent.objects.bulk_create(
        [CaseEvent(case=c, status=CoachingCase.Status.SUBMITTED, by_id=c.requested_by_id) for c in rows],
        batch_size=BATCH,
    )
    slot = {coach.pk: 0 for coach in coaches}
    base = (now - timedelta(days=300)).replace(minute=0, second=0, microsecond=0)
    sessions = []
    for case in rows:
        if case.status not in ("active", "completed"):
            continue
        for _k in range(2):
            start = base + timedelta(hours=2 * slot[case.coach_id])
            slot[case.coach_id] += 1
            held = start < now
            sessions.append(
                Session(
                    case=case,
                    coach=case.coach,
                    start=start,
                    end=start + timedelta(minutes=90),
                    held=True if held else None,
                    duration_minutes=90 if held else None,
                    recorded_at=start + timedelta(hours=2) if held else None,
                )
            )
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    return {"coaches": len(coaches), "coaching cases": len(rows), "coaching sessions": len(sessions)}
