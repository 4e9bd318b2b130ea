"""End-to-end: a person meets the portal in German, tries English, registers, confirms the address and logs in.

Every page visited is checked with axe-core (see conftest.Portal.visit); no page may load anything from another host.
"""

import re

import pytest

from academy.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "Vereinsarbeit-2025!"
LOGOUT_BUTTON = "header form[action$='/konto/logout/'] button[type=submit]"


def html_of(mail) -> str:
    return {mimetype: content for content, mimetype in mail.alternatives}["text/html"]


def test_a_person_switches_language_signs_up_confirms_and_logs_in(portal, mailoutbox):
    page = portal.page

    # A visitor meets the academy in German.
    portal.visit("/")
    assert portal.html_lang() == "de"
    assert page.locator("h1").first.is_visible()

    # They try English with the footer's language form, and it sticks across pages.
    portal.switch_language("en")
    assert portal.html_lang() == "en"
    assert page.locator("#language-select").input_value() == "en"
    portal.visit("/konto/login/")
    assert portal.html_lang() == "en"
    assert page.locator("h1").inner_text().strip() == "Sign In"

    # ... and back to German.
    portal.switch_language("de")
    assert portal.html_lang() == "de"
    assert page.url == portal.url("/konto/login/")
    assert page.locator("h1").inner_text().strip() == "Anmeldung"

    # Registering: the names, the address and the password twice.
    portal.visit("/konto/signup/")
    assert page.locator("h1").inner_text().strip() == "Registrieren"
    page.fill("#id_first_name", "Amina")
    page.fill("#id_last_name", "Yılmaz")
    page.fill("#id_email", "amina@verein.example")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    with page.expect_navigation():
        page.locator("form.form-signup button[type=submit]").click()
    assert "/konto/confirm-email/" in page.url
    portal.check_accessibility()

    user = User.objects.get(email="amina@verein.example")
    assert (user.first_name, user.last_name, user.display_name, user.language) == ("Amina", "Yılmaz", "Amina", "de")

    # The verification mail: in German (the person's language), says what VAMOs is, and carries the link.
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["amina@verein.example"]
    assert mail.subject.startswith("[VAMOs] ")
    assert "Amina" in mail.body
    assert "VAMOs" in mail.body
    html = html_of(mail)
    links = re.findall(r"https?://\S+/konto/confirm-email/[^/\s]+/", mail.body)
    assert links, mail.body
    link = links[0]
    assert link.startswith(portal.base_url)
    assert link in html

    # Following the link asks once more (a mail scanner's GET must not confirm), then confirms.
    portal.visit(link.removeprefix(portal.base_url))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    portal.check_accessibility()
    assert user.emailaddress_set.get().verified

    # If the confirmation signed them in, they log out first; then they log in with address and password.
    if page.locator(LOGOUT_BUTTON).count():
        with page.expect_navigation():
            page.locator(LOGOUT_BUTTON).click()
        portal.check_accessibility()
    assert page.locator(LOGOUT_BUTTON).count() == 0

    portal.visit("/konto/login/")
    page.fill("#id_login", "amina@verein.example")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("form.form-login button[type=submit]").click()
    portal.check_accessibility()

    logout = page.locator(LOGOUT_BUTTON)
    assert logout.is_visible()
    # A newcomer without an organisation lands where they register one or join one.
    assert page.url == portal.url("/organisationen/")
    user.refresh_from_db()
    assert user.last_login is not None

    # The account pages (manage layout with its sub-navigation) are accessible too.
    for path in ("/konto/email/", "/konto/password/change/", "/konto/2fa/"):
        portal.visit(path)
        assert page.locator("nav.account-nav [aria-current=page]").count() == 1
    # Setting up an authenticator app asks for the password again first; its QR code is a data: image.
    portal.visit("/konto/2fa/totp/activate/")
    if "/konto/reauthenticate/" in page.url:
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        portal.check_accessibility()
    assert page.url == portal.url("/konto/2fa/totp/activate/")
    assert page.locator("main img").first.is_visible()

    portal.assert_private_and_clean()


def test_a_wrong_signup_keeps_what_was_typed_and_says_what_is_wrong(portal):
    page = portal.page
    portal.visit("/konto/signup/")
    page.fill("#id_first_name", "Amina")
    page.fill("#id_email", "amina@verein.example")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", "something else")
    with page.expect_navigation():
        page.locator("form.form-signup button[type=submit]").click()
    portal.check_accessibility()

    assert page.locator("#id_first_name").input_value() == "Amina"
    assert page.locator("#id_email").input_value() == "amina@verein.example"
    assert page.locator("#id_password1").input_value() == ""  # passwords are never sent back
    last_name = page.locator("#id_last_name")
    assert last_name.get_attribute("aria-invalid") == "true"
    assert "id_last_name_error" in last_name.get_attribute("aria-describedby")
    assert page.locator("#id_last_name_error").is_visible()
    assert not User.objects.exists()


PUBLIC_PAGES = [
    "/",
    "/kontakt/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/impressum/",
    "/konto/login/",
    "/konto/signup/",
]


def test_public_pages_are_accessible_and_load_nothing_from_elsewhere(portal):
    for path in PUBLIC_PAGES:
        portal.visit(path)
        assert portal.html_lang() == "de", path
        assert portal.page.locator("main h1").count() == 1, path
    portal.assert_private_and_clean()


def test_a_forgotten_password_is_reset_through_the_mailed_link(portal, mailoutbox):
    page = portal.page
    UserFactory(email="kassenwart@verein.example", first_name="Jonas", display_name="Jonas")

    portal.visit("/konto/login/")
    with page.expect_navigation():
        page.locator("#id_password_helptext a").click()  # "Forgot your password?" under the password field
    portal.check_accessibility()
    page.fill("#id_email", "kassenwart@verein.example")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    portal.check_accessibility()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["kassenwart@verein.example"]
    assert "Jonas" in mail.body
    link = re.search(r"https?://\S+/konto/password/reset/key/\S+/", mail.body).group(0)
    assert link in html_of(mail)

    portal.visit(link.removeprefix(portal.base_url))  # redirects to the form without the key in the address
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[name=action]").click()
    portal.check_accessibility()

    portal.visit("/konto/login/")
    page.fill("#id_login", "kassenwart@verein.example")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("form.form-login button[type=submit]").click()
    assert page.locator(LOGOUT_BUTTON).is_visible()
    portal.assert_private_and_clean()


def test_on_a_phone_nothing_scrolls_sideways_and_the_menu_opens_by_keyboard(phone_portal):
    page = phone_portal.page
    for path in ("/", "/konto/login/", "/konto/signup/", "/kontakt/"):
        phone_portal.visit(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide on a 360px screen"

    phone_portal.visit("/")
    toggler = page.locator(".navbar-toggler")
    menu = page.locator("#main-nav")
    assert toggler.is_visible()
    assert not menu.is_visible()
    for _press in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('.navbar-toggler')"):
            break
    else:
        pytest.fail("Tab never reached the menu button")
    page.keyboard.press("Enter")
    menu.wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"
    assert menu.locator("a[href='/kontakt/']").is_visible()
    phone_portal.check_accessibility()
    phone_portal.assert_private_and_clean()
