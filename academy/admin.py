from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from .models import ContactMessage, Topic, User

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
