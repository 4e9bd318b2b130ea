"""Demo content for `make run`: one short, useful module per topic (German; two also in English) and one module
written in English, all with quizzes, and materials in the library (small real PDFs, stored through the storage
API).

Idempotent: modules are found by slug, materials by title; running it twice changes nothing.
Called by academy's demo_data command.
"""

from django.core.files.base import ContentFile
from django.db import transaction

from academy.models import Topic

from .models import Answer, Lesson, Material, Module, Question
from .pdf import simple_pdf

S, M = Question.Kind.SINGLE, Question.Kind.MULTIPLE

# slug, topic slug, level, minutes, {lang: (title, summary, goals)}, lessons
# lesson: {lang: (title, text)}, questions: [(kind, {lang: text}, [(correct, {lang: (answer, explanation)})])]
MODULES = [
    {
        "slug": "projekte-planen",
        "topic": "projektmanagement",
        "level": "beginner",
        "minutes": 15,
        "de": (
            "Projekte planen in fünf Schritten",
            "Von der Idee zum Projektplan: Ziele, Zielgruppe, Aufgaben, Zeit und Verantwortung – "
            "so behält Ihr Verein den Überblick.",
            "Projektziele SMART formulieren\nArbeitspakete und Meilensteine festlegen\nVerantwortung klar verteilen",
        ),
        "lessons": [
            {
                "de": (
                    "Ziele, die man prüfen kann",
                    "## Warum Ziele zuerst?\n\nEin Projekt ohne klares Ziel lässt sich weder planen noch auswerten. "
                    "Formulieren Sie Ziele **SMART**:\n\n"
                    "- **S**pezifisch: Was genau soll sich ändern?\n- **M**essbar: Woran sehen wir es?\n"
                    "- **A**ttraktiv: Wollen alle Beteiligten das?\n"
                    "- **R**ealistisch: Schaffen wir das mit unseren Mitteln?\n"
                    "- **T**erminiert: Bis wann?\n\n"
                    "> Beispiel: „Bis Juni nehmen 20 Eltern an drei Elterncafés teil.“",
                ),
            },
            {
                "de": (
                    "Arbeitspakete und Meilensteine",
                    "Zerlegen Sie das Projekt in **Arbeitspakete** (z. B. Raum buchen, Einladung schreiben, "
                    "Referentin anfragen). Jedes Paket hat *eine* verantwortliche Person und einen Termin.\n\n"
                    "**Meilensteine** sind Prüfpunkte: Ist der Raum gebucht? Sind die Einladungen raus? "
                    "Ein einfacher Zeitplan in einer Tabelle genügt – wichtig ist, dass alle ihn kennen.",
                ),
                "questions": [
                    (
                        S,
                        {"de": "Welches Ziel ist SMART formuliert?"},
                        [
                            (False, {"de": ("Wir wollen mehr Eltern erreichen.", "Nicht messbar und ohne Termin.")}),
                            (
                                True,
                                {
                                    "de": (
                                        "Bis Juni nehmen 20 Eltern an drei Elterncafés teil.",
                                        "Messbar (20 Eltern, drei Termine) und terminiert (Juni).",
                                    )
                                },
                            ),
                            (False, {"de": ("Elternarbeit ist uns wichtig.", "Eine Haltung, kein prüfbares Ziel.")}),
                        ],
                    ),
                    (
                        M,
                        {"de": "Was gehört zu einem Arbeitspaket?"},
                        [
                            (True, {"de": ("Eine verantwortliche Person", "Sonst fühlt sich niemand zuständig.")}),
                            (True, {"de": ("Ein Termin", "Ohne Termin kein Meilenstein.")}),
                            (False, {"de": ("Die Unterschrift des Vorstands", "Nicht nötig – Verantwortung genügt.")}),
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "slug": "foerdermittel-beantragen",
        "topic": "finanzierung",
        "level": "beginner",
        "minutes": 20,
        "de": (
            "Fördermittel beantragen: der erste Antrag",
            "Welche Förderprogramme passen zu uns, was gehört in einen Antrag, und wie sieht ein Finanzplan aus?",
            "Passende Förderprogramme finden\nDie Teile eines Antrags kennen\nEinen einfachen Finanzplan aufstellen",
        ),
        "en": (
            "Applying for funding: your first application",
            "Which funding programmes fit us, what goes into an application, and what does a budget look like?",
            "Find suitable funding programmes\nKnow the parts of an application\nDraw up a simple budget",
        ),
        "lessons": [
            {
                "de": (
                    "Das passende Programm finden",
                    "Fördermittelgeber sind z. B. Bund und Länder, Kommunen, Stiftungen und Lotterien. "
                    "Lesen Sie vor dem Schreiben die **Förderrichtlinie**: Wer darf beantragen? Was wird gefördert? "
                    "Gibt es einen **Eigenanteil**?\n\nTipp: Rufen Sie bei der Förderstelle an – "
                    "Beratung vor dem Antrag ist üblich und erwünscht.",
                ),
                "en": (
                    "Finding the right programme",
                    "Funders include the federal and state governments, municipalities, foundations and lotteries. "
                    "Before writing, read the **funding guidelines**: who may apply? What is funded? "
                    "Is there a **share of own funds**?\n\nTip: call the funding body – advice before applying "
                    "is common and welcome.",
                ),
            },
            {
                "de": (
                    "Antrag und Finanzplan",
                    "Ein Antrag beschreibt **Ausgangslage, Ziele, Zielgruppe, Maßnahmen und Zeitplan**. "
                    "Der **Finanzplan** stellt Ausgaben (Honorare, Miete, Material) den Einnahmen gegenüber "
                    "(Fördermittel, Eigenmittel, Spenden). Beide Seiten müssen gleich hoch sein.\n\n"
                    "Wichtig: Mit dem Projekt erst beginnen, wenn der Bescheid da ist – sonst droht "
                    "ein *vorzeitiger Maßnahmebeginn*.",
                ),
                "en": (
                    "Application and budget",
                    "An application describes the **situation, goals, target group, activities and timeline**. "
                    "The **budget** sets expenses (fees, rent, material) against income (grants, own funds, "
                    "donations). Both sides must balance.\n\nImportant: start the project only once the grant "
                    "decision has arrived – otherwise you risk a *premature start*.",
                ),
                "questions": [
                    (
                        S,
                        {"de": "Wann darf das Projekt beginnen?", "en": "When may the project start?"},
                        [
                            (
                                False,
                                {
                                    "de": (
                                        "Sobald der Antrag abgeschickt ist",
                                        "Das wäre ein vorzeitiger Maßnahmebeginn.",
                                    ),
                                    "en": ("As soon as the application is sent", "That would be a premature start."),
                                },
                            ),
                            (
                                True,
                                {
                                    "de": (
                                        "Wenn der Bewilligungsbescheid da ist",
                                        "Richtig – erst dann ist die Förderung sicher.",
                                    ),
                                    "en": (
                                        "When the grant decision has arrived",
                                        "Right – only then is the funding certain.",
                                    ),
                                },
                            ),
                        ],
                    ),
                    (
                        M,
                        {
                            "de": "Was steht im Finanzplan auf der Einnahmenseite?",
                            "en": "What is on the income side of the budget?",
                        },
                        [
                            (True, {"de": ("Fördermittel", "Ja."), "en": ("Grants", "Yes.")}),
                            (
                                True,
                                {
                                    "de": ("Eigenmittel und Spenden", "Ja, oft als Eigenanteil verlangt."),
                                    "en": ("Own funds and donations", "Yes, often required as own share."),
                                },
                            ),
                            (
                                False,
                                {"de": ("Honorare", "Honorare sind Ausgaben."), "en": ("Fees", "Fees are expenses.")},
                            ),
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "slug": "wo-stehen-wir",
        "topic": "strategieentwicklung",
        "level": "intermediate",
        "minutes": 15,
        "de": (
            "Wo stehen wir? Eine kleine Standortbestimmung",
            "Mit einer SWOT-Analyse finden Sie heraus, was Ihren Verband stark macht und wo Sie Schwerpunkte setzen.",
            "Eine SWOT-Analyse durchführen\nDaraus zwei bis drei Schwerpunkte ableiten",
        ),
        "lessons": [
            {
                "de": (
                    "Die SWOT-Analyse",
                    "SWOT steht für **Stärken, Schwächen** (innen) und **Chancen, Risiken** (außen). "
                    "Sammeln Sie im Vorstand zu jedem Feld Stichpunkte – ehrlich und konkret.",
                )
            },
            {
                "de": (
                    "Schwerpunkte setzen",
                    "Verbinden Sie die Felder: Welche **Stärke** hilft, eine **Chance** zu nutzen? "
                    "Wählen Sie höchstens drei Schwerpunkte für die nächsten zwei Jahre und schreiben Sie sie auf.",
                ),
                "questions": [
                    (
                        S,
                        {"de": "Was gehört zu den äußeren Faktoren einer SWOT-Analyse?"},
                        [
                            (
                                True,
                                {"de": ("Chancen und Risiken", "Sie kommen von außen, z. B. neue Förderprogramme.")},
                            ),
                            (False, {"de": ("Stärken und Schwächen", "Diese liegen im Verband selbst.")}),
                        ],
                    ),
                    (
                        S,
                        {"de": "Wie viele Schwerpunkte sind sinnvoll?"},
                        [
                            (False, {"de": ("So viele wie möglich", "Zu viele Schwerpunkte verzetteln die Kräfte.")}),
                            (True, {"de": ("Zwei bis drei", "So bleibt Kraft für die Umsetzung.")}),
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "slug": "ehrenamt-und-hauptamt",
        "topic": "personalentwicklung",
        "level": "beginner",
        "minutes": 10,
        "de": (
            "Ehrenamt und Hauptamt gut verzahnen",
            "Klare Rollen und gute Übergaben helfen, wenn Menschen kommen und gehen.",
            "Rollen beschreiben\nWissen bei Personalwechsel sichern",
        ),
        "lessons": [
            {
                "de": (
                    "Rollen klären",
                    "Beschreiben Sie jede Aufgabe kurz: **Was, wer, wie viel Zeit?** Ehrenamtliche entscheiden "
                    "selbst, wie viel Zeit sie geben; Hauptamtliche unterstützen und koordinieren.",
                )
            },
            {
                "de": (
                    "Übergaben planen",
                    "Personalfluktuation ist normal. Eine **Übergabe-Checkliste** (Zugänge, Kontakte, laufende "
                    "Fristen) sorgt dafür, dass Wissen im Verein bleibt.",
                ),
                "questions": [
                    (
                        M,
                        {"de": "Was gehört in eine Übergabe-Checkliste?"},
                        [
                            (
                                True,
                                {
                                    "de": (
                                        "Zugänge und Passwörter (sicher übergeben)",
                                        "Sonst ist niemand mehr handlungsfähig.",
                                    )
                                },
                            ),
                            (True, {"de": ("Laufende Fristen", "Verpasste Fristen kosten oft Geld.")}),
                            (
                                False,
                                {
                                    "de": (
                                        "Private Telefonnummern aller Mitglieder",
                                        "Nur, was für die Aufgabe nötig ist (DSGVO).",
                                    )
                                },
                            ),
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "slug": "botschaft-und-kanaele",
        "topic": "oeffentlichkeitsarbeit",
        "level": "beginner",
        "minutes": 15,
        "de": (
            "Unsere Botschaft, unsere Kanäle",
            "Eine klare Kernbotschaft und die richtigen Kanäle – für mehr Sichtbarkeit mit wenig Aufwand.",
            "Eine Kernbotschaft in einem Satz formulieren\nKanäle nach Zielgruppe auswählen",
        ),
        "en": (
            "Our message, our channels",
            "A clear key message and the right channels – more visibility with little effort.",
            "Put your key message in one sentence\nChoose channels by audience",
        ),
        "lessons": [
            {
                "de": (
                    "Die Kernbotschaft",
                    "Wer sind wir, für wen sind wir da, was bewirken wir? Fassen Sie es in **einem Satz** zusammen "
                    "und nutzen Sie ihn überall gleich.",
                ),
                "en": (
                    "The key message",
                    "Who are we, whom do we serve, what do we achieve? Put it into **one sentence** and use it "
                    "the same way everywhere.",
                ),
            },
            {
                "de": (
                    "Kanäle wählen",
                    "Nicht jeder Kanal passt zu jeder Zielgruppe: Presse für Politik und Öffentlichkeit, "
                    "Messenger-Gruppen für Mitglieder, eine Website als Visitenkarte.",
                ),
                "en": (
                    "Choosing channels",
                    "Not every channel suits every audience: press for politics and the public, messenger groups "
                    "for members, a website as your business card.",
                ),
                "questions": [
                    (
                        S,
                        {"de": "Wie lang sollte eine Kernbotschaft sein?", "en": "How long should a key message be?"},
                        [
                            (
                                True,
                                {
                                    "de": ("Ein Satz", "Kurz genug, um ihn sich zu merken."),
                                    "en": ("One sentence", "Short enough to remember."),
                                },
                            ),
                            (
                                False,
                                {
                                    "de": ("Eine Seite", "Zu lang für eine Botschaft."),
                                    "en": ("One page", "Too long for a message."),
                                },
                            ),
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "slug": "mitglieder-gewinnen",
        "topic": "mitgliedermanagement",
        "level": "beginner",
        "minutes": 10,
        "de": (
            "Mitglieder gewinnen und halten",
            "Wie Menschen Mitglied werden – und warum sie bleiben.",
            "Den Weg zur Mitgliedschaft einfach machen\nMitglieder beteiligen",
        ),
        "lessons": [
            {
                "de": (
                    "Der erste Kontakt",
                    "Machen Sie es leicht: ein kurzes **Beitrittsformular**, mehrsprachig, auf Papier und online. "
                    "Begrüßen Sie neue Mitglieder persönlich.",
                )
            },
            {
                "de": (
                    "Beteiligen statt verwalten",
                    "Mitglieder bleiben, wenn sie **mitgestalten** können: kleine Aufgaben, Umfragen, offene Treffen.",
                ),
                "questions": [
                    (
                        S,
                        {"de": "Was hilft am meisten, damit Mitglieder bleiben?"},
                        [
                            (False, {"de": ("Höhere Beiträge", "Das hält eher ab.")}),
                            (True, {"de": ("Beteiligung an Entscheidungen und Aufgaben", "Wer mitgestaltet, bleibt.")}),
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "slug": "politik-ansprechen",
        "topic": "interessenvertretung",
        "level": "intermediate",
        "minutes": 15,
        "de": (
            "Politik ansprechen: unser Anliegen vortragen",
            "Wie Sie Abgeordnete und Verwaltung erreichen und Ihr Anliegen überzeugend darstellen.",
            "Ansprechpersonen finden\nEin Anliegen auf einer Seite darstellen",
        ),
        "lessons": [
            {
                "de": (
                    "Wer entscheidet?",
                    "Klären Sie, ob Kommune, Land oder Bund zuständig ist. Abgeordnete haben **Bürgersprechstunden**; "
                    "Fachausschüsse laden Verbände zu Anhörungen ein.",
                )
            },
            {
                "de": (
                    "Das Anliegen auf einer Seite",
                    "Ein **Positionspapier** nennt Problem, Betroffene, Forderung und Lösungsvorschlag – "
                    "auf einer Seite, mit Kontaktdaten.",
                ),
                "questions": [
                    (
                        M,
                        {"de": "Was gehört in ein Positionspapier?"},
                        [
                            (True, {"de": ("Eine konkrete Forderung", "Sonst bleibt unklar, was Sie wollen.")}),
                            (True, {"de": ("Ein Lösungsvorschlag", "Das macht es der Politik leicht, zu handeln.")}),
                            (False, {"de": ("Die vollständige Vereinschronik", "Zu lang – eine Seite genügt.")}),
                        ],
                    ),
                ],
            },
        ],
    },
    # A module written in English (its language is English): the German fields repeat the English text, so
    # people using the portal in German see the module as it is, in English.
    {
        "slug": "registered-association-basics",
        "topic": "strategieentwicklung",
        "level": "beginner",
        "minutes": 10,
        "language": "en",
        "en": (
            "Founding a registered association (e.V.): the basics",
            "For groups that want to become a registered association in Germany: founding members, statutes, "
            "the board and the register – explained in plain English.",
            "Know what a registered association needs\nKnow what belongs in the statutes\n"
            "Know the steps to the register of associations",
        ),
        "lessons": [
            {
                "en": (
                    "Why register?",
                    "A **registered association** (*eingetragener Verein*, e.V.) is a legal person: it can sign "
                    "contracts, open a bank account and receive grants in its own name. Its members are generally "
                    "not liable with their private assets.\n\n"
                    "To register, you need:\n\n"
                    "- at least **seven founding members**,\n"
                    "- **statutes** (*Satzung*) adopted at the founding meeting,\n"
                    "- an elected **board** (*Vorstand*).",
                ),
            },
            {
                "en": (
                    "Statutes and the register",
                    "The statutes must state the association's **name**, **seat** and **purpose**, and that it is to "
                    "be registered. They should also say how members join and leave, whether fees are paid, how "
                    "the board is formed and how the **general meeting** is called.\n\n"
                    "The board applies to the **register of associations** at the local court (*Amtsgericht*); "
                    "a notary certifies the application. Tax-exempt status (*Gemeinnützigkeit*) is a separate "
                    "step with the tax office.",
                ),
                "questions": [
                    (
                        S,
                        {"en": "How many founding members does a registered association need?"},
                        [
                            (False, {"en": ("Three", "Three are too few for the register.")}),
                            (True, {"en": ("At least seven", "The German Civil Code asks for at least seven.")}),
                            (False, {"en": ("Twenty", "Far fewer are enough.")}),
                        ],
                    ),
                    (
                        M,
                        {"en": "What must the statutes state?"},
                        [
                            (True, {"en": ("The association's purpose", "Yes: the purpose is required.")}),
                            (True, {"en": ("Its name and seat", "Yes: both are required.")}),
                            (False, {"en": ("The members' home addresses", "No: those do not belong there.")}),
                        ],
                    ),
                ],
            },
        ],
    },
]

# title, description, topic slug, kind, is_public, lines of the PDF
MATERIALS = [
    (
        "Checkliste Projektplanung",
        "Die fünf Schritte vom Ziel zum Zeitplan zum Abhaken.",
        "projektmanagement",
        Material.Kind.CHECKLIST,
        True,
        [
            "[ ] Ziel SMART formuliert",
            "[ ] Zielgruppe beschrieben",
            "[ ] Arbeitspakete mit Verantwortlichen",
            "[ ] Meilensteine mit Terminen",
            "[ ] Auswertung geplant",
        ],
    ),
    (
        "Vorlage Finanzplan",
        "Einnahmen und Ausgaben eines Projekts gegenüberstellen.",
        "finanzierung",
        Material.Kind.TEMPLATE,
        False,
        [
            "Ausgaben: Honorare, Miete, Material, Fahrtkosten",
            "Einnahmen: Fördermittel, Eigenmittel, Spenden",
            "Summe Ausgaben = Summe Einnahmen",
        ],
    ),
    (
        "Leitfaden SWOT-Analyse",
        "Stärken, Schwächen, Chancen und Risiken im Vorstand erarbeiten.",
        "strategieentwicklung",
        Material.Kind.GUIDE,
        True,
        [
            "1. Stärken sammeln",
            "2. Schwächen sammeln",
            "3. Chancen sammeln",
            "4. Risiken sammeln",
            "5. Zwei bis drei Schwerpunkte ableiten",
        ],
    ),
    (
        "Checkliste Übergabe",
        "Damit Wissen bleibt, wenn Menschen gehen.",
        "personalentwicklung",
        Material.Kind.CHECKLIST,
        False,
        ["[ ] Zugänge sicher übergeben", "[ ] Kontakte und Partner", "[ ] Laufende Fristen", "[ ] Offene Aufgaben"],
    ),
    (
        "Arbeitsblatt Kernbotschaft",
        "In drei Fragen zur Kernbotschaft.",
        "oeffentlichkeitsarbeit",
        Material.Kind.WORKSHEET,
        True,
        ["Wer sind wir?", "Für wen sind wir da?", "Was bewirken wir?", "Unsere Kernbotschaft in einem Satz:"],
    ),
]


def _set(obj, field: str, texts: dict) -> None:
    for language, value in texts.items():
        setattr(obj, f"{field}_{language}", value)
    if "de" not in texts and texts:
        # German is the fallback of every translated field: a module written only in English fills it too.
        setattr(obj, f"{field}_de", next(iter(texts.values())))


@transaction.atomic
def create_demo() -> None:
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    for position, spec in enumerate(MODULES, start=1):
        if Module.objects.filter(slug=spec["slug"]).exists() or spec["topic"] not in topics:
            continue
        module = Module(
            slug=spec["slug"],
            level=spec["level"],
            language=spec.get("language", "de"),
            estimated_minutes=spec["minutes"],
            is_published=True,
            position=position,
        )
        for language in ("de", "en"):
            if language in spec:
                title, summary, goals = spec[language]
                _set(module, "title", {language: title})
                _set(module, "summary", {language: summary})
                _set(module, "learning_goals", {language: goals})
        module.save()
        module.topics.add(topics[spec["topic"]])
        for lesson_position, lesson_spec in enumerate(spec["lessons"], start=1):
            lesson = Lesson(
                module=module, position=lesson_position, pass_mark=100 if lesson_spec.get("questions") else 80
            )
            for language in ("de", "en"):
                if language in lesson_spec:
                    _set(lesson, "title", {language: lesson_spec[language][0]})
                    _set(lesson, "text", {language: lesson_spec[language][1]})
            lesson.save()
            for question_position, (kind, texts, answers) in enumerate(lesson_spec.get("questions", []), start=1):
                question = Question(lesson=lesson, position=question_position, kind=kind)
                _set(question, "text", texts)
                question.save()
                for answer_position, (correct, answer_texts) in enumerate(answers, start=1):
                    answer = Answer(question=question, position=answer_position, is_correct=correct)
                    _set(answer, "text", {language: text for language, (text, _e) in answer_texts.items()})
                    _set(answer, "explanation", {language: e for language, (_t, e) in answer_texts.items()})
                    answer.save()

    _create_progress()
    _translate()

    for title, description, topic_slug, kind, is_public, lines in MATERIALS:
        if Material.objects.filter(title_de=title).exists() or topic_slug not in topics:
            continue
        material = Material(topic=topics[topic_slug], kind=kind, language="de", is_public=is_public, is_published=True)
        _set(material, "title", {"de": title})
        _set(material, "description", {"de": description})
        # FieldFile.save goes through the storage API; upload_to gives the file a random name.
        material.file.save("material.pdf", ContentFile(simple_pdf(title, lines)), save=False)
        material.save()


# A module staff translated into Turkish and Arabic (title and summary; its lessons are still German), so the
# e-learning pages show a translation and the German fallback with its notice. Fills only empty fields.
MODULE_TRANSLATIONS = {
    "projekte-planen": {
        "tr": ("Beş adımda proje planlama",
               "Fikirden proje planına: hedefler, hedef grup, görevler, zaman ve sorumluluk – böylece derneğiniz "
               "her şeyi gözden kaçırmaz."),
        "ar": ("تخطيط المشاريع في خمس خطوات",
               "من الفكرة إلى خطة المشروع: الأهداف والفئة المستهدفة والمهام والوقت والمسؤولية – "
               "هكذا تحافظ جمعيتك على رؤية شاملة."),
    },
}  # fmt: skip


def _translate() -> None:
    for slug, languages in MODULE_TRANSLATIONS.items():
        module = Module.objects.filter(slug=slug).first()
        if module is None:
            continue
        changed = []
        for language, texts in languages.items():
            for field, value in zip(("title", "summary"), texts, strict=True):
                name = f"{field}_{language}"
                if value and not getattr(module, name):
                    setattr(module, name, value)
                    changed.append(name)
        if changed:
            module.save(update_fields=changed)


def _create_progress() -> None:
    """Members of the demo organisations started modules over the last months and finished some (what the staff
    statistics count). Idempotent: one enrolment per person and module, made once."""
    import zlib
    from datetime import timedelta

    from django.utils import timezone

    from organisations.models import Membership

    from .models import Enrolment, LessonCompletion

    learners = sorted(
        {m.user for m in Membership.objects.filter(user__email__endswith="@vamos.example").select_related("user")},
        key=lambda user: user.email,
    )
    modules = list(Module.objects.filter(is_published=True).prefetch_related("lessons").order_by("position"))
    now = timezone.now()
    for person in learners:
        for module in modules:
            seed = zlib.crc32(f"{person.email}-{module.slug}".encode())
            if seed % 3 == 0 or Enrolment.objects.filter(user=person, module=module).exists():
                continue
            started = now - timedelta(days=10 + seed % 200)
            enrolment = Enrolment.objects.create(user=person, module=module)
            lessons = list(module.lessons.all())
            done = lessons if seed % 2 else lessons[: len(lessons) // 2]
            for lesson in done:
                LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
            completed = started + timedelta(days=1 + seed % 9) if lessons and len(done) == len(lessons) else None
            Enrolment.objects.filter(pk=enrolment.pk).update(
                started_at=started, completed_at=completed, last_active_at=completed or started
            )
