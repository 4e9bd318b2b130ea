"""Demo events for `make run`: a year of seminars, networking meetings and expert events across all seven topics,
kinds and formats, past and upcoming, relative to today (so the demo never goes stale): some full with waiting
lists, one with a per-organisation limit, a draft and a cancelled one; bookings by the demo organisations'
people, made through the services as people would, and attendance marked for the past dates.

Idempotent: events are found by their German title; running it twice changes nothing. No mails are sent.
Called by academy's demo_data command (after the organisations demo).
"""

import zlib
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from academy.models import Topic, User
from organisations.models import Membership, Organisation

from . import services
from .models import Booking, Event, EventDate

K, F = Event.Kind, Event.Format

VENUES = {
    "Berlin": ("Haus der Demokratie", "Greifswalder Straße 4", "10405"),
    "Köln": ("Bürgerzentrum Ehrenfeld", "Venloer Straße 429", "50825"),
    "Hamburg": ("Centro Sociale", "Sternstraße 2", "20357"),
    "Frankfurt am Main": ("Saalbau Gallus", "Frankenallee 111", "60326"),
    "Leipzig": ("Haus der Begegnung", "Karl-Heine-Straße 22", "04229"),
}

# Extra people in the demo clubs, so that events fill up and waiting lists form. No login (unusable password).
PARTICIPANTS = [
    ("ayse.demir", "Ayşe", "Demir", "Deutsch-Türkischer Kulturverein Berlin e.V."),
    ("murat.kaya", "Murat", "Kaya", "Deutsch-Türkischer Kulturverein Berlin e.V."),
    ("leyla.sahin", "Leyla", "Şahin", "Deutsch-Türkischer Kulturverein Berlin e.V."),
    ("emre.yildiz", "Emre", "Yıldız", "Deutsch-Türkischer Kulturverein Berlin e.V."),
    ("zeynep.arslan", "Zeynep", "Arslan", "Deutsch-Türkischer Kulturverein Berlin e.V."),
    ("oksana.melnyk", "Oksana", "Melnyk", "Ukrainische Initiative Köln"),
    ("andrii.bondarenko", "Andrii", "Bondarenko", "Ukrainische Initiative Köln"),
    ("iryna.koval", "Iryna", "Koval", "Ukrainische Initiative Köln"),
    ("taras.kravets", "Taras", "Kravets", "Ukrainische Initiative Köln"),
    ("mariam.al-sayed", "Mariam", "Al-Sayed", "Bundesverband Migrantischer Vereine e.V."),
    ("youssef.haddad", "Youssef", "Haddad", "Bundesverband Migrantischer Vereine e.V."),
    ("fatima.rahimi", "Fatima", "Rahimi", "Bundesverband Migrantischer Vereine e.V."),
    ("karim.nasser", "Karim", "Nasser", "Bundesverband Migrantischer Vereine e.V."),
]

# title_de, title_en (or ""), kind, format, topic slugs, days from today, start hour, hours, number of dates
# (weekly), capacity, per-organisation limit, city, trained by the demo trainer, people who book, description_de,
# description_en
# fmt: off
EVENTS = [
    # ---- past ----
    ("Vereinsrecht kompakt: Satzung, Vorstand, Mitgliederversammlung",
     "Association law in brief: statutes, board, general meeting", K.SEMINAR, F.ONLINE,
     ["mitgliedermanagement", "strategieentwicklung"], -330, 17, 2, 2, 20, None, "", True, 9,
     "Zwei Abende zu den Grundlagen des Vereinsrechts: Satzung ändern, Vorstand wählen, "
     "Mitgliederversammlung rechtssicher einberufen.",
     "Two evenings on the basics of association law: amending the statutes, electing the board, "
     "calling a general meeting properly."),
    ("Online-Vernetzung: Neue Vereine stellen sich vor", "Online networking: new associations introduce themselves",
     K.NETWORKING, F.ONLINE, ["mitgliedermanagement", "interessenvertretung"], -290, 18, 2, 1, 60, None, "", False,
     10,
     "Junge Migrant*innenorganisationen stellen ihre Arbeit in kurzen Runden vor und finden Partner.",
     "Young migrant organisations present their work in short rounds and find partners."),
    ("Fachtag Gemeinnützigkeit und Steuern", "", K.EXPERT, F.HYBRID, ["finanzierung"],
     -250, 10, 6, 1, 70, None, "Hamburg", False, 8,
     "Was Vereine über Gemeinnützigkeit, Spendenquittungen und Steuerfreibeträge wissen müssen.", ""),
    ("Ehrenamt stärken: Freiwilligenkoordination", "Strengthening volunteering: coordinating volunteers",
     K.SEMINAR, F.IN_PERSON, ["personalentwicklung"], -215, 10, 6, 1, 14, None, "Köln", True, 8,
     "Aufgaben für Ehrenamtliche beschreiben, Zuständigkeiten klären und Engagement anerkennen.",
     "Describing tasks for volunteers, clarifying responsibilities and recognising commitment."),
    ("Vernetzungstreffen Süd", "", K.NETWORKING, F.HYBRID, ["interessenvertretung", "projektmanagement"],
     -190, 14, 4, 1, 45, None, "Frankfurt am Main", False, 7,
     "Migrant*innenorganisationen aus Hessen, Bayern und Baden-Württemberg planen gemeinsame Projekte.", ""),
    ("Projekte planen mit Wirkung", "Planning projects with impact", K.SEMINAR, F.IN_PERSON, ["projektmanagement"],
     -160, 10, 6, 1, 16, None, "Berlin", True, 10,
     "Von der Idee zum Projektplan: Ziele, Wirkungslogik und Meilensteine für Vereinsprojekte.",
     "From the idea to the project plan: goals, theory of change and milestones for association projects."),
    ("Fördermittel beantragen – Grundlagen", "Applying for funding – the basics", K.SEMINAR, F.ONLINE,
     ["finanzierung"], -130, 17, 2, 3, 12, None, "", True, 12,
     "Dreiteilige Abendreihe: Förderprogramme finden, Anträge schreiben, Finanzpläne aufstellen.",
     "A three-evening series: finding funding programmes, writing applications, drawing up budgets."),
    ("Vernetzungstreffen Nord", "", K.NETWORKING, F.IN_PERSON, ["interessenvertretung", "strategieentwicklung"],
     -110, 14, 4, 1, 40, None, "Hamburg", False, 9,
     "Migrant*innenorganisationen aus Hamburg, Bremen und Schleswig-Holstein lernen sich kennen.", ""),
    ("Pressearbeit für Vereine", "Press work for associations", K.SEMINAR, F.HYBRID, ["oeffentlichkeitsarbeit"],
     -90, 10, 5, 1, 8, None, "Köln", True, 11,
     "Pressemitteilungen, Kontakte zu Lokalredaktionen und Interviews: praktisch geübt.",
     "Press releases, contacts with local newsrooms and interviews, practised hands-on."),
    ("Fachtag: Ehrenamt und Hauptamt verzahnen", "", K.EXPERT, F.IN_PERSON, ["personalentwicklung"],
     -70, 9, 7, 1, 60, 3, "Frankfurt am Main", False, 10,
     "Vorträge und Werkstätten zur Zusammenarbeit von Freiwilligen und Angestellten in Verbänden.", ""),
    ("Mitglieder gewinnen und halten", "Winning and keeping members", K.SEMINAR, F.ONLINE,
     ["mitgliedermanagement"], -45, 18, 2, 2, 15, None, "", False, 8,
     "Wie Vereine neue Mitglieder ansprechen, einbinden und langfristig halten.",
     "How associations reach new members, involve them and keep them for the long term."),
    ("Strategiewerkstatt für Dachverbände", "", K.SEMINAR, F.IN_PERSON, ["strategieentwicklung"],
     -25, 10, 6, 2, 10, 2, "Leipzig", True, 7,
     "Zwei Tage Standortbestimmung: Wo stehen wir als Verband, wo wollen wir hin, welche Prioritäten setzen wir?",
     ""),
    ("Gespräch mit Abgeordneten vorbereiten", "Preparing a meeting with members of parliament", K.EXPERT,
     F.ONLINE, ["interessenvertretung"], -10, 16, 2, 1, 30, None, "", False, 6,
     "Anliegen formulieren, Termine anfragen, Gespräche führen: Interessenvertretung gegenüber der Politik.",
     "Stating your concerns, asking for appointments, leading the conversation: advocacy towards politics."),
    ("Projektevaluation: Wirkung messen und berichten", "Project evaluation: measuring and reporting impact",
     K.SEMINAR, F.HYBRID, ["projektmanagement"], -60, 10, 5, 1, 12, None, "Leipzig", True, 9,
     "Indikatoren festlegen, Daten sammeln und Ergebnisse verständlich für Vorstand und Förderer aufbereiten.",
     "Setting indicators, collecting data and presenting results clearly to the board and funders."),
    # ---- upcoming ----
    ("Projektauswertung leicht gemacht", "Evaluating projects made easy", K.SEMINAR, F.ONLINE,
     ["projektmanagement"], 9, 17, 2, 1, 6, None, "", True, 9,
     "Mit einfachen Methoden zeigen, was ein Projekt bewirkt hat – für Berichte an Fördermittelgeber.",
     "Simple methods to show what a project achieved, for reports to funders."),
    ("Finanzierung jenseits von Förderprogrammen", "Financing beyond funding programmes", K.SEMINAR,
     F.IN_PERSON, ["finanzierung"], 16, 10, 6, 1, 14, None, "Berlin", True, 5,
     "Spenden, Mitgliedsbeiträge, Sponsoring und wirtschaftlicher Geschäftsbetrieb im Überblick.",
     "Donations, membership fees, sponsorship and commercial activities at a glance."),
    ("Vernetzungstreffen West", "", K.NETWORKING, F.IN_PERSON, ["interessenvertretung", "mitgliedermanagement"],
     23, 14, 4, 1, 50, None, "Köln", False, 6,
     "Austausch der Migrant*innenorganisationen aus Nordrhein-Westfalen – mit Markt der Möglichkeiten.", ""),
    ("Social Media für Vereine", "Social media for associations", K.SEMINAR, F.ONLINE,
     ["oeffentlichkeitsarbeit"], 30, 18, 2, 3, 8, 2, "", True, 11,
     "Dreiteilige Reihe: Kanäle auswählen, Redaktionsplan erstellen, Beiträge gestalten.",
     "A three-part series: choosing channels, planning content, designing posts."),
    ("Gute Zusammenarbeit im Team", "", K.SEMINAR, F.HYBRID, ["personalentwicklung"],
     38, 10, 5, 1, 12, None, "Hamburg", False, 4,
     "Rollen klären, Konflikte lösen, Aufgaben fair verteilen – in Teams aus Haupt- und Ehrenamt.", ""),
    ("Fachveranstaltung: Teilhabe politisch stärken", "Expert event: strengthening participation in politics",
     K.EXPERT, F.HYBRID, ["interessenvertretung"], 52, 13, 5, 1, 80, None, "Berlin", False, 7,
     "Mit Gästen aus Bundestag, Kommunen und Wissenschaft: Wie Migrant*innenorganisationen gehört werden.",
     "With guests from the Bundestag, municipalities and research: how migrant organisations are heard."),
    ("Mitgliederverwaltung digital", "Managing members digitally", K.SEMINAR, F.ONLINE, ["mitgliedermanagement"],
     66, 17, 2, 1, 20, None, "", True, 3,
     "Datenschutzkonform Mitglieder verwalten: Werkzeuge, Abläufe und Einwilligungen.",
     "Managing members in line with data protection: tools, processes and consent."),
    ("Digitaler Stammtisch: Erfahrungen mit Förderanträgen", "Digital get-together: experiences with funding "
     "applications", K.NETWORKING, F.ONLINE, ["finanzierung"], 45, 18, 2, 1, 40, None, "", False, 5,
     "Vereine tauschen sich aus: Welche Anträge hatten Erfolg, was hat gefehlt, wer kann beraten?",
     "Associations compare notes: which applications succeeded, what was missing, who can advise?"),
    ("Social Media vertieft: Videos und Reels", "Social media in depth: videos and reels", K.SEMINAR, F.ONLINE,
     ["oeffentlichkeitsarbeit"], 73, 17, 2, 2, 15, None, "", True, 3,
     "Kurze Videos mit dem Smartphone planen, drehen und schneiden – für Instagram, TikTok und Co.",
     "Planning, shooting and editing short videos with a smartphone, for Instagram, TikTok and the like."),
    ("Strategie entwickeln: vom Leitbild zum Arbeitsplan", "", K.SEMINAR, F.IN_PERSON, ["strategieentwicklung"],
     80, 10, 6, 2, 14, None, "Frankfurt am Main", True, 2,
     "Gemeinsam ein Leitbild formulieren und daraus Ziele und Maßnahmen für zwei Jahre ableiten.", ""),
    ("Vernetzungstreffen Ost", "", K.NETWORKING, F.IN_PERSON, ["strategieentwicklung", "projektmanagement"],
     101, 14, 4, 1, 40, None, "Leipzig", False, 2,
     "Migrant*innenorganisationen aus Sachsen, Sachsen-Anhalt und Thüringen im Austausch.", ""),
    ("Fachveranstaltung: Vereinsrecht und Datenschutz", "", K.EXPERT, F.ONLINE, ["mitgliedermanagement"],
     110, 16, 3, 1, 100, None, "", False, 2,
     "Eine Juristin beantwortet Fragen zu Mitgliederdaten, Fotos bei Veranstaltungen und Vorstandshaftung.", ""),
    ("Projektmanagement kompakt", "Project management in a nutshell", K.SEMINAR, F.ONLINE, ["projektmanagement"],
     125, 9, 3, 4, 16, None, "", False, 0,
     "Vier Vormittage: Planung, Zeit- und Kostenplan, Risiken, Abschluss und Auswertung.",
     "Four mornings: planning, schedule and budget, risks, closing and evaluation."),
    ("Interessenvertretung in der Kommune", "Advocacy at the local level", K.SEMINAR, F.IN_PERSON,
     ["interessenvertretung"], 135, 10, 6, 1, 16, 3, "Köln", True, 1,
     "Integrationsräte, Ausschüsse und Bürgersprechstunden: wie Vereine vor Ort Einfluss nehmen.",
     "Integration councils, committees and citizens' surgeries: how associations make their voice heard locally."),
    ("Online-Fachtag Finanzen", "", K.EXPERT, F.ONLINE, ["finanzierung"], 150, 10, 5, 1, 100, None, "", False, 0,
     "Neue Förderprogramme des Bundes und der Länder, vorgestellt von den Fördermittelgebern.", ""),
    ("Mitgliedergewinnung in der zweiten Generation", "", K.SEMINAR, F.HYBRID,
     ["mitgliedermanagement", "oeffentlichkeitsarbeit"], 160, 17, 3, 1, 18, None, "Hamburg", False, 0,
     "Wie Vereine junge Menschen ansprechen, die hier aufgewachsen sind – und ihnen Verantwortung übergeben.", ""),
    ("Freiwillige gewinnen und begleiten", "Recruiting and supporting volunteers", K.SEMINAR, F.HYBRID,
     ["personalentwicklung", "mitgliedermanagement"], 175, 10, 5, 1, 12, None, "Berlin", True, 0,
     "Ehrenamtliche finden, einarbeiten, wertschätzen – und gut verabschieden.",
     "Finding volunteers, training them, valuing them – and saying goodbye well."),
    ("Jahrestreffen der Migrant*innenorganisationen", "", K.NETWORKING, F.HYBRID,
     ["interessenvertretung", "strategieentwicklung"], 200, 11, 6, 1, 120, None, "Berlin", False, 0,
     "Das große Treffen zum Jahresende: Rückblick, Ausblick und viel Zeit für Austausch.", ""),
    ("Online-Vernetzung: Frauen in Vereinsvorständen", "Online networking: women on association boards",
     K.NETWORKING, F.ONLINE, ["personalentwicklung", "interessenvertretung"], 230, 18, 2, 1, 50, None, "", False, 0,
     "Vorständinnen aus Migrant*innenorganisationen tauschen Erfahrungen aus und bauen ein Mentoring auf.",
     "Women on the boards of migrant organisations share experiences and set up mentoring."),
    ("Fachtag Projektevaluation", "Expert day on project evaluation", K.EXPERT, F.IN_PERSON,
     ["projektmanagement", "finanzierung"], 265, 9, 7, 1, 80, 4, "Leipzig", False, 0,
     "Fördermittelgeber und Evaluator*innen zeigen, welche Nachweise sie erwarten und wie kleine Vereine sie "
     "mit wenig Aufwand erbringen.",
     "Funders and evaluators show which evidence they expect and how small associations can provide it "
     "with little effort."),
    ("Fundraising und Spendenkampagnen", "Fundraising and donation campaigns", K.SEMINAR, F.ONLINE,
     ["finanzierung", "oeffentlichkeitsarbeit"], 300, 17, 2, 2, 15, None, "", True, 0,
     "Spendenaufrufe schreiben, Online-Spenden einrichten und Unterstützer*innen langfristig binden.",
     "Writing appeals, setting up online donations and keeping supporters for the long term."),
    ("Strategietage für Landesverbände", "", K.SEMINAR, F.IN_PERSON, ["strategieentwicklung"],
     335, 10, 6, 2, 12, 2, "Berlin", False, 0,
     "Zwei Tage für Vorstände von Landesverbänden: Arbeitsteilung mit Mitgliedsvereinen und Bundesebene.", ""),
]
# fmt: on

DRAFT = ("Krisenkommunikation (in Planung)", "Kommunikation in schwierigen Lagen – Termin wird noch bestätigt.")
CANCELLED = (
    "Haushaltsplanung für Vereine",
    "Die Referentin ist leider erkrankt. Wir bieten das Seminar im nächsten Quartal erneut an.",
)


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour=hour)))


def _participants() -> list[tuple[User, Organisation]]:
    """Everyone in the demo organisations who may book, with their organisation, in a stable order."""
    for local, first, last, organisation_name in PARTICIPANTS:
        email = f"{local}@vamos.example"
        organisation = Organisation.objects.filter(name=organisation_name).first()
        if organisation is None:
            continue
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, first_name=first, last_name=last, display_name=first)
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        Membership.objects.get_or_create(user=user, organisation=organisation)
    demo = Organisation.objects.filter(name__in={name for *_rest, name in PARTICIPANTS})
    memberships = (
        Membership.objects.filter(organisation__in=demo)
        .select_related("user", "organisation")
        .order_by("user__email", "organisation__name")
    )
    seen, found = set(), []
    for membership in memberships:
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            found.append((membership.user, membership.organisation))
    # Interleave the organisations, so that each event has people from several of them.
    return sorted(found, key=lambda pair: (zlib.crc32(pair[0].email.encode()) % 97, pair[0].email))


def _create_event(spec, *, staff: User, trainer: User | None, topics: dict[str, Topic]) -> Event:
    (title_de, title_en, kind, format_, topic_slugs, days, hour, hours, count, capacity, limit, city, *_rest) = spec
    description_de, description_en = spec[-2], spec[-1]
    venue, street, postcode = VENUES.get(city, ("", "", ""))
    first = _at(days, hour)
    event = Event.objects.create(
        title_de=title_de,
        title_en=title_en or None,
        description_de=description_de,
        description_en=description_en or None,
        learning_goals_de="Sie kennen die wichtigsten Schritte.\nSie können sie in Ihrem Verein anwenden.",
        target_group_de="Haupt- und ehrenamtlich Aktive in Migrant*innenorganisationen",
        kind=kind,
        format=format_,
        language="de",
        capacity=capacity,
        per_organisation_limit=limit,
        venue_name=venue if format_ != F.ONLINE else "",
        street=street if format_ != F.ONLINE else "",
        postcode=postcode if format_ != F.ONLINE else "",
        city=city if format_ != F.ONLINE else "",
        online_link=f"https://meet.vamos.example/{zlib.crc32(title_de.encode()):x}" if format_ != F.IN_PERSON else "",
        registration_opens=first - timedelta(days=120),
        registration_closes=first - timedelta(days=1),
        cancellation_deadline=first - timedelta(days=3),
        contact=staff,
    )
    EventDate.objects.bulk_create(
        EventDate(event=event, start=first + timedelta(weeks=n), end=first + timedelta(weeks=n, hours=hours))
        for n in range(count)
    )
    Event.objects.filter(pk=event.pk).refresh_dates()  # bulk_create sends no signal
    event.refresh_from_db(fields=["first_start", "last_end"])
    event.topics.set([topics[slug] for slug in topic_slugs if slug in topics])
    if trainer is not None:
        event.trainers.add(trainer)
    services.event_publish(event=event, by=staff)
    return event


def _book(event: Event, people, *, wanted: int, marker: User) -> None:
    first = event.dates.order_by("start").first().start
    now = timezone.now()
    booked = 0
    for index, (person, organisation) in enumerate(people):
        if booked >= wanted:
            break
        at = min(first - timedelta(days=30) + timedelta(hours=index * 5), now - timedelta(minutes=wanted - index))
        try:
            services.booking_create(event=event, person=person, organisation=organisation, booked_by=person, now=at)
        except ValidationError:  # a demo booking the rules refuse is simply left out
            continue
        booked += 1
    bookings = list(Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED).order_by("created_at"))
    if first < now and bookings:
        # Attendance for every date: most were there.
        for event_date in event.dates.all():
            for number, booking in enumerate(Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED)):
                present = (zlib.crc32(f"{booking.pk}-{event_date.pk}".encode()) + number) % 7 != 0
                services.attendance_mark(
                    booking=booking, event_date=event_date, present=present, by=marker, now=event_date.start
                )
        # Most participants rate the event afterwards (the staff statistics show the averages).
        for booking in bookings:
            if zlib.crc32(f"feedback-{booking.pk}".encode()) % 4:
                rating = 3 + zlib.crc32(f"rating-{booking.pk}".encode()) % 3
                services.feedback_give(booking=booking, by=booking.person, rating=rating, now=now)
    elif first > now and len(bookings) > 2 and event.waiting_list_enabled:
        # Someone who booked early cancels in time: the first on the waiting list moves up.
        services.booking_cancel(booking=bookings[1], by=bookings[1].person, now=now - timedelta(minutes=1))


# Translations staff added to a few upcoming events (issue 11): one in every language, one with only its title
# in Arabic, so the portal shows a translated offer and one shown in German with a notice side by side.
# Only empty fields are filled, so running twice changes nothing and staff's own edits stay.
TRANSLATIONS = {
    "Finanzierung jenseits von Förderprogrammen": {
        "tr": ("Fon programlarının ötesinde finansman",
               "Bağışlar, üyelik aidatları, sponsorluk ve ekonomik faaliyetlere genel bir bakış."),
        "ar": ("التمويل خارج برامج الدعم",
               "نظرة عامة على التبرعات واشتراكات الأعضاء والرعاية والنشاط الاقتصادي للجمعية."),
        "ru": ("Финансирование помимо программ поддержки",
               "Пожертвования, членские взносы, спонсорство и хозяйственная деятельность объединения: обзор."),
        "uk": ("Фінансування поза програмами підтримки",
               "Пожертви, членські внески, спонсорство та господарська діяльність об’єднання: огляд."),
    },
    "Social Media für Vereine": {
        "tr": ("Dernekler için sosyal medya",
               "Üç bölümlük seri: kanalları seçmek, içerik planı hazırlamak, paylaşımları tasarlamak."),
        "ar": ("وسائل التواصل الاجتماعي للجمعيات", ""),
    },
}  # fmt: skip


def _translate(*, translations: dict = TRANSLATIONS) -> None:
    for title_de, languages in translations.items():
        event = Event.objects.filter(title_de=title_de).first()
        if event is None:
            continue
        changed = []
        for language, texts in languages.items():
            for field, value in zip(("title", "description"), texts, strict=True):
                name = f"{field}_{language}"
                if value and not getattr(event, name):
                    setattr(event, name, value)
                    changed.append(name)
        if changed:
            event.save(update_fields=changed)


@transaction.atomic
def create_demo() -> int:
    """Creates the demo events with bookings and attendance; returns how many events were created."""
    staff = User.objects.filter(email="team@vamos.example").first() or User.objects.filter(is_staff=True).first()
    if staff is None:
        return 0
    trainer = User.objects.filter(email="trainerin@vamos.example").first()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    people = _participants()
    created = 0
    with services.mails_suppressed():
        for spec in EVENTS:
            if Event.objects.filter(title_de=spec[0]).exists():
                continue
            event = _create_event(spec, staff=staff, trainer=trainer if spec[12] else None, topics=topics)
            marker = trainer if spec[12] and trainer is not None else staff
            _book(event, people, wanted=spec[13], marker=marker)
            created += 1
        if not Event.objects.filter(title_de=DRAFT[0]).exists():
            draft = Event.objects.create(
                title_de=DRAFT[0],
                description_de=DRAFT[1],
                kind=K.SEMINAR,
                format=F.ONLINE,
                capacity=12,
                contact=staff,
            )
            EventDate.objects.create(event=draft, start=_at(140, 17), end=_at(140, 19))
            draft.topics.set([topics[slug] for slug in ("oeffentlichkeitsarbeit",) if slug in topics])
            created += 1
        if not Event.objects.filter(title_de=CANCELLED[0]).exists():
            spec = (
                CANCELLED[0], "", K.SEMINAR, F.IN_PERSON, ["finanzierung"], 12, 10, 5, 1, 12, None, "Köln", False, 4,
                "Haushaltsplan, Kassenführung und Jahresabschluss im Verein.", "",
            )  # fmt: skip
            event = _create_event(spec, staff=staff, trainer=None, topics=topics)
            _book(event, people, wanted=4, marker=staff)
            services.event_cancel(event=event, message=CANCELLED[1], by=staff)
            created += 1
        _message_sent(staff=staff)
    _translate()
    return created


DEMO_MESSAGE = (
    "Raumänderung: wir treffen uns in Raum 2.04",
    "Liebe Teilnehmende,\n\ndas Seminar findet im zweiten Stock statt (Raum 2.04, Aufzug vorhanden). "
    "Bitte bringen Sie, wenn möglich, Ihre aktuelle Satzung mit.\n\nViele Grüße\nIhr VAMOs-Team",
)


def _message_sent(*, staff: User) -> None:
    """A message staff wrote to the confirmed participants of the next event, recorded as sent (demo data sends
    no mail), so the event's admin page shows one."""
    from .models import EventMail, EventMessage

    if EventMessage.objects.filter(subject=DEMO_MESSAGE[0]).exists():
        return
    event = Event.objects.published().upcoming().filter(confirmed_count__gt=0).order_by("first_start").first()
    if event is None:
        return
    recipients = list(Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED, person__isnull=False))
    message = EventMessage.objects.create(
        event=event,
        audience=EventMessage.Audience.CONFIRMED,
        subject=DEMO_MESSAGE[0],
        body=DEMO_MESSAGE[1],
        sent_by=staff,
        recipient_count=len(recipients),
        sent_count=len(recipients),
    )
    EventMail.objects.bulk_create(
        EventMail(booking=booking, kind=EventMail.Kind.MESSAGE, sequence=message.pk) for booking in recipients
    )
