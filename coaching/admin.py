"""Staff triage coaching requests here. The change page of a case shows the coaches ranked by fit
(selectors.coach_suggestions) with one-click assign buttons; they, the review and the decline go through the
same services as everywhere else. Status is read-only: it changes only through those services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from . import selectors, services
from .forms import AdminCoachProfileForm, DeclineForm
from .models import (
    AvailabilityException,
    CaseEvent,
    CoachingCase,
    CoachProfile,
    Session,
    WeeklyAvailability,
)


class WeeklyAvailabilityInline(admin.TabularInline):
    model = WeeklyAvailability
    extra = 0


class AvailabilityExceptionInline(admin.TabularInline):
    model = AvailabilityException
    extra = 0


@admin.register(CoachProfile)
class CoachProfileAdmin(admin.ModelAdmin):
    form = AdminCoachProfileForm
    list_display = ["__str__", "max_active_cases", "offers_online", "offers_in_person", "is_active"]
    list_filter = ["is_active", "offers_online", "offers_in_person", "topics"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    inlines = [WeeklyAvailabilityInline, AvailabilityExceptionInline]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["status", "at", "by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SessionInline(admin.StackedInline):
    """Staff see every session with its private note; changes go through the portal's services."""

    model = Session
    extra = 0
    fields = [
        ("start", "end", "status", "format"),
        ("held", "duration_minutes", "late_cancellation", "cancelled_by"),
        "next_steps",
        "private_note",
    ]
    readonly_fields = [
        "start",
        "end",
        "status",
        "format",
        "held",
        "duration_minutes",
        "late_cancellation",
        "cancelled_by",
        "next_steps",
        "private_note",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CoachingCase)
class CoachingCaseAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_form_template = "coaching/admin/case_change_form.html"
    list_display = [
        "__str__",
        "organisation",
        "kind",
        "status",
        "coach",
        "sessions_held",
        "created_at",
        "feedback_rating",
    ]
    list_filter = ["status", "kind", "preferred_format", "language", "region", "topics"]
    search_fields = ["organisation__name", "goals", "coach__user__last_name", "coach__user__email"]
    list_select_related = ["organisation", "coach__user"]
    date_hierarchy = "created_at"
    inlines = [CaseEventInline, SessionInline]
    readonly_fields = [
        "organisation",
        "requested_by",
        "kind",
        "status",
        "coach",
        "decline_reason",
        "goals",
        "situation",
        "preferred_format",
        "language",
        "region",
        "participants",
        "time_frame",
        "preferred_coach",
        "topic_list",
        "agreed_goals",
        "goals_agreed_at",
        "goals_reached",
        "goals_review",
        "feedback_rating",
        "feedback_comment",
        "feedback_at",
        "created_at",
    ]
    fieldsets = (
        (
            _("Request"),
            {
                "fields": (
                    "organisation",
                    "requested_by",
                    "kind",
                    "topic_list",
                    "goals",
                    "situation",
                    "preferred_format",
                    "language",
                    "region",
                    "participants",
                    "time_frame",
                    "preferred_coach",
                    "created_at",
                )
            },
        ),
        (_("Status"), {"fields": ("status", "coach", "decline_reason")}),
        (
            _("Budget and sessions"),
            {"fields": ("budget", "budget_unit", "beyond_budget_approved", "session_minutes", "meeting_link", "place")},
        ),
        (_("Goals"), {"fields": ("agreed_goals", "goals_agreed_at", "goals_reached", "goals_review")}),
        (_("Feedback"), {"fields": ("feedback_rating", "feedback_comment", "feedback_at")}),
    )

    def has_add_permission(self, request):
        return False  # organisations request coaching in the portal (services.case_submit)

    def get_queryset(self, request):
        held = models.Count("sessions", filter=models.Q(sessions__held=True), distinct=True)
        return super().get_queryset(request).annotate(held_count=held)

    @admin.display(description=_("sessions held"), ordering="held_count")
    def sessions_held(self, case):
        return case.held_count

    @admin.display(description=_("topics"))
    def topic_list(self, obj):
        return ", ".join(topic.name for topic in obj.topics.all())

    def get_urls(self):
        own = [
            path(
                "<int:pk>/assign/<int:coach_pk>/",
                self.admin_site.admin_view(require_POST(self.assign_view)),
                name="coaching_coachingcase_assign",
            ),
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(require_POST(self.review_view)),
                name="coaching_coachingcase_review",
            ),
            path(
                "<int:pk>/decline/",
                self.admin_site.admin_view(self.decline_view),
                name="coaching_coachingcase_decline",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        case = self.get_object(request, object_id)
        if case is not None and case.status in (*CoachingCase.OPEN_STATUSES, CoachingCase.Status.ASSIGNED):
            extra_context["suggestions"] = selectors.coach_suggestions(case=case)
        extra_context["case"] = case
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def _case(self, request, pk) -> CoachingCase:
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(CoachingCase, pk=pk)

    def _back(self, case):
        return redirect(reverse("admin:coaching_coachingcase_change", args=[case.pk]))

    def assign_view(self, request, pk: int, coach_pk: int):
        case = self._case(request, pk)
        coach = get_object_or_404(CoachProfile.objects.select_related("user"), pk=coach_pk)
        try:
            services.case_assign(case=case, coach=coach, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(coach)s is assigned. The organisation and the coach are emailed.") % {"coach": coach.name},
                messages.SUCCESS,
            )
        return self._back(case)

    def review_view(self, request, pk: int):
        case = self._case(request, pk)
        try:
            services.case_start_review(case=case, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        return self._back(case)

    def decline_view(self, request, pk: int):
        case = self._case(request, pk)
        form = DeclineForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.case_decline(case=case, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, _("The request is declined and the organisation told why."))
            return self._back(case)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "case": case,
            "form": form,
            "title": _("Decline the request"),
        }
        return TemplateResponse(request, "coaching/admin/decline.html", context)
