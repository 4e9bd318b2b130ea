"""Queries that the organisation pages need, with their joins, and the permission lookups every view uses."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from academy.models import Topic, User
from academy.prepared import prepared

from .models import (
    Assessment,
    AssessmentAnswer,
    AssessmentStatement,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)
from .services import SESSION_KEY


@dataclass
class Access:
    """Who is looking at an organisation: their membership (None for staff who are not members)."""

    organisation: Organisation
    membership: Membership | None
    is_staff: bool

    @property
    def can_change(self) -> bool:
        return self.is_staff or bool(self.membership and self.membership.is_admin)


def organisation_access(*, request, pk: int) -> Access:
    """The organisation with the viewer's membership. 404 unless a member (or staff): ids do not leak.

    A member's membership is taken from their memberships, which the page's header reads anyway
    (current_organisation keeps them on the request): no query of its own. Staff who are not members read the
    organisation alone."""
    user = request.user
    current_organisation(request=request)
    membership = next((m for m in getattr(request, "_memberships", []) if m.organisation_id == pk), None)
    if membership is not None:
        return Access(organisation=membership.organisation, membership=membership, is_staff=user.is_staff)
    if user.is_staff:
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is not None:
            return Access(organisation=organisation, membership=None, is_staff=True)
    raise Http404


@prepared(user=int)
def memberships_of(*, user: int) -> QuerySet[Membership]:
    """A person's memberships with their organisations, by name (a prepared read: every signed-in page's header
    asks, and building the query cost three times reading it)."""
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def current_organisation(*, request) -> Organisation | None:
    """The organisation the person acts for: the one in the session if still a member, else their first one.

    Cached on the request, so the header and the page share one query.
    """
    if not request.user.is_authenticated:
        return None
    if hasattr(request, "_current_organisation"):
        return request._current_organisation
    memberships = memberships_of(user=request.user.pk)
    chosen = request.session.get(SESSION_KEY)
    current = next((m.organisation for m in memberships if m.organisation_id == chosen), None)
    if current is None and memberships:
        current = memberships[0].organisation
    request._current_organisation = current
    request._memberships = memberships
    return current


def member_of_an_approved_organisation(*, request) -> bool:
    """Whether the signed-in person belongs to an approved organisation (who may learn, browse the coaches), from
    the memberships the page's header reads anyway (current_organisation keeps them on the request)."""
    current_organisation(request=request)
    return any(m.organisation.is_approved for m in getattr(request, "_memberships", []))


def organisation_members(*, organisation: Organisation) -> list[Membership]:
    """The team as its page shows it: deleted (anonymised, inactive) accounts are left out; their memberships
    stay so that the organisation's figures keep counting them (a prepared read, as the two below)."""
    return _members(organisation=organisation.pk)


@prepared(organisation=int)
def _members(*, organisation: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user")
        .order_by("-role", "user__last_name", "user__first_name", "user__email")
    )


def _open_invitation(now) -> Q:
    return Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


_OPEN_JOIN_REQUEST = Q(status=JoinRequest.Status.OPEN)


def organisation_open_invitations(*, organisation: Organisation) -> list[Invitation]:
    return _open_invitations(organisation=organisation.pk, now=timezone.now())


@prepared(organisation=int, now=datetime)
def _open_invitations(*, organisation: int, now: datetime) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(_open_invitation(now), organisation=organisation)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def organisation_open_join_requests(*, organisation: Organisation) -> list[JoinRequest]:
    return _open_join_requests(organisation=organisation.pk)


@prepared(organisation=int)
def _open_join_requests(*, organisation: int) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(_OPEN_JOIN_REQUEST, organisation=organisation)
        .select_related("user")
        .order_by("created_at")
    )


@dataclass(frozen=True)
class LatestCheck:
    pk: int
    completed_at: datetime


@dataclass(frozen=True)
class HomeFacts:
    """What the organisation's home shows of it beside its row and its team: whether it chose topics, its latest
    Organisationscheck, and whether invitations or join requests are open (their lists are read only then)."""

    has_topics: bool
    latest_check: LatestCheck | None
    has_open_invitations: bool
    has_open_join_requests: bool


def organisation_home_facts(*, organisation: Organisation) -> HomeFacts:
    """One prepared query where each of these was one: most organisations have no open invitation or request."""
    has_topics, check_pk, check_at, invitations, join_requests = _home_facts(
        organisation=organisation.pk, now=timezone.now()
    )[0]
    return HomeFacts(
        has_topics=has_topics,
        latest_check=LatestCheck(pk=check_pk, completed_at=check_at) if check_pk is not None else None,
        has_open_invitations=invitations,
        has_open_join_requests=join_requests,
    )


@prepared(organisation=int, now=datetime)
def _home_facts(*, organisation: int, now: datetime) -> QuerySet:
    latest = Assessment.objects.filter(organisation=OuterRef("pk")).order_by("-completed_at", "-pk")
    return (
        Organisation.objects.filter(pk=organisation)
        .annotate(
            has_topics=Exists(Organisation.topics.through.objects.filter(organisation=OuterRef("pk"))),
            check_pk=Subquery(latest.values("pk")[:1]),
            check_at=Subquery(latest.values("completed_at")[:1]),
            open_invitations=Exists(Invitation.objects.filter(_open_invitation(now), organisation=OuterRef("pk"))),
            open_join_requests=Exists(JoinRequest.objects.filter(_OPEN_JOIN_REQUEST, organisation=OuterRef("pk"))),
        )
        .order_by()
        .values_list("has_topics", "check_pk", "check_at", "open_invitations", "open_join_requests")
    )


def organisation_member_clubs(*, federation: Organisation, confirmed: bool = True) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(parent=federation, parent_confirmed=confirmed)
        .exclude(status=Organisation.Status.DECLINED)
        .annotate(member_total=Count("memberships", filter=Q(memberships__user__is_active=True)))
        .order_by("name")
    )


def organisation_search(*, query: str, limit: int = 20) -> QuerySet[Organisation]:
    """Registered organisations that a person may ask to join, found by name or city."""
    from .models import normalise_name

    query = query.strip()
    if len(query) < 2:
        return Organisation.objects.none()
    normalised = normalise_name(query)
    return (
        Organisation.objects.exclude(status=Organisation.Status.DECLINED)
        .filter(normalised_name__contains=normalised)
        .order_by("name")[:limit]
    )


def invitations_for(*, user: User) -> QuerySet[Invitation]:
    """Open invitations addressed to the person's email, for the start page."""
    return (
        Invitation.objects.filter(
            email__iexact=user.email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .exclude(organisation__memberships__user=user)
        .select_related("organisation", "invited_by")
    )


def join_requests_of(*, user: User) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(user=user, status=JoinRequest.Status.OPEN).select_related("organisation")


@dataclass
class TopicScore:
    """A topic's result in one Organisationscheck: the average rating (1–4) as 0–100 %."""

    topic: Topic
    average: float
    percent: int
    previous_percent: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous_percent is None else self.percent - self.previous_percent


def _percent(average: float) -> int:
    return round((average - 1) / 3 * 100)


def _averages(assessment: Assessment) -> dict[int, float]:
    rows = AssessmentAnswer.objects.filter(assessment=assessment).values("topic_id").annotate(average=Avg("rating"))
    return {row["topic_id"]: float(row["average"]) for row in rows}


def assessment_list(*, organisation: Organisation) -> QuerySet[Assessment]:
    return Assessment.objects.filter(organisation=organisation).select_related("completed_by")


def assessment_previous(*, assessment: Assessment) -> Assessment | None:
    return (
        Assessment.objects.filter(organisation_id=assessment.organisation_id, completed_at__lt=assessment.completed_at)
        .order_by("-completed_at")
        .first()
    )


def assessment_scores(*, assessment: Assessment, previous: Assessment | None = None) -> list[TopicScore]:
    """The result per topic in the topics' order, with the earlier result of each topic when given."""
    averages = _averages(assessment)
    earlier = _averages(previous) if previous is not None else {}
    topics = Topic.objects.filter(pk__in=averages).order_by("position", "slug")
    return [
        TopicScore(
            topic=topic,
            average=averages[topic.pk],
            percent=_percent(averages[topic.pk]),
            previous_percent=_percent(earlier[topic.pk]) if topic.pk in earlier else None,
        )
        for topic in topics
    ]


def assessment_statements() -> QuerySet[AssessmentStatement]:
    return AssessmentStatement.objects.filter(is_active=True).select_related("topic")
