"""The main journeys with the keyboard alone: register, book a seminar, cancel the booking, take a quiz, book a
coaching session. No .click() and no .fill(): Tab moves on, Enter follows links and presses buttons, Space ticks,
arrow keys choose within a group of radio buttons, and text is typed key by key.

After every Tab the focused element must show where the focus is (an outline or a box shadow, computed by the
browser). The skip link must be the first stop of the Tab key and move the focus into the main content.
axe-core checks every page reached (conftest.Portal.check_accessibility).
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from academy.models import Topic, User
from academy.views import CONTACT_SUBJECTS
from coaching import services as coaching_services
from coaching.availability import berlin
from coaching.models import CoachingCase, Session, WeeklyAvailability
from elearning.models import QuizAttempt
from events.models import Booking
from organisations.services import consent_record
from tests.coaching.factories import CoachFactory
from tests.elearning.factories import ModuleFactory, quiz_lesson
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.browser

MAX_TABS = 80

# Whether the focused element shows its focus: an outline or a box shadow. A visually hidden radio button of a
# button group (Bootstrap's .btn-check) shows its focus on the label that follows it.
FOCUS_SHOWN_JS = """() => {
    let el = document.activeElement;
    if (!el || el === document.body) return {shown: false, what: "nothing focused"};
    if (el.classList.contains("btn-check") && el.nextElementSibling) el = el.nextElementSibling;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow && style.boxShadow !== "none";
    const box = el.getBoundingClientRect();
    return {
        shown: (outline || shadow) && box.width > 1 && box.height > 1,
        what: el.outerHTML.slice(0, 160),
    };
}"""


def focus_is_shown(page) -> None:
    result = page.evaluate(FOCUS_SHOWN_JS)
    assert result["shown"], f"the focus is not visible on {result['what']} ({page.url})"


def tab_to(page, selector: str) -> None:
    """Presses Tab until the element matching selector has the focus; every stop on the way must show its focus."""
    target = page.locator(selector).first
    if target.evaluate("el => el === document.activeElement"):
        return
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus_is_shown(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {selector} on {page.url}")


def press_and_wait(portal, key: str = "Enter") -> None:
    """Presses a key that leaves the page (a link or a submit button) and checks the page reached."""
    with portal.page.expect_navigation():
        portal.page.keyboard.press(key)
    portal.check_accessibility()


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def skip_to_main(portal, path: str) -> None:
    """Opens a page; the first Tab shows the skip link, Enter on it puts the focus into <main>."""
    page = portal.page
    portal.visit(path)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement"), "the skip link is not the first Tab stop"
    focus_is_shown(page)
    box = skip.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 10, "the focused skip link is not visible"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)"), (
        "after the skip link, Tab does not continue inside the main content"
    )
    focus_is_shown(page)


def log_in(portal, email: str) -> None:
    page = portal.page
    skip_to_main(portal, "/konto/login/")
    type_into(page, "#id_login", email)
    type_into(page, "#id_password", PASSWORD)
    press_and_wait(portal)  # Enter in the password field sends the form
    assert page.locator("header form[action$='/konto/logout/']").count() == 1, "not logged in"


def log_out(portal) -> None:
    page = portal.page
    portal.visit("/")
    tab_to(page, "header form[action$='/konto/logout/'] button")
    press_and_wait(portal)


def test_the_skip_link_and_the_focus_on_the_home_page(portal):
    page = portal.page
    skip_to_main(portal, "/")
    # Every link and button of the page, header to footer, shows its focus.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break
        focus_is_shown(page)
    portal.assert_private_and_clean()


def test_register_with_the_keyboard(portal, mailoutbox):
    page = portal.page
    skip_to_main(portal, "/konto/signup/")
    type_into(page, "#id_first_name", "Amina")
    type_into(page, "#id_last_name", "Yılmaz")
    type_into(page, "#id_email", "amina@verein.example")
    type_into(page, "#id_password1", "Vereinsarbeit-2025!")
    type_into(page, "#id_password2", "Vereinsarbeit-2025!")
    tab_to(page, "form.form-signup button[type=submit]")
    press_and_wait(portal)

    assert "/konto/confirm-email/" in page.url
    user = User.objects.get(email="amina@verein.example")
    assert (user.first_name, user.last_name) == ("Amina", "Yılmaz")
    assert mailoutbox[0].to == ["amina@verein.example"]
    portal.assert_private_and_clean()


def test_book_and_cancel_a_seminar_with_the_keyboard(portal):
    page = portal.page
    member = UserFactory(language="en")
    consent_record(user=member)
    organisation = OrganisationFactory(members=[member])
    start = timezone.now() + timedelta(days=14)
    event = EventFactory(title="Fördermittel beantragen", capacity=10, dates=[(start, start + timedelta(hours=4))])

    log_in(portal, member.email)
    skip_to_main(portal, "/veranstaltungen/")
    tab_to(page, f"main a[href='/veranstaltungen/{event.pk}/']")
    press_and_wait(portal)
    tab_to(page, f"main form[action='/veranstaltungen/{event.pk}/buchen/'] button[type=submit]")
    press_and_wait(portal)
    booking = Booking.objects.get(event=event, person=member)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.organisation == organisation

    # Cancelling: the link on the event page, then the confirmation with Space on the button.
    tab_to(page, f"main a[href^='/veranstaltungen/buchungen/{booking.pk}/stornieren/']")
    press_and_wait(portal)
    tab_to(page, "main form[method=post] button[type=submit]")
    press_and_wait(portal, "Space")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    portal.assert_private_and_clean()


def test_take_a_quiz_with_the_keyboard(portal):
    page = portal.page
    member = UserFactory(language="en")
    consent_record(user=member)
    OrganisationFactory(members=[member])
    module = ModuleFactory(title_en="Applying for funding", slug="foerdermittel")
    quiz = quiz_lesson(module, kinds=("single", "multiple"))
    quiz.title_en = "Application and budget"
    quiz.save()

    log_in(portal, member.email)
    skip_to_main(portal, "/lernen/")
    tab_to(page, "main a[href='/lernen/module/foerdermittel/']")
    press_and_wait(portal)
    tab_to(page, "main form[action$='/starten/'] button")
    press_and_wait(portal)
    assert "Application and budget" in page.locator("h1").inner_text()

    # The single-choice question: Tab into the group, arrow keys move the choice (to "Wrong B" and back to "Right A").
    form = "main form[action$='/quiz/']"
    single = page.locator(f"{form} fieldset").nth(0).locator("input[type=radio]")
    tab_to(page, f"{form} input[type=radio]")
    page.keyboard.press("ArrowDown")
    focus_is_shown(page)
    assert single.nth(1).is_checked()
    page.keyboard.press("ArrowUp")
    assert single.nth(0).is_checked() and not single.nth(1).is_checked()
    # The multiple-choice question: Space ticks the two right boxes.
    boxes = page.locator(f"{form} input[type=checkbox]")
    tab_to(page, f"{form} input[type=checkbox]")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    focus_is_shown(page)
    page.keyboard.press("Space")
    assert [boxes.nth(i).is_checked() for i in range(boxes.count())] == [True, True, False]
    tab_to(page, f"{form} button[type=submit]")
    press_and_wait(portal)

    attempt = QuizAttempt.objects.get(lesson=quiz)
    assert attempt.passed
    portal.assert_private_and_clean()


def test_book_a_coaching_session_with_the_keyboard(portal):
    page = portal.page
    topic, _created = Topic.objects.get_or_create(slug="e2e-keyboard", defaults={"name": "Finanzierung"})
    admin = UserFactory(language="en")
    consent_record(user=admin)
    organisation = OrganisationFactory(admins=[admin])
    coach = CoachFactory(topics=[topic])
    staff = UserFactory(is_staff=True)
    case = coaching_services.case_submit(
        organisation=organisation,
        by=admin,
        kind=CoachingCase.Kind.COACHING,
        topics=[topic],
        goals="Den ersten Förderantrag stellen.",
        situation="Wir arbeiten ehrenamtlich.",
    )
    case = coaching_services.case_assign(case=case, coach=coach, by=staff)
    # The coach is free all day the day after tomorrow (Berlin time).
    day = (timezone.now().astimezone(berlin()) + timedelta(days=2)).date()
    WeeklyAvailability.objects.create(coach=coach, weekday=day.weekday(), start_time="08:00", end_time="18:00")

    log_in(portal, admin.email)
    skip_to_main(portal, f"/coaching/organisation/{organisation.pk}/{case.pk}/")
    tab_to(page, f"main a[href='/coaching/organisation/{organisation.pk}/{case.pk}/termin/']")
    press_and_wait(portal)

    # The times are a group of radio buttons shown as buttons: Tab into it, arrow key to the second, Space.
    times = page.locator("main input[name=start]")
    assert times.count() > 1
    tab_to(page, "main input[name=start]")
    page.keyboard.press("ArrowRight")
    focus_is_shown(page)
    page.keyboard.press("Space")
    chosen = times.nth(1)
    assert chosen.is_checked()
    chosen_value = chosen.get_attribute("value")
    tab_to(page, "main form button[type=submit]")
    press_and_wait(portal)

    session = Session.objects.get(case=case)
    assert session.status == Session.Status.CONFIRMED
    assert session.start == datetime.fromisoformat(chosen_value)
    portal.assert_private_and_clean()


def test_the_accessibility_statement_offers_the_feedback_form(portal):
    """From the statement to the contact form with the keyboard: the subject is already filled in."""
    page = portal.page
    skip_to_main(portal, "/barrierefreiheit/")
    text = page.locator("main").inner_text()
    for fact in ("axe-core", "WCAG 2.1", "360", "Schlichtungsstelle"):
        assert fact in text, fact
    tab_to(page, "main a.a11y-feedback-link")
    press_and_wait(portal)
    assert page.url.startswith(portal.url("/kontakt/"))
    assert page.locator("#id_subject").input_value() == str(CONTACT_SUBJECTS["barrier"])
    portal.assert_private_and_clean()
