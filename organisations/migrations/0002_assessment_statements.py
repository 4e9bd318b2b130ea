"""Seeds the statements of the Organisationscheck: three per Themenfeld, in German and English.

Staff edit, reorder and deactivate them in the admin afterwards.
"""

from django.db import migrations

STATEMENTS = {
    "projektmanagement": [
        ("Wir planen unsere Projekte mit klaren Zielen, Zeitplan und Verantwortlichkeiten.",
         "We plan our projects with clear goals, a schedule and responsibilities."),
        ("Wir werten unsere Projekte regelmäßig aus und lernen daraus.",
         "We evaluate our projects regularly and learn from them."),
        ("Wir behalten Budget und Fristen unserer Projekte im Blick.",
         "We keep track of our projects' budgets and deadlines."),
    ],
    "finanzierung": [
        ("Wir kennen die Förderprogramme, die für uns in Frage kommen.",
         "We know the funding programmes that suit us."),
        ("Wir können Förderanträge und Verwendungsnachweise selbstständig erstellen.",
         "We can write funding applications and funding reports on our own."),
        ("Wir haben Einnahmen über Förderprogramme hinaus (Spenden, Beiträge, Sponsoring).",
         "We have income beyond funding programmes (donations, fees, sponsoring)."),
    ],
    "strategieentwicklung": [
        ("Wir haben ein gemeinsames Bild davon, wo wir als Verband in drei Jahren stehen wollen.",
         "We share a picture of where we want to be as an association in three years."),
        ("Wir setzen Schwerpunkte und überprüfen sie regelmäßig.",
         "We set priorities and review them regularly."),
        ("Unser Vorstand und unser Team arbeiten an der Strategie gemeinsam.",
         "Our board and our team work on the strategy together."),
    ],
    "personalentwicklung": [
        ("Haupt- und Ehrenamtliche wissen, wer wofür zuständig ist.",
         "Paid staff and volunteers know who is responsible for what."),
        ("Neue Mitarbeitende und Ehrenamtliche werden gut eingearbeitet.",
         "New staff and volunteers are introduced well."),
        ("Wissen bleibt bei uns, auch wenn Personen gehen.",
         "Knowledge stays with us when people leave."),
    ],
    "oeffentlichkeitsarbeit": [
        ("Wir wissen, welche Botschaft wir nach außen senden wollen.",
         "We know which message we want to send."),
        ("Wir nutzen passende Kanäle (Website, soziale Medien, Presse) regelmäßig.",
         "We use suitable channels (website, social media, press) regularly."),
        ("Wir erreichen die Menschen, für die wir arbeiten.",
         "We reach the people we work for."),
    ],
    "mitgliedermanagement": [
        ("Wir gewinnen regelmäßig neue Mitglieder.",
         "We win new members regularly."),
        ("Unsere Mitglieder können sich aktiv beteiligen.",
         "Our members can take an active part."),
        ("Wir pflegen unsere Mitgliederdaten datenschutzgerecht und aktuell.",
         "We keep our member data up to date and in line with data protection."),
    ],
    "interessenvertretung": [
        ("Wir kennen die politischen Ansprechpersonen für unsere Themen.",
         "We know the political contacts for our topics."),
        ("Wir bringen unsere Anliegen und die unserer Mitglieder in die Politik ein.",
         "We bring our concerns and those of our members into politics."),
        ("Wir arbeiten mit anderen Organisationen in Bündnissen zusammen.",
         "We work with other organisations in alliances."),
    ],
}


def seed(apps, schema_editor):
    Topic = apps.get_model("academy", "Topic")
    Statement = apps.get_model("organisations", "AssessmentStatement")
    for slug, statements in STATEMENTS.items():
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            continue
        for position, (text_de, text_en) in enumerate(statements, start=1):
            Statement.objects.get_or_create(
                topic=topic,
                text_de=text_de,
                defaults={"text": text_de, "text_en": text_en, "position": position},
            )


def unseed(apps, schema_editor):
    apps.get_model("organisations", "AssessmentStatement").objects.filter(
        text_de__in=[de for statements in STATEMENTS.values() for de, _en in statements]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("academy", "0002_roles_and_topics"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
