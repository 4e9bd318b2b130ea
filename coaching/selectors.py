"""Queries the coaching pages need, with their joins, and the permission lookups every view uses.

Permission rule: a case id that is not the viewer's (another organisation's, another coach's) answers 404,
so that ids do not leak.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from academy import roles
from academy.models import Topic, User
from academy.prepared import BoundRead, prepared
from academy.translation import translated_columns
from organisations.models import Membership, Organisation

from . import availability
from .models import AvailabilityException, CaseEvent, CoachingCase, CoachProfile, Session, WeeklyAvailability


def _case_queryset() -> QuerySet[CoachingCase]:
    return CoachingCase.objects.select_related("organisation", "coach__user", "preferred_coach__user", "requested_by")


def case_list_for_coach(*, user: User) -> BoundRead:
    """The coach's cases in the order of their statuses (running before closed), newest first within one, ready to
    be paged (a prepared read); a page of them gets its rows' topics and next sessions from complete_case_rows (two
    plain reads for the page's rows). Only what the list shows is read: the cases' long texts and the people on
    them cost half the page's time."""
    return _coach_cases.bind(user=user.pk)


class CaseRow:
    """A case of the coach's list as the values the list shows (kind, state, the organisation's name) rather than
    two model instances; complete_case_rows gives it `topic_list` and `upcoming_sessions`."""

    def __init__(self, values):
        self.pk, self.kind, self.status, self.organisation_name = values
        self.topic_list: list[TopicName] = []
        self.upcoming_sessions: list[UpcomingSession] = []


class TopicName:
    """A topic's name in the page's language, with modeltranslation's fallback (Topic.name's own descriptor, reading
    this object's name_<language> values as it reads a topic's)."""

    columns = translated_columns("name")[1:]  # name_de, name_en, …
    name = Topic.name

    def __init__(self, names):
        self.__dict__.update(zip(self.columns, names, strict=True))


@prepared(CaseRow, user=int)
def _coach_cases(*, user: int) -> QuerySet:
    status_order = Case(
        *(When(status=status, then=Value(index)) for index, status in enumerate(CoachingCase.Status.values)),
        output_field=IntegerField(),
    )
    return (
        CoachingCase.objects.filter(coach__user=user)
        .order_by(status_order, "-created_at", "-pk")
        .values_list("pk", "kind", "status", "organisation__name")
    )


class UpcomingSession(NamedTuple):
    start: datetime
    status: str


def complete_case_rows(cases: list[CaseRow], *, now: datetime | None = None) -> list[CaseRow]:
    """Gives a page of cases their topics (`topic_list`, in the topics' order) and their upcoming proposed or
    confirmed sessions (`upcoming_sessions`: start and status, soonest first): one query each for all the rows.
    Two prefetches did the same with a fifth of the page's Python calls (prefetch machinery, model instances of
    every session) for a list that shows names and one date."""
    if not cases:
        return cases
    ids = sorted(case.pk for case in cases)
    topics: dict[int, list[TopicName]] = defaultdict(list)
    for case_id, *names in _topics_of_cases(cases=ids):
        topics[case_id].append(TopicName(names))
    sessions: dict[int, list[UpcomingSession]] = defaultdict(list)
    for case_id, start, status in _upcoming_sessions_of_cases(cases=ids, now=now or timezone.now()):
        sessions[case_id].append(UpcomingSession(start, status))
    for case in cases:
        case.topic_list = topics[case.pk]
        case.upcoming_sessions = sessions[case.pk]
    return cases


@prepared(organisation=int)
def organisation_latest_cases(*, organisation: int) -> QuerySet[CoachingCase]:
    """The organisation's five latest cases as its home page shows them: kind, state, the coach's name (prepared)."""
    coach_name = (f"coach__user__{column}" for column in User.NAME_COLUMNS)
    return (
        CoachingCase.objects.filter(organisation=organisation)
        .select_related("coach__user")
        .only("kind", "status", "organisation_id", "coach__user_id", *coach_name)
        .order_by("-created_at")[:5]
    )


@prepared(cases=list)
def _topics_of_cases(*, cases: list[int]) -> QuerySet:
    linked = Topic.objects.filter(coaching_cases__id__any_of=cases)
    return linked.order_by("position", "slug").values_list("coaching_cases__id", *TopicName.columns)


@prepared(cases=list, now=datetime)
def _upcoming_sessions_of_cases(*, cases: list[int], now: datetime) -> QuerySet:
    upcoming = Session.objects.filter(case_id__any_of=cases, status__in=Session.BLOCKING, end__gte=now)
    return upcoming.order_by("start", "pk").values_list("case_id", "start", "status")


def case_for_coach(*, user: User, pk: int) -> CoachingCase:
    case = _case_queryset().filter(pk=pk, coach__user=user).first()
    if case is None:
        raise Http404
    return case


def case_list_for_organisation(*, organisation: Organisation) -> QuerySet[CoachingCase]:
    """The organisation's cases, newest first; a page of them reads its rows' topics."""
    return (
        CoachingCase.objects.select_related("coach__user")
        .filter(organisation=organisation)
        .prefetch_related("topics")
        .order_by("-created_at", "-pk")
    )


def case_for_organisation(*, organisation: Organisation, pk: int) -> CoachingCase:
    case = _case_queryset().filter(pk=pk, organisation=organisation).first()
    if case is None:
        raise Http404
    return case


def case_for_staff_or_404(*, pk: int) -> CoachingCase:
    case = _case_queryset().filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def case_sessions(*, case: CoachingCase) -> list[Session]:
    return list(Session.objects.filter(case=case).select_related("cancelled_by").order_by("start"))


def case_timeline(*, case: CoachingCase) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).select_related("by"))


def case_topics(*, case: CoachingCase) -> list:
    return list(case.topics.all())


@dataclass
class Budget:
    unit: str
    total: int
    used: float
    beyond_approved: bool

    @property
    def remaining(self) -> float:
        return max(0, self.total - self.used)

    @property
    def exhausted(self) -> bool:
        return self.used >= self.total


def budget_used(*, case: CoachingCase, sessions: list[Session]) -> float:
    """What counts against the budget: every session not cancelled, and late cancellations."""
    counted = [s for s in sessions if not s.is_cancelled or s.late_cancellation]
    if case.budget_unit == CoachingCase.BudgetUnit.HOURS:
        minutes = sum((s.duration_minutes if s.duration_minutes is not None else s.minutes) for s in counted)
        return round(minutes / 60, 2)
    return len(counted)


def case_budget(*, case: CoachingCase, sessions: list[Session]) -> Budget:
    return Budget(
        unit=case.budget_unit,
        total=case.budget,
        used=budget_used(case=case, sessions=sessions),
        beyond_approved=case.beyond_budget_approved,
    )


@dataclass
class TimelineStep:
    status: str
    label: str
    at: datetime | None
    done: bool
    current: bool
    note: str = ""


def case_timeline_steps(*, case: CoachingCase, events: list[CaseEvent]) -> list[TimelineStep]:
    """The flow submitted → in review → assigned → active → completed, with the date each step was reached;
    a declined or withdrawn case ends with that step instead."""
    reached = {}
    notes = {}
    for event in events:
        reached.setdefault(event.status, event.at)
        notes[event.status] = event.note
    labels = dict(CoachingCase.Status.choices)
    steps = []
    flow = list(CoachingCase.FLOW)
    if case.status in (CoachingCase.Status.DECLINED, CoachingCase.Status.WITHDRAWN):
        flow = [status for status in flow if status in reached] + [case.status]
    for status in flow:
        steps.append(
            TimelineStep(
                status=status,
                label=str(labels[status]),
                at=reached.get(status),
                done=status in reached,
                current=status == case.status,
                note=notes.get(status, "") if status == CoachingCase.Status.DECLINED else "",
            )
        )
    return steps


# ---------------------------------------------------------------------------------------------------------------
# Availability and free slots
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class CoachTime:
    """What is known about a coach's time in a range: three queries, whatever the number of rows."""

    rules: list[WeeklyAvailability]
    available: list[tuple[datetime, datetime]]
    blocked: list[tuple[datetime, datetime]]
    busy: list[tuple[datetime, datetime]]


def coach_time(*, coach_id: int, start: datetime, end: datetime, exclude_session_id: int | None = None) -> CoachTime:
    rules = list(WeeklyAvailability.objects.filter(coach_id=coach_id))
    available, blocked = [], []
    for exception in AvailabilityException.objects.filter(coach_id=coach_id, start__lt=end, end__gt=start):
        target = available if exception.kind == AvailabilityException.Kind.AVAILABLE else blocked
        target.append((exception.start, exception.end))
    sessions = Session.objects.filter(coach_id=coach_id, status__in=Session.BLOCKING, start__lt=end, end__gt=start)
    if exclude_session_id is not None:
        sessions = sessions.exclude(pk=exclude_session_id)
    busy = list(sessions.values_list("start", "end"))
    return CoachTime(rules=rules, available=available, blocked=blocked, busy=busy)


def free_intervals(*, coach_id: int, start: datetime, end: datetime, exclude_session_id: int | None = None):
    known = coach_time(coach_id=coach_id, start=start, end=end, exclude_session_id=exclude_session_id)
    return availability.free_intervals(
        rules=known.rules, available=known.available, blocked=known.blocked, busy=known.busy, start=start, end=end
    )


@dataclass
class SlotDay:
    day: date
    slots: list[tuple[datetime, datetime]] = field(default_factory=list)


def free_slots(
    *,
    coach_id: int,
    minutes: int,
    first_day: date | None = None,
    days: int | None = None,
    now: datetime | None = None,
    exclude_session_id: int | None = None,
) -> list[SlotDay]:
    """The coach's free slots of `minutes` length, grouped by Berlin day, from first_day (today) on.

    A fixed number of queries (three), however many windows, exceptions and sessions there are.
    """
    now = now or timezone.now()
    tz = availability.berlin()
    first_day = first_day or now.astimezone(tz).date()
    days = days or settings.COACHING_BOOKING_HORIZON_DAYS
    start = availability.local_datetime(first_day, datetime.min.time())
    end = availability.local_datetime(first_day + timedelta(days=days), datetime.min.time())
    intervals = free_intervals(coach_id=coach_id, start=start, end=end, exclude_session_id=exclude_session_id)
    slots = availability.slots_in(
        intervals, minutes=minutes, step_minutes=settings.COACHING_SLOT_STEP_MINUTES, not_before=now.astimezone(UTC)
    )
    grouped: dict[date, SlotDay] = {}
    for slot in slots:
        day = slot[0].astimezone(tz).date()
        grouped.setdefault(day, SlotDay(day=day)).slots.append((slot[0].astimezone(tz), slot[1].astimezone(tz)))
    return list(grouped.values())


def coach_availability(*, coach: CoachProfile) -> tuple[list[WeeklyAvailability], list[AvailabilityException]]:
    weekly = list(WeeklyAvailability.objects.filter(coach=coach))
    exceptions = list(AvailabilityException.objects.filter(coach=coach, end__gte=timezone.now()))
    return weekly, exceptions


def coach_profile_of(*, user: User) -> CoachProfile | None:
    if not user.is_authenticated:
        return None
    return CoachProfile.objects.select_related("user").filter(user=user).first()


# ---------------------------------------------------------------------------------------------------------------
# Coaches: browsing and ranking by fit
# ---------------------------------------------------------------------------------------------------------------


def coach_list(*, topic_id: int | None = None) -> list[CoachProfile]:
    """Active coaches (in the Coach group) for the organisations' browse page: two queries."""
    coaches = (
        CoachProfile.objects.filter(is_active=True, user__is_active=True, user__groups__name=roles.COACH)
        .select_related("user")
        .prefetch_related("topics")
        .order_by("user__last_name", "user__first_name")
    )
    if topic_id:
        coaches = coaches.filter(topics__pk=topic_id)
    return list(coaches.distinct())


def coach_choices() -> QuerySet[CoachProfile]:
    return (
        CoachProfile.objects.filter(is_active=True, user__groups__name=roles.COACH)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


@dataclass
class Suggestion:
    coach: CoachProfile
    score: float
    topic_overlap: int
    speaks_language: bool
    format_fits: bool
    region_fits: bool
    active_cases: int
    has_capacity: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def load_text(self) -> str:
        return f"{self.active_cases}/{self.coach.max_active_cases}"


def coach_suggestions(*, case: CoachingCase) -> list[Suggestion]:
    """Coaches ranked by fit for the case: topic overlap, language, format, region and free capacity.

    Weights: each shared topic 4, language 3, format 2, region 2 (only for in-person work), free capacity up to
    3 (none at all: −10, so a full coach sinks to the bottom but can still be chosen). The organisation's
    preferred coach gets 1 more. Three queries.
    """
    from django.utils.translation import gettext as _

    case_topics = set(case.topics.values_list("pk", flat=True))
    coaches = list(
        CoachProfile.objects.filter(is_active=True, user__is_active=True, user__groups__name=roles.COACH)
        .select_related("user")
        .prefetch_related("topics")
        .annotate(
            active_cases=Count(
                "cases", filter=Q(cases__status__in=CoachingCase.RUNNING_STATUSES) & ~Q(cases__pk=case.pk)
            )
        )
        .distinct()
    )
    in_person = case.preferred_format in (CoachingCase.PreferredFormat.IN_PERSON, CoachingCase.PreferredFormat.EITHER)
    suggestions = []
    for coach in coaches:
        overlap = len(case_topics & {topic.pk for topic in coach.topics.all()})
        speaks = case.language in coach.languages
        if case.preferred_format == CoachingCase.PreferredFormat.ONLINE:
            format_fits = coach.offers_online
        elif case.preferred_format == CoachingCase.PreferredFormat.IN_PERSON:
            format_fits = coach.offers_in_person
        else:
            format_fits = coach.offers_online or coach.offers_in_person
        region_fits = bool(in_person and case.region and case.region in coach.regions and coach.offers_in_person)
        free = coach.max_active_cases - coach.active_cases
        score = 4 * overlap + (3 if speaks else 0) + (2 if format_fits else 0) + (2 if region_fits else 0)
        score += min(3, free / max(coach.max_active_cases, 1) * 3) if free > 0 else -10
        if case.preferred_coach_id == coach.pk:
            score += 1
        reasons = [_("%(count)d of %(total)d topics") % {"count": overlap, "total": len(case_topics)}]
        if speaks:
            reasons.append(_("speaks the language"))
        if format_fits:
            reasons.append(_("format fits"))
        if region_fits:
            reasons.append(_("works in the region"))
        if case.preferred_coach_id == coach.pk:
            reasons.append(_("preferred by the organisation"))
        suggestions.append(
            Suggestion(
                coach=coach,
                score=round(score, 2),
                topic_overlap=overlap,
                speaks_language=speaks,
                format_fits=format_fits,
                region_fits=region_fits,
                active_cases=coach.active_cases,
                has_capacity=free > 0,
                reasons=reasons,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.active_cases, s.coach.user.last_name, s.coach.pk))
    return suggestions


# ---------------------------------------------------------------------------------------------------------------
# Calendars
# ---------------------------------------------------------------------------------------------------------------


def sessions_of_person(*, user: User, upcoming_only: bool = True, include_cancelled: bool = False) -> list[Session]:
    """Sessions the person takes part in: as the case's coach, or as a member of the case's organisation."""
    organisation_ids = Membership.objects.filter(user=user).values("organisation_id")
    sessions = Session.objects.filter(Q(coach__user=user) | Q(case__organisation_id__in=organisation_ids))
    if upcoming_only:
        sessions = sessions.filter(end__gte=timezone.now())
    if not include_cancelled:
        sessions = sessions.exclude(status=Session.Status.CANCELLED)
    return list(sessions.select_related("case__organisation", "coach__user").order_by("start"))


def organisation_admin_emails(*, organisation_id: int) -> list[tuple[str, str]]:
    """(email, language) of the organisation's admins: who is told about its cases."""
    return list(
        Membership.objects.filter(organisation_id=organisation_id, role=Membership.Role.ADMIN)
        .select_related("user")
        .values_list("user__email", "user__language")
    )
