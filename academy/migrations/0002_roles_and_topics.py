"""Seeds the portal-wide roles (groups) and the seven Themenfelder of PRODUCT.md.

Permissions are attached to the groups after every migrate (academy.signals), because
Django creates permissions only once all migrations have run.
"""

from django.db import migrations

ROLES = ["VAMOs-Team", "Coach", "Trainer*in"]

TOPICS = [
    (
        "projektmanagement",
        "Projektmanagement",
        "Project management",
        "Wie setzen wir Projekte professionell um? Wie können wir sie evaluieren?",
        "How do we run projects professionally? How can we evaluate them?",
    ),
    (
        "finanzierung",
        "Finanzierung",
        "Funding",
        "Wie beantragen wir Fördermittel? Welche Finanzierungswege gibt es neben Förderprogrammen?",
        "How do we apply for funding? Which ways of financing are there beyond funding programmes?",
    ),
    (
        "strategieentwicklung",
        "Strategieentwicklung",
        "Strategy development",
        "Wo stehen wir als Verband? Wo möchten wir hin und wie setzen wir Schwerpunkte?",
        "Where do we stand as a federation? Where do we want to go, and how do we set priorities?",
    ),
    (
        "personalentwicklung",
        "Personalentwicklung und -management",
        "Staff development and management",
        "Wie können wir haupt- und ehrenamtliche Strukturen verzahnen? Wie funktioniert gute Teamarbeit?",
        "How can we mesh paid and volunteer structures? What makes good teamwork?",
    ),
    (
        "oeffentlichkeitsarbeit",
        "Öffentlichkeitsarbeit",
        "Public relations",
        "Welche Botschaft senden wir nach außen – und über welche Kanäle?",
        "Which message do we send – and through which channels?",
    ),
    (
        "mitgliedermanagement",
        "Mitgliedermanagement",
        "Membership management",
        "Wie gewinnen, binden und beteiligen wir unsere Mitglieder?",
        "How do we win, keep and involve our members?",
    ),
    (
        "interessenvertretung",
        "Politische Interessenvertretung",
        "Political advocacy",
        "Wie vertreten wir unsere Interessen und die unserer Mitglieder gegenüber der Politik?",
        "How do we represent our interests and those of our members towards politics?",
    ),
]


def seed(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Topic = apps.get_model("academy", "Topic")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for position, (slug, name_de, name_en, description_de, description_en) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(
            slug=slug,
            defaults={
                "position": position,
                "name": name_de,
                "name_de": name_de,
                "name_en": name_en,
                "description": description_de,
                "description_de": description_de,
                "description_en": description_en,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
    apps.get_model("academy", "Topic").objects.filter(slug__in=[t[0] for t in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("academy", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
