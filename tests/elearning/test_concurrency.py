"""A quiz posted twice at the same moment (two tabs, a double tap on a phone) gives one attempt, no error."""

import threading

import pytest
from django.db import connection

from elearning import services
from elearning.models import QuizAttempt

from .factories import quiz_lesson, right_choices

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_double_submission(postgresql, member, organisation):
    lesson = quiz_lesson()
    chosen = right_choices(lesson)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(services.quiz_attempt_submit(user=member, lesson=lesson, token="same", chosen=chosen))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({attempt.pk for attempt, _created in results}) == 1
    assert sum(created for _attempt, created in results) == 1
    assert QuizAttempt.objects.count() == 1
