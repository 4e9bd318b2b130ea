"""Staff author modules in the admin: Module → Lesson inline; Lesson → Question inline; Question → Answer inline.

Uploads are checked by the models' validators (content and size), so the admin forms refuse wrong files with
a message beside the field and keep everything else that was typed.
"""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from academy.admin_lists import QuickActionCheckboxMixin

from .models import (
    Answer,
    Enrolment,
    Lesson,
    LessonAttachment,
    Material,
    Module,
    ProgressSharing,
    Question,
    QuizAttempt,
)


def _preview_link(url: str):
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Preview as a learner"))


class LessonInline(TranslationTabularInline):
    model = Lesson
    fields = ["position", "title"]
    extra = 0
    show_change_link = True
    ordering = ["position", "pk"]


@admin.register(Module)
class ModuleAdmin(TranslationAdmin):
    list_display = ["title", "level", "language", "estimated_minutes", "lessons", "is_published", "position", "preview"]
    list_editable = ["is_published", "position"]
    list_filter = ["is_published", "level", "language", "topics"]
    search_fields = ["title_de", "title_en", "summary_de"]
    prepopulated_fields = {"slug": ["title_de"]}
    filter_horizontal = ["topics"]
    inlines = [LessonInline]
    readonly_fields = ["preview"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lesson_count=models.Count("lessons", distinct=True))

    @admin.display(description=_("lessons"), ordering="lesson_count")
    def lessons(self, obj):
        return obj.lesson_count

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return _preview_link(obj.get_absolute_url()) if obj.pk else "–"


class QuestionInline(TranslationTabularInline):
    model = Question
    fields = ["position", "text", "kind"]
    extra = 0
    show_change_link = True


class AttachmentInline(TranslationTabularInline):
    model = LessonAttachment
    fields = ["position", "title", "file"]
    extra = 0


@admin.register(Lesson)
class LessonAdmin(TranslationAdmin):
    list_display = ["title", "module", "position", "questions", "preview"]
    list_filter = ["module"]
    search_fields = ["title_de", "title_en", "module__title_de"]
    list_select_related = ["module"]
    inlines = [QuestionInline, AttachmentInline]
    readonly_fields = ["preview"]
    fields = ["module", "position", "title", "text", "video_file", "video_url", "pass_mark", "preview"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=models.Count("questions", distinct=True))

    @admin.display(description=_("questions"), ordering="question_count")
    def questions(self, obj):
        return obj.question_count

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return _preview_link(obj.get_absolute_url()) if obj.pk else "–"


class AnswerInline(TranslationStackedInline):
    model = Answer
    fields = ["position", "text", "is_correct", "explanation"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(TranslationAdmin):
    list_display = ["text", "lesson", "kind", "position"]
    list_filter = ["kind", "lesson__module"]
    list_select_related = ["lesson", "lesson__module"]
    search_fields = ["text_de", "text_en"]
    inlines = [AnswerInline]


@admin.register(Material)
class MaterialAdmin(TranslationAdmin):
    list_display = ["title", "topic", "kind", "language", "is_public", "is_published", "download_count"]
    list_filter = ["topic", "kind", "language", "is_public", "is_published"]
    search_fields = ["title_de", "title_en", "description_de"]
    list_select_related = ["topic"]
    readonly_fields = ["download_count", "created_at"]


@admin.register(Enrolment)
class EnrolmentAdmin(QuickActionCheckboxMixin, admin.ModelAdmin):
    list_display = ["user", "module", "started_at", "completed_at"]
    list_filter = ["module", "completed_at"]
    search_fields = ["user__email", "module__title_de"]
    list_select_related = ["user", "module"]
    raw_id_fields = ["user", "last_lesson"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "score", "passed", "submitted_at"]
    list_filter = ["passed"]
    search_fields = ["user__email"]
    list_select_related = ["user", "lesson", "lesson__module"]
    readonly_fields = ["user", "lesson", "token", "correct_count", "question_count", "score", "passed", "submitted_at"]
    exclude = ["chosen_answers"]

    def has_add_permission(self, request):
        return False


@admin.register(ProgressSharing)
class ProgressSharingAdmin(admin.ModelAdmin):
    list_display = ["membership", "shares", "changed_at"]
    list_select_related = ["membership__user", "membership__organisation"]
    readonly_fields = ["membership", "shares", "changed_at"]

    def has_add_permission(self, request):
        return False
