"""Thin views: check who may look, parse input, call a service, render.

Organisation pages go through organisations.selectors.organisation_access (404 for non-members); changes need
the organisation admin role (403 for members). Coach pages need the Coach group (403 otherwise) and find the
case among the coach's own (404 for another coach's case). Private session notes are never put into the
context of an organisation page.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from academy import roles
from academy.forms import is_id
from academy.pagination import page_of
from organisations import selectors as organisation_selectors
from organisations.views import consent_required

from . import selectors, services
from .forms import (
    CancelForm,
    CaseRequestForm,
    CoachProfileForm,
    CompleteForm,
    ExceptionForm,
    FeedbackForm,
    GoalsForm,
    MeetingForm,
    MoveForm,
    ProposeForm,
    RecordForm,
    SlotForm,
    WeeklyAvailabilityForm,
)
from .models import CoachingCase, Session

CASES_PAGE_SIZE = 20  # cases per page on the coach's and the organisation's lists (closed cases stay on them)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def coach_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not roles.has_role(request.user, roles.COACH):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _org_access(request, pk: int, *, admin: bool = False):
    access = organisation_selectors.organisation_access(request=request, pk=pk)
    if admin and not (access.membership and access.membership.is_admin):
        raise PermissionDenied
    return access


def _is_admin(access) -> bool:
    return bool(access.membership and access.membership.is_admin)


@login_required
def index(request):
    if roles.has_role(request.user, roles.COACH):
        return redirect("coaching:coach_cases")
    current = organisation_selectors.current_organisation(request=request)
    if current is None:
        return redirect("organisations:start")
    return redirect("coaching:cases", pk=current.pk)


# ---------------------------------------------------------------------------------------------------------------
# Coaches (for organisations)
# ---------------------------------------------------------------------------------------------------------------


@require_GET
@consent_required
def coach_list(request):
    """Approved organisations' people (and coaches, staff) browse the coach profiles."""
    current = organisation_selectors.current_organisation(request=request)
    may_browse = (
        request.user.is_staff
        or roles.has_role(request.user, roles.COACH)
        or organisation_selectors.member_of_an_approved_organisation(request=request)
    )
    if not may_browse:
        raise PermissionDenied
    return render(request, "coaching/coach_list.html", {"coaches": selectors.coach_list(), "organisation": current})


# ---------------------------------------------------------------------------------------------------------------
# The organisation's side
# ---------------------------------------------------------------------------------------------------------------


@require_GET
@consent_required
def cases(request, pk: int):
    access = _org_access(request, pk)
    return render(
        request,
        "coaching/org_cases.html",
        {
            "access": access,
            "organisation": access.organisation,
            "is_admin": _is_admin(access),
            "cases": page_of(
                request,
                selectors.case_list_for_organisation(organisation=access.organisation),
                per_page=CASES_PAGE_SIZE,
            ),
        },
    )


@consent_required
def request_create(request, pk: int):
    access = _org_access(request, pk, admin=True)
    organisation = access.organisation
    initial = {}
    if topic := request.GET.get("topic"):
        initial["topics"] = [topic] if is_id(topic) else []
    form = CaseRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_submit(organisation=organisation, by=request.user, **form.case_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Thank you! Your request has been sent. The VAMOs team will get back to you soon.")
            )
            return redirect("coaching:case", pk=organisation.pk, case_pk=case.pk)
    return render(
        request,
        "coaching/request_form.html",
        {"access": access, "organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


def _org_case_context(request, access, case: CoachingCase) -> dict:
    sessions = selectors.case_sessions(case=case)
    events = selectors.case_timeline(case=case)
    for session in sessions:
        session.private_note = ""  # never reaches an organisation page, whatever the template does
    return {
        "access": access,
        "organisation": access.organisation,
        "is_admin": _is_admin(access),
        "case": case,
        "topics": selectors.case_topics(case=case),
        "sessions": sessions,
        "timeline": selectors.case_timeline_steps(case=case, events=events),
        "budget": selectors.case_budget(case=case, sessions=sessions),
        "feedback_form": FeedbackForm(),
    }


@require_GET
@consent_required
def case(request, pk: int, case_pk: int):
    access = _org_access(request, pk)
    case = selectors.case_for_organisation(organisation=access.organisation, pk=case_pk)
    return render(request, "coaching/org_case.html", _org_case_context(request, access, case))


@consent_required
def slot_picker(request, pk: int, case_pk: int):
    """The coach's free slots for the next weeks; the organisation admin picks one (or a new time for a session
    with ?session=<id>)."""
    access = _org_access(request, pk, admin=True)
    case = selectors.case_for_organisation(organisation=access.organisation, pk=case_pk)
    if case.coach_id is None or case.status not in CoachingCase.RUNNING_STATUSES:
        raise Http404
    moving = None
    if session_id := request.GET.get("session") or request.POST.get("session"):
        moving = get_object_or_404(
            Session, pk=session_id if is_id(session_id) else 0, case=case, status__in=Session.BLOCKING
        )
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if moving is not None:
                services.session_reschedule(session=moving, by=request.user, start=form.cleaned_data["start"])
                messages.success(request, _("The session has been moved. You and the coach receive an email."))
            else:
                services.session_book(case=case, by=request.user, start=form.cleaned_data["start"])
                messages.success(request, _("The session is booked. You and the coach receive an email."))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("coaching:case", pk=pk, case_pk=case.pk)
    minutes = moving.minutes if moving is not None else case.session_minutes
    days = selectors.free_slots(
        coach_id=case.coach_id, minutes=minutes, exclude_session_id=moving.pk if moving is not None else None
    )
    return render(
        request,
        "coaching/slot_picker.html",
        {
            "access": access,
            "organisation": access.organisation,
            "case": case,
            "days": days,
            "form": form,
            "moving": moving,
            "minutes": minutes,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@consent_required
def withdraw(request, pk: int, case_pk: int):
    access = _org_access(request, pk, admin=True)
    case = selectors.case_for_organisation(organisation=access.organisation, pk=case_pk)
    try:
        services.case_withdraw(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request has been withdrawn."))
    return redirect("coaching:case", pk=pk, case_pk=case.pk)


@require_POST
@consent_required
def feedback(request, pk: int, case_pk: int):
    access = _org_access(request, pk, admin=True)
    case = selectors.case_for_organisation(organisation=access.organisation, pk=case_pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.case_give_feedback(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you for your feedback!"))
            return redirect("coaching:case", pk=pk, case_pk=case.pk)
    context = _org_case_context(request, access, case)
    context["feedback_form"] = form
    return render(request, "coaching/org_case.html", context, status=400)


@require_POST
@consent_required
def session_confirm(request, pk: int, case_pk: int, session_pk: int):
    access = _org_access(request, pk, admin=True)
    case = selectors.case_for_organisation(organisation=access.organisation, pk=case_pk)
    session = get_object_or_404(Session, pk=session_pk, case=case)
    try:
        services.session_confirm(session=session, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The session is confirmed. You and the coach receive an email."))
    return redirect("coaching:case", pk=pk, case_pk=case.pk)


def _cancel_page(request, *, session: Session, back_url: str, context: dict):
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The session is cancelled. Both sides receive an email."))
            return redirect(back_url)
    return render(
        request,
        "coaching/session_cancel.html",
        {
            **context,
            "session": session,
            "form": form,
            "back_url": back_url,
            "late_hours": settings.COACHING_LATE_CANCELLATION_HOURS,
        },
        status=400 if form.errors else 200,
    )


@consent_required
def session_cancel(request, pk: int, case_pk: int, session_pk: int):
    access = _org_access(request, pk, admin=True)
    case = selectors.case_for_organisation(organisation=access.organisation, pk=case_pk)
    session = get_object_or_404(Session, pk=session_pk, case=case)
    session.case = case
    return _cancel_page(
        request,
        session=session,
        back_url=case_url(case),
        context={"access": access, "organisation": access.organisation, "case": case},
    )


def case_url(case: CoachingCase) -> str:
    from django.urls import reverse

    return reverse("coaching:case", args=[case.organisation_id, case.pk])


# ---------------------------------------------------------------------------------------------------------------
# The coach's side
# ---------------------------------------------------------------------------------------------------------------


@require_GET
@coach_required
def coach_cases(request):
    cases = page_of(request, selectors.case_list_for_coach(user=request.user), per_page=CASES_PAGE_SIZE)
    selectors.complete_case_rows(cases.items)
    return render(request, "coaching/coach_cases.html", {"cases": cases})


def _coach_case_context(request, case: CoachingCase, **forms) -> dict:
    sessions = selectors.case_sessions(case=case)
    return {
        "case": case,
        "topics": selectors.case_topics(case=case),
        "sessions": sessions,
        "budget": selectors.case_budget(case=case, sessions=sessions),
        "timeline": selectors.case_timeline_steps(case=case, events=selectors.case_timeline(case=case)),
        "goals_form": forms.get("goals_form") or GoalsForm(initial={"agreed_goals": case.agreed_goals}),
        "meeting_form": forms.get("meeting_form")
        or MeetingForm(initial={"meeting_link": case.meeting_link, "place": case.place}),
    }


@require_GET
@coach_required
def coach_case(request, case_pk: int):
    case = selectors.case_for_coach(user=request.user, pk=case_pk)
    return render(request, "coaching/coach_case.html", _coach_case_context(request, case))


@require_POST
@coach_required
def coach_goals(request, case_pk: int):
    case = selectors.case_for_coach(user=request.user, pk=case_pk)
    form = GoalsForm(request.POST)
    if form.is_valid():
        try:
            services.case_agree_goals(case=case, by=request.user, agreed_goals=form.cleaned_data["agreed_goals"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The agreed goals are saved."))
            return redirect("coaching:coach_case", case_pk=case.pk)
    return render(request, "coaching/coach_case.html", _coach_case_context(request, case, goals_form=form), status=400)


@require_POST
@coach_required
def coach_meeting(request, case_pk: int):
    case = selectors.case_for_coach(user=request.user, pk=case_pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_meeting(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Meeting link and place are saved."))
            return redirect("coaching:coach_case", case_pk=case.pk)
    return render(
        request, "coaching/coach_case.html", _coach_case_context(request, case, meeting_form=form), status=400
    )


@coach_required
def coach_propose(request, case_pk: int):
    case = selectors.case_for_coach(user=request.user, pk=case_pk)
    initial_format = "in_person" if case.preferred_format == CoachingCase.PreferredFormat.IN_PERSON else "online"
    form = ProposeForm(
        request.POST or None,
        initial={
            "minutes": case.session_minutes,
            "format": initial_format,
            "meeting_link": case.meeting_link,
            "place": case.place,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_propose(
                case=case,
                by=request.user,
                start=form.start(),
                minutes=form.cleaned_data["minutes"],
                format=form.cleaned_data["format"],
                meeting_link=form.cleaned_data["meeting_link"],
                place=form.cleaned_data["place"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The time is proposed. The organisation is asked to confirm it."))
            return redirect("coaching:coach_case", case_pk=case.pk)
    return render(
        request, "coaching/coach_propose.html", {"case": case, "form": form}, status=400 if form.errors else 200
    )


@coach_required
def coach_complete(request, case_pk: int):
    case = selectors.case_for_coach(user=request.user, pk=case_pk)
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_complete(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The case is completed. The organisation is asked for feedback."))
            return redirect("coaching:coach_case", case_pk=case.pk)
    return render(
        request, "coaching/coach_complete.html", {"case": case, "form": form}, status=400 if form.errors else 200
    )


def _coach_session(request, session_pk: int) -> Session:
    session = (
        Session.objects.select_related("case__organisation", "coach__user")
        .filter(pk=session_pk, coach__user=request.user)
        .first()
    )
    if session is None:
        raise Http404
    return session


@coach_required
def coach_record(request, session_pk: int):
    session = _coach_session(request, session_pk)
    form = RecordForm(
        request.POST or None,
        initial={
            "held": "yes" if session.held in (True, None) else "no",
            "duration_minutes": session.duration_minutes or session.minutes,
            "private_note": session.private_note,
            "next_steps": session.next_steps,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_record(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The session is recorded."))
            return redirect("coaching:coach_case", case_pk=session.case_id)
    return render(
        request,
        "coaching/coach_record.html",
        {"session": session, "case": session.case, "form": form},
        status=400 if form.errors else 200,
    )


@coach_required
def coach_move(request, session_pk: int):
    session = _coach_session(request, session_pk)
    local = session.start.astimezone(selectors.availability.berlin())
    form = MoveForm(request.POST or None, initial={"day": local.date(), "start_time": local.time()})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_reschedule(session=session, by=request.user, start=form.start())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The session is moved. The organisation is asked to confirm the new time."))
            return redirect("coaching:coach_case", case_pk=session.case_id)
    return render(
        request,
        "coaching/coach_move.html",
        {"session": session, "case": session.case, "form": form},
        status=400 if form.errors else 200,
    )


@coach_required
def coach_cancel(request, session_pk: int):
    session = _coach_session(request, session_pk)
    from django.urls import reverse

    return _cancel_page(
        request,
        session=session,
        back_url=reverse("coaching:coach_case", args=[session.case_id]),
        context={"case": session.case},
    )


@coach_required
def availability(request):
    """The coach publishes weekly windows, one-off slots and blocked times (Europe/Berlin)."""
    profile = services.coach_profile_ensure(user=request.user)
    weekly_form = WeeklyAvailabilityForm(prefix="weekly")
    exception_form = ExceptionForm(prefix="once")
    if request.method == "POST":
        if "weekly-weekday" in request.POST:
            weekly_form = WeeklyAvailabilityForm(request.POST, prefix="weekly")
            if weekly_form.is_valid():
                try:
                    services.weekly_availability_add(coach=profile, **weekly_form.cleaned_data)
                except ValidationError as error:
                    _add_errors(weekly_form, error)
                else:
                    messages.success(request, _("The weekly time is added."))
                    return redirect("coaching:availability")
        else:
            exception_form = ExceptionForm(request.POST, prefix="once")
            if exception_form.is_valid():
                data = exception_form.cleaned_data
                try:
                    services.availability_exception_add(
                        coach=profile, kind=data["kind"], start=data["start"], end=data["end"], note=data["note"]
                    )
                except ValidationError as error:
                    _add_errors(exception_form, error)
                else:
                    messages.success(request, _("The time is saved."))
                    return redirect("coaching:availability")
    weekly, exceptions = selectors.coach_availability(coach=profile)
    return render(
        request,
        "coaching/availability.html",
        {
            "weekly": weekly,
            "exceptions": exceptions,
            "weekly_form": weekly_form,
            "exception_form": exception_form,
            "preview": selectors.free_slots(coach_id=profile.pk, minutes=60, days=14),
        },
        status=400 if weekly_form.errors or exception_form.errors else 200,
    )


@require_POST
@coach_required
def availability_delete(request, kind: str, item_pk: int):
    profile = services.coach_profile_ensure(user=request.user)
    if kind == "weekly":
        services.weekly_availability_delete(coach=profile, pk=item_pk)
    else:
        services.availability_exception_delete(coach=profile, pk=item_pk)
    messages.success(request, _("The time is removed."))
    return redirect("coaching:availability")


@coach_required
def profile(request):
    profile = services.coach_profile_ensure(user=request.user)
    form = CoachProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.coach_profile_update(profile=profile, topics=form.cleaned_data["topics"], **form.profile_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("coaching:profile")
    return render(request, "coaching/profile.html", {"form": form}, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def calendar(request):
    """Upcoming sessions of the person: as a coach, and as a member of organisations with cases."""
    return render(request, "coaching/calendar.html", {"sessions": selectors.sessions_of_person(user=request.user)})
