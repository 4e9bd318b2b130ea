"""Arabic in a real browser: the layout mirrors, nothing overflows a 360 px phone, axe-core finds no violation,
and an offer not yet translated is marked as German (left-to-right) with its notice."""

import pytest

from tests.events.factories import EventFactory

pytestmark = pytest.mark.browser


def _arabic_pages(portal):
    event = EventFactory(title="Vereinsrecht kompakt", description="Satzung, Vorstand, Mitgliederversammlung.")
    event.title_ar = "قانون الجمعيات باختصار"
    event.save()
    untranslated = EventFactory(title="Pressearbeit für Vereine")
    portal.visit("/")
    portal.switch_language("ar")  # checks the page with axe-core too
    return event, untranslated


def _assert_mirrored_and_within(portal, width):
    page = portal.page
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Bootstrap's RTL sheet is the one in use: the page's text starts at the right.
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


@pytest.mark.parametrize("fixture", ["portal", "phone_portal"])
def test_arabic_pages_mirror_and_fit(request, fixture):
    portal = request.getfixturevalue(fixture)
    width = portal.page.viewport_size["width"]
    event, untranslated = _arabic_pages(portal)

    for path in ("/", "/veranstaltungen/", event.get_absolute_url(), untranslated.get_absolute_url(), "/lernen/"):
        portal.visit(path)
        _assert_mirrored_and_within(portal, width)

    # The untranslated event: German, left-to-right, with one notice; the translated one has neither.
    heading = portal.page.locator("main h1")
    portal.visit(untranslated.get_absolute_url())
    assert heading.get_attribute("lang") == "de"
    assert heading.evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert portal.page.locator(".fallback-notice").count() == 1
    portal.visit(event.get_absolute_url())
    assert heading.inner_text() == "قانون الجمعيات باختصار"
    assert heading.get_attribute("lang") is None
    # The "back to all events" arrow is turned round: it points right, where Arabic text starts.
    arrow = portal.page.locator("main .dir-arrow").first
    assert "matrix(-1" in arrow.evaluate("el => getComputedStyle(el).transform")
