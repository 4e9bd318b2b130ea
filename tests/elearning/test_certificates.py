"""A completed module issues the person's certificate (academy.certificates), once."""

import pytest

from academy.models import Certificate
from elearning import services
from elearning.models import Lesson

from .factories import right_choices

pytestmark = pytest.mark.django_db


def test_completing_a_module_issues_one_certificate(member, organisation, module, django_capture_on_commit_callbacks):
    text_lesson, quiz = Lesson.objects.filter(module=module).order_by("position")
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_mark_done(user=member, lesson=text_lesson)
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.quiz_attempt_submit(user=member, lesson=quiz, token="y", chosen=right_choices(quiz))
        services.quiz_attempt_submit(user=member, lesson=quiz, token="z", chosen=right_choices(quiz))
    certificate = Certificate.objects.get()
    assert certificate.kind == Certificate.Kind.MODULE and certificate.recipient == member
    assert certificate.title == module.title
    assert certificate.organisation_id == organisation.pk
    assert certificate.file
