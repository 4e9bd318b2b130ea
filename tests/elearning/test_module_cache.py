"""The module and lesson pages keep a module with its topics, its lessons and their texts and downloads in the
cache (elearning.cache): whatever staff change must show on the next visit, and who may see what is decided
anew."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from academy.models import Topic
from elearning.models import LessonAttachment

from .factories import LessonFactory, ModuleFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def module():
    module = ModuleFactory(title_en="Funding basics", topics=[Topic.objects.first()])
    LessonFactory(module=module, title_en="Where money comes from", text_en="First **text**.")
    LessonFactory(module=module, title_en="Writing the application")
    return module


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_changes_to_a_module_and_its_lessons_show_on_the_next_visit(client, member, organisation, module):
    client.force_login(member)
    url = reverse("elearning:module", args=[module.slug])
    _page(client, url)  # cached from here on

    module.title_en = "Funding, the basics"
    module.save()
    assert "Funding, the basics" in _page(client, url)

    first, second = module.lessons.order_by("position")
    second.title_en = "Writing a good application"
    second.save()
    assert "Writing a good application" in _page(client, url)

    LessonFactory(module=module, title_en="After the decision")
    assert "After the decision" in _page(client, url)

    QuestionFactory(lesson=first)
    assert "with quiz" in _page(client, url)

    topic = module.topics.get()
    topic.name_en = "Money matters"
    topic.save()
    assert "Money matters" in _page(client, url)
    module.topics.add(Topic.objects.exclude(pk=topic.pk).first())
    assert Topic.objects.exclude(pk=topic.pk).first().name_en in _page(client, url)

    second.delete()
    assert "Writing a good application" not in _page(client, url)


def test_a_lessons_new_text_shows_on_the_next_visit(client, member, organisation, module):
    client.force_login(member)
    lesson = module.lessons.order_by("position").first()
    url = reverse("elearning:lesson", args=[module.slug, lesson.pk])
    assert "<strong>text</strong>" in _page(client, url)

    lesson.text_en = "A *new* text."
    lesson.save()

    assert "<em>new</em>" in _page(client, url)


def test_a_lessons_downloads_follow_every_change_on_the_next_visit(client, member, organisation, module):
    client.force_login(member)
    lesson = module.lessons.order_by("position").first()
    url = reverse("elearning:lesson", args=[module.slug, lesson.pk])
    assert "Downloads" not in _page(client, url)  # cached from here on

    attachment = LessonAttachment(lesson=lesson, title_en="Budget template")
    attachment.file.save("budget.pdf", ContentFile(b"%PDF-1.4"))
    page = _page(client, url)
    assert "Downloads" in page
    assert f'href="{reverse("elearning:attachment", args=[attachment.pk])}">Budget template<' in page

    attachment.title_en = "Budget template 2027"
    attachment.save()
    assert "Budget template 2027" in _page(client, url)

    attachment.delete()
    assert "Downloads" not in _page(client, url)


def test_an_unpublished_module_is_hidden_again_at_once(client, member, organisation, module, staff):
    client.force_login(member)
    url = reverse("elearning:module", args=[module.slug])
    _page(client, url)

    module.is_published = False
    module.save()

    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert "Preview: this module is not published." in _page(client, url)
