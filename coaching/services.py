"""Everything that changes coaching state. Views, the admin, tasks and the demo all call these functions.

Locks: a case's status changes lock the case row; anything that gives a coach's time to a session
(book, propose, reschedule) locks the coach's profile row first and checks for overlaps under that lock,
so two organisations picking the same slot at the same moment cannot both get it. On PostgreSQL the
exclusion constraint `coaching_session_no_overlap` holds the same rule; its violation is reported as the
same "slot is gone" error.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy import roles
from academy.models import User
from academy.outbox import enqueue
from organisations.models import Membership, Organisation

from . import availability, selectors
from .models import (
    AvailabilityException,
    CaseEvent,
    CoachingCase,
    CoachProfile,
    Format,
    Session,
    WeeklyAvailability,
)

Status = CoachingCase.Status


class SlotTaken(ValidationError):
    """The chosen time was taken by somebody else a moment ago."""

    def __init__(self):
        super().__init__(_("Sorry, this time has just been taken. Please choose another one."), code="slot_taken")


# ---------------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------------


def _is_org_admin(*, user: User, organisation_id: int) -> bool:
    return Membership.objects.filter(user=user, organisation_id=organisation_id, role=Membership.Role.ADMIN).exists()


def _lock_case(case: CoachingCase) -> CoachingCase:
    return CoachingCase.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=case.pk)


def _event(case: CoachingCase, status: str, by: User | None, note: str = "") -> None:
    CaseEvent.objects.create(case=case, status=status, by=by, note=note)


def _set_status(case: CoachingCase, status: str, by: User | None, note: str = "", fields=()) -> None:
    case.status = status
    case.save(update_fields=["status", "updated_at", *fields])
    _event(case, status, by, note)


def _enqueue(task, *args) -> None:
    enqueue(task, *args)


def _require_staff(by: User) -> None:
    if not by.is_staff:
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------------------------
# Coach profile and availability
# ---------------------------------------------------------------------------------------------------------------


def coach_profile_ensure(*, user: User) -> CoachProfile:
    """The coach's profile, created empty on first use. Only people in the Coach group have one."""
    if not roles.has_role(user, roles.COACH):
        raise PermissionDenied
    profile, _created = CoachProfile.objects.get_or_create(user=user)
    return profile


def coach_profile_update(*, profile: CoachProfile, topics, **fields) -> CoachProfile:
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["user"])
    profile.save()
    profile.topics.set(topics)
    return profile


def weekly_availability_add(*, coach: CoachProfile, weekday: int, start_time, end_time) -> WeeklyAvailability:
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    return WeeklyAvailability.objects.create(coach=coach, weekday=weekday, start_time=start_time, end_time=end_time)


def weekly_availability_delete(*, coach: CoachProfile, pk: int) -> None:
    WeeklyAvailability.objects.filter(coach=coach, pk=pk).delete()


def availability_exception_add(
    *, coach: CoachProfile, kind: str, start: datetime, end: datetime, note: str = ""
) -> AvailabilityException:
    if end <= start:
        raise ValidationError({"end": _("The time must end after it starts.")})
    if end <= timezone.now():
        raise ValidationError({"end": _("This time is in the past.")})
    return AvailabilityException.objects.create(coach=coach, kind=kind, start=start, end=end, note=note)


def availability_exception_delete(*, coach: CoachProfile, pk: int) -> None:
    AvailabilityException.objects.filter(coach=coach, pk=pk).delete()


# ---------------------------------------------------------------------------------------------------------------
# The case
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
def case_submit(
    *,
    organisation: Organisation,
    by: User,
    kind: str,
    topics,
    goals: str,
    situation: str,
    preferred_format: str = CoachingCase.PreferredFormat.EITHER,
    language: str = "de",
    region: str = "",
    participants: int | None = None,
    time_frame: str = "",
    preferred_coach: CoachProfile | None = None,
) -> CoachingCase:
    """An organisation admin requests coaching or team development. Pending organisations may not."""
    from .tasks import notify_staff_of_case

    if not _is_org_admin(user=by, organisation_id=organisation.pk):
        raise PermissionDenied
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.can_book:
        raise ValidationError(
            _("Your organisation can request coaching once the VAMOs team has approved its registration.")
        )
    topics = list(topics)
    if not topics:
        raise ValidationError({"topics": _("Please choose at least one topic.")})
    if kind == CoachingCase.Kind.TEAM and not participants:
        raise ValidationError({"participants": _("How many people take part in the team development?")})
    if preferred_format == CoachingCase.PreferredFormat.IN_PERSON and not region:
        raise ValidationError({"region": _("Where should the in-person sessions take place?")})
    case = CoachingCase(
        organisation=organisation,
        requested_by=by,
        kind=kind,
        goals=goals,
        situation=situation,
        preferred_format=preferred_format,
        language=language,
        region=region,
        participants=participants,
        time_frame=time_frame,
        preferred_coach=preferred_coach,
        budget=settings.COACHING_DEFAULT_BUDGET_SESSIONS,
        session_minutes=settings.COACHING_DEFAULT_SESSION_MINUTES,
    )
    case.full_clean(exclude=["topics", "coach", "requested_by"])
    case.save()
    case.topics.set(topics)
    _event(case, Status.SUBMITTED, by)
    _enqueue(notify_staff_of_case, case.pk)
    return case


@transaction.atomic
def case_start_review(*, case: CoachingCase, by: User) -> CoachingCase:
    _require_staff(by)
    case = _lock_case(case)
    if case.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted request can be taken into review."))
    _set_status(case, Status.IN_REVIEW, by)
    return case


@transaction.atomic
def case_assign(*, case: CoachingCase, coach: CoachProfile, by: User) -> CoachingCase:
    """Staff assign a coach (or another coach while no session has been held). The organisation's admins and
    the coach are emailed. A coach at their maximum of active cases is refused."""
    from .tasks import notify_case_assigned

    _require_staff(by)
    case = _lock_case(case)
    coach = CoachProfile.objects.select_for_update().select_related("user").get(pk=coach.pk)
    if case.status not in (Status.SUBMITTED, Status.IN_REVIEW, Status.ASSIGNED):
        raise ValidationError(_("A coach can only be assigned to an open request."))
    if not coach.is_active or not roles.has_role(coach.user, roles.COACH):
        raise ValidationError(_("This person does not take coaching cases."))
    if case.coach_id == coach.pk:
        raise ValidationError(_("This coach is assigned already."))
    active = coach.cases.filter(status__in=CoachingCase.RUNNING_STATUSES).count()
    if active >= coach.max_active_cases:
        raise ValidationError(
            _("%(name)s has %(count)d active cases, their maximum.") % {"name": coach.name, "count": active}
        )
    case.coach = coach
    _set_status(case, Status.ASSIGNED, by, note=coach.name, fields=["coach"])
    _enqueue(notify_case_assigned, case.pk, coach.pk)
    return case


@transaction.atomic
def case_decline(*, case: CoachingCase, by: User, reason: str) -> CoachingCase:
    from .tasks import notify_case_declined

    _require_staff(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the organisation a reason.")})
    case = _lock_case(case)
    if case.status not in CoachingCase.OPEN_STATUSES:
        raise ValidationError(_("Only an open request can be declined."))
    case.decline_reason = reason
    _set_status(case, Status.DECLINED, by, note=reason, fields=["decline_reason"])
    _enqueue(notify_case_declined, case.pk)
    return case


@transaction.atomic
def case_withdraw(*, case: CoachingCase, by: User) -> CoachingCase:
    """The organisation withdraws its request or ends the case before completion; upcoming sessions are
    cancelled (and both sides told)."""
    if not _is_org_admin(user=by, organisation_id=case.organisation_id):
        raise PermissionDenied
    case = _lock_case(case)
    if case.is_closed:
        raise ValidationError(_("This case is closed already."))
    for session in case.sessions.filter(status__in=Session.BLOCKING, start__gt=timezone.now()):
        _cancel(session, by=by, reason=_("The organisation withdrew the request."))
    _set_status(case, Status.WITHDRAWN, by)
    return case


@transaction.atomic
def case_agree_goals(*, case: CoachingCase, by: User, agreed_goals: str) -> CoachingCase:
    """The coach records the agreed goals (Zielvereinbarung) at the start; the case becomes active."""
    case = _lock_case(case)
    _require_coach_of(case, by)
    if case.status not in CoachingCase.RUNNING_STATUSES:
        raise ValidationError(_("Goals can only be agreed while the case runs."))
    agreed_goals = (agreed_goals or "").strip()
    if not agreed_goals:
        raise ValidationError({"agreed_goals": _("Please write down the agreed goals.")})
    case.agreed_goals = agreed_goals
    case.goals_agreed_at = timezone.now()
    case.save(update_fields=["agreed_goals", "goals_agreed_at", "updated_at"])
    _activate(case, by)
    return case


def _activate(case: CoachingCase, by: User | None) -> None:
    if case.status == Status.ASSIGNED:
        _set_status(case, Status.ACTIVE, by)


def _require_coach_of(case: CoachingCase, by: User) -> None:
    if not (by.is_staff or (case.coach_id and case.coach.user_id == by.pk)):
        raise PermissionDenied


@transaction.atomic
def case_complete(*, case: CoachingCase, by: User, goals_reached: str, goals_review: str) -> CoachingCase:
    """The coach (or staff) closes the case with the review of the agreed goals; the organisation is asked
    for feedback."""
    from .tasks import notify_case_completed

    case = _lock_case(case)
    _require_coach_of(case, by)
    if case.status not in CoachingCase.RUNNING_STATUSES:
        raise ValidationError(_("Only a running case can be completed."))
    if goals_reached not in CoachingCase.GoalsReached.values:
        raise ValidationError({"goals_reached": _("Please say whether the goals were reached.")})
    if case.sessions.filter(status__in=Session.BLOCKING, start__gt=timezone.now()).exists():
        raise ValidationError(_("Cancel the upcoming sessions first, or complete the case after them."))
    case.goals_reached = goals_reached
    case.goals_review = goals_review.strip()
    _set_status(case, Status.COMPLETED, by, fields=["goals_reached", "goals_review"])
    _enqueue(notify_case_completed, case.pk)
    from .certificates import issue_after_completion

    issue_after_completion(case=case)
    return case


@transaction.atomic
def case_give_feedback(*, case: CoachingCase, by: User, rating: int, comment: str) -> CoachingCase:
    if not _is_org_admin(user=by, organisation_id=case.organisation_id):
        raise PermissionDenied
    case = _lock_case(case)
    if case.status != Status.COMPLETED:
        raise ValidationError(_("Feedback can be given once the case is completed."))
    if case.feedback_at is not None:
        raise ValidationError(_("Thank you, your feedback has been recorded already."))
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Please rate from 1 to 5.")})
    case.feedback_rating = int(rating)
    case.feedback_comment = comment.strip()
    case.feedback_at = timezone.now()
    case.save(update_fields=["feedback_rating", "feedback_comment", "feedback_at", "updated_at"])
    return case


@transaction.atomic
def case_set_budget(
    *, case: CoachingCase, by: User, budget: int, unit: str | None = None, beyond_approved: bool | None = None
) -> CoachingCase:
    """Staff change the agreed budget, or approve scheduling beyond it."""
    _require_staff(by)
    case = _lock_case(case)
    case.budget = budget
    if unit is not None:
        case.budget_unit = unit
    if beyond_approved is not None:
        case.beyond_budget_approved = beyond_approved
    case.save(update_fields=["budget", "budget_unit", "beyond_budget_approved", "updated_at"])
    return case


@transaction.atomic
def case_set_meeting(*, case: CoachingCase, by: User, meeting_link: str, place: str) -> CoachingCase:
    """The coach sets the meeting link (online) and the place (in person) that new sessions carry."""
    case = _lock_case(case)
    _require_coach_of(case, by)
    case.meeting_link = meeting_link
    case.place = place
    case.full_clean(exclude=["topics", "coach", "requested_by", "organisation", "preferred_coach"])
    case.save(update_fields=["meeting_link", "place", "updated_at"])
    return case


# ---------------------------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------------------------


def _check_budget(case: CoachingCase, *, minutes: int, by: User) -> None:
    if case.beyond_budget_approved or by.is_staff:
        return
    sessions = list(case.sessions.all())
    used = selectors.budget_used(case=case, sessions=sessions)
    extra = minutes / 60 if case.budget_unit == CoachingCase.BudgetUnit.HOURS else 1
    if used + extra > case.budget:
        raise ValidationError(
            _("The agreed budget of this case is used up. Please ask the VAMOs team to approve further sessions."),
            code="beyond_budget",
        )


def _check_time(
    case: CoachingCase,
    start: datetime,
    end: datetime,
    *,
    within_availability: bool,
    exclude_session_id: int | None = None,
) -> None:
    """Under the coach's lock: in the future, not overlapping, and (for the organisation's own pick) inside the
    coach's free time."""
    if timezone.is_naive(start):
        raise ValidationError(_("Please give the time with its time zone."))
    if start <= timezone.now():
        raise ValidationError(_("This time is in the past. Please choose a time in the future."), code="past")
    overlapping = Session.objects.filter(
        coach_id=case.coach_id, status__in=Session.BLOCKING, start__lt=end, end__gt=start
    )
    if exclude_session_id is not None:
        overlapping = overlapping.exclude(pk=exclude_session_id)
    if overlapping.exists():
        raise SlotTaken()
    known = selectors.coach_time(coach_id=case.coach_id, start=start, end=end, exclude_session_id=exclude_session_id)
    if any(s < end and start < e for s, e in known.blocked):
        raise ValidationError(_("The coach is not available at this time."), code="unavailable")
    if within_availability:
        free = availability.free_intervals(
            rules=known.rules,
            available=known.available,
            blocked=known.blocked,
            busy=known.busy,
            start=start - timedelta(days=1),
            end=end + timedelta(days=1),
        )
        if not availability.covers(free, start, end):
            raise ValidationError(
                _("The coach is not available at this time. Please pick one of the free times shown."),
                code="unavailable",
            )


def _session_defaults(case: CoachingCase, format: str | None) -> dict:
    if format is None:
        format = Format.IN_PERSON if case.preferred_format == CoachingCase.PreferredFormat.IN_PERSON else Format.ONLINE
    return {
        "format": format,
        "meeting_link": case.meeting_link if format == Format.ONLINE else "",
        "place": case.place if format == Format.IN_PERSON else "",
    }


def _lock_coach_and_case(case: CoachingCase) -> CoachingCase:
    """Locks the coach's profile row (the lock every booking of this coach queues on), then the case."""
    CoachProfile.objects.select_for_update().filter(pk=case.coach_id).first()
    return (
        CoachingCase.objects.select_for_update(of=("self",))
        .select_related("coach__user", "organisation")
        .get(pk=case.pk)
    )


def _save_new_session(session: Session) -> Session:
    try:
        with transaction.atomic():  # a savepoint: the exclusion constraint's error must not break the outer one
            session.save()
    except IntegrityError as error:
        if "coaching_session_no_overlap" in str(error):
            raise SlotTaken() from error
        raise
    return session


@transaction.atomic
def session_book(*, case: CoachingCase, by: User, start: datetime, format: str | None = None) -> Session:
    """The organisation picks one of the coach's free slots: confirmed at once, both sides emailed with .ics."""
    from .tasks import notify_session

    if not _is_org_admin(user=by, organisation_id=case.organisation_id):
        raise PermissionDenied
    if case.coach_id is None:
        raise ValidationError(_("A coach has not been assigned yet."))
    case = _lock_coach_and_case(case)
    if case.status not in CoachingCase.RUNNING_STATUSES:
        raise ValidationError(_("Sessions can only be scheduled while the case runs."))
    end = start + timedelta(minutes=case.session_minutes)
    _check_time(case, start, end, within_availability=True)
    _check_budget(case, minutes=case.session_minutes, by=by)
    session = _save_new_session(
        Session(
            case=case,
            coach_id=case.coach_id,
            start=start,
            end=end,
            status=Session.Status.CONFIRMED,
            created_by=by,
            **_session_defaults(case, format),
        )
    )
    _activate(case, by)
    _enqueue(notify_session, session.pk, "booked", session.sequence)
    return session


@transaction.atomic
def session_propose(
    *,
    case: CoachingCase,
    by: User,
    start: datetime,
    minutes: int | None = None,
    format: str | None = None,
    meeting_link: str | None = None,
    place: str | None = None,
) -> Session:
    """The coach proposes a time (any free time, also outside their published windows); the organisation
    confirms it. The time is held for the case meanwhile."""
    from .tasks import notify_session

    case = _lock_coach_and_case(case)
    if case.coach is None or case.coach.user_id != by.pk:
        raise PermissionDenied
    if case.status not in CoachingCase.RUNNING_STATUSES:
        raise ValidationError(_("Sessions can only be scheduled while the case runs."))
    minutes = minutes or case.session_minutes
    end = start + timedelta(minutes=minutes)
    _check_time(case, start, end, within_availability=False)
    _check_budget(case, minutes=minutes, by=by)
    defaults = _session_defaults(case, format)
    if meeting_link is not None and defaults["format"] == Format.ONLINE:
        defaults["meeting_link"] = meeting_link
    if place is not None and defaults["format"] == Format.IN_PERSON:
        defaults["place"] = place
    session = Session(
        case=case,
        coach_id=case.coach_id,
        start=start,
        end=end,
        status=Session.Status.PROPOSED,
        created_by=by,
        **defaults,
    )
    session.full_clean(exclude=["case", "coach", "created_by", "cancelled_by"])
    _save_new_session(session)
    _enqueue(notify_session, session.pk, "proposed", session.sequence)
    return session


def _lock_session(session: Session) -> Session:
    CoachProfile.objects.select_for_update().filter(pk=session.coach_id).first()
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("case__organisation", "case__coach__user", "coach__user")
        .get(pk=session.pk)
    )


def _may_act_on_session(session: Session, by: User) -> str:
    """'coach' or 'organisation': which side `by` acts for; PermissionDenied for anybody else."""
    if session.coach.user_id == by.pk:
        return "coach"
    if _is_org_admin(user=by, organisation_id=session.case.organisation_id):
        return "organisation"
    if by.is_staff:
        return "staff"
    raise PermissionDenied


@transaction.atomic
def session_confirm(*, session: Session, by: User) -> Session:
    from .tasks import notify_session

    session = _lock_session(session)
    if _may_act_on_session(session, by) != "organisation":
        raise PermissionDenied
    if session.status != Session.Status.PROPOSED:
        raise ValidationError(_("Only a proposed session can be confirmed."))
    if session.start <= timezone.now():
        raise ValidationError(_("This time is in the past. Please ask the coach for a new proposal."))
    session.status = Session.Status.CONFIRMED
    session.sequence += 1
    session.save(update_fields=["status", "sequence"])
    _activate(session.case, by)
    _enqueue(notify_session, session.pk, "confirmed", session.sequence)
    return session


@transaction.atomic
def session_reschedule(*, session: Session, by: User, start: datetime) -> Session:
    """Either side moves a session. The organisation picks from the coach's free time; the coach may choose
    any free time. A session moved by the coach waits for the organisation's confirmation again."""
    from .tasks import notify_session

    session = _lock_session(session)
    side = _may_act_on_session(session, by)
    if session.status not in Session.BLOCKING:
        raise ValidationError(_("A cancelled session cannot be moved."))
    if session.start <= timezone.now():
        raise ValidationError(_("A session that has started cannot be moved."))
    end = start + (session.end - session.start)
    _check_time(session.case, start, end, within_availability=side == "organisation", exclude_session_id=session.pk)
    session.start, session.end = start, end
    session.sequence += 1
    if side == "coach":
        session.status = Session.Status.PROPOSED
    try:
        with transaction.atomic():
            session.save(update_fields=["start", "end", "sequence", "status"])
    except IntegrityError as error:
        if "coaching_session_no_overlap" in str(error):
            raise SlotTaken() from error
        raise
    _enqueue(notify_session, session.pk, "rescheduled", session.sequence)
    return session


def _cancel(session: Session, *, by: User, reason: str) -> None:
    now = timezone.now()
    session.status = Session.Status.CANCELLED
    session.cancelled_at = now
    session.cancelled_by = by
    session.cancel_reason = reason[:500]
    session.late_cancellation = session.start - now < timedelta(hours=settings.COACHING_LATE_CANCELLATION_HOURS)
    session.sequence += 1
    session.save(
        update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "late_cancellation", "sequence"]
    )
    from .tasks import notify_session

    _enqueue(notify_session, session.pk, "cancelled", session.sequence)


@transaction.atomic
def session_cancel(*, session: Session, by: User, reason: str = "") -> Session:
    """Either side cancels. Inside the notice period (COACHING_LATE_CANCELLATION_HOURS) it is marked late and
    still counts against the budget. Both sides are emailed with a cancelling .ics."""
    session = _lock_session(session)
    _may_act_on_session(session, by)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session is cancelled already."))
    if session.start <= timezone.now():
        raise ValidationError(_("A session that has started cannot be cancelled; record it instead."))
    _cancel(session, by=by, reason=reason.strip())
    return session


@transaction.atomic
def session_record(
    *, session: Session, by: User, held: bool, duration_minutes: int | None, private_note: str, next_steps: str
) -> Session:
    """The coach records a session after its start: held or not, how long, a private note (coach and staff
    only) and the next steps the organisation sees."""
    session = _lock_session(session)
    if not (session.coach.user_id == by.pk or by.is_staff):
        raise PermissionDenied
    if session.status != Session.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed session can be recorded."))
    if session.start > timezone.now():
        raise ValidationError(_("A session can be recorded once it has started."))
    if held and not duration_minutes:
        raise ValidationError({"duration_minutes": _("How long did the session take?")})
    if duration_minutes is not None and not 1 <= duration_minutes <= 600:
        raise ValidationError({"duration_minutes": _("Please give the duration in minutes (1 to 600).")})
    session.held = held
    session.duration_minutes = duration_minutes if held else None
    session.private_note = private_note.strip()
    session.next_steps = next_steps.strip()
    session.recorded_at = timezone.now()
    session.save(update_fields=["held", "duration_minutes", "private_note", "next_steps", "recorded_at"])
    return session
