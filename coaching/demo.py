"""Demo coaching for `make run`: three coaches with profiles and weekly availability, and cases of the demo
organisations in every status (submitted, in review, assigned, active with sessions, completed with feedback,
declined, withdrawn).

Idempotent: coaches are found by email; cases are only created when the demo organisations have none yet.
Called by academy's demo_data command after the organisations demo.
"""

from datetime import time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from academy import roles
from academy.models import Topic, User
from organisations.models import Membership, Organisation
from organisations.services import consent_record

from . import services
from .availability import berlin, local_datetime
from .models import CoachingCase, CoachProfile, Session, WeeklyAvailability

# email, first, last, bio, languages, regions, topic positions, weekly windows (weekday, from, until)
COACHES = [
    (
        "coach@vamos.example",
        "Jonas",
        "Weber",
        "Organisationsberater mit 15 Jahren Erfahrung in Vereinen und Verbänden.",
        ["de", "en"],
        ["BE", "BB"],
        [1, 2, 3],
        [(0, (9, 0), (13, 0)), (2, (14, 0), (19, 0)), (3, (17, 0), (20, 0))],
    ),
    (
        "coach2@vamos.example",
        "Leyla",
        "Demir",
        "Coachin für Teamentwicklung und Ehrenamt, arbeitet auf Deutsch und Türkisch.",
        ["de", "tr"],
        ["NW", "HE"],
        [4, 6, 7],
        [(1, (10, 0), (16, 0)), (4, (9, 0), (12, 0))],
    ),
    (
        "coach3@vamos.example",
        "Oksana",
        "Kovalenko",
        "Fundraising und Öffentlichkeitsarbeit für junge Initiativen.",
        ["de", "uk", "ru"],
        ["NW"],
        [2, 5],
        [(0, (17, 0), (20, 0)), (3, (9, 0), (15, 0)), (5, (10, 0), (13, 0))],
    ),
]


def _coach(email, first, last, bio, languages, regions, topic_positions, windows, password) -> CoachProfile:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, first_name=first, last_name=last, display_name=first
        )
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    user.groups.add(Group.objects.get(name=roles.COACH))
    consent_record(user=user)
    profile, created = CoachProfile.objects.get_or_create(
        user=user, defaults={"bio": bio, "languages": languages, "regions": regions, "max_active_cases": 5}
    )
    if created:
        profile.topics.set(Topic.objects.filter(position__in=topic_positions))
        for weekday, start, end in windows:
            WeeklyAvailability.objects.create(
                coach=profile, weekday=weekday, start_time=time(*start), end_time=time(*end)
            )
    return profile


def _admin_of(organisation: Organisation) -> User:
    return (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )


def _next(weekday: int, hour: int, *, weeks: int = 0):
    """The next given weekday (after today) at the Berlin hour."""
    today = timezone.now().astimezone(berlin()).date()
    days = (weekday - today.weekday()) % 7 or 7
    return local_datetime(today + timedelta(days=days + 7 * weeks), time(hour))


def _past(session: Session, days_ago: int) -> Session:
    """Moves a demo session into the past (only demo data does this; people cannot book the past)."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    Session.objects.filter(pk=session.pk).update(start=start, end=start + (session.end - session.start))
    session.refresh_from_db()
    return session


def _ensure_held_session(organisations, *, coach: CoachProfile) -> None:
    """Demo data from before held sessions were recorded: gives the active case one held session afterwards,
    so the coach's "after the session" view and the budget's "used" figure show something."""
    held = Session.objects.filter(
        case__organisation__in=organisations,
        case__status__in=[CoachingCase.Status.ACTIVE, CoachingCase.Status.COMPLETED],
        held=True,
        recorded_at__isnull=False,
    )
    if held.exists():
        return
    active = (
        CoachingCase.objects.filter(organisation__in=organisations, status=CoachingCase.Status.ACTIVE)
        .select_related("coach__user")
        .order_by("pk")
        .first()
    )
    if active is None or active.coach is None:
        return
    session = services.session_propose(case=active, by=active.coach.user, start=_next(0, 9, weeks=3))
    services.session_confirm(session=session, by=_admin_of(active.organisation))
    _record_held(_past(session, 14), by=active.coach.user)  # not on top of the one 7 days back


def _record_held(session: Session, *, by: User) -> Session:
    return services.session_record(
        session=session,
        by=by,
        held=True,
        duration_minutes=90,
        private_note="Vorstand uneins über Prioritäten; beim nächsten Mal ansprechen.",
        next_steps="Förderprogramme vergleichen; Projektskizze (2 Seiten) entwerfen.",
    )


@transaction.atomic
def create_demo(*, password: str | None = None) -> list[tuple[str, str]]:
    if password is None:
        from academy.management.commands.demo_data import DEMO_PASSWORD

        password = DEMO_PASSWORD
    coaches = [_coach(*data, password=password) for data in COACHES]
    logins = [(email, f"coach ({first})") for email, first, *_rest in COACHES[1:]]
    organisations = list(
        Organisation.objects.filter(status=Organisation.Status.APPROVED, memberships__isnull=False)
        .distinct()
        .order_by("pk")[:3]
    )
    if not organisations:
        return logins
    if CoachingCase.objects.filter(organisation__in=organisations).exists():
        _ensure_held_session(organisations, coach=coaches[0])
        return logins
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    topics = list(Topic.objects.order_by("position"))
    jonas, leyla, oksana = coaches

    def case(organisation, topic_indexes, **extra):
        data = {
            "kind": CoachingCase.Kind.COACHING,
            "goals": "Wir wollen unseren ersten Förderantrag stellen und die Finanzierung breiter aufstellen.",
            "situation": "Wir arbeiten ehrenamtlich, meist abends; Erfahrung mit Anträgen fehlt.",
            "preferred_format": CoachingCase.PreferredFormat.ONLINE,
            "language": "de",
        }
        data.update(extra)
        return services.case_submit(
            organisation=organisation,
            by=_admin_of(organisation),
            topics=[topics[i] for i in topic_indexes if i < len(topics)],
            **data,
        )

    first, second, third = (organisations * 3)[:3]
    # submitted
    case(first, [4], kind=CoachingCase.Kind.TEAM, participants=8, goals="Haupt- und Ehrenamt besser verzahnen.")
    # in review
    services.case_start_review(case=case(second, [2]), by=staff)
    # declined
    declined = case(third, [6], language="fr")
    services.case_decline(case=declined, by=staff, reason="Für Französisch haben wir derzeit keine Coach*in.")
    # withdrawn
    services.case_withdraw(case=case(second, [0]), by=_admin_of(second))
    # assigned, no session yet
    services.case_assign(case=case(third, [1, 4], language="uk"), coach=oksana, by=staff)
    # active: goals agreed, a past session recorded, an upcoming one booked and one proposed
    active = services.case_assign(case=case(first, [1, 2]), coach=jonas, by=staff)
    services.case_set_meeting(case=active, by=jonas.user, meeting_link="https://meet.vamos.example/weber", place="")
    services.case_agree_goals(
        case=active, by=jonas.user, agreed_goals="Bis Juni einen Antrag bei der Stiftung stellen."
    )
    held = services.session_propose(case=active, by=jonas.user, start=_next(0, 10))
    services.session_confirm(session=held, by=_admin_of(first))
    _record_held(_past(held, 7), by=jonas.user)
    services.session_book(case=active, by=_admin_of(first), start=_next(2, 15))
    services.session_propose(case=active, by=jonas.user, start=_next(3, 18, weeks=1), minutes=60)
    # completed with feedback
    done = services.case_assign(
        case=case(second, [3, 6], kind=CoachingCase.Kind.TEAM, participants=6, language="tr"), coach=leyla, by=staff
    )
    services.case_agree_goals(
        case=done, by=leyla.user, agreed_goals="Klare Rollen im Vorstand, ein Teamtreffen im Monat."
    )
    for days_ago in (60, 30):
        session = services.session_propose(case=done, by=leyla.user, start=_next(1, 10, weeks=days_ago // 30))
        services.session_confirm(session=session, by=_admin_of(second))
        session = _past(session, days_ago)
        services.session_record(
            session=session,
            by=leyla.user,
            held=True,
            duration_minutes=120,
            private_note="",
            next_steps="Rollen klären.",
        )
    services.case_complete(case=done, by=leyla.user, goals_reached="yes", goals_review="Rollen sind verteilt.")
    services.case_give_feedback(case=done, by=_admin_of(second), rating=5, comment="Sehr hilfreich, danke!")
    return logins
