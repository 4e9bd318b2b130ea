"""Queries the e-learning pages need, with their joins, and who may learn."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from academy.models import Topic, User
from academy.prepared import prepared
from academy.translation import translated_columns
from organisations.models import Membership, Organisation

from . import cache as module_cache
from .models import Enrolment, Lesson, LessonCompletion, Material, Module, Question, QuizAttempt

LESSON_TEXT_COLUMNS = translated_columns("text")


def may_learn(*, user, approved_member: bool | None = None) -> bool:
    """Members of approved organisations learn (staff too, to check what they wrote). Cached on the user.

    `approved_member`: whether the person belongs to an approved organisation, where a page knows it without a
    query (organisations.selectors.member_of_an_approved_organisation); else one query."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not hasattr(user, "_elearning_may_learn"):
        if approved_member is not None:
            user._elearning_may_learn = approved_member
        else:
            user._elearning_may_learn = Membership.objects.filter(
                user=user, organisation__status=Organisation.Status.APPROVED
            ).exists()
    return user._elearning_may_learn


def module_catalogue(
    *, topic: Topic | None = None, level: str = "", language: str = "", include_unpublished: bool = False
) -> QuerySet[Module]:
    modules = Module.objects.all() if include_unpublished else Module.objects.filter(is_published=True)
    if topic is not None:
        modules = modules.filter(topics=topic)
    if level:
        modules = modules.filter(level=level)
    if language:
        modules = modules.filter(language=language)
    return (
        modules.annotate(lesson_count=Count("lessons", distinct=True))
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position")))
        .order_by("position", "title")
    )


def module_with_lessons(*, slug: str, user) -> tuple[Module, list[Lesson]]:
    """The module with its topics and its lessons in order (module_lessons), as the module and lesson pages show
    them: kept in elearning.cache as one entry. An unpublished module only for staff (preview); for everybody else
    it does not exist."""
    version, kept = module_cache.get("module", slug)
    if kept is None:
        module = Module.objects.prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position")))
        module = module.filter(slug=slug).first()
        if module is None:
            raise Http404
        kept = (module, module_lessons(module=module))
        module_cache.put(kept, version, "module", slug)
    module, lessons = kept
    if not module.is_published and not (user.is_authenticated and user.is_staff):
        raise Http404
    return module, lessons


def module_lessons(*, module: Module) -> list[Lesson]:
    """The module's lessons in order, with `question_count` and their page's address as `url`: the list, without
    the texts (lesson_for_viewer reads the one shown), which are most of the rows' bytes. The pages read it with
    the module (module_with_lessons: cached, addresses included); after an answer or a finished lesson, it is
    read anew."""
    lessons = list(
        Lesson.objects.filter(module=module)
        .defer(*LESSON_TEXT_COLUMNS)
        .annotate(question_count=Count("questions"))
        .order_by("position", "pk")
    )
    for lesson in lessons:
        lesson.url = reverse("elearning:lesson", args=[module.slug, lesson.pk])
    return lessons


def enrolment_of(*, user, module: Module) -> Enrolment | None:
    """The person's enrolment in the module, or None (a prepared read: the module and lesson pages ask each visit)."""
    if not user.is_authenticated:
        return None
    found = _enrolment(user=user.pk, module=module.pk)
    return found[0] if found else None


@prepared(user=int, module=int)
def _enrolment(*, user: int, module: int) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(user=user, module=module).order_by("pk")[:1]


@dataclass
class ModuleProgress:
    """Where a person stands in a module: done lessons, passed quizzes, and where to go on."""

    lessons: list[Lesson]
    done: set[int] = field(default_factory=set)
    passed: set[int] = field(default_factory=set)
    enrolment: Enrolment | None = None

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def done_count(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.pk in self.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 0

    @property
    def resume_lesson(self) -> Lesson | None:
        """The lesson last opened if it is not done yet, else the first lesson not done."""
        last = self.enrolment.last_lesson_id if self.enrolment else None
        for lesson in self.lessons:
            if lesson.pk == last and lesson.pk not in self.done:
                return lesson
        return next((lesson for lesson in self.lessons if lesson.pk not in self.done), None)


def module_progress(*, module: Module, lessons: list[Lesson], enrolment: Enrolment | None) -> ModuleProgress:
    progress = ModuleProgress(lessons=lessons, enrolment=enrolment)
    if enrolment is not None:
        progress.done = set(LessonCompletion.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))
    return progress


def lesson_for_viewer(*, module: Module, pk: int) -> Lesson:
    """One lesson of the module with its text and, as `downloads`, its attachments (both kept in elearning.cache)."""
    version, lesson = module_cache.get("lesson", module.pk, pk)
    if lesson is None:
        lesson = Lesson.objects.filter(module=module, pk=pk).first()
        if lesson is None:
            raise Http404
        lesson.downloads = list(lesson.attachments.all())
        module_cache.put(lesson, version, "lesson", module.pk, pk)
    lesson.module = module
    return lesson


def lesson_questions(*, lesson: Lesson) -> list[Question]:
    return list(Question.objects.filter(lesson=lesson).prefetch_related("answers").order_by("position", "pk"))


def lesson_last_attempt(*, user, lesson: Lesson) -> QuizAttempt | None:
    if not user.is_authenticated:
        return None
    return QuizAttempt.objects.filter(user=user, lesson=lesson).order_by("-submitted_at", "-pk").first()


def attempt_of(*, user, pk: int) -> QuizAttempt:
    """One of the person's own attempts; anybody else's id (even for staff) is a 404 here."""
    attempt = (
        QuizAttempt.objects.select_related("lesson", "lesson__module")
        .prefetch_related("chosen_answers")
        .filter(user=user, pk=pk)
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def attempts_of(*, user, lesson: Lesson) -> QuerySet[QuizAttempt]:
    return QuizAttempt.objects.filter(user=user, lesson=lesson).order_by("-submitted_at", "-pk")


def enrolments_of(*, user: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(user=user)
        .select_related("module")
        .annotate(
            lesson_count=Count("module__lessons", distinct=True),
            done_count=Count("completions", distinct=True),
        )
        .order_by("completed_at", "-started_at")
    )


def sharing_memberships(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation", "progress_sharing")
        .order_by("organisation__name")
    )


@dataclass
class OrganisationProgress:
    members: list  # [(Membership, [Enrolment, ...]), ...]
    sharing_count: int
    member_count: int
    started: int
    completed: int


def organisation_progress(*, organisation: Organisation) -> OrganisationProgress:
    """Which modules the sharing members started and completed: three queries, however many rows."""
    all_members = list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "progress_sharing")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    sharing = [m for m in all_members if not hasattr(m, "progress_sharing") or m.progress_sharing.shares]
    enrolments = (
        Enrolment.objects.filter(user_id__in=[m.user_id for m in sharing])
        .select_related("module")
        .annotate(
            lesson_count=Count("module__lessons", distinct=True),
            done_count=Count("completions", distinct=True),
        )
        .order_by("module__title", "pk")
    )
    by_user: dict[int, list[Enrolment]] = {m.user_id: [] for m in sharing}
    for enrolment in enrolments:
        by_user[enrolment.user_id].append(enrolment)
    rows = [(m, by_user[m.user_id]) for m in sharing]
    found = [e for _, es in rows for e in es]
    return OrganisationProgress(
        members=rows,
        sharing_count=len(sharing),
        member_count=len(all_members),
        started=len(found),
        completed=sum(1 for e in found if e.completed_at),
    )


def organisation_progress_summary(*, organisation: Organisation) -> dict:
    """Counts for the organisation home: the modules its sharing members started and completed (one prepared
    query)."""
    found = _progress_counts(organisation=organisation.pk)
    started, completed = found[0] if found else (0, 0)
    return {"started": started, "completed": completed}


@prepared(organisation=int)
def _progress_counts(*, organisation: int) -> QuerySet:
    # One filter() call: the membership the sharing is asked of is the one in this organisation (a person in two
    # organisations may share with one and not the other). Grouped by that organisation: one row, or none.
    sharing = Q(user__memberships__progress_sharing__isnull=True) | Q(user__memberships__progress_sharing__shares=True)
    return (
        Enrolment.objects.filter(sharing, user__memberships__organisation=organisation)
        .values("user__memberships__organisation")
        .annotate(started=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
        .values_list("started", "completed")
    )


def materials_search(*, query: str = "", topic: Topic | None = None, kind: str = "", language: str = ""):
    materials = Material.objects.filter(is_published=True).select_related("topic")
    if query:
        materials = materials.filter(
            Q(title_de__icontains=query)
            | Q(title_en__icontains=query)
            | Q(description_de__icontains=query)
            | Q(description_en__icontains=query)
        )
    if topic is not None:
        materials = materials.filter(topic=topic)
    if kind:
        materials = materials.filter(kind=kind)
    if language:
        materials = materials.filter(language=language)
    return materials.order_by("title")


def modules_for_topics(*, topics: list[Topic]) -> dict[int, list[Module]]:
    """Published modules per topic id: one query (for the development plan)."""
    through = Module.topics.through
    rows = (
        through.objects.filter(topic_id__in=[t.pk for t in topics], module__is_published=True)
        .select_related("module")
        .order_by("module__position", "module__title")
    )
    found: dict[int, list[Module]] = {}
    for row in rows:
        found.setdefault(row.topic_id, []).append(row.module)
    return found


def learning_reminders_on(*, user) -> bool:
    """Whether the person gets reminders to come back to a started module (on unless switched off)."""
    from .models import LearningPreferences

    return not LearningPreferences.objects.filter(user=user, reminders=False).exists()
