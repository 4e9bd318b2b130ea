from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from .admin_lists import QuickActionCheckboxMixin
from .models import (
    Certificate,
    ContactMessage,
    DataExport,
    OutboxMessage,
    RetentionRun,
    SentReminder,
    Topic,
    User,
)

admin.site.site_header = _("VAMOs administration")
admin.site.site_title = _("VAMOs")
admin.site.index_title = _("Academy administration")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "first_name",
        "last_name",
        "language",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "language"]
    search_fields = ["email", "display_name", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("display_name", "first_name", "last_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]
    actions = ["anonymise"]

    def get_readonly_fields(self, request, obj=None):
        """Least privilege: VAMOs staff give people roles (groups); only superusers make superusers or grant
        single permissions, so no staff member can raise their own rights."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_delete_permission(self, request, obj=None):
        """Nobody deletes people here: a delete would take their enrolments with it and detach their bookings
        and cases, so the statistics would change. "Anonymise selected accounts" erases the personal data and
        keeps the anonymous records (academy.privacy.user_erase)."""
        return False

    @admin.action(
        description=_(
            "Anonymise selected accounts (as when people delete their account: personal data erased, future "
            "bookings cancelled, certificates revoked)"
        ),
        permissions=["change"],
    )
    def anonymise(self, request, queryset):
        """The same erasure as a person's own account deletion (academy.privacy.user_erase), for requests that
        reach the team by letter or mail."""
        from .privacy import user_erase

        superusers = queryset.filter(is_superuser=True).count()
        done = 0
        for user in queryset.filter(is_superuser=False):
            user_erase(user=user)
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d account anonymised.", "%(count)d accounts anonymised.", done) % {"count": done},
        )
        if superusers:
            self.message_user(
                request,
                ngettext(
                    "%(count)d superuser was left as it is: take the superuser status away first.",
                    "%(count)d superusers were left as they are: take the superuser status away first.",
                    superusers,
                )
                % {"count": superusers},
                level=messages.WARNING,
            )


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ("name_de",)}


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "name", "email", "organisation", "status", "created_at", "notified_at"]
    list_filter = ["status", "language", "created_at"]
    search_fields = ["subject", "name", "email", "organisation", "message"]
    readonly_fields = [
        "name",
        "email",
        "organisation",
        "subject",
        "message",
        "language",
        "user",
        "created_at",
        "notified_at",
    ]
    actions = ["mark_answered"]
    date_hierarchy = "created_at"

    @admin.action(description=_("Mark selected messages as answered"))
    def mark_answered(self, request, queryset):
        updated = queryset.update(status=ContactMessage.Status.ANSWERED)
        self.message_user(
            request,
            ngettext("%(count)d message marked as answered.", "%(count)d messages marked as answered.", updated)
            % {"count": updated},
        )

    def has_add_permission(self, request):
        return False


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """Every reminder decided by academy.reminders: pending, sent, failed (after the last retry) or no longer
    applying. Failed ones can be sent again."""

    list_display = ["kind", "subject_key", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "subject_key"]
    readonly_fields = ["recipient", "subject_key", "kind", "status", "attempts", "last_error", "created_at", "sent_at"]
    list_select_related = ["recipient"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again (failed reminders)"))
    def send_again(self, request, queryset):
        from .reminders import sent_reminder_retry

        count = sent_reminder_retry(sent_reminder_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)s reminder will be sent again.", "%(count)s reminders will be sent again.", count)
            % {"count": count},
        )


class CertificatePdfFilter(admin.SimpleListFilter):
    """ "Failed to generate": valid, still without its PDF a while after issuing (the staff start page links here)."""

    title = _("PDF")
    parameter_name = "pdf"

    def lookups(self, request, model_admin):
        return [("missing", _("failed to generate")), ("made", _("made"))]

    def queryset(self, request, queryset):
        from django.utils import timezone

        from .dashboard import CERTIFICATE_GRACE

        if self.value() == "missing":
            return queryset.filter(revoked_at__isnull=True, file="", issued_at__lt=timezone.now() - CERTIFICATE_GRACE)
        if self.value() == "made":
            return queryset.exclude(file="")
        return queryset


@admin.register(Certificate)
class CertificateAdmin(QuickActionCheckboxMixin, admin.ModelAdmin):
    """Certificates are issued by the services; staff only revoke (with a reason) or have a PDF made again."""

    list_display = ["title", "recipient_name", "organisation_name", "kind", "issued_at", "rendered_at", "revoked_at"]
    list_filter = ["kind", CertificatePdfFilter, ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "title", "recipient_name", "organisation_name", "subject_key"]
    actions = ["render_missing", "render_again"]
    fields = [
        "kind",
        "subject_key",
        "recipient",
        "recipient_name",
        "organisation_name",
        "title",
        "details",
        "language",
        "code",
        "issued_at",
        "rendered_at",
        "revoked_at",
        "revoked_by",
        "revoked_reason",
    ]
    readonly_fields = [name for name in fields if name != "revoked_reason"]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.revoked_at is not None:
            return self.fields
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        from .certificates import certificate_revoke

        if obj.revoked_reason.strip():
            certificate_revoke(certificate=obj, reason=obj.revoked_reason, by=request.user)

    @admin.action(description=_("Make the missing PDFs (valid certificates without one)"))
    def render_missing(self, request, queryset):
        self.render_again(request, queryset.filter(revoked_at__isnull=True, file=""))

    @admin.action(description=_("Make the PDFs again"))
    def render_again(self, request, queryset):
        from .outbox import enqueue
        from .tasks import render_certificate

        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            enqueue(render_certificate, pk)
        self.message_user(
            request,
            ngettext("%(count)d PDF is being made again.", "%(count)d PDFs are being made again.", len(ids))
            % {"count": len(ids)},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the portal writes itself: staff look, nobody edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    """Every run of a retention job (academy.privacy): when, up to which date, what it did, or its error."""

    list_display = ["job", "started_at", "finished_at", "cutoff", "counts", "succeeded"]
    list_filter = ["job"]
    fields = ["job", "started_at", "finished_at", "cutoff", "counts", "error"]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("succeeded"))
    def succeeded(self, obj):
        return obj.succeeded


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    """Who asked for their data and when; the file itself only ever goes to the person."""

    list_display = ["user", "status", "requested_at", "finished_at", "expires_at", "notified_at"]
    list_filter = ["status"]
    fields = ["user", "status", "requested_at", "finished_at", "expires_at", "notified_at", "size"]
    readonly_fields = fields
    list_select_related = ["user"]


class StuckFilter(admin.SimpleListFilter):
    title = _("waiting")
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("yes", _("longer than 5 minutes"))]

    def queryset(self, request, queryset):
        from .dashboard import OUTBOX_GRACE

        if self.value() == "yes":
            return queryset.filter(created_at__lt=timezone.now() - OUTBOX_GRACE)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Background tasks still waiting for the broker (academy.outbox): empty while Redis and the worker run."""

    list_display = ["task", "created_at", "attempts", "last_error"]
    list_filter = [StuckFilter]
    fields = ["task", "args", "kwargs", "created_at", "attempts", "last_error"]
    readonly_fields = fields
