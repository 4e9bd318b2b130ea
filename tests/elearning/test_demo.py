import pytest

from academy.models import Topic
from elearning.demo import create_demo
from elearning.models import Material, Module, Question
from elearning.validators import detect_type

pytestmark = pytest.mark.django_db


def test_demo_has_a_module_with_a_quiz_per_topic_and_materials_and_is_idempotent():
    create_demo()
    create_demo()
    for topic in Topic.objects.all():
        modules = Module.objects.filter(topics=topic, is_published=True)
        assert modules.exists(), topic.slug
        assert Question.objects.filter(lesson__module__in=modules).exists(), topic.slug
    assert Module.objects.exclude(title_en=None).exclude(title_en="").count() >= 2
    english = Module.objects.get(language="en")
    assert english.title_en and english.summary_en and english.learning_goals_en
    assert english.title_de == english.title_en  # the German fallback shows the English module as it is
    assert all(lesson.title_en and lesson.text_en for lesson in english.lessons.all())
    questions = Question.objects.filter(lesson__module=english)
    assert questions.exists() and all(q.text_en for q in questions)
    assert all(a.text_en and a.explanation_en for q in questions for a in q.answers.all())
    assert Material.objects.filter(is_public=True).exists() and Material.objects.filter(is_public=False).exists()
    for material in Material.objects.all():
        with material.file.open("rb") as handle:
            assert detect_type(handle) == "pdf"
    count = Module.objects.count(), Material.objects.count()
    create_demo()
    assert (Module.objects.count(), Material.objects.count()) == count
