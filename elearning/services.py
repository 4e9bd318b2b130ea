"""Everything that changes e-learning state: enrolment, lessons done, quiz attempts, completion, sharing.

Every function is keyword-only, checks who may act, and runs in a transaction. Views and the admin call them.
"""

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.models import User
from organisations.models import Membership

from .models import (
    Enrolment,
    LearningPreferences,
    Lesson,
    LessonCompletion,
    Module,
    ProgressSharing,
    Question,
    QuizAttempt,
)
from .selectors import may_learn


def new_attempt_token() -> str:
    """Put into the quiz form when it is shown; submitting the same form twice yields one attempt."""
    return secrets.token_urlsafe(24)


def _require_learner(*, user: User, module: Module) -> None:
    if not may_learn(user=user):
        raise PermissionDenied(_("Only members of approved organisations can learn in the modules."))
    if not module.is_published and not user.is_staff:
        raise PermissionDenied


def module_start(*, user: User, module: Module) -> Enrolment:
    """Enrols the person (once; a second start returns the same enrolment, even when two requests race)."""
    _require_learner(user=user, module=module)
    enrolment = Enrolment.objects.filter(user=user, module=module).first()
    if enrolment is not None:
        return enrolment
    try:
        with transaction.atomic():
            return Enrolment.objects.create(user=user, module=module)
    except IntegrityError:
        return Enrolment.objects.get(user=user, module=module)


def lesson_open(*, enrolment: Enrolment, lesson: Lesson) -> None:
    """Remembers the lesson the person opened last, so that "Continue" brings them back to it."""
    now = timezone.now()
    # last_active_at feeds the "come back" reminder; an hour's precision spares a write on every page view.
    stale = enrolment.last_active_at is None or enrolment.last_active_at < now - timedelta(hours=1)
    if enrolment.last_lesson_id != lesson.pk or stale:
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_active_at=now)
        enrolment.last_lesson_id = lesson.pk
        enrolment.last_active_at = now


def learning_preferences_set(*, user: User, reminders: bool) -> LearningPreferences:
    """Switches the person's "come back to your module" reminders on or off."""
    preferences, _created = LearningPreferences.objects.update_or_create(user=user, defaults={"reminders": reminders})
    return preferences


def enrolment_update_completion(*, enrolment: Enrolment) -> Enrolment:
    """Sets completed_at once every lesson is done and every quiz passed. Locks the enrolment; never unsets it."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.completed_at is not None:
            return enrolment
        lessons = Lesson.objects.filter(module_id=enrolment.module_id)
        lesson_ids = set(lessons.values_list("pk", flat=True))
        done = set(LessonCompletion.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))
        quiz_lessons = set(
            Question.objects.filter(lesson__module_id=enrolment.module_id).values_list("lesson_id", flat=True)
        )
        passed = set(
            QuizAttempt.objects.filter(user_id=enrolment.user_id, lesson_id__in=quiz_lessons, passed=True).values_list(
                "lesson_id", flat=True
            )
        )
        if lesson_ids and lesson_ids <= done and quiz_lessons <= passed:
            enrolment.completed_at = timezone.now()
            enrolment.save(update_fields=["completed_at"])
            from .certificates import issue_after_completion

            issue_after_completion(enrolment=enrolment)
        return enrolment


def _lesson_done(*, enrolment: Enrolment, lesson: Lesson) -> None:
    try:
        with transaction.atomic():
            LessonCompletion.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    except IntegrityError:  # the same lesson marked twice at once: the other request recorded it
        pass


def lesson_mark_done(*, user: User, lesson: Lesson) -> Enrolment:
    """Marks a lesson without a quiz as done (idempotent); a lesson with a quiz is done when its quiz is passed."""
    module = lesson.module
    enrolment = module_start(user=user, module=module)
    if Question.objects.filter(lesson=lesson).exists():
        raise ValidationError(_("This lesson is done when you pass its quiz."), code="has_quiz")
    _lesson_done(enrolment=enrolment, lesson=lesson)
    return enrolment_update_completion(enrolment=enrolment)


def score_answers(*, questions: list[Question], chosen: dict[int, set[int]]) -> int:
    """How many questions were answered exactly right: the chosen set equals the set of correct answers."""
    correct = 0
    for question in questions:
        right = {answer.pk for answer in question.answers.all() if answer.is_correct}
        if chosen.get(question.pk, set()) == right:
            correct += 1
    return correct


def quiz_attempt_submit(
    *, user: User, lesson: Lesson, token: str, chosen: dict[int, set[int]]
) -> tuple[QuizAttempt, bool]:
    """Scores and keeps one attempt; returns (attempt, created).

    The same token submitted again (a double click, a reload after POST) returns the first attempt and records
    nothing new; the (user, token) unique constraint holds this even when both requests arrive at once.
    `chosen` maps question ids to the ids of the chosen answers; answers of other questions are refused.
    """
    module = lesson.module
    _require_learner(user=user, module=module)
    if not token or len(token) > 64:
        raise ValidationError(_("The quiz form has expired. Please answer again."), code="token")
    existing = QuizAttempt.objects.filter(user=user, token=token).first()
    if existing is not None:
        return existing, False

    questions = list(Question.objects.filter(lesson=lesson).prefetch_related("answers"))
    if not questions:
        raise ValidationError(_("This lesson has no quiz."), code="no_quiz")
    for question in questions:
        options = {answer.pk for answer in question.answers.all()}
        picked = chosen.get(question.pk, set())
        if not picked:
            raise ValidationError(_("Please answer every question."), code="unanswered")
        if not picked <= options or (question.kind == Question.Kind.SINGLE and len(picked) != 1):
            raise ValidationError(_("Please choose among the answers shown."), code="invalid_answer")

    enrolment = module_start(user=user, module=module)
    correct = score_answers(questions=questions, chosen=chosen)
    score = round(100 * correct / len(questions))
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user,
                lesson=lesson,
                token=token,
                correct_count=correct,
                question_count=len(questions),
                score=score,
                passed=score >= lesson.pass_mark,
            )
            attempt.chosen_answers.set([pk for picked in chosen.values() for pk in picked])
    except IntegrityError:
        return QuizAttempt.objects.get(user=user, token=token), False
    if attempt.passed:
        _lesson_done(enrolment=enrolment, lesson=lesson)
        enrolment_update_completion(enrolment=enrolment)
    return attempt, True


def progress_sharing_set(*, user: User, membership_id: int, shares: bool) -> ProgressSharing:
    """A person turns sharing with one of their organisations on or off; only their own memberships."""
    membership = Membership.objects.filter(user=user, pk=membership_id).first()
    if membership is None:
        raise PermissionDenied
    sharing, _created = ProgressSharing.objects.update_or_create(membership=membership, defaults={"shares": shares})
    return sharing


def material_count_download(*, material) -> None:
    """Counts one download in the database (F() expression: concurrent downloads are all counted)."""
    from django.db.models import F

    from .models import Material

    Material.objects.filter(pk=material.pk).update(download_count=F("download_count") + 1)
