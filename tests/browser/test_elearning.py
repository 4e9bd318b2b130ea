"""End-to-end: a member starts a module, reads a lesson, fails and then passes a quiz (keyboard only) and completes
the module; axe-core checks every page (tests/browser/conftest.Portal). The pages also fit a phone."""

import pytest

from elearning.models import Enrolment, QuizAttempt
from organisations.services import consent_record
from tests.elearning.factories import LessonFactory, MaterialFactory, ModuleFactory, quiz_lesson
from tests.factories import PASSWORD, UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.browser


def submit(tab, selector):
    with tab.page.expect_navigation():
        tab.page.locator(selector).first.click()
    tab.check_accessibility()


def log_in(tab, email):
    tab.visit("/konto/login/")
    tab.page.fill("#id_login", email)
    tab.page.fill("#id_password", PASSWORD)
    submit(tab, "main form button[type=submit]")


def set_up():
    member = UserFactory(language="en")
    consent_record(user=member)
    OrganisationFactory(members=[member])
    module = ModuleFactory(title_en="Applying for funding", slug="foerdermittel", estimated_minutes=20)
    LessonFactory(module=module, position=1, title_en="Finding the programme", text_en="Read the **guidelines**.")
    quiz = quiz_lesson(module)
    quiz.title_en = "Application and budget"
    quiz.save()
    return member, module, quiz


def test_member_learns_a_module(portal):
    member, module, _quiz = set_up()
    page = portal.page
    log_in(portal, member.email)

    portal.visit("/lernen/")
    with page.expect_navigation():
        page.get_by_role("link", name="Applying for funding").click()
    portal.check_accessibility()
    submit(portal, "main form[action$='/starten/'] button")
    assert "Finding the programme" in page.locator("h1").inner_text()
    assert "guidelines" in page.locator(".lesson-text").inner_text()
    submit(portal, "main form[action$='/erledigt/'] button")
    assert "Application and budget" in page.locator("h1").inner_text()

    # First attempt: wrong answers, with the mouse.
    page.get_by_label("Wrong C").first.check()
    page.get_by_label("Wrong C").last.check()
    submit(portal, "main form[action$='/quiz/'] button[type=submit]")
    assert "Not passed yet." in page.locator("main").inner_text()
    assert "Because A." in page.locator("main").inner_text()  # explanations only now
    with page.expect_navigation():
        page.get_by_role("link", name="Try again").click()
    portal.check_accessibility()

    # Second attempt: keyboard only. Tab to the first option, Space to choose, Tab on, Enter to submit.
    first_option = page.locator("main form[action$='/quiz/'] input[type=radio]").first
    for _ in range(80):
        page.keyboard.press("Tab")
        if first_option.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the quiz cannot be reached with the Tab key")
    page.keyboard.press("Space")  # single choice: "Right A"
    page.keyboard.press("Tab")  # to the multiple-choice question's first box
    page.keyboard.press("Space")  # "Right A"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "Right B"
    page.keyboard.press("Tab")  # "Wrong C" stays empty
    page.keyboard.press("Tab")  # the submit button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    portal.check_accessibility()
    assert "Passed!" in page.locator("main").inner_text()
    assert QuizAttempt.objects.count() == 2
    assert Enrolment.objects.get(user=member).completed_at is not None

    portal.visit(f"/lernen/module/{module.slug}/")
    text = page.locator("main").inner_text()
    assert "2 of 2 lessons done" in text and "Completed on" in text
    # Each attempt's result stays available at its own address.
    for attempt in QuizAttempt.objects.filter(user=member):
        portal.visit(f"/lernen/versuch/{attempt.pk}/")
    portal.visit("/lernen/mein-lernen/")

    # The member stops sharing their progress with the organisation, then shares it again.
    submit(portal, "main form[action*='/mein-lernen/teilen/'] button[type=submit]")
    assert "does not see your learning progress." in page.locator("main").inner_text()
    submit(portal, "main form[action*='/mein-lernen/teilen/'] button[type=submit]")
    assert "sees your learning progress." in page.locator("main").inner_text()
    portal.visit("/lernen/materialien/")
    portal.assert_private_and_clean()


def test_pages_fit_a_phone(phone_portal):
    from academy.models import Topic

    member, module, quiz = set_up()
    topic, _ = Topic.objects.get_or_create(slug="finanzierung", defaults={"name": "Finanzierung", "position": 2})
    module.topics.add(topic)
    MaterialFactory(title_de="Vorlage Finanzplan für Projektanträge", topic=topic, is_public=False)
    MaterialFactory(title_de="Checkliste Projektplanung", topic=topic, is_public=True)
    organisation = member.memberships.get().organisation
    admin = UserFactory(language="de")
    consent_record(user=admin)
    organisation.memberships.create(user=admin, role="admin")
    page = phone_portal.page
    phone_portal.visit("/lernen/")
    phone_portal.visit(f"/lernen/module/{module.slug}/lektion/{module.lessons.first().pk}/")
    log_in(phone_portal, admin.email)
    for path in (
        "/lernen/",
        "/lernen/materialien/",
        f"/lernen/module/{module.slug}/",
        f"/lernen/module/{module.slug}/lektion/{quiz.pk}/",
        "/lernen/mein-lernen/",
        f"/lernen/organisation/{organisation.pk}/",
        f"/organisationen/{organisation.pk}/",
    ):
        phone_portal.visit(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide"
    phone_portal.assert_private_and_clean()
