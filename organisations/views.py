"""Thin views: check who may look, parse input, call a service, render.

Every view that takes an organisation's id goes through selectors.organisation_access, which answers 404 to
anybody who is neither a member nor staff; changes need the admin role (403 for members).
"""

import copy
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .forms import (
    AssessmentForm,
    ConsentForm,
    HandOverForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationForm,
    RegistrationForm,
    RoleForm,
    SearchForm,
    SwitchForm,
)
from .models import Invitation, JoinRequest, Membership, Organisation, privacy_notice_version
from .participation import club_participation
from .plan import development_plan
from .slots import home_slots


def consent_required(view):
    """Logged-in people who have not accepted the current privacy notice are asked first."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        # The session remembers an accepted notice (services.consent_remember): from the login on, or after
        # the first check here, which then costs a query once per session.
        if not services.consent_remembered(session=request.session):
            if not services.consent_is_current(user=request.user):
                return redirect(f"{reverse('organisations:consent')}?{urlencode({'next': request.get_full_path()})}")
            services.consent_remember(session=request.session)
        return view(request, *args, **kwargs)

    return wrapper


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def consent(request):
    next_url = request.GET.get("next") or request.POST.get("next") or reverse("organisations:start")
    # Only a path on this site: `redirect()` would take a bare word like "home" for a view name (a 500).
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = reverse("organisations:start")
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_record(user=request.user)
        services.consent_remember(session=request.session)
        return redirect(next_url)
    return render(
        request,
        "organisations/consent.html",
        {"form": form, "next": next_url, "version": privacy_notice_version()},
    )


@require_GET
@login_required
def start(request):
    """Where a person lands: their organisation's home, or the choice to register one or join one."""
    current = selectors.current_organisation(request=request)
    if current is not None and "choose" not in request.GET:
        return redirect("organisations:home", pk=current.pk)
    return render(
        request,
        "organisations/start.html",
        {
            "invitations": selectors.invitations_for(user=request.user),
            "join_requests": selectors.join_requests_of(user=request.user),
            "search_form": SearchForm(),
        },
    )


@login_required
def register(request):
    """Registers a new organisation. A duplicate shows the registered one and offers a join request instead."""
    duplicate = None
    if request.method == "POST":
        form = RegistrationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                organisation = services.organisation_register(
                    creator=request.user, topics=form.cleaned_data["topics"], **form.profile_data()
                )
            except services.DuplicateOrganisation as error:
                duplicate = error.match
            except ValidationError as error:
                _add_errors(form, error)
            else:
                services.current_organisation_set(session=request.session, user=request.user, organisation=organisation)
                messages.success(
                    request,
                    _("Thank you! Your organisation is registered. The VAMOs team will check and approve it soon."),
                )
                return redirect("organisations:home", pk=organisation.pk)
    else:
        form = RegistrationForm()
    return render(
        request,
        "organisations/register.html",
        {"form": form, "duplicate": duplicate, "join_form": JoinRequestForm()},
        status=200,
    )


@require_GET
@login_required
def search(request):
    form = SearchForm(request.GET or None)
    results = selectors.organisation_search(query=form.cleaned_data["q"]) if form.is_valid() else []
    return render(request, "organisations/search.html", {"form": form, "results": results})


@consent_required
def join(request, pk: int):
    """Asks to join an organisation. Anybody signed in may ask; only its name and city are shown."""
    organisation = get_object_or_404(Organisation.objects.exclude(status=Organisation.Status.DECLINED), pk=pk)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                user=request.user, organisation=organisation, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your request has been sent. An admin of the organisation will answer it."))
            return redirect("organisations:start")
    return render(request, "organisations/join.html", {"organisation": organisation, "form": form})


@require_GET
@consent_required
def home(request, pk: int):
    """ "Unser Verband": the organisation's own start page."""
    access = selectors.organisation_access(request=request, pk=pk)
    organisation = access.organisation
    facts = selectors.organisation_home_facts(organisation=organisation)
    context = {
        "access": access,
        "organisation": organisation,
        "completeness": organisation.profile_completeness(facts.has_topics),
        "missing": organisation.profile_missing(facts.has_topics),
        "members": list(selectors.organisation_members(organisation=organisation)),
        "memberships": request._memberships,
        "latest_assessment": facts.latest_check,
        "slots": [slot for slot in (s(request=request, organisation=organisation) for s in home_slots) if slot],
    }
    if access.can_change and facts.has_open_invitations:
        context["invitations"] = selectors.organisation_open_invitations(organisation=organisation)
    if access.can_change and facts.has_open_join_requests:
        context["join_requests"] = selectors.organisation_open_join_requests(organisation=organisation)
    return render(request, "organisations/home.html", context)


@consent_required
def edit(request, pk: int):
    access = selectors.organisation_access(request=request, pk=pk)
    if not access.can_change:
        raise PermissionDenied
    organisation = access.organisation
    if request.method == "POST":
        # The form works on a copy, so that the page's heading keeps the saved name while input is wrong.
        form = OrganisationForm(request.POST, request.FILES, instance=copy.copy(organisation))
        if form.is_valid():
            try:
                services.organisation_update(
                    organisation=form.instance,
                    by=request.user,
                    topics=form.cleaned_data["topics"],
                    **form.profile_data(),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The profile has been saved."))
                return redirect("organisations:home", pk=organisation.pk)
    else:
        form = OrganisationForm(instance=organisation)
    return render(request, "organisations/edit.html", {"form": form, "organisation": organisation})


def _team_context(request, access, **forms):
    organisation = access.organisation
    context = {
        "access": access,
        "organisation": organisation,
        "members": list(selectors.organisation_members(organisation=organisation)),
        "role_choices": Membership.Role.choices,
    }
    if access.can_change:
        context.update(
            invitations=list(selectors.organisation_open_invitations(organisation=organisation)),
            join_requests=list(selectors.organisation_open_join_requests(organisation=organisation)),
            invitation_form=forms.get("invitation_form") or InvitationForm(),
        )
        if access.membership is not None and access.membership.is_admin:
            context["hand_over_form"] = forms.get("hand_over_form") or HandOverForm(
                organisation=organisation, user=request.user
            )
    return context


@require_GET
@consent_required
def team(request, pk: int):
    access = selectors.organisation_access(request=request, pk=pk)
    return render(request, "organisations/team.html", _team_context(request, access))


def _admin_access(request, pk: int):
    access = selectors.organisation_access(request=request, pk=pk)
    if not access.can_change:
        raise PermissionDenied
    return access


@require_POST
@consent_required
def invite(request, pk: int):
    access = _admin_access(request, pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                organisation=access.organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The invitation has been sent to %(email)s.") % form.cleaned_data)
            return redirect("organisations:team", pk=pk)
    return render(request, "organisations/team.html", _team_context(request, access, invitation_form=form))


@require_POST
@consent_required
def revoke_invitation(request, pk: int, invitation_id: int):
    access = _admin_access(request, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=access.organisation)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("The invitation has been withdrawn."))
    return redirect("organisations:team", pk=pk)


@require_POST
@consent_required
def change_role(request, pk: int, membership_id: int):
    access = _admin_access(request, pk)
    membership = get_object_or_404(Membership, pk=membership_id, organisation=access.organisation)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a role."))
        return redirect("organisations:team", pk=pk)
    try:
        services.membership_set_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The role has been changed."))
    return redirect("organisations:team", pk=pk)


@require_POST
@consent_required
def remove_member(request, pk: int, membership_id: int):
    """An admin removes a member; any member may remove themselves (leave)."""
    access = selectors.organisation_access(request=request, pk=pk)
    membership = get_object_or_404(Membership, pk=membership_id, organisation=access.organisation)
    leaving = membership.user_id == request.user.pk
    if not leaving and not access.can_change:
        raise PermissionDenied
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("organisations:team", pk=pk)
    if leaving:
        messages.success(request, _("You have left the organisation."))
        return redirect("organisations:start")
    messages.success(request, _("The member has been removed."))
    return redirect("organisations:team", pk=pk)


@require_POST
@consent_required
def hand_over(request, pk: int):
    access = selectors.organisation_access(request=request, pk=pk)
    if access.membership is None or not access.membership.is_admin:
        raise PermissionDenied
    form = HandOverForm(request.POST, organisation=access.organisation, user=request.user)
    if form.is_valid():
        try:
            services.organisation_hand_over(
                organisation=access.organisation, from_user=request.user, to_user=form.cleaned_data["to_user"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now admin and contact person. Thank you for your work!")
                % {"name": form.cleaned_data["to_user"].get_full_name()},
            )
            return redirect("organisations:team", pk=pk)
    access = selectors.organisation_access(request=request, pk=pk)
    return render(request, "organisations/team.html", _team_context(request, access, hand_over_form=form))


@require_POST
@consent_required
def decide_join_request(request, pk: int, request_id: int, decision: str):
    access = _admin_access(request, pk)
    join_request = get_object_or_404(JoinRequest, pk=request_id, organisation=access.organisation)
    try:
        if decision == "accept":
            services.join_request_accept(join_request=join_request, by=request.user)
            messages.success(request, _("%(name)s is now a member.") % {"name": join_request.user.get_full_name()})
        elif decision == "decline":
            services.join_request_decline(join_request=join_request, by=request.user)
            messages.success(request, _("The request has been declined."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("organisations:team", pk=pk)


def invitation(request, token: str):
    """The page the invitation link opens. Signing in (or up) comes first; then one click accepts."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(token=token).first()
    problem = services.invitation_problem(invitation)
    if request.method == "POST" and request.user.is_authenticated and problem is None:
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                membership = services.invitation_accept(token=token, user=request.user)
            except ValidationError as error:
                problem = _error_text(error)
            else:
                services.current_organisation_set(
                    session=request.session, user=request.user, organisation=membership.organisation
                )
                messages.success(
                    request, _("Welcome! You are now a member of %(name)s.") % {"name": membership.organisation.name}
                )
                return redirect("organisations:home", pk=membership.organisation_id)
    else:
        form = ConsentForm()
    return render(
        request,
        "organisations/invitation.html",
        {"invitation": invitation if problem is None else None, "problem": problem, "form": form},
        status=200 if problem is None else 410,
    )


@require_POST
@login_required
def switch(request):
    form = SwitchForm(request.POST)
    if not form.is_valid():
        raise Http404
    organisation = get_object_or_404(Organisation, pk=form.cleaned_data["organisation"], memberships__user=request.user)
    services.current_organisation_set(session=request.session, user=request.user, organisation=organisation)
    return redirect("organisations:home", pk=organisation.pk)


@require_GET
@consent_required
def federation(request, pk: int):
    """A federation's member clubs: confirmed ones for everybody in it, requests to confirm for its admins."""
    access = selectors.organisation_access(request=request, pk=pk)
    if not access.organisation.is_federation:
        raise Http404
    context = {
        "access": access,
        "organisation": access.organisation,
        "clubs": list(selectors.organisation_member_clubs(federation=access.organisation)),
    }
    if access.can_change:
        context["unconfirmed"] = list(
            selectors.organisation_member_clubs(federation=access.organisation, confirmed=False)
        )
        # Only the federation's admins see what the clubs that agreed to share take part in.
        participation = club_participation(clubs=context["clubs"])
        for club in context["clubs"]:
            club.participation = participation.get(club.pk)
    return render(request, "organisations/federation.html", context)


@require_POST
@consent_required
def confirm_club(request, pk: int, club_id: int):
    access = _admin_access(request, pk)
    club = get_object_or_404(Organisation, pk=club_id, parent=access.organisation)
    services.organisation_confirm_member_club(federation=access.organisation, club=club, by=request.user)
    messages.success(request, _("%(name)s is now listed as your member club.") % {"name": club.name})
    return redirect("organisations:federation", pk=pk)


@require_GET
@consent_required
def check_overview(request, pk: int):
    """The Organisationscheck: earlier results by date, and (for admins) a new round."""
    access = selectors.organisation_access(request=request, pk=pk)
    return render(
        request,
        "organisations/check_overview.html",
        {
            "access": access,
            "organisation": access.organisation,
            "assessments": list(selectors.assessment_list(organisation=access.organisation)),
        },
    )


@consent_required
def check_fill(request, pk: int):
    access = _admin_access(request, pk)
    form = AssessmentForm(request.POST or None, statements=selectors.assessment_statements())
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_submit(
                organisation=access.organisation, by=request.user, ratings=form.ratings()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you! Here is your result and your development plan."))
            return redirect("organisations:check_result", pk=pk, assessment_id=assessment.pk)
    return render(
        request,
        "organisations/check_fill.html",
        {"access": access, "organisation": access.organisation, "form": form},
    )


CHART_WIDTH = 400
CHART_BAR_MAX = 340
CHART_ROW = 58


def _chart_rows(scores):
    """Coordinates for the server-rendered SVG bar chart (no script, no inline style)."""
    rows = []
    for index, score in enumerate(scores):
        top = index * CHART_ROW
        rows.append(
            {
                "score": score,
                "label_y": top + 16,
                "bar_y": top + 24,
                "bar_width": max(2, round(score.percent * CHART_BAR_MAX / 100)),
                "previous_y": top + 46,
                "previous_width": None
                if score.previous_percent is None
                else max(2, round(score.previous_percent * CHART_BAR_MAX / 100)),
                "value_x": CHART_BAR_MAX + 8,
            }
        )
    return {"rows": rows, "width": CHART_WIDTH, "height": max(CHART_ROW * len(scores), CHART_ROW)}


@require_GET
@consent_required
def check_result(request, pk: int, assessment_id: int):
    access = selectors.organisation_access(request=request, pk=pk)
    assessment = get_object_or_404(selectors.assessment_list(organisation=access.organisation), pk=assessment_id)
    previous = selectors.assessment_previous(assessment=assessment)
    scores = selectors.assessment_scores(assessment=assessment, previous=previous)
    return render(
        request,
        "organisations/check_result.html",
        {
            "access": access,
            "organisation": access.organisation,
            "assessment": assessment,
            "previous": previous,
            "scores": scores,
            "chart": _chart_rows(scores),
            "plan": development_plan(organisation=access.organisation, scores=scores),
        },
    )
