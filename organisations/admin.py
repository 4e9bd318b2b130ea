from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import DeclineForm
from .models import (
    Assessment,
    AssessmentAnswer,
    AssessmentStatement,
    ConsentRecord,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class IsFederationFilter(admin.SimpleListFilter):
    title = _("parent federation")
    parameter_name = "parent"

    def lookups(self, request, model_admin):
        federations = Organisation.objects.filter(kind__in=Organisation.FEDERATION_KINDS).order_by("name")
        return [("none", _("none")), *((str(f.pk), f.name) for f in federations)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(parent__isnull=True)
        if self.value():
            return queryset.filter(parent_id=self.value())
        return queryset


class WithoutAdminFilter(admin.SimpleListFilter):
    """Organisations whose last admin left (deleted their account): the staff start page links here."""

    title = _("admin")
    parameter_name = "admin"

    def lookups(self, request, model_admin):
        return [("none", _("none left (the last one deleted their account)"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            from .privacy import organisations_without_admin

            return queryset.filter(pk__in=organisations_without_admin().values("pk"))
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "city", "bundesland", "kind", "legal_form", "parent", "members", "status", "created_at"]
    list_filter = ["status", "kind", "bundesland", "topics", IsFederationFilter, "legal_form", WithoutAdminFilter]
    search_fields = [
        "name",
        "normalised_name",
        "city",
        "postcode",
        "public_email",
        "contact_person__email",
        "memberships__user__email",
    ]
    list_select_related = ["parent"]
    autocomplete_fields = ["contact_person", "parent"]
    filter_horizontal = ["topics"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline, InvitationInline]
    actions = ["approve", "decline"]
    readonly_fields = [
        "status",
        "decline_reason",
        "decided_at",
        "decided_by",
        "decision_notified_at",
        "staff_notified_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = (
        (_("Status"), {"fields": ("status", "decline_reason", "decided_at", "decided_by", "staff_notes")}),
        (None, {"fields": ("name", "legal_form", "kind", "parent", "parent_confirmed", "shares_participation")}),
        (_("Address"), {"fields": ("street", "postcode", "city", "bundesland")}),
        (
            _("Profile"),
            {
                "fields": (
                    "founding_year",
                    "member_count",
                    "paid_staff_count",
                    "volunteer_count",
                    "working_languages",
                    "communities",
                    "topics",
                    "description",
                    "logo",
                )
            },
        ),
        (_("Contact"), {"fields": ("contact_person", "website", "public_email", "phone")}),
        (
            _("Record"),
            {
                "classes": ("collapse",),
                "fields": ("created_at", "updated_at", "staff_notified_at", "decision_notified_at"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(account_count=models.Count("memberships", distinct=True))

    @admin.display(description=_("members in the portal"), ordering="account_count")
    def members(self, organisation):
        return organisation.account_count

    @admin.action(description=_("Approve selected organisations (emails the contact person)"))
    def approve(self, request, queryset):
        for organisation in queryset:
            services.organisation_approve(organisation=organisation, by=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d organisation approved.", "%(count)d organisations approved.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Decline selected organisations (asks for a reason, emails the contact person)"))
    def decline(self, request, queryset):
        """An intermediate page asks for the reason; the contact persons receive it by email."""
        form = DeclineForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            try:
                for organisation in queryset:
                    services.organisation_decline(
                        organisation=organisation, by=request.user, reason=form.cleaned_data["reason"]
                    )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            count = queryset.count()
            self.message_user(
                request,
                ngettext("%(count)d organisation declined.", "%(count)d organisations declined.", count)
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "organisations/admin/decline.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Decline organisations"),
                "organisations": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__last_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    readonly_fields = ["token", "sent_at", "accepted_at", "accepted_by", "created_at"]
    autocomplete_fields = ["organisation", "invited_by"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["decided_at", "decided_by", "admins_notified_at", "decision_notified_at"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "version", "accepted_at"]
    list_filter = ["version"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "version", "accepted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AssessmentStatement)
class AssessmentStatementAdmin(TranslationAdmin):
    list_display = ["text", "topic", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["topic", "is_active"]
    search_fields = ["text"]
    list_select_related = ["topic"]


class AssessmentAnswerInline(admin.TabularInline):
    model = AssessmentAnswer
    extra = 0
    fields = ["topic", "statement", "rating"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "completed_at", "completed_by"]
    list_filter = ["completed_at"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation", "completed_by"]
    readonly_fields = ["organisation", "completed_by", "completed_at"]
    inlines = [AssessmentAnswerInline]

    def has_add_permission(self, request):
        return False
