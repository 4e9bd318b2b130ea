"""E-learning nudges: one per started module after 14 idle days, unless switched off, completed or too old."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from academy.models import SentReminder
from academy.reminders import reminders_decide
from academy.tasks import reminder_send, reminders_dispatch
from elearning import reminders
from elearning.models import Enrolment, LearningPreferences

from .factories import ModuleFactory


def _enrol(user, module, *, idle_days: float, **fields) -> Enrolment:
    return Enrolment.objects.create(
        user=user, module=module, last_active_at=timezone.now() - timedelta(days=idle_days), **fields
    )


def _dispatch(capture):
    with capture(execute=True):
        reminders_dispatch()


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.outbox.clear()


@pytest.mark.django_db
def test_idle_learner_gets_one_nudge_per_module(member, module, django_capture_on_commit_callbacks):
    _enrol(member, module, idle_days=settings.ELEARNING_NUDGE_AFTER_DAYS + 1)
    _dispatch(django_capture_on_commit_callbacks)
    _dispatch(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert module.slug in message.body
    assert module.title_en in message.subject  # the learner reads English
    row = SentReminder.objects.get()
    assert (row.kind, row.subject_key, row.status) == (reminders.NUDGE, f"module-{module.pk}", SentReminder.Status.SENT)
    reminder_send(row.pk)  # a duplicated send task
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_nudge_is_once_per_module_even_after_a_second_idle_spell(member, module, django_capture_on_commit_callbacks):
    enrolment = _enrol(member, module, idle_days=15)
    _dispatch(django_capture_on_commit_callbacks)
    # comes back, then is idle again for weeks
    Enrolment.objects.filter(pk=enrolment.pk).update(last_active_at=timezone.now() - timedelta(days=20))
    _dispatch(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_each_started_module_is_nudged_separately(member, module, django_capture_on_commit_callbacks):
    other = ModuleFactory()
    _enrol(member, module, idle_days=15)
    _enrol(member, other, idle_days=20)
    _dispatch(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert set(SentReminder.objects.values_list("subject_key", flat=True)) == {
        f"module-{module.pk}",
        f"module-{other.pk}",
    }


@pytest.mark.django_db
def test_german_learner_is_nudged_in_german(module, django_capture_on_commit_callbacks):
    from .conftest import _person

    learner = _person()
    learner.language = "de"
    learner.save(update_fields=["language"])
    _enrol(learner, module, idle_days=15)
    _dispatch(django_capture_on_commit_callbacks)
    assert module.title_de in mail.outbox[0].subject
    assert module.title_en not in mail.outbox[0].subject


@pytest.mark.django_db
def test_switched_off_gets_no_nudge(member, module, django_capture_on_commit_callbacks):
    LearningPreferences.objects.create(user=member, reminders=False)
    _enrol(member, module, idle_days=15)
    _dispatch(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not SentReminder.objects.exists()


@pytest.mark.django_db
def test_switched_on_explicitly_still_gets_a_nudge(member, module, django_capture_on_commit_callbacks):
    LearningPreferences.objects.create(user=member, reminders=True)
    _enrol(member, module, idle_days=15)
    _dispatch(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_completed_module_gets_no_nudge(member, module, django_capture_on_commit_callbacks):
    _enrol(member, module, idle_days=20, completed_at=timezone.now() - timedelta(days=20))
    _dispatch(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_recently_active_gets_no_nudge(member, module, django_capture_on_commit_callbacks):
    _enrol(member, module, idle_days=settings.ELEARNING_NUDGE_AFTER_DAYS - 1)
    _dispatch(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_unpublished_module_gets_no_nudge(member, django_capture_on_commit_callbacks):
    _enrol(member, ModuleFactory(is_published=False), idle_days=15)
    _dispatch(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_very_old_enrolments_are_left_alone(member, module, django_capture_on_commit_callbacks):
    cut_off = settings.ELEARNING_NUDGE_AFTER_DAYS + reminders.WINDOW.days
    _enrol(member, module, idle_days=cut_off + 1)
    inside = ModuleFactory()
    _enrol(member, inside, idle_days=cut_off - 1)
    _dispatch(django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert SentReminder.objects.get().subject_key == f"module-{inside.pk}"


@pytest.mark.django_db
def test_due_boundaries_with_an_explicit_now(member, module):
    now = timezone.now()
    idle_since = now - timedelta(days=settings.ELEARNING_NUDGE_AFTER_DAYS)
    Enrolment.objects.create(user=member, module=module, last_active_at=idle_since)
    assert reminders.due(now) == [(member.pk, f"module-{module.pk}")]
    assert reminders.due(now - timedelta(seconds=1)) == []  # not yet idle long enough
    assert reminders.due(now + reminders.WINDOW - timedelta(seconds=1)) == [(member.pk, f"module-{module.pk}")]
    assert reminders.due(now + reminders.WINDOW) == []  # idle for longer than the cut-off: left alone


@pytest.mark.django_db
def test_learner_who_came_back_after_the_decision_is_skipped(member, module, django_capture_on_commit_callbacks):
    enrolment = _enrol(member, module, idle_days=15)
    with django_capture_on_commit_callbacks(execute=False):
        assert len(reminders_decide()) == 1
    Enrolment.objects.filter(pk=enrolment.pk).update(last_active_at=timezone.now())
    reminder_send(SentReminder.objects.get().pk)
    assert mail.outbox == []
    assert SentReminder.objects.get().status == SentReminder.Status.SKIPPED


@pytest.mark.django_db
def test_switching_off_after_the_decision_is_respected(member, module, django_capture_on_commit_callbacks):
    _enrol(member, module, idle_days=15)
    with django_capture_on_commit_callbacks(execute=False):
        reminders_dispatch()
    LearningPreferences.objects.create(user=member, reminders=False)
    reminder_send(SentReminder.objects.get().pk)
    assert mail.outbox == []
