"""Modules of lessons with quizzes, the learners' progress, and the materials library."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .markdown import render_markdown
from .validators import (
    upload_attachment,
    upload_cover,
    upload_material,
    upload_video,
    validate_document,
    validate_image,
    validate_video,
)


class Level(models.TextChoices):
    BEGINNER = "beginner", _("beginner")
    INTERMEDIATE = "intermediate", _("intermediate")
    ADVANCED = "advanced", _("advanced")


class Module(models.Model):
    """An e-learning module: ordered lessons, some with a quiz. Only published modules are seen by learners."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    topics = models.ManyToManyField("academy.Topic", verbose_name=_("topics"), related_name="modules")
    summary = models.TextField(_("summary"), max_length=1000)
    learning_goals = models.TextField(
        _("learning goals"), blank=True, help_text=_("One goal per line; shown as a list.")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="de")
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=15, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    cover_image = models.ImageField(_("cover image"), upload_to=upload_cover, blank=True, validators=[validate_image])
    cover_alt = models.CharField(_("cover image description"), max_length=200, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("e-learning module")
        verbose_name_plural = _("e-learning modules")
        ordering = ["position", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(estimated_minutes__gte=1), name="elearning_module_minutes_positive")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("elearning:module", args=[self.slug])

    @property
    def goals(self) -> list[str]:
        return [line.strip(" -*•\t") for line in self.learning_goals.splitlines() if line.strip(" -*•\t")]


class Lesson(models.Model):
    """A lesson: Markdown text, optionally a video (our file or an outside link) and a quiz."""

    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text (Markdown)"), blank=True)
    video_file = models.FileField(
        _("video file"),
        upload_to=upload_video,
        blank=True,
        validators=[validate_video],
        help_text=_("MP4 or WebM, played by the browser's own player from our server."),
    )
    video_url = models.URLField(
        _("video link"),
        blank=True,
        help_text=_("A video elsewhere; shown as a plain link that opens outside the portal, never embedded."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (percent)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of questions answered correctly that passes the quiz."),
    )

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["module", "position", "pk"]
        indexes = [models.Index(fields=["module", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(video_file="") | Q(video_url=""), name="elearning_lesson_one_video_source"
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100), name="elearning_lesson_pass_mark_percent"
            ),
        ]

    def __str__(self):
        return f"{self.module} – {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("elearning:lesson", args=[self.module.slug, self.pk])

    @property
    def html(self):
        return render_markdown(self.text)


class LessonAttachment(models.Model):
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=upload_attachment, validators=[validate_document])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")

    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["lesson", "position", "pk"]

    def __str__(self):
        return self.text


class Answer(models.Model):
    """An option of a question. Whether it is correct is never sent to the learner before they submit."""

    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)
    explanation = models.TextField(_("explanation"), blank=True, help_text=_("Shown after the quiz is submitted."))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question", "position", "pk"]

    def __str__(self):
        return self.text


class Enrolment(models.Model):
    """A person's place in a module, from the first start; completed_at is set once every lesson is done."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="enrolments"
    )
    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="enrolments")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_lesson = models.ForeignKey(
        Lesson, verbose_name=_("last lesson opened"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # When the person last opened a lesson or finished one: what the "come back" reminder looks at.
    last_active_at = models.DateTimeField(_("last active"), default=timezone.now)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["user", "module"], name="elearning_enrolment_once")]

    def __str__(self):
        return f"{self.user} – {self.module}"


class LessonCompletion(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="completions"
    )
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(_("done"), auto_now_add=True)

    class Meta:
        verbose_name = _("lesson done")
        verbose_name_plural = _("lessons done")
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="elearning_lesson_done_once")]

    def __str__(self):
        return f"{self.enrolment} – {self.lesson.title}"


class QuizAttempt(models.Model):
    """One submission of a lesson's quiz; every attempt is kept. The token makes a repeated POST harmless."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="attempts")
    token = models.CharField(_("one-time token"), max_length=64)
    chosen_answers = models.ManyToManyField(Answer, verbose_name=_("chosen answers"), related_name="+", blank=True)
    correct_count = models.PositiveSmallIntegerField(_("questions answered correctly"), default=0)
    question_count = models.PositiveSmallIntegerField(_("questions"), default=0)
    score = models.PositiveSmallIntegerField(_("score (percent)"), default=0)
    passed = models.BooleanField(_("passed"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="elearning_attempt_token_once"),
            models.CheckConstraint(condition=Q(score__lte=100), name="elearning_attempt_score_percent"),
        ]
        indexes = [models.Index(fields=["user", "lesson", "passed"])]

    def __str__(self):
        return f"{self.user} – {self.lesson.title} ({self.score} %)"


class ProgressSharing(models.Model):
    """Whether a member shares their learning progress with their organisation.

    Members agreed to share when they joined, so no row means "shares"; a row records a change of mind.
    """

    membership = models.OneToOneField(
        "organisations.Membership",
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="progress_sharing",
    )
    shares = models.BooleanField(_("shares learning progress"), default=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("sharing of learning progress")
        verbose_name_plural = _("sharing of learning progress")

    def __str__(self):
        return f"{self.membership}: {self.shares}"


class Material(models.Model):
    """A downloadable template, checklist or guide. Members-only files are served only through a checked view."""

    class Kind(models.TextChoices):
        TEMPLATE = "template", _("template")
        CHECKLIST = "checklist", _("checklist")
        GUIDE = "guide", _("guide")
        WORKSHEET = "worksheet", _("worksheet")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    topic = models.ForeignKey(
        "academy.Topic", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="materials"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="de")
    file = models.FileField(_("file"), upload_to=upload_material, validators=[validate_document])
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Public materials can be downloaded by everybody, others by members.")
    )
    is_published = models.BooleanField(_("published"), default=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def file_type(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""


class LearningPreferences(models.Model):
    """A person's settings for e-learning (one row per person, created when first changed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="learning_preferences",
    )
    reminders = models.BooleanField(
        _("remind me of modules I started"),
        default=True,
        help_text=_("A mail when you have not continued a module you started for 14 days, once per module."),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("learning preferences")
        verbose_name_plural = _("learning preferences")

    def __str__(self):
        return str(self.user)
