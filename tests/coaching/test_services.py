from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from coaching import selectors, services, tasks
from coaching.models import AvailabilityException, CaseEvent, CoachingCase, SentNotification, Session
from organisations.models import Organisation
from tests.organisations.factories import OrganisationFactory

from .conftest import person, submit_case, tomorrow_at
from .factories import CoachFactory

pytestmark = pytest.mark.django_db

Status = CoachingCase.Status


def test_request_by_admin_is_submitted_with_the_default_budget(case, settings, mailoutbox):
    assert case.status == Status.SUBMITTED
    assert case.budget == settings.COACHING_DEFAULT_BUDGET_SESSIONS
    assert list(CaseEvent.objects.filter(case=case).values_list("status", flat=True)) == ["submitted"]


def test_staff_are_told_of_a_new_request(
    organisation, org_admin, topics, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_case(organisation, org_admin, topics[:1])
    assert len(mailoutbox) == 1
    assert "/admin/coaching/coachingcase/" in mailoutbox[0].body


def test_member_may_not_request(organisation, org_member, topics):
    with pytest.raises(PermissionDenied):
        submit_case(organisation, org_member, topics[:1])


def test_pending_organisation_may_not_request_and_nothing_is_saved(topics):
    admin = person()
    pending = OrganisationFactory(admins=[admin], status=Organisation.Status.PENDING)
    with pytest.raises(ValidationError, match="approved"):
        submit_case(pending, admin, topics[:1])
    assert not CoachingCase.objects.exists()


def test_team_development_needs_participants_and_in_person_a_region(organisation, org_admin, topics):
    with pytest.raises(ValidationError) as error:
        submit_case(organisation, org_admin, topics[:1], kind=CoachingCase.Kind.TEAM)
    assert "participants" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        submit_case(organisation, org_admin, topics[:1], preferred_format="in_person")
    assert "region" in error.value.error_dict
    assert not CoachingCase.objects.exists()


def test_status_flow_to_completion_with_feedback(
    assigned_case, coach, org_admin, staff, django_capture_on_commit_callbacks, mailoutbox
):
    case = assigned_case
    assert case.status == Status.ASSIGNED
    services.case_agree_goals(case=case, by=coach.user, agreed_goals="A funding application by June.")
    case.refresh_from_db()
    assert case.status == Status.ACTIVE
    with django_capture_on_commit_callbacks(execute=True):
        services.case_complete(case=case, by=coach.user, goals_reached="yes", goals_review="Submitted in May.")
    case.refresh_from_db()
    assert case.status == Status.COMPLETED
    assert mailoutbox[-1].to == [org_admin.email]
    services.case_give_feedback(case=case, by=org_admin, rating=5, comment="Very helpful")
    with pytest.raises(ValidationError):
        services.case_give_feedback(case=case, by=org_admin, rating=4, comment="again")
    steps = selectors.case_timeline_steps(case=case, events=selectors.case_timeline(case=case))
    assert [s.status for s in steps] == ["submitted", "in_review", "assigned", "active", "completed"]
    assert [s.done for s in steps] == [True, False, True, True, True]


def test_decline_needs_a_reason_and_is_mailed(case, staff, org_admin, django_capture_on_commit_callbacks, mailoutbox):
    with pytest.raises(ValidationError):
        services.case_decline(case=case, by=staff, reason=" ")
    services.case_start_review(case=case, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_decline(case=case, by=staff, reason="No coach for this language.")
    case.refresh_from_db()
    assert case.status == Status.DECLINED
    assert "No coach for this language." in mailoutbox[-1].body
    steps = selectors.case_timeline_steps(case=case, events=selectors.case_timeline(case=case))
    assert steps[-1].status == "declined" and steps[-1].note == "No coach for this language."


def test_only_staff_assign(case, coach, org_admin):
    with pytest.raises(PermissionDenied):
        services.case_assign(case=case, coach=coach, by=org_admin)


def test_assign_mails_the_organisation_and_the_coach(
    case, coach, staff, org_admin, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=case, coach=coach, by=staff)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([org_admin.email, coach.user.email])


def test_assign_refuses_a_full_coach(organisation, org_admin, topics, staff):
    coach = CoachFactory(max_active_cases=1)
    services.case_assign(case=submit_case(organisation, org_admin, topics[:1]), coach=coach, by=staff)
    with pytest.raises(ValidationError, match="maximum"):
        services.case_assign(case=submit_case(organisation, org_admin, topics[:1]), coach=coach, by=staff)


def test_withdraw_cancels_upcoming_sessions(assigned_case, org_admin):
    session = services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    services.case_withdraw(case=assigned_case, by=org_admin)
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assigned_case.refresh_from_db()
    assert assigned_case.status == Status.WITHDRAWN


# --- scheduling ------------------------------------------------------------------------------------------------


def test_book_a_free_slot_activates_the_case_and_mails_ics(
    assigned_case, org_admin, coach, django_capture_on_commit_callbacks, mailoutbox
):
    start = tomorrow_at(10)
    with django_capture_on_commit_callbacks(execute=True):
        session = services.session_book(case=assigned_case, by=org_admin, start=start)
    assert session.status == Session.Status.CONFIRMED
    assert session.end - session.start == timedelta(minutes=assigned_case.session_minutes)
    assigned_case.refresh_from_db()
    assert assigned_case.status == Status.ACTIVE
    assert sorted(m.to[0] for m in mailoutbox) == sorted([org_admin.email, coach.user.email])
    filename, content, mimetype = mailoutbox[0].attachments[0]
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    assert f"UID:coaching-session-{session.pk}@vamos\r\n" in content
    assert "SEQUENCE:0\r\n" in content


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (lambda: tomorrow_at(10, days=-1), "past"),
        (lambda: tomorrow_at(21), "not available"),
        (lambda: tomorrow_at(19, 30), "not available"),  # would end after the window
    ],
)
def test_bad_times_are_refused_with_a_clear_message(assigned_case, org_admin, start, message):
    with pytest.raises(ValidationError, match=message):
        services.session_book(case=assigned_case, by=org_admin, start=start())
    assert not Session.objects.exists()


def test_blocked_time_is_not_bookable(assigned_case, org_admin, coach):
    AvailabilityException.objects.create(coach=coach, kind="blocked", start=tomorrow_at(9), end=tomorrow_at(13))
    with pytest.raises(ValidationError, match="not available"):
        services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))


def test_overlapping_slot_is_gone(assigned_case, org_admin, organisation, topics, coach, staff):
    services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    other = services.case_assign(case=submit_case(organisation, org_admin, topics[:1]), coach=coach, by=staff)
    with pytest.raises(services.SlotTaken, match="just been taken"):
        services.session_book(case=other, by=org_admin, start=tomorrow_at(11))
    assert Session.objects.count() == 1


def test_budget_is_enforced_until_staff_approve(assigned_case, org_admin, staff):
    services.case_set_budget(case=assigned_case, by=staff, budget=1)
    assigned_case.refresh_from_db()
    services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(9))
    with pytest.raises(ValidationError, match="budget"):
        services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(14))
    assert Session.objects.count() == 1
    services.case_set_budget(case=assigned_case, by=staff, budget=1, beyond_approved=True)
    assigned_case.refresh_from_db()
    services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(14))
    budget = selectors.case_budget(case=assigned_case, sessions=list(assigned_case.sessions.all()))
    assert (budget.used, budget.remaining) == (2, 0)


def test_budget_in_hours(assigned_case, org_admin, staff):
    services.case_set_budget(case=assigned_case, by=staff, budget=2, unit="hours")
    assigned_case.refresh_from_db()
    services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(9))  # 90 minutes
    with pytest.raises(ValidationError, match="budget"):
        services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(14))


def test_coach_proposes_outside_windows_and_organisation_confirms(assigned_case, coach, org_admin, org_member):
    session = services.session_propose(case=assigned_case, by=coach.user, start=tomorrow_at(21), minutes=60)
    assert session.status == Session.Status.PROPOSED
    with pytest.raises(PermissionDenied):
        services.session_confirm(session=session, by=org_member)
    with pytest.raises(PermissionDenied):
        services.session_confirm(session=session, by=coach.user)
    session = services.session_confirm(session=session, by=org_admin)
    assert session.status == Session.Status.CONFIRMED and session.sequence == 1


def test_another_coach_may_not_propose(assigned_case):
    other = CoachFactory()
    with pytest.raises(PermissionDenied):
        services.session_propose(case=assigned_case, by=other.user, start=tomorrow_at(10))


def test_reschedule_by_coach_needs_confirmation_and_sends_new_sequence(
    assigned_case, coach, org_admin, django_capture_on_commit_callbacks, mailoutbox
):
    session = services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    with django_capture_on_commit_callbacks(execute=True):
        session = services.session_reschedule(session=session, by=coach.user, start=tomorrow_at(15))
    assert session.status == Session.Status.PROPOSED
    assert session.start == tomorrow_at(15)
    assert "SEQUENCE:1\r\n" in mailoutbox[-1].attachments[0][1]


def test_organisation_reschedules_only_into_free_time(assigned_case, org_admin):
    session = services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    with pytest.raises(ValidationError, match="not available"):
        services.session_reschedule(session=session, by=org_admin, start=tomorrow_at(22))
    # moving by half an hour overlaps only itself: allowed
    services.session_reschedule(session=session, by=org_admin, start=tomorrow_at(10, 30))


def test_late_cancellation_is_marked_and_counts(
    assigned_case, org_admin, coach, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.COACHING_LATE_CANCELLATION_HOURS = 24
    # proposed by the coach, so that the test does not depend on the hour it runs at
    soon = services.session_propose(
        case=assigned_case, by=coach.user, start=timezone.now().replace(microsecond=0) + timedelta(hours=2)
    )
    later = services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10, days=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=soon, by=coach.user, reason="ill")
    services.session_cancel(session=later, by=org_admin)
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.late_cancellation and not later.late_cancellation
    assert "STATUS:CANCELLED" in mailoutbox[-1].attachments[0][1]
    assert "METHOD:CANCEL" in mailoutbox[-1].attachments[0][1]
    budget = selectors.case_budget(case=assigned_case, sessions=list(assigned_case.sessions.all()))
    assert budget.used == 1


def test_record_session_after_start(assigned_case, org_admin, coach):
    session = services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    with pytest.raises(ValidationError, match="started"):
        services.session_record(
            session=session, by=coach.user, held=True, duration_minutes=90, private_note="", next_steps=""
        )
    Session.objects.filter(pk=session.pk).update(
        start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(minutes=30)
    )
    with pytest.raises(PermissionDenied):
        services.session_record(
            session=session, by=org_admin, held=True, duration_minutes=90, private_note="", next_steps=""
        )
    with pytest.raises(ValidationError):
        services.session_record(
            session=session, by=coach.user, held=True, duration_minutes=None, private_note="", next_steps=""
        )
    session = services.session_record(
        session=session,
        by=coach.user,
        held=True,
        duration_minutes=80,
        private_note="Tension in the board.",
        next_steps="Draft the budget.",
    )
    assert session.held and session.duration_minutes == 80 and session.recorded_at


def test_session_mail_task_is_idempotent(assigned_case, org_admin, mailoutbox):
    session = services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    tasks.notify_session.delay(session.pk, "booked", session.sequence)
    tasks.notify_session.delay(session.pk, "booked", session.sequence)
    assert len(mailoutbox) == 2  # organisation admin and coach, once each
    assert SentNotification.objects.count() == 2
    tasks.notify_session.delay(session.pk, "booked", session.sequence - 1)  # an outdated version: skipped
    assert len(mailoutbox) == 2


def test_free_slots_leave_out_sessions_and_blocked_time(assigned_case, org_admin, coach):
    services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    AvailabilityException.objects.create(coach=coach, kind="blocked", start=tomorrow_at(14), end=tomorrow_at(20))
    day = tomorrow_at(0).astimezone(timezone.get_current_timezone()).date()
    days = selectors.free_slots(coach_id=coach.pk, minutes=90, first_day=day, days=1)
    starts = [start.strftime("%H:%M") for start, _end in days[0].slots]
    assert starts == ["08:00", "08:30", "11:30", "12:00", "12:30"]


def test_suggestions_rank_by_fit(case, topics, staff, organisation, org_admin):
    best = CoachFactory(topics=topics[:1], languages=["de"])
    no_language = CoachFactory(topics=topics[:1], languages=["en"])
    other_topic = CoachFactory(topics=topics[1:2], languages=["de"])
    full = CoachFactory(topics=topics[:1], languages=["de"], max_active_cases=1)
    services.case_assign(case=submit_case(organisation, org_admin, topics[:1]), coach=full, by=staff)
    ranked = [s.coach for s in selectors.coach_suggestions(case=case)]
    assert ranked == [best, no_language, other_topic, full]
