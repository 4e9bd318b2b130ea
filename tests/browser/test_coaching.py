"""End-to-end: an association requests coaching, staff assign a coach in the admin, the coach publishes
availability, the association books a session, the coach records it. axe-core checks every portal page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from academy.models import Topic
from coaching.availability import berlin
from coaching.models import CoachingCase, Session
from organisations.services import consent_record
from tests.browser.test_organisations import log_in, log_out, submit
from tests.coaching.factories import CoachFactory
from tests.factories import PASSWORD, UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.browser


def _topics():
    # The live server's database is flushed between tests; the seeded topics may be gone.
    for position, name in enumerate(["Projektmanagement", "Finanzierung"], start=1):
        Topic.objects.get_or_create(slug=f"e2e-{position}", defaults={"name": name, "position": position})
    return list(Topic.objects.order_by("position")[:2])


def test_request_assign_publish_book_record(portal, mailoutbox):
    page = portal.page
    topics = _topics()
    admin = UserFactory(email="vorstand@verein.example", language="de")
    consent_record(user=admin)
    organisation = OrganisationFactory(name="Afrika Forum Köln e.V.", admins=[admin])
    coach = CoachFactory(topics=topics, user__email="coach@coaching.example", user__first_name="Jonas")
    staff = UserFactory(is_staff=True, is_superuser=True)

    # The association requests coaching.
    log_in(portal, admin.email, PASSWORD)
    portal.visit(f"/organisationen/{organisation.pk}/")
    with page.expect_navigation():
        page.locator(f"main a[href='/coaching/organisation/{organisation.pk}/anfragen/']").first.click()
    portal.check_accessibility()
    page.check("#id_kind_0")
    page.check(f"input[name=topics][value='{topics[1].pk}']")
    page.fill("#id_goals", "Unseren ersten Förderantrag stellen.")
    page.fill("#id_situation", "Alle arbeiten ehrenamtlich.")
    page.check("#id_preferred_format_0")
    submit(portal)
    case = CoachingCase.objects.get()
    assert page.url == portal.url(f"/coaching/organisation/{organisation.pk}/{case.pk}/")
    assert case.status == CoachingCase.Status.SUBMITTED
    log_out(portal)

    # Staff assign the best-fitting coach in the admin, with one click.
    log_in(portal, staff.email, PASSWORD)
    page.goto(portal.url(f"/admin/coaching/coachingcase/{case.pk}/change/"))
    with page.expect_navigation():
        page.locator(f"tr.coach-suggestion[data-coach='{coach.pk}'] button[type=submit]").click()
    case.refresh_from_db()
    assert case.status == CoachingCase.Status.ASSIGNED and case.coach == coach
    portal.console_errors = [e for e in portal.console_errors if "/admin/" not in e]
    assert {coach.user.email, admin.email} <= {m.to[0] for m in mailoutbox}
    log_out(portal)

    # The coach publishes a weekly window for tomorrow's weekday.
    log_in(portal, coach.user.email, PASSWORD)
    portal.visit("/coaching/coach/")
    assert "Afrika Forum Köln e.V." in page.locator("main").inner_text()
    portal.visit("/coaching/coach/verfuegbarkeit/")
    tomorrow = (timezone.now().astimezone(berlin()) + timedelta(days=1)).date()
    page.select_option("#id_weekly-weekday", str(tomorrow.weekday()))
    page.fill("#id_weekly-start_time", "09:00")
    page.fill("#id_weekly-end_time", "17:00")
    submit(portal, "main form:has(#id_weekly-weekday) button[type=submit]")
    assert coach.weekly.count() == 1
    log_out(portal)

    # The association books the first free time.
    log_in(portal, admin.email, PASSWORD)
    portal.visit(f"/coaching/organisation/{organisation.pk}/{case.pk}/")
    with page.expect_navigation():
        page.locator(f"main a[href='/coaching/organisation/{organisation.pk}/{case.pk}/termin/']").click()
    portal.check_accessibility()
    page.locator("main label.btn").first.click()
    submit(portal)
    session = Session.objects.get()
    assert session.status == Session.Status.CONFIRMED
    assert any(m.attachments and m.to == [coach.user.email] for m in mailoutbox)
    log_out(portal)

    # The session took place (time passes) and the coach records it.
    Session.objects.filter(pk=session.pk).update(
        start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(minutes=30)
    )
    log_in(portal, coach.user.email, PASSWORD)
    portal.visit(f"/coaching/coach/{case.pk}/")
    with page.expect_navigation():
        page.locator(f"main a[href='/coaching/coach/sitzung/{session.pk}/erfassen/']").click()
    portal.check_accessibility()
    page.check("#id_held_0")
    page.fill("#id_duration_minutes", "85")
    page.fill("#id_next_steps", "Förderprogramme vergleichen.")
    page.fill("#id_private_note", "Vertraulich: Streit im Vorstand.")
    submit(portal)
    session.refresh_from_db()
    assert session.held and session.duration_minutes == 85
    log_out(portal)

    # The association sees the next steps, never the private note.
    log_in(portal, admin.email, PASSWORD)
    portal.visit(f"/coaching/organisation/{organisation.pk}/{case.pk}/")
    text = page.locator("main").inner_text()
    assert "Förderprogramme vergleichen." in text
    assert "Vertraulich" not in page.content()
    portal.visit("/coaching/coaches/")
    portal.visit("/coaching/kalender/")
    portal.assert_private_and_clean()


def test_coaching_pages_fit_a_phone(phone_portal):
    page = phone_portal.page
    topics = _topics()
    admin = UserFactory(language="de")
    consent_record(user=admin)
    organisation = OrganisationFactory(admins=[admin])
    log_in(phone_portal, admin.email, PASSWORD)
    for path in [f"/coaching/organisation/{organisation.pk}/", f"/coaching/organisation/{organisation.pk}/anfragen/"]:
        phone_portal.visit(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways ({width}px)"
    assert topics
    phone_portal.assert_private_and_clean()


def test_pages_around_a_case_for_coach_and_organisation(portal):
    """The coach's profile, goals, propose, move, cancel and complete pages, and the organisation's session
    cancellation, feedback and withdrawal: each page checked by axe."""
    from coaching import services

    page = portal.page
    topics = _topics()
    admin = UserFactory(language="de")
    consent_record(user=admin)
    organisation = OrganisationFactory(admins=[admin])
    coach = CoachFactory(topics=topics)
    staff = UserFactory(is_staff=True)

    def submit_case(**extra):
        return services.case_submit(
            organisation=organisation,
            by=admin,
            kind=CoachingCase.Kind.COACHING,
            topics=topics[:1],
            goals="Den ersten Förderantrag stellen.",
            situation="Wir arbeiten ehrenamtlich.",
            **extra,
        )

    case = services.case_assign(case=submit_case(), coach=coach, by=staff)
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    upcoming = services.session_propose(case=case, by=coach.user, start=start)
    services.session_confirm(session=upcoming, by=admin)

    log_in(portal, coach.user.email, PASSWORD)
    portal.visit("/coaching/coach/profil/")
    portal.visit(f"/coaching/coach/{case.pk}/")
    page.fill("#id_agreed_goals", "Bis Juni einen Antrag stellen.")
    submit(portal, f"main form[action$='/coach/{case.pk}/ziele/'] button[type=submit]")
    case.refresh_from_db()
    assert case.agreed_goals == "Bis Juni einen Antrag stellen."
    for path in (
        f"/coaching/coach/{case.pk}/vorschlagen/",
        f"/coaching/coach/sitzung/{upcoming.pk}/verschieben/",
        f"/coaching/coach/sitzung/{upcoming.pk}/absagen/",
        f"/coaching/coach/{case.pk}/abschliessen/",
    ):
        portal.visit(path)
    log_out(portal)

    # The organisation's pages: cancelling a session, withdrawing a request, giving feedback.
    log_in(portal, admin.email, PASSWORD)
    portal.visit(f"/coaching/organisation/{organisation.pk}/{case.pk}/sitzung/{upcoming.pk}/absagen/")
    waiting = submit_case()
    portal.visit(f"/coaching/organisation/{organisation.pk}/{waiting.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    submit(portal, "main form[action$='/zurueckziehen/'] button[type=submit]")
    waiting.refresh_from_db()
    assert waiting.status == CoachingCase.Status.WITHDRAWN

    services.session_cancel(session=upcoming, by=admin, reason="")
    services.case_complete(case=case, by=coach.user, goals_reached="yes", goals_review="Antrag ist gestellt.")
    portal.visit(f"/coaching/organisation/{organisation.pk}/{case.pk}/")
    submit(portal, "main form[action$='/feedback/'] button[type=submit]")  # no rating: the errors are shown
    assert page.locator("main .invalid-feedback, main .is-invalid").count()
    page.check("input[name=rating][value='5']")
    submit(portal, "main form[action$='/feedback/'] button[type=submit]")
    case.refresh_from_db()
    assert case.feedback_rating == 5
    # The form without a rating answered 400 on purpose; Chromium logs that as a console error.
    portal.console_errors = [e for e in portal.console_errors if "/feedback/" not in e]
    portal.assert_private_and_clean()
