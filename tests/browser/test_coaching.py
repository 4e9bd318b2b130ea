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
