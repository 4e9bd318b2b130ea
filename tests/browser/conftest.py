"""Headless Chromium for the end-to-end tests, driving the real portal served by pytest-django's live_server.

We use Debian's Chromium (/usr/bin/chromium, or $CHROMIUM_PATH); Playwright's own browser download is not needed.
Every page a test visits is checked with axe-core (WCAG 2.1 A and AA); a failing test leaves a screenshot
in test-results/.

The portal's Content-Security-Policy stays in force (it forbids inline scripts), so axe-core is not added as a
<script> tag (page.add_script_tag would be blocked) but as an init script, which the browser runs in every
document before the page's own scripts and outside the page's CSP. Any console error (a CSP violation, a
script error, a missing file) fails the test.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# The Playwright sync API runs an asyncio event loop in this thread; Django would then refuse the test's
# own (synchronous) database work. The live server answers in its own thread, so nothing runs concurrently here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remembers each phase's report on the test item, so the page fixture knows whether to take a screenshot."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("needs Chromium: install Debian's chromium package or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Portal:
    """One browser tab on the live portal: visits pages, checks each with axe, and records every request."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"{self.page.url}: {error}"))

    def _console(self, message) -> None:
        # axe-core itself, when it reads a page's stylesheets (e.g. the Django admin's), tries to add a <style> of
        # its own, which the CSP refuses: an error of the checking tool, not of the page.
        if message.location.get("url", "").endswith(AXE_PATH.name):
            return
        if message.type == "error":
            self.console_errors.append(f"{self.page.url}: {message.text}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def visit(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.ok, f"GET {path} answered {response.status}"
        self.check_accessibility()
        return response

    def check_accessibility(self) -> None:
        """Runs axe-core on the current page; fails with a readable list of every WCAG 2.1 A/AA violation."""
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate(
            """async (tags) => {
                const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
                const results = await axe.run(document, options);
                return results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
                }));
            }""",
            AXE_TAGS,
        )
        assert not violations, f"axe found accessibility problems on {self.page.url}:\n" + format_violations(violations)

    def html_lang(self) -> str:
        return self.page.locator("html").get_attribute("lang")

    def switch_language(self, code: str) -> None:
        """Uses the footer's language form the way a person does: choose, then press the button."""
        form = self.page.locator("form.language-switch")
        form.locator("select#language-select").select_option(code)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        self.check_accessibility()

    def foreign_requests(self) -> list[str]:
        """Every request that left the portal's own host (data: URLs never leave the browser)."""
        own = urlsplit(self.base_url).netloc
        return [url for url in self.requests if urlsplit(url).scheme != "data" and urlsplit(url).netloc != own]

    def assert_private_and_clean(self) -> None:
        """Nothing was loaded from another host, and the browser reported no error."""
        assert self.foreign_requests() == [], "requests to other hosts"
        assert self.console_errors == [], "errors in the browser console"


def format_violations(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


def _open_portal(browser, live_server, request, viewport):
    # A German browser (Accept-Language: de-DE): the portal follows the browser's language, and these tests
    # meet it as most of its visitors do. Other languages are chosen with the switcher, as a person does.
    context = browser.new_context(viewport=viewport, locale="de-DE")
    context.add_init_script(path=str(AXE_PATH))
    context.set_default_timeout(10_000)
    page = context.new_page()
    portal = Portal(page, live_server.url)
    yield portal
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def portal(browser, live_server, transactional_db, request):
    """The portal in a desktop-sized window, as a new visitor (no cookies)."""
    yield from _open_portal(browser, live_server, request, DESKTOP)


@pytest.fixture
def phone_portal(browser, live_server, transactional_db, request):
    """The portal on a small phone: 360 × 740 CSS pixels."""
    yield from _open_portal(browser, live_server, request, PHONE)
