"""Benchmark data, organisations' part (`manage.py bench_seed`): organisations, memberships, consent.

Federations come first, clubs and initiatives after; about half of the clubs belong to a federation. Every
bench person is a member of one organisation (the first of each is its admin) and has accepted the current
privacy notice, so no page stops them. bulk_create skips save(), so the normalised names are set here.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from academy.bench import BATCH, DOMAIN
from academy.bench import sizes as academy_sizes
from academy.models import Topic, User

from .models import Bundesland, ConsentRecord, Membership, Organisation, normalise_name

CITIES = [
    ("Berlin", "10115", Bundesland.BE),
    ("Hamburg", "20095", Bundesland.HH),
    ("München", "80331", Bundesland.BY),
    ("Köln", "50667", Bundesland.NW),
    ("Frankfurt am Main", "60311", Bundesland.HE),
    ("Leipzig", "04109", Bundesland.SN),
    ("Stuttgart", "70173", Bundesland.BW),
    ("Bremen", "28195", Bundesland.HB),
]


def sizes(scale: float) -> dict[str, int]:
    return {"organisations": max(50, round(3_000 * scale))}


def organisations(*, scale: float, rng: random.Random) -> dict[str, int]:
    count = sizes(scale)["organisations"]
    federations = max(2, count // 50)
    now = timezone.now()
    rows = []
    for n in range(count):
        city, postcode, land = CITIES[n % len(CITIES)]
        federation = n < federations
        name = f"{'Bundesverband' if federation else 'Verein'} Bench {n} e.V."
        status = Organisation.Status.APPROVED if rng.random() < 0.95 else Organisation.Status.PENDING
        rows.append(
            Organisation(
                name=name,
                normalised_name=normalise_name(name),
                normalised_city=normalise_name(city),
                legal_form=Organisation.LegalForm.EV,
                kind=Organisation.Kind.FEDERAL
                if federation
                else rng.choice([Organisation.Kind.CLUB] * 4 + ["initiative"]),
                postcode=postcode,
                city=city,
                bundesland=land,
                founding_year=rng.randint(1970, 2024),
                member_count=rng.randint(5, 500),
                volunteer_count=rng.randint(0, 80),
                working_languages=["Deutsch", rng.choice(["Türkisch", "Arabisch", "Ukrainisch", "Persisch"])],
                description="Eine Organisation der Benchmark-Daten.",
                status=status,
                decided_at=now - timedelta(days=rng.randint(1, 700)) if status == "approved" else None,
                shares_participation=rng.random() < 0.5,
            )
        )
    Organisation.objects.bulk_create(rows, batch_size=BATCH)
    made = list(Organisation.objects.filter(name__contains=" Bench ").order_by("pk"))
    parents = [o for o in made if o.kind == Organisation.Kind.FEDERAL]
    children = []
    for organisation in made:
        if organisation.kind != Organisation.Kind.FEDERAL and rng.random() < 0.5:
            organisation.parent = rng.choice(parents)
            organisation.parent_confirmed = True
            children.append(organisation)
    Organisation.objects.bulk_update(children, ["parent", "parent_confirmed"], batch_size=BATCH)

    topics = list(Topic.objects.values_list("pk", flat=True))
    Organisation.topics.through.objects.bulk_create(
        [
            Organisation.topics.through(organisation_id=o.pk, topic_id=topic)
            for o in made
            for topic in rng.sample(topics, k=min(len(topics), rng.randint(1, 3)))
        ],
        batch_size=BATCH,
    )

    # Every person a member of one organisation, round robin: the first of each organisation is its admin.
    people = list(
        User.objects.filter(email__startswith="person", email__endswith=f"@{DOMAIN}")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(people) == academy_sizes(scale)["people"]
    memberships = [
        Membership(
            user_id=user_id,
            organisation_id=made[n % len(made)].pk,
            role=Membership.Role.ADMIN if n < len(made) else Membership.Role.MEMBER,
        )
        for n, user_id in enumerate(people)
    ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    everyone = User.objects.filter(email__endswith=f"@{DOMAIN}").values_list("pk", flat=True)
    ConsentRecord.objects.bulk_create(
        [ConsentRecord(user_id=pk, version=settings.PRIVACY_NOTICE_VERSION) for pk in everyone], batch_size=BATCH
    )
    return {"organisations": len(made), "memberships": len(memberships)}
