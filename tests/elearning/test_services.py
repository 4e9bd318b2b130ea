import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elearning import services
from elearning.models import Enrolment, LessonCompletion, ProgressSharing, QuizAttempt
from organisations.models import Membership

from .factories import LessonFactory, ModuleFactory, quiz_lesson, right_choices, wrong_choices

pytestmark = pytest.mark.django_db


def lessons_of(module):
    return list(module.lessons.order_by("position", "pk"))


def test_start_enrols_once(member, organisation, module):
    first = services.module_start(user=member, module=module)
    second = services.module_start(user=member, module=module)
    assert first.pk == second.pk
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize("who", ["loner", "pending_member"])
def test_only_members_of_approved_organisations_learn(who, request, module):
    with pytest.raises(PermissionDenied):
        services.module_start(user=request.getfixturevalue(who), module=module)


def test_multiple_choice_needs_exactly_the_right_set(member, organisation):
    lesson = quiz_lesson(kinds=("multiple",))
    question = lesson.questions.get()
    right = {a.pk for a in question.answers.all() if a.is_correct}
    assert len(right) == 2
    one_short = {question.pk: {next(iter(right))}}
    one_too_many = {question.pk: {a.pk for a in question.answers.all()}}
    for chosen, passed in ((one_short, False), (one_too_many, False), ({question.pk: right}, True)):
        attempt, created = services.quiz_attempt_submit(
            user=member, lesson=lesson, token=services.new_attempt_token(), chosen=chosen
        )
        assert created
        assert attempt.passed is passed
        assert attempt.score == (100 if passed else 0)


def test_pass_mark_and_every_attempt_kept(member, organisation):
    lesson = quiz_lesson()
    lesson.pass_mark = 50
    lesson.save()
    _single, multiple = lesson.questions.order_by("position")
    half = right_choices(lesson) | {multiple.pk: wrong_choices(lesson)[multiple.pk]}
    attempt, _ = services.quiz_attempt_submit(user=member, lesson=lesson, token="t1", chosen=half)
    assert (attempt.correct_count, attempt.question_count, attempt.score, attempt.passed) == (1, 2, 50, True)
    services.quiz_attempt_submit(user=member, lesson=lesson, token="t2", chosen=wrong_choices(lesson))
    assert QuizAttempt.objects.filter(user=member, lesson=lesson).count() == 2


def test_same_token_twice_gives_one_attempt(member, organisation):
    lesson = quiz_lesson()
    first, created = services.quiz_attempt_submit(user=member, lesson=lesson, token="tok", chosen=right_choices(lesson))
    again, created_again = services.quiz_attempt_submit(
        user=member, lesson=lesson, token="tok", chosen=wrong_choices(lesson)
    )
    assert created and not created_again
    assert again.pk == first.pk and again.passed
    assert QuizAttempt.objects.count() == 1


def test_bad_answers_are_refused(member, organisation):
    lesson = quiz_lesson()
    other = quiz_lesson()
    single, multiple = lesson.questions.order_by("position")
    foreign = other.questions.first().answers.first().pk
    with pytest.raises(ValidationError):
        services.quiz_attempt_submit(user=member, lesson=lesson, token="a", chosen={single.pk: {foreign}})
    with pytest.raises(ValidationError):  # unanswered question
        services.quiz_attempt_submit(
            user=member, lesson=lesson, token="b", chosen=right_choices(lesson) | {multiple.pk: set()}
        )
    two_for_single = right_choices(lesson) | {single.pk: {a.pk for a in single.answers.all()}}
    with pytest.raises(ValidationError):
        services.quiz_attempt_submit(user=member, lesson=lesson, token="c", chosen=two_for_single)
    assert not QuizAttempt.objects.exists()


def test_module_completed_when_every_lesson_done_and_quiz_passed(member, organisation, module):
    text_lesson, quiz = lessons_of(module)
    services.lesson_mark_done(user=member, lesson=text_lesson)
    enrolment = Enrolment.objects.get()
    assert enrolment.completed_at is None
    with pytest.raises(ValidationError):  # a quiz lesson is done by passing the quiz, not by a click
        services.lesson_mark_done(user=member, lesson=quiz)
    services.quiz_attempt_submit(user=member, lesson=quiz, token="x", chosen=wrong_choices(quiz))
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    services.quiz_attempt_submit(user=member, lesson=quiz, token="y", chosen=right_choices(quiz))
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    completed_at = enrolment.completed_at
    services.quiz_attempt_submit(user=member, lesson=quiz, token="z", chosen=wrong_choices(quiz))
    enrolment.refresh_from_db()
    assert enrolment.completed_at == completed_at  # a later failed attempt takes nothing away


def test_marking_twice_is_harmless(member, organisation, module):
    text_lesson, _quiz = lessons_of(module)
    services.lesson_mark_done(user=member, lesson=text_lesson)
    services.lesson_mark_done(user=member, lesson=text_lesson)
    assert LessonCompletion.objects.count() == 1


def test_a_quiz_added_later_must_be_passed(member, organisation):
    module = ModuleFactory()
    lesson = LessonFactory(module=module)
    services.lesson_mark_done(user=member, lesson=lesson)
    assert Enrolment.objects.get().completed_at is not None
    # completion is kept; a new enrolment in another module with a quiz lesson done by click is not complete
    other = ModuleFactory()
    done = LessonFactory(module=other)
    quiz_lesson(other)
    services.lesson_mark_done(user=member, lesson=done)
    assert Enrolment.objects.get(module=other).completed_at is None


def test_sharing_only_own_memberships(member, org_admin, organisation):
    mine = Membership.objects.get(user=member)
    services.progress_sharing_set(user=member, membership_id=mine.pk, shares=False)
    assert ProgressSharing.objects.get(membership=mine).shares is False
    theirs = Membership.objects.get(user=org_admin)
    with pytest.raises(PermissionDenied):
        services.progress_sharing_set(user=member, membership_id=theirs.pk, shares=False)


def test_download_count(organisation):
    from .factories import MaterialFactory

    material = MaterialFactory()
    services.material_count_download(material=material)
    services.material_count_download(material=material)
    material.refresh_from_db()
    assert material.download_count == 2
