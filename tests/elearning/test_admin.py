import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academy.models import Topic
from elearning.models import Material
from elearning.pdf import simple_pdf

from .factories import MaterialFactory, quiz_lesson

pytestmark = pytest.mark.django_db


def test_admin_pages_with_nested_inlines_and_preview(client, staff, module):
    client.force_login(staff)
    lesson = module.lessons.order_by("position").last()
    question = lesson.questions.first()
    pages = [
        reverse("admin:elearning_module_changelist"),
        reverse("admin:elearning_module_add"),
        reverse("admin:elearning_module_change", args=[module.pk]),
        reverse("admin:elearning_lesson_change", args=[lesson.pk]),
        reverse("admin:elearning_question_change", args=[question.pk]),
        reverse("admin:elearning_material_changelist"),
        reverse("admin:elearning_material_add"),
        reverse("admin:elearning_enrolment_changelist"),
        reverse("admin:elearning_quizattempt_changelist"),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    module_page = client.get(reverse("admin:elearning_module_change", args=[module.pk])).text
    assert "Preview as a learner" in module_page and module.get_absolute_url() in module_page
    assert 'name="lessons-0-position"' in module_page  # lessons inline, reordered by position
    assert 'name="questions-0-text_de"' in client.get(reverse("admin:elearning_lesson_change", args=[lesson.pk])).text
    assert (
        'name="answers-0-is_correct"' in client.get(reverse("admin:elearning_question_change", args=[question.pk])).text
    )


def test_material_upload_checked_by_content(client, staff):
    client.force_login(staff)
    topic = Topic.objects.first()
    data = {
        "title_de": "Checkliste",
        "title_en": "",
        "description_de": "Kurz",
        "description_en": "",
        "topic": topic.pk,
        "kind": "checklist",
        "language": "de",
        "is_published": "on",
    }
    lying = SimpleUploadedFile("checkliste.pdf", b"MZ\x90\x00 not a pdf at all")
    response = client.post(reverse("admin:elearning_material_add"), {**data, "file": lying})
    assert response.status_code == 200
    assert "not an allowed type" in response.text
    assert 'value="Checkliste"' in response.text  # what was typed is kept
    assert not Material.objects.exists()

    real = SimpleUploadedFile("Checkliste Verein.pdf", simple_pdf("Checkliste", ["x"]))
    response = client.post(reverse("admin:elearning_material_add"), {**data, "file": real})
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.file.name.startswith("elearning/materials/") and material.file.name.endswith(".pdf")
    assert "Checkliste" not in material.file.name  # random name


def test_download_counts_in_the_admin_list(client, staff):
    material = MaterialFactory()
    Material.objects.filter(pk=material.pk).update(download_count=42)
    client.force_login(staff)
    page = client.get(reverse("admin:elearning_material_changelist")).text
    assert "42" in page


def test_members_cannot_reach_the_admin(client, member, organisation):
    client.force_login(member)
    quiz_lesson()
    response = client.get(reverse("admin:elearning_module_changelist"))
    assert response.status_code == 302
