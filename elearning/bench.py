"""Benchmark data, e-learning's part (`manage.py bench_seed`): modules, lessons, enrolments, completions and
the module certificates.

Ten lessons a module with a page of Markdown each; people of approved and pending organisations alike start
modules, about half complete them (every lesson done, a certificate issued).
"""

import random
from datetime import timedelta

from django.utils import timezone

from academy.bench import BATCH, DOMAIN
from academy.models import Certificate, Topic, User

from .models import Enrolment, Lesson, LessonCompletion, Module

LESSON_TEXT = """## Worum es geht

Ein Abschnitt der Benchmark-Daten mit **fettem** Text, einer Liste und einem [Link](https://example.org).

- erstens
- zweitens
- drittens

""" + ("Ein Absatz Fließtext, wie eine Lektion ihn hat. " * 40)


def sizes(scale: float) -> dict[str, int]:
    return {
        "modules": max(10, round(100 * scale)),
        "lessons": max(100, round(1_000 * scale)),
        "enrolments": max(2_500, round(25_000 * scale)),
        "certificates": max(500, round(10_000 * scale)),
    }


def modules(*, scale: float, rng: random.Random) -> dict[str, int]:
    size = sizes(scale)
    topics = list(Topic.objects.values_list("pk", flat=True))
    rows = [
        Module(
            title_de=f"Modul {n}: Vereinsarbeit",
            title_en=f"Module {n}: running an association",
            slug=f"bench-modul-{n}",
            summary_de="Ein Modul der Benchmark-Daten. " * 5,
            learning_goals_de="Ziel eins\nZiel zwei",
            estimated_minutes=rng.randint(15, 120),
            is_published=True,
            position=n,
        )
        for n in range(size["modules"])
    ]
    Module.objects.bulk_create(rows, batch_size=BATCH)
    Module.topics.through.objects.bulk_create(
        [Module.topics.through(module_id=m.pk, topic_id=rng.choice(topics)) for m in rows], batch_size=BATCH
    )
    per_module = size["lessons"] // len(rows)
    lessons = [
        Lesson(module=module, position=p, title_de=f"Lektion {p + 1}", text_de=LESSON_TEXT)
        for module in rows
        for p in range(per_module)
    ]
    Lesson.objects.bulk_create(lessons, batch_size=BATCH)
    lessons_of = {}
    for lesson in lessons:
        lessons_of.setdefault(lesson.module_id, []).append(lesson)

    people = list(
        User.objects.filter(email__startswith="person", email__endswith=f"@{DOMAIN}").values_list("pk", flat=True)
    )
    pairs = set()
    while len(pairs) < min(size["enrolments"], len(people) * len(rows)):
        pairs.add((rng.choice(people), rng.choice(rows).pk))
    now = timezone.now()
    enrolments = []
    for user_id, module_id in sorted(pairs):
        completed = rng.random() < 0.5
        enrolments.append(
            Enrolment(
                user_id=user_id,
                module_id=module_id,
                completed_at=now - timedelta(days=rng.randint(1, 300)) if completed else None,
                last_active_at=now - timedelta(days=rng.randint(0, 10)),
                last_lesson=lessons_of[module_id][-1] if completed else None,
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    completions = []
    for enrolment in enrolments:
        done = lessons_of[enrolment.module_id]
        if enrolment.completed_at is None:
            done = done[: rng.randint(0, len(done) - 1)]
        completions += [LessonCompletion(enrolment=enrolment, lesson=lesson) for lesson in done]
    LessonCompletion.objects.bulk_create(completions, batch_size=BATCH)

    titles = {m.pk: m.title_de for m in rows}
    certificates = [
        Certificate(
            kind=Certificate.Kind.MODULE,
            subject_key=f"module:{e.module_id}",
            recipient_id=e.user_id,
            recipient_name="Bench",
            title=titles[e.module_id],
            details={},
            issued_at=e.completed_at,
        )
        for e in enrolments
        if e.completed_at is not None
    ][: size["certificates"]]
    Certificate.objects.bulk_create(certificates, batch_size=BATCH)
    return {
        "modules": len(rows),
        "lessons": len(lessons),
        "enrolments": len(enrolments),
        "lesson completions": len(completions),
        "module certificates": len(certificates),
    }
