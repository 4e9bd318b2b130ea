"""Who may open what: every URL the project defines, requested as every role, against a written rule.

The list of URLs comes from the URL resolver (included URLconfs too), so a new view cannot be forgotten: a URL
name without an entry in MATRIX fails `test_every_url_has_a_rule`, naming it. Each rule says, per role, what
the answer must be: a status, LOGIN (sent to the sign-in page) or To(…) (a redirect a page legitimately does,
e.g. to the organisation the person acts for). The objects in the URLs belong to organisation A; people of
organisation B, the coach of B's case and the trainer of another event stand for "someone else's object" and
must get 404, so that ids do not leak.

POST-only views answer a GET with 405; a POST by a role that may not use the view is refused (login, 403, 404)
and changes nothing in the database (a fingerprint of every table of the portal's apps, taken before and
after). Django's admin is one rule (staff only; everyone else is sent to the login or refused), tested on its
index and a sample of pages; allauth's account pages are one group rule.

One fixture world per module (rolled back at its end), the test client, no browser.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from academy import roles
from academy.models import Certificate, DataExport, Topic
from academy.services import calendar_feed_token_rotate
from coaching import services as coaching_services
from coaching.models import AvailabilityException, CoachingCase, WeeklyAvailability
from elearning import services as elearning_services
from elearning.models import LessonAttachment, Material
from elearning.pdf import simple_pdf
from events import services as event_services
from organisations import services as organisation_services
from organisations.models import AssessmentStatement, Membership
from tests.coaching.conftest import tomorrow_at
from tests.coaching.factories import CoachFactory
from tests.elearning.factories import LessonFactory, MaterialFactory, ModuleFactory, quiz_lesson, right_choices
from tests.events.factories import EventFactory
from tests.factories import UserFactory
from tests.organisations.factories import (
    FederationFactory,
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
)

PROJECT_APPS = ("academy", "organisations", "events", "coaching", "elearning")
LOGIN_PATH = "/konto/login/"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64

ROLES = (
    "anonymous",
    "loner",  # signed up and verified, accepted the privacy notice, in no organisation
    "member_b",  # a member of another organisation (B)
    "member_a",
    "admin_a",
    "coach",  # the coach of A's case
    "other_coach",  # the coach of B's case
    "trainer",  # a trainer of the event
    "other_trainer",  # a trainer of another event
    "staff",  # VAMOs-Team, is_staff, not a superuser
)

LOGIN = "login"


@dataclass(frozen=True)
class To:
    """A redirect to this page (a view name and the world's attributes for its arguments)."""

    name: str
    args: tuple = ()

    def url(self, world) -> str:
        return reverse(self.name, args=[world.value(arg) for arg in self.args])


@dataclass(frozen=True)
class Rule:
    """One URL: its arguments (attribute paths in the world, or literals in quotes), and the answer per role."""

    args: tuple = ()
    get: dict | None = None
    post: dict | None = None
    post_data: dict | None = None


def roles_(default, *, anonymous=LOGIN, **per_role) -> dict:
    """Every role gets `default`, the anonymous visitor LOGIN unless told otherwise; keyword roles differ."""
    unknown = set(per_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return dict.fromkeys(ROLES, default) | {"anonymous": anonymous} | per_role


def everyone(status) -> dict:
    return dict.fromkeys(ROLES, status)


A_MEMBERS = {"member_a": 200, "admin_a": 200}
A_MEMBERS_AND_STAFF = A_MEMBERS | {"staff": 200}
A_ADMIN_AND_STAFF = {"admin_a": 200, "staff": 200}
LEARNERS = {"member_b": 200, "member_a": 200, "admin_a": 200, "staff": 200}
TRAINER_AND_STAFF = {"trainer": 200, "staff": 200}
COACH_ONLY = roles_(403, coach=200, other_coach=404)
NOT_A_COACH = roles_(403, coach=200, other_coach=200)


# fmt: off
MATRIX: dict[str, Rule] = {
    # ---- academy -------------------------------------------------------------------------------------------------
    "academy:home": Rule(get=everyone(200)),
    "academy:plain_home": Rule(get=everyone(200)),
    "academy:plain_join": Rule(get=everyone(200)),
    "academy:imprint": Rule(get=everyone(200)),
    "academy:privacy": Rule(get=everyone(200)),
    "academy:accessibility": Rule(get=everyone(200)),
    "academy:contact": Rule(get=everyone(200)),
    "academy:contact_sent": Rule(get=everyone(200)),
    "academy:set_language": Rule(
        get=everyone(405), post=everyone(To("academy:home")), post_data={"language": "en", "next": "/"}
    ),
    "academy:healthz": Rule(get=everyone(200)),
    # Only logos, coach photos and module covers are public; a private file's name gets 404 for everyone.
    "academy:public_media": Rule(args=("'certificates/abc.pdf'",), get=everyone(404)),
    "academy:certificate_verify": Rule(args=("certificate.code",), get=everyone(200)),
    "academy:my_certificates": Rule(get=roles_(200)),
    "academy:certificate_download": Rule(
        args=("certificate.pk",), get=roles_(404, member_a=200, admin_a=200, staff=200)
    ),
    # A person's own data: the export is theirs alone (staff included: 404); deleting needs the password.
    "academy:my_data": Rule(get=roles_(200)),
    "academy:data_export_create": Rule(get=roles_(405), post=roles_(To("academy:my_data"))),
    "academy:data_export_download": Rule(args=("data_export.pk",), get=roles_(404, member_a=200)),
    "academy:account_delete": Rule(get=roles_(200), post=roles_(200)),
    "academy:account_deleted": Rule(get=everyone(200)),
    "academy:statistics": Rule(get=roles_(404, staff=200)),
    "academy:statistics_export": Rule(get=roles_(404, staff=200)),
    # ---- organisations -------------------------------------------------------------------------------------------
    "organisations:start": Rule(
        get=roles_(200, member_b=To("organisations:home", ("org_b.pk",)),
                   member_a=To("organisations:home", ("org_a.pk",)), admin_a=To("organisations:home", ("org_a.pk",)))
    ),
    "organisations:consent": Rule(get=roles_(200)),
    "organisations:register": Rule(get=roles_(200)),
    "organisations:search": Rule(get=roles_(200)),
    "organisations:switch": Rule(
        get=everyone(405),
        post=roles_(404, member_a=To("organisations:home", ("org_a.pk",)),
                    admin_a=To("organisations:home", ("org_a.pk",))),
        post_data={"organisation": "org_a.pk"},
    ),
    # Anyone may open an invitation link (it asks to sign in first); the token is the credential.
    "organisations:invitation": Rule(args=("invitation.token",), get=everyone(200)),
    "organisations:home": Rule(args=("org_a.pk",), get=roles_(404, **A_MEMBERS_AND_STAFF)),
    # Anybody signed in may ask to join an approved organisation (only its name and city are shown).
    "organisations:join": Rule(args=("org_a.pk",), get=roles_(200)),
    "organisations:edit": Rule(args=("org_a.pk",), get=roles_(404, member_a=403, **A_ADMIN_AND_STAFF)),
    "organisations:team": Rule(args=("org_a.pk",), get=roles_(404, **A_MEMBERS_AND_STAFF)),
    "organisations:invite": Rule(
        args=("org_a.pk",), get=everyone(405),
        post=roles_(404, member_a=403, admin_a=200, staff=200),
    ),
    "organisations:hand_over": Rule(
        args=("org_a.pk",), get=everyone(405),
        # Only an admin who is a member hands over; staff change the contact person in the admin.
        post=roles_(404, member_a=403, admin_a=200, staff=403),
    ),
    "organisations:change_role": Rule(
        args=("org_a.pk", "membership_a.pk"), get=everyone(405),
        post=roles_(404, member_a=403, admin_a=To("organisations:team", ("org_a.pk",)),
                    staff=To("organisations:team", ("org_a.pk",))),
        post_data={"role": "admin"},
    ),
    # An admin removes a member; the member may remove themselves (leave).
    "organisations:remove_member": Rule(
        args=("org_a.pk", "membership_a.pk"), get=everyone(405),
        post=roles_(404, member_a=To("organisations:start"), admin_a=To("organisations:team", ("org_a.pk",)),
                    staff=To("organisations:team", ("org_a.pk",))),
    ),
    "organisations:revoke_invitation": Rule(
        args=("org_a.pk", "invitation.pk"), get=everyone(405),
        post=roles_(404, member_a=403, admin_a=To("organisations:team", ("org_a.pk",)),
                    staff=To("organisations:team", ("org_a.pk",))),
    ),
    "organisations:decide_join_request": Rule(
        args=("org_a.pk", "join_request.pk", "'decline'"), get=everyone(405),
        post=roles_(404, member_a=403, admin_a=To("organisations:team", ("org_a.pk",)),
                    staff=To("organisations:team", ("org_a.pk",))),
    ),
    "organisations:check": Rule(args=("org_a.pk",), get=roles_(404, **A_MEMBERS_AND_STAFF)),
    "organisations:check_fill": Rule(
        args=("org_a.pk",), get=roles_(404, member_a=403, **A_ADMIN_AND_STAFF),
        post=roles_(404, member_a=403, **A_ADMIN_AND_STAFF),
    ),
    "organisations:check_result": Rule(
        args=("org_a.pk", "assessment.pk"), get=roles_(404, **A_MEMBERS_AND_STAFF)
    ),
    "organisations:federation": Rule(args=("org_a.pk",), get=roles_(404, **A_MEMBERS_AND_STAFF)),
    "organisations:certificates": Rule(args=("org_a.pk",), get=roles_(404, **A_ADMIN_AND_STAFF)),
    "organisations:certificates_pdf": Rule(args=("org_a.pk",), get=roles_(404, **A_ADMIN_AND_STAFF)),
    "organisations:confirm_club": Rule(
        args=("org_a.pk", "club.pk"), get=everyone(405),
        post=roles_(404, member_a=403, admin_a=To("organisations:federation", ("org_a.pk",)),
                    staff=To("organisations:federation", ("org_a.pk",))),
    ),
    # ---- events --------------------------------------------------------------------------------------------------
    "events:catalogue": Rule(get=everyone(200)),
    "events:detail": Rule(args=("event.pk",), get=everyone(200)),
    "events:event_ics": Rule(args=("event.pk",), get=everyone(200)),
    "events:book": Rule(
        args=("event.pk",), get=everyone(405),
        # Without an organisation the page says so; everyone else books for the organisation they act for.
        post=roles_(To("events:detail", ("event.pk",))),
    ),
    "events:book_colleagues": Rule(
        args=("event.pk",), get=roles_(To("events:detail", ("event.pk",))),
        # The admin's empty choice is answered beside the form (400).
        post=roles_(403, admin_a=400),
    ),
    "events:cancel": Rule(
        args=("booking_a.pk",), get=roles_(404, member_a=200, admin_a=200, staff=200),
        post=roles_(404, member_a=To("events:detail", ("event.pk",)), admin_a=To("events:detail", ("event.pk",)),
                    staff=To("events:detail", ("event.pk",))),
    ),
    # Only the person who booked gives feedback (before the event: a page that says it is too early).
    "events:feedback": Rule(
        args=("booking_a.pk",), get=roles_(404, member_a=200), post=roles_(404, member_a=400)
    ),
    "events:my_bookings": Rule(get=roles_(200)),
    "events:organisation_bookings": Rule(args=("org_a.pk",), get=roles_(404, **A_MEMBERS_AND_STAFF)),
    "events:attendance_overview": Rule(get=roles_(404, trainer=200, other_trainer=200, staff=200)),
    "events:attendance": Rule(args=("event_date.pk",), get=roles_(404, **TRAINER_AND_STAFF)),
    "events:attendance_mark": Rule(
        args=("event_date.pk", "booking_a.pk"), get=everyone(405),
        post=roles_(404, trainer=To("events:attendance", ("event_date.pk",)),
                    staff=To("events:attendance", ("event_date.pk",))),
        post_data={"present": "true"},
    ),
    "events:evidence_participant_list": Rule(args=("event_date.pk",), get=roles_(404, **TRAINER_AND_STAFF)),
    "events:evidence_attendance_record": Rule(args=("event_date.pk",), get=roles_(404, **TRAINER_AND_STAFF)),
    "events:evidence_participants": Rule(args=("event.pk", "'csv'"), get=roles_(404, **TRAINER_AND_STAFF)),
    "events:evidence_bookings": Rule(get=roles_(404, staff=200)),
    "events:calendar": Rule(get=roles_(200)),
    "events:calendar_rotate": Rule(get=roles_(405), post=roles_(To("events:calendar"))),
    # Calendar programs fetch without a session: the long random token is the only credential.
    "events:calendar_feed": Rule(args=("feed_token.token",), get=everyone(200)),
    # ---- coaching ------------------------------------------------------------------------------------------------
    "coaching:index": Rule(
        get=roles_(
            To("organisations:start"),
            member_b=To("coaching:cases", ("org_b.pk",)), member_a=To("coaching:cases", ("org_a.pk",)),
            admin_a=To("coaching:cases", ("org_a.pk",)), coach=To("coaching:coach_cases"),
            other_coach=To("coaching:coach_cases"),
        )
    ),
    # People of approved organisations, coaches and staff browse the coaches.
    "coaching:coach_list": Rule(get=roles_(200, loner=403, trainer=403, other_trainer=403)),
    "coaching:calendar": Rule(get=roles_(200)),
    "coaching:cases": Rule(args=("org_a.pk",), get=roles_(404, **A_MEMBERS_AND_STAFF)),
    # Requests and sessions are the organisation admin's; staff work on cases in the admin.
    "coaching:request": Rule(
        args=("org_a.pk",), get=roles_(404, member_a=403, admin_a=200, staff=403),
        post=roles_(404, member_a=403, admin_a=400, staff=403),
    ),
    "coaching:case": Rule(args=("org_a.pk", "case_a.pk"), get=roles_(404, **A_MEMBERS_AND_STAFF)),
    "coaching:slots": Rule(
        args=("org_a.pk", "case_a.pk"), get=roles_(404, member_a=403, admin_a=200, staff=403),
        post=roles_(404, member_a=403, admin_a=400, staff=403),
    ),
    "coaching:withdraw": Rule(
        args=("org_a.pk", "case_a.pk"), get=everyone(405),
        post=roles_(404, member_a=403, admin_a=To("coaching:case", ("org_a.pk", "case_a.pk")), staff=403,
                    ),
    ),
    "coaching:feedback": Rule(
        args=("org_a.pk", "case_a.pk"), get=everyone(405),
        post=roles_(404, member_a=403, admin_a=400, staff=403),
    ),
    "coaching:session_confirm": Rule(
        args=("org_a.pk", "case_a.pk", "session.pk"), get=everyone(405),
        post=roles_(404, member_a=403, admin_a=To("coaching:case", ("org_a.pk", "case_a.pk")), staff=403,
                    ),
    ),
    "coaching:session_cancel": Rule(
        args=("org_a.pk", "case_a.pk", "session.pk"), get=roles_(404, member_a=403, admin_a=200, staff=403),
        post=roles_(404, member_a=403, admin_a=To("coaching:case", ("org_a.pk", "case_a.pk")), staff=403),
    ),
    "coaching:coach_cases": Rule(get=NOT_A_COACH),
    "coaching:profile": Rule(get=NOT_A_COACH),
    "coaching:availability": Rule(get=NOT_A_COACH),
    # Deleting someone else's time is a no-op: the coach's own profile is the only one looked in.
    "coaching:availability_delete": Rule(
        args=("'weekly'", "weekly.pk"), get=everyone(405),
        post=roles_(403, coach=To("coaching:availability"), other_coach=To("coaching:availability"),
                    ),
    ),
    "coaching:coach_case": Rule(args=("case_a.pk",), get=COACH_ONLY),
    "coaching:coach_goals": Rule(
        args=("case_a.pk",), get=everyone(405), post=roles_(403, coach=400, other_coach=404)
    ),
    "coaching:coach_meeting": Rule(
        args=("case_a.pk",), get=everyone(405),
        post=roles_(403, coach=To("coaching:coach_case", ("case_a.pk",)), other_coach=404),
    ),
    "coaching:coach_propose": Rule(args=("case_a.pk",), get=COACH_ONLY, post=roles_(403, coach=400, other_coach=404)),
    "coaching:coach_complete": Rule(args=("case_a.pk",), get=COACH_ONLY, post=roles_(403, coach=400, other_coach=404)),
    "coaching:coach_record": Rule(args=("session.pk",), get=COACH_ONLY, post=roles_(403, coach=400, other_coach=404)),
    "coaching:coach_move": Rule(args=("session.pk",), get=COACH_ONLY, post=roles_(403, coach=400, other_coach=404)),
    "coaching:coach_cancel": Rule(
        args=("session.pk",), get=COACH_ONLY,
        post=roles_(403, coach=To("coaching:coach_case", ("case_a.pk",)), other_coach=404),
    ),
    # ---- e-learning ----------------------------------------------------------------------------------------------
    "elearning:catalogue": Rule(get=everyone(200)),
    "elearning:my_learning": Rule(get=roles_(200)),
    "elearning:reminders_set": Rule(
        get=everyone(405), post=roles_(To("elearning:my_learning")), post_data={"reminders": "on"}
    ),
    # Someone else's membership is a 404; only member_a's own choice is saved.
    "elearning:sharing_set": Rule(
        args=("membership_a.pk",), get=everyone(405),
        post=roles_(404, member_a=To("elearning:my_learning")),
    ),
    "elearning:materials": Rule(get=everyone(200)),
    "elearning:material_download": Rule(args=("members_material.pk",), get=roles_(403, **LEARNERS)),
    "elearning:attachment": Rule(args=("attachment.pk",), get=roles_(403, **LEARNERS)),
    "elearning:attempt": Rule(args=("attempt.pk",), get=roles_(404, member_a=200)),
    "elearning:organisation_progress": Rule(
        args=("org_a.pk",), get=roles_(404, member_a=403, **A_ADMIN_AND_STAFF)
    ),
    "elearning:module": Rule(args=("module.slug",), get=everyone(200)),
    "elearning:start": Rule(
        args=("module.slug",), get=everyone(405),
        post=roles_(403, **dict.fromkeys(LEARNERS, To("elearning:lesson", ("module.slug", "first_lesson.pk")))),
    ),
    # The first lesson is a public preview; the others are for learners.
    "elearning:lesson": Rule(args=("module.slug", "video_lesson.pk"), get=roles_(403, **LEARNERS)),
    "elearning:lesson_done": Rule(
        args=("module.slug", "video_lesson.pk"), get=everyone(405),
        post=roles_(403, **dict.fromkeys(LEARNERS, To("elearning:lesson", ("module.slug", "first_lesson.pk")))),
    ),
    "elearning:quiz": Rule(
        args=("module.slug", "quiz_lesson.pk"), get=everyone(405), post=roles_(403, **LEARNERS)
    ),
    "elearning:video": Rule(args=("module.slug", "video_lesson.pk"), get=roles_(403, **LEARNERS)),
}
# fmt: on

REFUSED = {LOGIN, 403, 404, 405}


# ------------------------------------------------------------------------------------------------------------------
# The URLs the project defines
# ------------------------------------------------------------------------------------------------------------------


def walk(patterns, namespace=None):
    """(name, pattern, callback module) of every URL, descending into included URLconfs."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace and (f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace)
            yield from walk(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, pattern, pattern.callback.__module__


def project_urls() -> dict[str, URLPattern]:
    return {
        name: pattern
        for name, pattern, module in walk(get_resolver().url_patterns)
        if module.split(".")[0] in PROJECT_APPS and not name.startswith("admin:")  # admin views: one rule below
    }


def allauth_urls() -> dict[str, URLPattern]:
    return {
        name: pattern for name, pattern, module in walk(get_resolver().url_patterns) if module.startswith("allauth.")
    }


def test_every_url_has_a_rule():
    unnamed = [
        str(p.pattern)
        for name, p, module in walk(get_resolver().url_patterns)
        if not name and module.split(".")[0] in PROJECT_APPS
    ]
    urls = project_urls()
    missing = sorted(set(urls) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(urls))

    assert not unnamed, f"URL patterns without a name cannot be in the permission matrix: {unnamed}"
    assert not missing, f"URLs without a rule in tests/test_permission_matrix.py MATRIX: {missing}"
    assert not stale, f"MATRIX rules for URLs that no longer exist: {stale}"
    other = {
        module.split(".")[0]
        for name, p, module in walk(get_resolver().url_patterns)
        if module.split(".")[0] not in {*PROJECT_APPS, "allauth", "django"} and not (name or "").startswith("admin:")
    }
    assert not other, f"URLs of apps the matrix does not know: {other}"


def test_every_post_only_view_has_a_post_rule():
    """A rule that answers 405 to every GET belongs to a form's target: what a POST does must be written down."""
    lacking = [name for name, rule in MATRIX.items() if set(rule.get.values()) <= {405, LOGIN} and rule.post is None]
    assert not lacking, f"POST-only URLs without a post rule: {lacking}"


# ------------------------------------------------------------------------------------------------------------------
# The world: two organisations with their people, an event, cases, a module, a certificate …
# ------------------------------------------------------------------------------------------------------------------


class World:
    def value(self, path: str):
        if path.startswith("'"):
            return path.strip("'")
        value = self
        for part in path.split("."):
            value = getattr(value, part)
        return value

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


def _person(**kwargs):
    user = UserFactory(language="en", **kwargs)
    organisation_services.consent_record(user=user)
    return user


def build_world() -> World:
    w = World()
    topic = Topic.objects.order_by("position").first()
    w.loner = _person()
    w.member_a, w.admin_a, w.member_b, w.admin_b = _person(), _person(), _person(), _person()
    w.org_a = FederationFactory(admins=[w.admin_a], members=[w.member_a])
    w.org_b = OrganisationFactory(admins=[w.admin_b], members=[w.member_b])
    w.membership_a = Membership.objects.get(user=w.member_a, organisation=w.org_a)
    w.club = OrganisationFactory(parent=w.org_a, admins=[_person()])
    w.invitation = InvitationFactory(organisation=w.org_a, invited_by=w.admin_a)
    w.join_request = JoinRequestFactory(organisation=w.org_a, user=_person())
    statements = AssessmentStatement.objects.all()
    w.assessment = organisation_services.assessment_submit(
        organisation=w.org_a, by=w.admin_a, ratings={statement.pk: 3 for statement in statements}
    )
    w.staff = _person(is_staff=True, roles=[roles.STAFF])

    # Coaching: A's case with its coach and a booked session, B's case with another coach.
    w.coach_profile, w.other_coach_profile = CoachFactory(topics=[topic]), CoachFactory(topics=[topic])
    w.coach, w.other_coach = w.coach_profile.user, w.other_coach_profile.user
    for profile in (w.coach_profile, w.other_coach_profile):
        for weekday in range(7):
            WeeklyAvailability.objects.create(coach=profile, weekday=weekday, start_time="08:00", end_time="20:00")
    w.weekly = WeeklyAvailability.objects.filter(coach=w.coach_profile).first()
    AvailabilityException.objects.create(
        coach=w.coach_profile, kind="blocked", start=tomorrow_at(18, days=3), end=tomorrow_at(19, days=3)
    )
    case_data = {
        "kind": CoachingCase.Kind.COACHING,
        "topics": [topic],
        "goals": "Apply for funding.",
        "situation": "Never applied.",
        "preferred_format": CoachingCase.PreferredFormat.ONLINE,
    }
    w.case_a = coaching_services.case_submit(organisation=w.org_a, by=w.admin_a, **case_data)
    w.case_a = coaching_services.case_assign(case=w.case_a, coach=w.coach_profile, by=w.staff)
    w.session = coaching_services.session_book(case=w.case_a, by=w.admin_a, start=tomorrow_at(10, days=2))
    w.case_b = coaching_services.case_submit(organisation=w.org_b, by=w.admin_b, **case_data)
    w.case_b = coaching_services.case_assign(case=w.case_b, coach=w.other_coach_profile, by=w.staff)

    # Events: A's member and B's member booked the trainer's event; another trainer has another event.
    w.trainer, w.other_trainer = _person(roles=[roles.TRAINER]), _person(roles=[roles.TRAINER])
    w.event = EventFactory(trainers=[w.trainer], topics=[topic])
    w.event_date = w.event.dates.get()
    EventFactory(trainers=[w.other_trainer])
    w.booking_a = event_services.booking_create(
        event=w.event, person=w.member_a, organisation=w.org_a, booked_by=w.member_a
    )
    event_services.booking_create(event=w.event, person=w.member_b, organisation=w.org_b, booked_by=w.member_b)
    w.feed_token = calendar_feed_token_rotate(user=w.member_a)

    # Certificates: member_a's for the event, issued for organisation A, with its PDF.
    w.certificate = Certificate.objects.create(
        kind=Certificate.Kind.EVENT,
        subject_key=f"event:{w.event.pk}",
        recipient=w.member_a,
        recipient_name=w.member_a.get_full_name(),
        organisation_id=w.org_a.pk,
        organisation_name=w.org_a.name,
        title="Fördermittel beantragen",
        file=ContentFile(simple_pdf("Nachweis", ["x"]), name="certificate.pdf"),
    )

    w.data_export = DataExport.objects.create(
        user=w.member_a,
        status=DataExport.Status.READY,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
        file=ContentFile(b"PK\x05\x06" + b"\x00" * 18, name="export.zip"),
    )

    # E-learning: a module (a preview lesson, a lesson with a video and an attachment, a quiz), materials.
    w.module = ModuleFactory(topics=[topic])
    w.first_lesson = LessonFactory(module=w.module, position=1)
    w.video_lesson = LessonFactory(module=w.module, position=2, video_file=ContentFile(MP4, name="video.mp4"))
    w.quiz_lesson = quiz_lesson(w.module)
    w.quiz_lesson.position = 3
    w.quiz_lesson.save(update_fields=["position"])
    w.attachment = LessonAttachment.objects.create(
        lesson=w.video_lesson,
        title_de="Vorlage",
        title_en="Template",
        file=ContentFile(simple_pdf("Vorlage", ["x"]), name="template.pdf"),
    )
    MaterialFactory(topic=topic)
    w.members_material = MaterialFactory(topic=topic, is_public=False, kind=Material.Kind.CHECKLIST)
    elearning_services.module_start(user=w.member_a, module=w.module)
    w.attempt, _created = elearning_services.quiz_attempt_submit(
        user=w.member_a, lesson=w.quiz_lesson, token="matrix", chosen=right_choices(w.quiz_lesson)
    )
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each test's own changes
    are rolled back by pytest-django's savepoint around the test."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world.fingerprint = database_fingerprint()
        yield world
        transaction.set_rollback(True)


def database_fingerprint() -> str:
    """A hash of every row of the portal's own tables (sign-in time aside), to prove a refused POST changed nothing."""
    digest = hashlib.sha256()
    translation.activate("de")  # modeltranslation reads `title` in the active language; a request may change it
    tables = set(connection.introspection.table_names())
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.db_table not in tables:  # a model whose migration is still being written
                continue
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
            for row in model._default_manager.order_by("pk").values_list(*fields):
                digest.update(repr((model._meta.label, row)).encode())
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------------------------------
# The checks
# ------------------------------------------------------------------------------------------------------------------


def _url(world, name: str) -> str:
    return reverse(name, args=[world.value(arg) for arg in MATRIX[name].args])


def _client_as(client, world, role: str):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def _data(world, rule: Rule) -> dict:
    # Never an empty body: views that build their form from `request.POST or None` would take it for a GET.
    data = {"submitted": "1"}
    for key, value in (rule.post_data or {}).items():
        data[key] = str(world.value(value)) if "." in value and not value.startswith("'") else value
    return data


def finish(response) -> None:
    """Reads a streamed download to its end, so that the test client closes its file (as a server would)."""
    if response.streaming:
        b"".join(response.streaming_content)


def assert_answer(response, expected, world, label: str):
    status = response.status_code
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        assert status == 302 and urlsplit(location).path == LOGIN_PATH, (
            f"{label}: expected a redirect to the login, got {status} {location}"
        )
    elif isinstance(expected, To):
        target = expected.url(world)
        assert status == 302 and urlsplit(location).path == target, (
            f"{label}: expected a redirect to {target}, got {status} {location}"
        )
    else:
        assert status == expected, f"{label}: expected {expected}, got {status} {location}"


GET_CASES = [(name, role) for name, rule in MATRIX.items() for role in ROLES if rule.get is not None]
POST_CASES = [(name, role) for name, rule in MATRIX.items() for role in ROLES if rule.post is not None]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), GET_CASES, ids=[f"GET {n} as {r}" for n, r in GET_CASES])
def test_get(client, world, name, role):
    expected = MATRIX[name].get[role]
    response = _client_as(client, world, role).get(_url(world, name))
    finish(response)

    assert_answer(response, expected, world, f"GET {name} as {role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), POST_CASES, ids=[f"POST {n} as {r}" for n, r in POST_CASES])
def test_post(client, world, name, role):
    rule = MATRIX[name]
    expected = rule.post[role]
    response = _client_as(client, world, role).post(_url(world, name), _data(world, rule))
    finish(response)

    assert_answer(response, expected, world, f"POST {name} as {role}")
    if expected in REFUSED:
        assert database_fingerprint() == world.fingerprint, f"POST {name} as {role} was refused but changed data"


# ------------------------------------------------------------------------------------------------------------------
# Django's admin: staff only
# ------------------------------------------------------------------------------------------------------------------

ADMIN_SAMPLE = (
    ("admin:index", ()),
    ("admin:academy_user_changelist", ()),
    ("admin:academy_certificate_changelist", ()),
    ("admin:organisations_organisation_changelist", ()),
    ("admin:organisations_organisation_change", ("org_a.pk",)),
    ("admin:organisations_organisation_history", ("org_a.pk",)),
    ("admin:events_event_changelist", ()),
    ("admin:events_booking_changelist", ()),
    ("admin:coaching_coachingcase_changelist", ()),
    ("admin:elearning_module_changelist", ()),
)
ADMIN_CASES = [(name, args, role) for name, args in ADMIN_SAMPLE for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "role"), ADMIN_CASES, ids=[f"admin {n} as {r}" for n, _a, r in ADMIN_CASES])
def test_the_admin_is_for_staff_only(client, world, name, args, role):
    """Rule for every admin: URL: staff 200; a visitor ends at the portal's login; anybody else is refused (403)."""
    url = reverse(name, args=[world.value(arg) for arg in args])
    response = _client_as(client, world, role).get(url, follow=True)

    final = urlsplit(response.redirect_chain[-1][0]).path if response.redirect_chain else url
    if role == "staff":
        assert response.status_code == 200 and final == url, f"{name}: staff got {response.status_code} at {final}"
    elif role == "anonymous":
        assert final == LOGIN_PATH and response.status_code == 200, f"{name}: a visitor got {final}"
    else:
        assert response.status_code == 403, f"{name} as {role}: got {response.status_code} at {final}"


# ------------------------------------------------------------------------------------------------------------------
# allauth's account pages: one group rule
# ------------------------------------------------------------------------------------------------------------------

ALLAUTH_CASES = [(name, role) for name in sorted(allauth_urls()) for role in ("anonymous", "member_a", "staff")]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), ALLAUTH_CASES, ids=[f"account {n} as {r}" for n, r in ALLAUTH_CASES])
def test_account_pages_answer_without_error_and_keep_private_pages_private(client, world, name, role):
    """Every account page answers 200, a redirect or a 404 (a link with a wrong key); pages about one's own
    account (email addresses, password change, two-factor) send a visitor to the login first."""
    pattern = allauth_urls()[name]
    keys = dict.fromkeys(pattern.pattern.regex.groupindex, "wrong-key")
    if "uidb36" in keys:
        keys["uidb36"] = "zz"
    url = reverse(name, kwargs=keys)
    response = _client_as(client, world, role).get(url)

    assert response.status_code in (200, 302, 404), f"{name} as {role}: {response.status_code}"
    private = name in {"account_email", "account_change_password", "account_set_password"} or name.startswith("mfa_")
    if role == "anonymous" and private and name != "mfa_authenticate":
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == LOGIN_PATH, f"{name}: a visitor reached {response['Location']}"


@pytest.mark.django_db
def test_the_world_is_what_the_rules_assume(world):
    """Guards against a fixture that silently stops matching the rules (e.g. a case without its coach)."""
    assert world.case_a.coach_id == world.coach_profile.pk
    assert world.org_a.is_federation and world.club.parent_id == world.org_a.pk
    assert world.booking_a.is_confirmed
    assert world.certificate.file
    assert world.event.dates.count() == 1
    assert timezone.now() < world.session.start < timezone.now() + timedelta(days=4)
