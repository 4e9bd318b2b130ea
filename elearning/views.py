"""Thin views of the self-learning platform: check who may look, call a selector or service, render.

Who sees what:
- the catalogue, module pages, the first lesson of a published module and the library's list: everybody;
- other lessons, quizzes, members-only materials: members of approved organisations (and staff);
- unpublished modules: staff only (a preview), 404 for everybody else;
- an attempt: only the person who made it (404 for everybody else);
- an organisation's learning progress: its admins and staff (members 403, others 404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organisations.selectors import member_of_an_approved_organisation, organisation_access

from . import selectors, services
from .forms import CatalogueFilterForm, MaterialFilterForm, QuizForm, SharingForm
from .models import LessonAttachment, Material


def _may_learn(request) -> bool:
    """selectors.may_learn from the memberships the page's header reads anyway: no query of its own."""
    approved_member = member_of_an_approved_organisation(request=request) if request.user.is_authenticated else None
    return selectors.may_learn(user=request.user, approved_member=approved_member)


@require_GET
def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    modules = list(selectors.module_catalogue(**{k: v for k, v in filters.items() if v}))
    return render(request, "elearning/catalogue.html", {"form": form, "modules": modules})


@require_GET
def module_detail(request, slug: str):
    module, lessons = selectors.module_with_lessons(slug=slug, user=request.user)
    enrolment = selectors.enrolment_of(user=request.user, module=module)
    progress = selectors.module_progress(module=module, lessons=lessons, enrolment=enrolment)
    return render(
        request,
        "elearning/module.html",
        {
            "module": module,
            "lessons": lessons,
            "enrolment": enrolment,
            "progress": progress,
            "may_learn": _may_learn(request),
        },
    )


@require_POST
@login_required
def module_start(request, slug: str):
    module, lessons = selectors.module_with_lessons(slug=slug, user=request.user)
    enrolment = services.module_start(user=request.user, module=module)
    progress = selectors.module_progress(module=module, lessons=lessons, enrolment=enrolment)
    target = progress.resume_lesson or (lessons[0] if lessons else None)
    if target is None:
        return redirect(module.get_absolute_url())
    return redirect("elearning:lesson", module.slug, target.pk)


def _lesson_access(request, slug: str, pk: int):
    """The module, its lessons and the lesson, if the viewer may read it (the first lesson is a public preview)."""
    module, lessons = selectors.module_with_lessons(slug=slug, user=request.user)
    lesson = next((item for item in lessons if item.pk == pk), None)
    if lesson is None:
        raise Http404
    lesson.module = module
    is_preview = lesson.pk == lessons[0].pk
    if not _may_learn(request) and not is_preview:
        if not request.user.is_authenticated:
            raise _LoginNeeded
        raise PermissionDenied
    return module, lessons, lesson


class _LoginNeeded(Exception):
    pass


def _lesson_page(request, slug: str, pk: int, *, form=None):
    try:
        module, lessons, lesson = _lesson_access(request, slug, pk)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    full = selectors.lesson_for_viewer(module=module, pk=pk)  # text and video: the list holds titles only
    may_learn = _may_learn(request)
    enrolment = selectors.enrolment_of(user=request.user, module=module) if may_learn else None
    if enrolment is not None:
        services.lesson_open(enrolment=enrolment, lesson=lesson)
    progress = selectors.module_progress(module=module, lessons=lessons, enrolment=enrolment)
    index = lessons.index(lesson)
    questions = selectors.lesson_questions(lesson=lesson) if lesson.question_count else []
    if questions and may_learn and form is None:
        form = QuizForm(initial={"token": services.new_attempt_token()}, questions=questions)
    last_attempt = selectors.lesson_last_attempt(user=request.user, lesson=lesson) if questions else None
    return render(
        request,
        "elearning/lesson.html",
        {
            "module": module,
            "lesson": full,
            "lessons": lessons,
            "position": index + 1,
            "previous": lessons[index - 1] if index else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
            "progress": progress,
            "enrolment": enrolment,
            "may_learn": may_learn,
            "questions": questions,
            "form": form,
            "last_attempt": last_attempt,
            "is_done": lesson.pk in progress.done,
        },
    )


@require_GET
def lesson_detail(request, slug: str, pk: int):
    return _lesson_page(request, slug, pk)


@require_POST
@login_required
def lesson_done(request, slug: str, pk: int):
    module, _lessons, lesson = _lesson_access(request, slug, pk)
    try:
        enrolment = services.lesson_mark_done(user=request.user, lesson=lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("elearning:lesson", module.slug, lesson.pk)
    return _after_progress(request, module=module, enrolment=enrolment)


def _after_progress(request, *, module, enrolment):
    if enrolment.completed_at:
        messages.success(request, _("Congratulations: you have completed this module."))
        return redirect(module.get_absolute_url())
    lessons = selectors.module_lessons(module=module)
    progress = selectors.module_progress(module=module, lessons=lessons, enrolment=enrolment)
    target = progress.resume_lesson
    if target is None:
        return redirect(module.get_absolute_url())
    return redirect("elearning:lesson", module.slug, target.pk)


@require_POST
@login_required
def quiz_submit(request, slug: str, pk: int):
    _module, _lessons, lesson = _lesson_access(request, slug, pk)
    questions = selectors.lesson_questions(lesson=lesson)
    if not questions:
        raise Http404
    form = QuizForm(request.POST, questions=questions)
    if not form.is_valid():
        return _lesson_page(request, slug, pk, form=form)
    try:
        attempt, _created = services.quiz_attempt_submit(
            user=request.user, lesson=lesson, token=form.cleaned_data["token"], chosen=form.chosen()
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _lesson_page(request, slug, pk, form=form)
    return redirect("elearning:attempt", attempt.pk)


@require_GET
@login_required
def attempt_detail(request, pk: int):
    attempt = selectors.attempt_of(user=request.user, pk=pk)
    lesson = attempt.lesson
    module = lesson.module
    questions = selectors.lesson_questions(lesson=lesson)
    chosen = {answer.pk for answer in attempt.chosen_answers.all()}
    lessons = selectors.module_lessons(module=module)
    enrolment = selectors.enrolment_of(user=request.user, module=module)
    progress = selectors.module_progress(module=module, lessons=lessons, enrolment=enrolment)
    index = next((i for i, item in enumerate(lessons) if item.pk == lesson.pk), 0)
    rows = []
    for question in questions:
        answers = list(question.answers.all())
        right = {a.pk for a in answers if a.is_correct}
        picked = {a.pk for a in answers if a.pk in chosen}
        rows.append({"question": question, "answers": answers, "chosen": picked, "correct": picked == right})
    return render(
        request,
        "elearning/attempt.html",
        {
            "attempt": attempt,
            "lesson": lesson,
            "module": module,
            "rows": rows,
            "progress": progress,
            "enrolment": enrolment,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        },
    )


def _serve(file_field, *, as_attachment: bool, filename: str = ""):
    try:
        handle = file_field.storage.open(file_field.name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=as_attachment, filename=filename or file_field.name.rsplit("/", 1)[-1])


@require_GET
def lesson_video(request, slug: str, pk: int):
    try:
        _module, _lessons, lesson = _lesson_access(request, slug, pk)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    full = selectors.lesson_for_viewer(module=_module, pk=lesson.pk)
    if not full.video_file:
        raise Http404
    return _serve(full.video_file, as_attachment=False)


@require_GET
def attachment_download(request, pk: int):
    attachment = get_object_or_404(LessonAttachment.objects.select_related("lesson__module"), pk=pk)
    lesson = attachment.lesson
    try:
        _lesson_access(request, lesson.module.slug, lesson.pk)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    extension = attachment.file.name.rsplit(".", 1)[-1]
    return _serve(attachment.file, as_attachment=True, filename=f"{attachment.title}.{extension}")


@require_GET
def material_list(request):
    form = MaterialFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    materials = list(
        selectors.materials_search(
            query=(filters.get("q") or "").strip(),
            topic=filters.get("topic"),
            kind=filters.get("kind") or "",
            language=filters.get("language") or "",
        )
    )
    return render(
        request,
        "elearning/materials.html",
        {"form": form, "materials": materials, "may_learn": _may_learn(request)},
    )


@require_GET
def material_download(request, pk: int):
    """Counts the download and hands the file out; members-only files never have a public address."""
    material = get_object_or_404(Material, pk=pk, is_published=True)
    if not material.is_public and not _may_learn(request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    services.material_count_download(material=material)
    extension = material.file.name.rsplit(".", 1)[-1]
    return _serve(material.file, as_attachment=True, filename=f"{material.title}.{extension}")


@login_required
def my_learning(request):
    enrolments = list(selectors.enrolments_of(user=request.user))
    memberships = list(selectors.sharing_memberships(user=request.user))
    for membership in memberships:
        membership.shares_progress = getattr(membership, "progress_sharing", None) is None or (
            membership.progress_sharing.shares
        )
    return render(
        request,
        "elearning/my_learning.html",
        {
            "enrolments": enrolments,
            "memberships": memberships,
            "may_learn": _may_learn(request),
            "reminders_on": selectors.learning_reminders_on(user=request.user),
        },
    )


@require_POST
@login_required
def reminders_set(request):
    """The toggle on "My learning": reminders to come back to a started module, on or off."""
    on = request.POST.get("reminders") == "on"
    services.learning_preferences_set(user=request.user, reminders=on)
    if on:
        messages.success(request, _("We will remind you of modules you started."))
    else:
        messages.success(request, _("We will no longer remind you of modules you started."))
    return redirect("elearning:my_learning")


@require_POST
@login_required
def sharing_set(request, membership_id: int):
    form = SharingForm(request.POST)
    form.is_valid()
    try:
        sharing = services.progress_sharing_set(
            user=request.user, membership_id=membership_id, shares=form.cleaned_data.get("shares", False)
        )
    except PermissionDenied as error:
        raise Http404 from error
    if sharing.shares:
        messages.success(request, _("Your organisation can see your learning progress again."))
    else:
        messages.success(request, _("Your organisation no longer sees your learning progress."))
    return redirect("elearning:my_learning")


@require_GET
@login_required
def organisation_progress(request, pk: int):
    access = organisation_access(request=request, pk=pk)
    if not access.can_change:
        raise PermissionDenied
    report = selectors.organisation_progress(organisation=access.organisation)
    return render(
        request,
        "elearning/organisation_progress.html",
        {"organisation": access.organisation, "access": access, "report": report},
    )
