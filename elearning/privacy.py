"""The e-learning part of a person's personal data (academy.privacy), and what deleting an account does here.

Enrolments, lessons done and quiz attempts stay after an account is deleted, as anonymous learning records (the
statistics count them); the person's learning preferences are deleted. The export lists the answers the person
chose in each attempt, not which answers are correct (that would hand out the quizzes).
"""

from academy.privacy import PersonalData

from .models import Enrolment, LearningPreferences, ProgressSharing, QuizAttempt


def export(*, user) -> list[PersonalData]:
    """Enrolments with lessons done, quiz attempts with the chosen answers, preferences, sharing (five queries)."""
    enrolments = [
        {
            "module": enrolment.module.title,
            "started_at": enrolment.started_at,
            "last_active_at": enrolment.last_active_at,
            "completed_at": enrolment.completed_at,
            "lessons_done": [
                {"lesson": done.lesson.title, "done_at": done.completed_at}
                for done in sorted(enrolment.completions.all(), key=lambda done: done.completed_at)
            ],
        }
        for enrolment in Enrolment.objects.filter(user=user)
        .select_related("module")
        .prefetch_related("completions__lesson")
        .order_by("started_at", "pk")
    ]
    attempts = [
        {
            "lesson": attempt.lesson.title,
            "module": attempt.lesson.module.title,
            "submitted_at": attempt.submitted_at,
            "score_percent": attempt.score,
            "correct": attempt.correct_count,
            "questions": attempt.question_count,
            "passed": attempt.passed,
            "chosen_answers": [answer.text for answer in attempt.chosen_answers.all()],
        }
        for attempt in QuizAttempt.objects.filter(user=user)
        .select_related("lesson__module")
        .prefetch_related("chosen_answers")
        .order_by("submitted_at", "pk")
    ]
    preferences = LearningPreferences.objects.filter(user=user).values("reminders", "changed_at").first()
    sharing = list(
        ProgressSharing.objects.filter(membership__user=user).values("membership__organisation__name", "shares")
    )
    return [
        PersonalData(
            section="learning",
            data={
                "enrolments": enrolments,
                "quiz_attempts": attempts,
                "preferences": preferences,
                "progress_shared_with_organisation": [
                    {"organisation": row["membership__organisation__name"], "shares": row["shares"]} for row in sharing
                ],
            },
        )
    ]


def erase(*, user, keep_certificates: bool, now) -> dict:
    """Learning preferences go; the learning records stay, anonymous."""
    deleted = LearningPreferences.objects.filter(user=user).delete()[0]
    return {"learning_preferences_deleted": deleted}


def register() -> None:
    from academy.privacy import personal_data_erasers, personal_data_providers

    if export not in personal_data_providers:
        personal_data_providers.append(export)
    if erase not in personal_data_erasers:
        personal_data_erasers.append(erase)
