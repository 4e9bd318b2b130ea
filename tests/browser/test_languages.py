"""The main pages in Arabic and in Turkish, in real Chromium on a 360 px phone: axe-core finds no WCAG 2.1 A/AA
violation (conftest.Portal.visit), Arabic is right-to-left with Bootstrap's RTL stylesheet actually applied and
Turkish is not, and no page scrolls sideways. One browser context per language; the pages are visited in a loop."""

import pytest

from organisations.services import consent_record
from tests.elearning.factories import LessonFactory, ModuleFactory
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.browser

LAYOUT = """() => ({
    lang: document.documentElement.lang,
    dir: document.documentElement.getAttribute("dir"),
    direction: getComputedStyle(document.body).direction,
    stylesheets: [...document.styleSheets].map(sheet => sheet.href || ""),
    width: document.documentElement.scrollWidth,
})"""


def log_in(tab, email):
    tab.visit("/konto/login/")
    tab.page.fill("#id_login", email)
    tab.page.fill("#id_password", PASSWORD)
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").first.click()
    tab.check_accessibility()


@pytest.mark.parametrize("language", ["ar", "tr"])
def test_main_pages_in_arabic_and_turkish(phone_portal, language):
    person = UserFactory(language=language)
    consent_record(user=person)
    organisation = OrganisationFactory(name="Deutsch-Arabischer Kulturverein e.V.", admins=[person])
    event = EventFactory(title="Fördermittel beantragen")
    module = ModuleFactory(title_de="Vereinsfinanzen", slug="vereinsfinanzen")
    lesson = LessonFactory(module=module, position=1, title_de="Der Haushaltsplan", text_de="Ein **Plan**.")
    page = phone_portal.page
    page.context.add_cookies([{"name": "vamos_language", "value": language, "url": phone_portal.base_url}])

    public = ["/", "/einfache-sprache/", "/veranstaltungen/", f"/veranstaltungen/{event.pk}/", "/konto/login/"]
    signed_in = [f"/organisationen/{organisation.pk}/", f"/lernen/module/{module.slug}/lektion/{lesson.pk}/"]
    seen = []
    for path in [*public, "login", *signed_in]:
        if path == "login":
            log_in(phone_portal, person.email)
            continue
        phone_portal.visit(path)  # axe-core: no WCAG 2.1 A/AA violation
        layout = page.evaluate(LAYOUT)
        rtl_sheet = any("bootstrap.rtl" in href for href in layout["stylesheets"])
        seen.append((path, layout["lang"], layout["dir"], layout["direction"], rtl_sheet, layout["width"] <= 360))
    rtl = language == "ar"
    expected = [(path, language, "rtl" if rtl else "ltr", "rtl" if rtl else "ltr", rtl, True) for path in public]
    expected += [(path, language, "rtl" if rtl else "ltr", "rtl" if rtl else "ltr", rtl, True) for path in signed_in]
    assert seen == expected
    phone_portal.assert_private_and_clean()
