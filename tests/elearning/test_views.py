import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from elearning import services
from elearning.models import Enrolment, LessonAttachment, ProgressSharing, QuizAttempt
from elearning.pdf import simple_pdf
from organisations.models import Membership
from tests.factories import UserFactory

from .factories import (
    LessonFactory,
    MaterialFactory,
    ModuleFactory,
    QuestionFactory,
    quiz_lesson,
    right_choices,
    wrong_choices,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "loner", "stranger", "member", "org_admin", "staff"]


@pytest.fixture
def as_role(client, request, organisation):
    """Logs the client in as the named role (organisation exists, so member and org_admin belong to it)."""

    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


def lessons_of(module):
    return list(module.lessons.order_by("position", "pk"))


def quiz_post(lesson, chosen, token):
    data = {"token": token}
    for question_id, answer_ids in chosen.items():
        data[f"question_{question_id}"] = [str(pk) for pk in answer_ids]
    return data


def _href(*lessons) -> list[str]:
    return [f'href="{reverse("elearning:lesson", args=[lesson.module.slug, lesson.pk])}"' for lesson in lessons]


def test_module_and_lesson_pages_link_every_lesson(client, member, organisation, module):
    third = LessonFactory(module=module, position=3)
    first, second, third = lessons_of(module)
    services.module_start(user=member, module=module)
    client.force_login(member)
    module_page = client.get(reverse("elearning:module", args=[module.slug])).text
    assert all(href in module_page for href in _href(first, second, third))

    lesson_page = client.get(reverse("elearning:lesson", args=[module.slug, second.pk])).text
    previous_link, next_link = _href(first, third)
    assert f'<a {previous_link}><span class="dir-arrow" aria-hidden="true">←</span> Previous lesson' in lesson_page
    assert f"<a {next_link}>Next lesson" in lesson_page
    assert _href(second)[0] not in lesson_page  # the lesson shown is not a link in the list

    module_page = client.get(reverse("elearning:module", args=[module.slug])).text
    assert f'class="btn btn-primary" {_href(second)[0]}>Continue' in module_page  # last opened, not done yet


# --- who may see what --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_and_module_page_are_public(as_role, role, module):
    client = as_role(role)
    assert client.get(reverse("elearning:catalogue")).status_code == 200
    response = client.get(reverse("elearning:module", args=[module.slug]))
    assert response.status_code == 200
    assert ("Start the module" in response.text) is (role in {"stranger", "member", "org_admin", "staff"})


@pytest.mark.parametrize("role", ROLES)
def test_first_lesson_is_a_public_preview_the_rest_for_members(as_role, role, module):
    client = as_role(role)
    first, second = lessons_of(module)
    assert client.get(reverse("elearning:lesson", args=[module.slug, first.pk])).status_code == 200
    response = client.get(reverse("elearning:lesson", args=[module.slug, second.pk]))
    expected = {"anonymous": 302, "loner": 403}.get(role, 200)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


def test_pending_organisations_members_do_not_learn(client, pending_member, module):
    client.force_login(pending_member)
    second = lessons_of(module)[1]
    assert client.get(reverse("elearning:lesson", args=[module.slug, second.pk])).status_code == 403
    assert client.post(reverse("elearning:start", args=[module.slug])).status_code == 403
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_module_is_404_except_for_staff(as_role, role):
    module = ModuleFactory(is_published=False)
    lesson = LessonFactory(module=module)
    client = as_role(role)
    expected = 200 if role == "staff" else 404
    assert client.get(reverse("elearning:module", args=[module.slug])).status_code == expected
    assert client.get(reverse("elearning:lesson", args=[module.slug, lesson.pk])).status_code == expected
    if role == "staff":
        assert "Preview: this module is not published" in client.get(module.get_absolute_url()).text


def test_a_lesson_of_another_module_is_404(client, member, organisation, module):
    client.force_login(member)
    other = LessonFactory()
    assert client.get(reverse("elearning:lesson", args=[module.slug, other.pk])).status_code == 404


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("loner", 403), ("member", 302), ("staff", 302)])
def test_start(as_role, role, expected, module):
    response = as_role(role).post(reverse("elearning:start", args=[module.slug]))
    assert response.status_code == expected
    if role in {"member", "staff"}:
        assert response["Location"] == reverse("elearning:lesson", args=[module.slug, lessons_of(module)[0].pk])
        assert Enrolment.objects.count() == 1


# --- learning ----------------------------------------------------------------------------------------------------


def test_the_page_never_tells_which_answer_is_correct(client, member, organisation, module):
    client.force_login(member)
    quiz = lessons_of(module)[1]
    html = client.get(reverse("elearning:lesson", args=[module.slug, quiz.pk])).text
    for question in quiz.questions.all():
        for answer in question.answers.all():
            assert answer.text in html
            assert answer.explanation not in html  # explanations only after submission
            match = re.search(rf'<input[^>]*value="{answer.pk}"[^>]*>', html)
            assert match, "every option is in the form"
            tag = match.group(0)
            assert "correct" not in tag and "checked" not in tag
    assert "is_correct" not in html and "badge text-bg-success" not in html
    # the options of every question look the same, whether right or wrong
    tags = [re.sub(r'(value|id)="[^"]*"', "", t) for t in re.findall(r'<input[^>]*name="question_[^>]*>', html)]
    assert len({re.sub(r'name="question_\d+"', "", t) for t in tags if "radio" in t}) == 1


def test_fail_then_pass_completes_the_module(client, member, organisation, module):
    client.force_login(member)
    text_lesson, quiz = lessons_of(module)
    client.post(reverse("elearning:start", args=[module.slug]))
    response = client.post(reverse("elearning:lesson_done", args=[module.slug, text_lesson.pk]))
    assert response["Location"] == reverse("elearning:lesson", args=[module.slug, quiz.pk])

    response = client.post(
        reverse("elearning:quiz", args=[module.slug, quiz.pk]), quiz_post(quiz, wrong_choices(quiz), "t1")
    )
    failed = QuizAttempt.objects.get()
    assert response["Location"] == reverse("elearning:attempt", args=[failed.pk])
    page = client.get(response["Location"]).text
    assert "Not passed yet." in page
    assert "Because A." in page  # explanations after submission
    assert Enrolment.objects.get().completed_at is None

    client.post(reverse("elearning:quiz", args=[module.slug, quiz.pk]), quiz_post(quiz, right_choices(quiz), "t2"))
    enrolment = Enrolment.objects.get()
    assert enrolment.completed_at is not None
    assert QuizAttempt.objects.count() == 2
    page = client.get(reverse("elearning:module", args=[module.slug])).text
    assert "2 of 2 lessons done" in page and "Completed on" in page


def test_a_quiz_submitted_twice_gives_one_attempt_and_no_error(client, member, organisation, module):
    client.force_login(member)
    quiz = lessons_of(module)[1]
    url = reverse("elearning:quiz", args=[module.slug, quiz.pk])
    first = client.post(url, quiz_post(quiz, right_choices(quiz), "same"))
    second = client.post(url, quiz_post(quiz, right_choices(quiz), "same"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert QuizAttempt.objects.count() == 1


def test_an_unanswered_quiz_keeps_the_choices_and_says_what_is_missing(client, member, organisation, module):
    client.force_login(member)
    quiz = lessons_of(module)[1]
    single, _multiple = quiz.questions.order_by("position")
    chosen = next(iter(right_choices(quiz)[single.pk]))
    response = client.post(
        reverse("elearning:quiz", args=[module.slug, quiz.pk]),
        {"token": "t", f"question_{single.pk}": [str(chosen)]},
    )
    assert response.status_code == 200
    assert "Please choose at least one answer." in response.text
    assert re.search(rf'<input[^>]*value="{chosen}"[^>]*checked', response.text)
    assert not QuizAttempt.objects.exists()


def test_resume_goes_to_the_lesson_not_done(client, member, organisation, module):
    client.force_login(member)
    text_lesson, quiz = lessons_of(module)
    services.lesson_mark_done(user=member, lesson=text_lesson)
    page = client.get(reverse("elearning:module", args=[module.slug])).text
    assert reverse("elearning:lesson", args=[module.slug, quiz.pk]) in page
    assert "1 of 2 lessons done" in page
    assert '<progress id="progress-module"' in page and 'value="1" max="2"' in page


@pytest.mark.parametrize("role", ["anonymous", "loner", "stranger", "org_admin", "staff"])
def test_another_persons_attempt_is_404(as_role, role, member, organisation, module):
    quiz = lessons_of(module)[1]
    attempt, _ = services.quiz_attempt_submit(user=member, lesson=quiz, token="x", chosen=right_choices(quiz))
    response = as_role(role).get(reverse("elearning:attempt", args=[attempt.pk]))
    assert response.status_code == (302 if role == "anonymous" else 404)


def test_own_attempt(client, member, organisation, module):
    quiz = lessons_of(module)[1]
    attempt, _ = services.quiz_attempt_submit(user=member, lesson=quiz, token="x", chosen=right_choices(quiz))
    client.force_login(member)
    assert client.get(reverse("elearning:attempt", args=[attempt.pk])).status_code == 200


def test_lesson_text_is_sanitised_and_videos_are_never_embedded(client, member, organisation):
    module = ModuleFactory()
    LessonFactory(
        module=module,
        text_en="Hi <script>alert('x')</script><iframe src='https://video.example/embed'></iframe>",
        video_url="https://video.example/watch?v=1",
    )
    client.force_login(member)
    html = client.get(reverse("elearning:lesson", args=[module.slug, module.lessons.get().pk])).text
    assert "<script>alert" not in html and "<iframe" not in html
    assert '<a href="https://video.example/watch?v=1" rel="noopener noreferrer"' in html


def test_an_edited_lesson_shows_its_new_text_at_once(client, member, organisation):
    """The rendered text is kept per process, keyed by the text itself: an edit is never served stale."""
    module = ModuleFactory()
    lesson = LessonFactory(module=module, text_en="**Before** the edit")
    client.force_login(member)
    url = reverse("elearning:lesson", args=[module.slug, lesson.pk])
    assert "<strong>Before</strong> the edit" in client.get(url).text
    lesson.text_en = "**After** the edit"
    lesson.save()
    page = client.get(url).text
    assert "<strong>After</strong> the edit" in page
    assert "Before" not in page


def test_uploaded_video_plays_from_our_server(client, member, organisation):
    module = ModuleFactory()
    lesson = LessonFactory(module=module)
    second = LessonFactory(module=module, position=lesson.position + 1)
    second.video_file.save("clip.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64))
    url = reverse("elearning:video", args=[module.slug, second.pk])
    assert client.get(url).status_code == 302  # members only (not the preview lesson)
    client.force_login(member)
    page = client.get(reverse("elearning:lesson", args=[module.slug, second.pk])).text
    assert f'<video controls preload="metadata" class="w-100 rounded" src="{url}">' in page
    response = client.get(url)
    assert response.status_code == 200 and b"ftyp" in b"".join(response.streaming_content)


# --- materials ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_material_downloads(as_role, role):
    public = MaterialFactory(is_public=True)
    members_only = MaterialFactory(is_public=False)
    client = as_role(role)
    listing = client.get(reverse("elearning:materials")).text
    assert public.title in listing and members_only.title in listing
    assert members_only.file.url not in listing and public.file.url not in listing  # never a media address
    response = client.get(reverse("elearning:material_download", args=[public.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    response = client.get(reverse("elearning:material_download", args=[members_only.pk]))
    expected = {"anonymous": 302, "loner": 403}.get(role, 200)
    assert response.status_code == expected
    members_only.refresh_from_db()
    assert members_only.download_count == (1 if expected == 200 else 0)


def test_material_search_and_filters(client):
    from academy.models import Topic

    topics = list(Topic.objects.order_by("position")[:2])
    budget = MaterialFactory(
        title_de="Vorlage Finanzplan", title_en="Budget template", topic=topics[0], kind="template"
    )
    MaterialFactory(
        title_de="Checkliste Mitgliederversammlung",
        title_en="Checklist",
        topic=topics[1],
        kind="checklist",
        language="en",
    )
    url = reverse("elearning:materials")
    assert "Vorlage Finanzplan" in client.get(url, {"q": "finanz"}).text
    assert "Checkliste Mitgliederversammlung" not in client.get(url, {"q": "finanz"}).text
    assert "Checkliste Mitgliederversammlung" not in client.get(url, {"topic": topics[0].pk}).text
    assert "Vorlage Finanzplan" not in client.get(url, {"kind": "checklist"}).text
    assert "Vorlage Finanzplan" not in client.get(url, {"language": "en"}).text
    assert budget.title_de in client.get(url, {"language": "de", "kind": "template"}).text


@pytest.mark.parametrize("role", ROLES)
def test_attachment_follows_its_lesson(as_role, role, module):
    second = lessons_of(module)[1]
    attachment = LessonAttachment(lesson=second, title_de="Vorlage", title_en="Template")
    attachment.file.save("t.pdf", ContentFile(simple_pdf("T", [])))
    response = as_role(role).get(reverse("elearning:attachment", args=[attachment.pk]))
    assert response.status_code == {"anonymous": 302, "loner": 403}.get(role, 200)


# --- sharing and the organisation's view ---------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [*zip(ROLES, [302, 404, 404, 403, 200, 200], strict=True)])
def test_organisation_progress_permissions(as_role, role, expected, organisation):
    response = as_role(role).get(reverse("elearning:organisation_progress", args=[organisation.pk]))
    assert response.status_code == expected


def test_organisation_sees_only_members_who_share(client, org_admin, member, organisation, module):
    other = UserFactory(first_name="Verena", last_name="Versteckt")
    Membership.objects.create(user=other, organisation=organisation)
    member.first_name, member.last_name = "Teresa", "Teilt"
    member.save()
    services.module_start(user=member, module=module)
    services.module_start(user=other, module=module)
    client.force_login(other)
    membership = Membership.objects.get(user=other)
    page = client.get(reverse("elearning:my_learning")).text
    assert "Nicht mehr teilen" in page
    client.post(reverse("elearning:sharing_set", args=[membership.pk]))
    assert ProgressSharing.objects.get(membership=membership).shares is False
    client.force_login(org_admin)
    page = client.get(reverse("elearning:organisation_progress", args=[organisation.pk])).text
    assert "Teresa Teilt" in page
    assert "Versteckt" not in page
    assert module.title_en in page


def test_sharing_of_someone_else_is_404(client, member, org_admin, organisation):
    client.force_login(member)
    theirs = Membership.objects.get(user=org_admin)
    assert client.post(reverse("elearning:sharing_set", args=[theirs.pk])).status_code == 404
    assert not ProgressSharing.objects.exists()


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("loner", 200), ("member", 200)])
def test_my_learning(as_role, role, expected):
    assert as_role(role).get(reverse("elearning:my_learning")).status_code == expected


def test_organisation_home_shows_the_learning_slot(client, org_admin, member, organisation, module):
    services.module_start(user=member, module=module)
    client.force_login(org_admin)
    page = client.get(reverse("organisations:home", args=[organisation.pk])).text
    assert "Your members started 1 e-learning modules" in page
    assert reverse("elearning:organisation_progress", args=[organisation.pk]) in page
    client.force_login(member)
    page = client.get(reverse("organisations:home", args=[organisation.pk])).text
    assert reverse("elearning:organisation_progress", args=[organisation.pk]) not in page


def test_the_learning_slot_counts_the_modules_of_members_who_share(organisation, member, org_admin):
    """Started and completed modules of the organisation's members who share their progress: a member who stopped
    sharing with this organisation is left out, one who stopped sharing with another organisation is not."""
    from django.utils import timezone

    from elearning.selectors import organisation_progress_summary
    from tests.organisations.factories import OrganisationFactory

    modules = [ModuleFactory() for _ in range(3)]
    withholding, outsider = UserFactory(), UserFactory()
    organisation.memberships.create(user=withholding)
    other = OrganisationFactory(members=[outsider, member, withholding])  # withholding shares with this one
    ProgressSharing.objects.create(membership=organisation.memberships.get(user=withholding), shares=False)
    ProgressSharing.objects.create(membership=other.memberships.get(user=member), shares=False)
    ProgressSharing.objects.create(membership=organisation.memberships.get(user=org_admin), shares=True)
    for person, count in ((member, 3), (org_admin, 1), (withholding, 2), (outsider, 2)):
        for module in modules[:count]:
            services.module_start(user=person, module=module)
    Enrolment.objects.filter(user=member, module=modules[0]).update(completed_at=timezone.now())
    Enrolment.objects.filter(user__in=[withholding, outsider]).update(completed_at=timezone.now())

    assert organisation_progress_summary(organisation=organisation) == {"started": 4, "completed": 1}
    assert organisation_progress_summary(organisation=other) == {"started": 4, "completed": 4}
    assert organisation_progress_summary(organisation=OrganisationFactory()) == {"started": 0, "completed": 0}


def test_development_plan_suggests_modules(organisation):
    from academy.models import Topic
    from elearning.plugins import modules_for_plan

    topic = Topic.objects.first()
    module = ModuleFactory(topics=[topic])
    ModuleFactory(topics=[topic], is_published=False)
    found = modules_for_plan(organisation=organisation, topics=[topic])
    assert [item.url for item in found[topic.pk]] == [module.get_absolute_url()]


# --- query counts: fixed, however many rows -----------------------------------------------------------------------


def _big_module(lessons=8):
    from academy.models import Topic

    module = ModuleFactory(topics=list(Topic.objects.all()[:3]))
    for _ in range(lessons):
        LessonFactory(module=module)
    quiz_lesson(module)
    return module


def test_catalogue_queries(client, member, organisation, django_assert_num_queries):
    from academy.models import Topic

    for _ in range(12):
        _big_module(lessons=2)
    ModuleFactory(topics=list(Topic.objects.all()))
    client.force_login(member)
    # session, user, organisation in the header, topics for the filter, modules, their topics
    with django_assert_num_queries(6):
        response = client.get(reverse("elearning:catalogue"))
    assert response.text.count('class="card h-100"') == 13


def test_module_page_queries(client, member, organisation, django_assert_num_queries):
    module = _big_module()
    for lesson in lessons_of(module)[:5]:
        if not lesson.questions.exists():
            services.lesson_mark_done(user=member, lesson=lesson)
    client.force_login(member)
    # session, user, header organisation (which also says whether the person may learn), module, topics, lessons,
    # enrolment, done lessons
    with django_assert_num_queries(8):
        response = client.get(reverse("elearning:module", args=[module.slug]))
    assert "5 of 9 lessons done" in response.text
    # the next visit: the module, its topics and its lessons come from the cache (elearning.cache)
    with django_assert_num_queries(5):
        response = client.get(reverse("elearning:module", args=[module.slug]))
    assert "5 of 9 lessons done" in response.text


def test_lesson_page_queries(client, member, organisation, django_assert_num_queries):
    module = _big_module()
    quiz = lessons_of(module)[-1]
    for _ in range(3):
        question = QuestionFactory(lesson=quiz, kind="multiple")
        for _ in range(4):
            question.answers.create(text_de="x", text_en="x")
    services.module_start(user=member, module=module)
    services.quiz_attempt_submit(user=member, lesson=quiz, token="a", chosen=wrong_choices(quiz))
    client.force_login(member)
    # session, user, header (which also says whether the person may learn), module, topics, lessons, lesson,
    # enrolment, last lesson update, done lessons, questions, answers, last attempt, attachments
    with django_assert_num_queries(14):
        response = client.get(reverse("elearning:lesson", args=[module.slug, quiz.pk]))
    assert response.text.count('type="checkbox"') == 3 + 3 * 4
    # the next visit: the module, its topics, its lessons and this lesson's text and downloads come from the
    # cache, and the enrolment already names this lesson as the last one opened
    with django_assert_num_queries(8):
        response = client.get(reverse("elearning:lesson", args=[module.slug, quiz.pk]))
    assert response.text.count('type="checkbox"') == 3 + 3 * 4


def test_organisation_progress_queries(client, org_admin, organisation, django_assert_num_queries):
    modules = [_big_module(lessons=2) for _ in range(3)]
    for number in range(10):
        person = UserFactory()
        Membership.objects.create(user=person, organisation=organisation)
        for module in modules[: number % 4]:
            services.module_start(user=person, module=module)
            services.lesson_mark_done(user=person, lesson=lessons_of(module)[0])
        if number == 3:
            services.progress_sharing_set(
                user=person, membership_id=Membership.objects.get(user=person).pk, shares=False
            )
    client.force_login(org_admin)
    # session, user, memberships (access and header), members with their sharing, enrolments with counts
    with django_assert_num_queries(5):
        response = client.get(reverse("elearning:organisation_progress", args=[organisation.pk]))
    # header, admin and member (nothing started), then per sharing person one row per module (at least one);
    # the person who stopped sharing (number 3) is left out
    assert response.text.count("<tr>") == 1 + 2 + (1 + 1 + 2 + 1 + 1 + 2 + 3 + 1 + 1)
    assert "started 10 modules and completed 0." in response.text  # nobody passed the quizzes
