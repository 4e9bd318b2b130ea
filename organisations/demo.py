"""Demo organisations for `make run`: a federation with two member clubs, each with admins and members.

Idempotent: organisations are found by name, people by email; running it twice changes nothing.
Called by academy's demo_data command.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from academy.models import Topic, User

from .models import AssessmentStatement, Bundesland, Membership, Organisation
from .services import assessment_submit, consent_record

# email, first name, last name, description (printed with the demo logins)
PEOPLE = [
    ("verband@vamos.example", "Nadia", "Rahimi", "admin of the demo federation"),
    ("verein-berlin@vamos.example", "Kemal", "Aksoy", "admin of a demo member club (Berlin)"),
    ("verein-koeln@vamos.example", "Olena", "Shevchenko", "admin of a demo member club (Köln)"),
    ("mitglied2@vamos.example", "Samir", "Haddad", "member of a demo member club (Köln)"),
    ("aylin@vamos.example", "Aylin", "Demir", "member (Berlin club) who reads the portal in Turkish"),
    ("rania@vamos.example", "Rania", "Khalil", "member (Berlin club) who reads the portal in Arabic (right-to-left)"),
]
# The language these people chose for the portal and their mails (User.language); the others use German.
LANGUAGES = {"aylin@vamos.example": "tr", "rania@vamos.example": "ar"}

FEDERATION = {
    "name": "Bundesverband Migrantischer Vereine e.V.",
    "legal_form": Organisation.LegalForm.EV,
    "kind": Organisation.Kind.FEDERAL,
    "street": "Musterstraße 1",
    "postcode": "10115",
    "city": "Berlin",
    "bundesland": Bundesland.BE,
    "founding_year": 2004,
    "member_count": 48,
    "paid_staff_count": 6,
    "volunteer_count": 30,
    "working_languages": ["Deutsch", "Türkisch", "Arabisch"],
    "communities": ["türkeistämmig", "arabischsprachig"],
    "website": "https://verband.vamos.example",
    "public_email": "info@verband.vamos.example",
    "description": "Dachverband von Migrant*innenorganisationen in ganz Deutschland.",
}

CLUBS = [
    (
        {
            "name": "Deutsch-Türkischer Kulturverein Berlin e.V.",
            "legal_form": Organisation.LegalForm.EV,
            "kind": Organisation.Kind.CLUB,
            "postcode": "10997",
            "city": "Berlin",
            "bundesland": Bundesland.BE,
            "founding_year": 1991,
            "member_count": 120,
            "volunteer_count": 25,
            "working_languages": ["Deutsch", "Türkisch"],
            "communities": ["türkeistämmig"],
            "description": "Kultur, Bildung und Beratung in Kreuzberg.",
        },
        "verein-berlin@vamos.example",
        ["mitglied@vamos.example", "aylin@vamos.example", "rania@vamos.example"],
    ),
    (
        {
            "name": "Ukrainische Initiative Köln",
            "legal_form": Organisation.LegalForm.INITIATIVE,
            "kind": Organisation.Kind.CLUB,
            "postcode": "50667",
            "city": "Köln",
            "bundesland": Bundesland.NW,
            "founding_year": 2022,
            "volunteer_count": 12,
            "working_languages": ["Ukrainisch", "Deutsch", "Russisch"],
            "communities": ["ukrainisch"],
            "description": "Ankommen in Köln: Sprachcafé, Beratung, Kinderprogramm.",
        },
        "verein-koeln@vamos.example",
        ["mitglied2@vamos.example"],
    ),
]


def _person(email: str, first: str, last: str, password: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=first,
            last_name=last,
            display_name=first,
            language=LANGUAGES.get(email, "de"),
        )
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _organisation(data: dict, *, parent: Organisation | None, contact: User, topics) -> Organisation:
    organisation = Organisation.objects.filter(name=data["name"]).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            **data,
            parent=parent,
            parent_confirmed=parent is not None,
            shares_participation=parent is not None,
            contact_person=contact,
            status=Organisation.Status.APPROVED,
        )
        organisation.topics.set(topics)
    elif organisation.kind != data["kind"]:
        # Earlier demo runs created the Köln club as an initiative; a federation's members are clubs.
        organisation.kind = data["kind"]
        organisation.save(update_fields=["kind"])
    return organisation


def _assessments(organisation: Organisation, admin: User, *, ratings_by_round) -> None:
    """Completed Organisationschecks: (days ago, [rating per topic in topic order]) per round."""
    if organisation.assessments.exists():
        return
    statements = list(AssessmentStatement.objects.filter(is_active=True).select_related("topic"))
    topic_order = sorted({s.topic.position for s in statements})
    for days_ago, per_topic in ratings_by_round:
        ratings = {}
        for index, statement in enumerate(statements):
            base = per_topic[topic_order.index(statement.topic.position) % len(per_topic)]
            ratings[statement.pk] = max(1, min(4, base + (index % 2)))
        assessment = assessment_submit(organisation=organisation, by=admin, ratings=ratings)
        if days_ago:
            assessment.completed_at = timezone.now() - timedelta(days=days_ago)
            assessment.save(update_fields=["completed_at"])


@transaction.atomic
def create_demo(*, password: str | None = None) -> list[tuple[str, str]]:
    """Creates the demo organisations and their people; returns (email, description) for the login list."""
    if password is None:
        from academy.management.commands.demo_data import DEMO_PASSWORD

        password = DEMO_PASSWORD
    for email, first, last, _description in PEOPLE:
        _person(email, first, last, password)
    topics = list(Topic.objects.order_by("position")[:3])
    admin = User.objects.get(email="verband@vamos.example")
    federation = _organisation(FEDERATION, parent=None, contact=admin, topics=topics)
    Membership.objects.get_or_create(user=admin, organisation=federation, defaults={"role": Membership.Role.ADMIN})
    for data, admin_email, member_emails in CLUBS:
        club_admin = User.objects.get(email=admin_email)
        club = _organisation(data, parent=federation, contact=club_admin, topics=topics[1:])
        Membership.objects.get_or_create(user=club_admin, organisation=club, defaults={"role": Membership.Role.ADMIN})
        for email in member_emails:
            member = User.objects.filter(email=email).first()
            if member is not None:
                Membership.objects.get_or_create(user=member, organisation=club)
    # The federation's admin is also a member of the Berlin club: one person, two organisations.
    berlin = Organisation.objects.get(name=CLUBS[0][0]["name"])
    Membership.objects.get_or_create(user=admin, organisation=berlin)
    _assessments(federation, admin, ratings_by_round=[(365, [2, 1, 3, 2, 2, 3, 1]), (0, [3, 2, 3, 3, 2, 4, 2])])
    _assessments(
        berlin, User.objects.get(email="verein-berlin@vamos.example"), ratings_by_round=[(0, [2, 1, 2, 3, 2, 3, 1])]
    )
    # Demo people have accepted the current privacy notice, so nobody is stopped by it while trying things out.
    for membership in Membership.objects.filter(organisation__in=[federation, *federation.member_clubs.all()]):
        consent_record(user=membership.user)
    return [(email, description) for email, _first, _last, description in PEOPLE]
