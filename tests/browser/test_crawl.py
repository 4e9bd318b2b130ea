"""The crawl: for each role, with the demo data, follow the portal's own links breadth-first and check every page.
Each role crawls in another language (ROLES), so the checks below hold in all six, right-to-left Arabic included.

On every page visited:
- axe-core (WCAG 2.1 A and AA) finds no violation (conftest.Portal.check_accessibility);
- every script, stylesheet, font, image, icon, frame and media source points to the portal's own host,
  read from the document (src, href, srcset, poster, data) and from the stylesheets' url() and @import;
- the browser asked no other host for anything (Portal.foreign_requests) and logged no error.

After the crawl the browser holds no cookie but the session, the CSRF token and the language choice.

Skipped: logging out, downloads (PDF, ICS, CSV, XLSX, ZIP and anything not served as HTML: those are checked by
their own tests), the language switch (a POST form, tested in test_portal.py), the admin's "view on site"
redirect and links to other hosts. Links to a URL pattern not yet seen go first and are always followed, so every
distinct pattern reachable by a role is visited at least once; other links only while the role has visited fewer
than MAX_PAGES pages, and no pattern more than PER_PATTERN times (one event page tells what the next fifty would).
The admin's history and delete-confirmation pages are one template for every model: they count as one pattern each;
a model's add form counts as its change form. Each pattern is visited once per role (PER_PATTERN): the six
languages and seven roles, not repeats of one page with other data, are what the crawl's time is spent on.
"""

import importlib
import io
import re
from collections import deque
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve

from academy.models import User

from .conftest import AXE_PATH, DESKTOP, Portal
from .test_organisations import log_in

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "vamos-demo-2026"  # the demo data's documented password
# Each role crawls in another of the portal's languages (its demo person's stored language is set first), so every
# page is checked in Arabic (right to left), Turkish, Russian, Ukrainian, English and German.
ROLES = {
    "anonymous": (None, "de"),
    "member": ("mitglied@vamos.example", "ar"),
    "organisation_admin": ("verein-koeln@vamos.example", "tr"),
    "federation_admin": ("verband@vamos.example", "ru"),
    "coach": ("coach@vamos.example", "uk"),
    "trainer": ("trainerin@vamos.example", "en"),
    "staff": ("team@vamos.example", "de"),
}
MAX_PAGES = 100
PER_PATTERN = 1
# A few of each role's own pages, by URL pattern: the crawl must reach them (proof that the login worked and the
# navigation leads there); everything else it finds is checked too.
EXPECTED_PATTERNS = {
    "anonymous": ["", "veranstaltungen/<int:pk>/", "lernen/module/<slug:slug>/", "barrierefreiheit/", "konto/signup/"],
    "member": ["organisationen/<int:pk>/", "veranstaltungen/meine-buchungen/", "lernen/mein-lernen/", "konto/email/"],
    "organisation_admin": ["organisationen/<int:pk>/team/", "coaching/organisation/<int:pk>/"],
    "federation_admin": ["organisationen/<int:pk>/verband/", "organisationen/<int:pk>/check/"],
    "coach": ["coaching/coach/", "coaching/coach/<int:case_pk>/", "coaching/coach/verfuegbarkeit/"],
    "trainer": ["veranstaltungen/anwesenheit/", "veranstaltungen/anwesenheit/<int:date_pk>/"],
    "staff": ["admin/", "team/statistik/", "admin/events/event/<path:object_id>/change/", "admin/academy/user/"],
}

SKIPPED_PREFIXES = (
    "/konto/logout/",
    "/admin/logout/",
    "/sprache/",  # the language switch: a POST form
    "/admin/r/",  # "view on site": a redirect to the Site's domain
    "/admin/jsi18n/",
    "/static/",
    "/media/",
    "/healthz",
)
DOWNLOAD = re.compile(r"(\.(pdf|ics|csv|xlsx|zip)$|/pdf/$|/download/$|/anhang/\d+/$|/video/$)", re.IGNORECASE)
DOWNLOAD_QUERY = re.compile(r"(^|&)(format|export)=", re.IGNORECASE)

# Everything a page makes the browser load, as absolute URLs: element sources and the stylesheets' url()s.
SOURCES = (
    "script[src], img[src], iframe[src], frame[src], embed[src], source[src], track[src], video[src], audio[src], "
    "input[type=image][src]"
)
RESOURCES_JS = (
    r"""() => {
    const urls = [];
    const add = (value, base) => {
        if (!value) return;
        try { urls.push(new URL(value, base || document.baseURI).href); } catch (e) { urls.push(value); }
    };
    for (const el of document.querySelectorAll("SOURCES")) add(el.getAttribute("src"));
    for (const el of document.querySelectorAll("link[href]")) add(el.getAttribute("href"));
    for (const el of document.querySelectorAll("object[data]")) add(el.getAttribute("data"));
    for (const el of document.querySelectorAll("video[poster]")) add(el.getAttribute("poster"));
    for (const el of document.querySelectorAll("[srcset]")) {
        for (const candidate of el.getAttribute("srcset").split(",")) add(candidate.trim().split(/\s+/)[0]);
    }
    for (const el of document.querySelectorAll("svg image, svg use")) {
        add(el.getAttribute("href") || el.getAttribute("xlink:href"));
    }
    const fromCss = (text, base) => {
        for (const m of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) add(m[1], base);
    };
    const walk = (sheet) => {
        let rules;
        try { rules = sheet.cssRules; } catch (e) { return; }
        for (const rule of rules) {
            if (rule.styleSheet) { add(rule.href, sheet.href); walk(rule.styleSheet); }
            else fromCss(rule.cssText, sheet.href);
        }
    };
    for (const sheet of document.styleSheets) walk(sheet);
    for (const el of document.querySelectorAll("[style]")) fromCss(el.getAttribute("style"));
    return urls;
}"""
).replace("SOURCES", SOURCES)
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


ADMIN_SAME_TEMPLATE = re.compile(r"^admin/[^/]+/[^/]+/(<path:object_id>/(history|delete)/)$")
ADMIN_ADD = re.compile(r"^(admin/[^/]+/[^/]+/)add/$")


def pattern_of(path: str) -> str:
    try:
        route = resolve(path).route
    except Resolver404:
        return path
    # A model's add form is its change form without the object's values: one of the two stands for both.
    route = ADMIN_ADD.sub(r"\1<path:object_id>/change/", route)
    return ADMIN_SAME_TEMPLATE.sub(r"admin/<app>/<model>/\1", route)


class Crawl:
    def __init__(self, portal):
        self.portal = portal
        self.own = urlsplit(portal.base_url).netloc
        self.queue: deque[str] = deque()
        self.seen: set[str] = set()
        self.visited: list[str] = []
        self.visits_per_pattern: dict[str, int] = {}
        self.downloads: set[str] = set()
        self.foreign_resources: dict[str, list[str]] = {}
        self.problems: list[str] = []

    def normalise(self, url: str) -> str | None:
        """The path and query of a link worth following, or None."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != self.own:
            return None
        path = parts.path or "/"
        if path.startswith(SKIPPED_PREFIXES):
            return None
        if DOWNLOAD.search(path) or DOWNLOAD_QUERY.search(parts.query):
            self.downloads.add(path)
            return None
        return urlunsplit(("", "", path, parts.query, ""))

    def enqueue(self, urls) -> None:
        for url in urls:
            link = self.normalise(url)
            if link is not None and link not in self.seen:
                self.seen.add(link)
                self.queue.append(link)

    def next_link(self) -> str | None:
        """The first queued link of an unvisited pattern; else, below the cap on pages, the first of a pattern
        visited fewer than PER_PATTERN times."""
        thresholds = (1, PER_PATTERN) if len(self.visited) < MAX_PAGES else (1,)
        for threshold in thresholds:
            for link in self.queue:
                if self.visits_per_pattern.get(pattern_of(urlsplit(link).path), 0) < threshold:
                    self.queue.remove(link)
                    return link
        return None

    def run(self, *starts: str) -> None:
        page = self.portal.page
        self.enqueue([self.portal.url(start) for start in starts])
        while (link := self.next_link()) is not None:
            pattern = pattern_of(urlsplit(link).path)
            self.visits_per_pattern[pattern] = self.visits_per_pattern.get(pattern, 0) + 1
            try:
                response = page.goto(self.portal.url(link))
            except Exception as error:  # Playwright raises when a link starts a download instead of a page
                if "Download is starting" in str(error):
                    self.downloads.add(link)
                    continue
                raise
            assert response is not None, link
            if not response.ok:
                self.problems.append(f"GET {link} answered {response.status} (linked from a page of the portal)")
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                self.downloads.add(link)
                continue
            self.visited.append(link)
            try:
                self.portal.check_accessibility()
            except AssertionError as violations:  # every page's problems in one report, not just the first
                self.problems.append(str(violations).split("\nassert")[0])
            foreign = [url for url in page.evaluate(RESOURCES_JS) if not self.is_own(url)]
            if foreign:
                self.foreign_resources[link] = foreign
            self.enqueue(page.evaluate(LINKS_JS))

    def is_own(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.netloc == self.own


def restore_migration_data() -> None:
    """Earlier browser tests flush the database, and with it the rows the data migrations made (roles, topics,
    the Organisationscheck's statements) and the roles' permissions: made again here the way migrate makes them
    (each step is idempotent), before the demo data that needs them."""
    from django.apps import apps

    from academy.signals import sync_roles_and_site

    for module in (
        "academy.migrations.0002_roles_and_topics",
        "academy.migrations.0009_topics_in_four_more_languages",
        "organisations.migrations.0002_assessment_statements",
        "organisations.migrations.0005_statements_in_four_more_languages",
    ):
        importlib.import_module(module).seed(apps, None)
    sync_roles_and_site(sender=None)


@pytest.fixture
def demo_world(transactional_db):
    restore_migration_data()
    call_command("demo_data", stdout=io.StringIO())


@contextmanager
def tab(browser, live_server):
    """A new browser context (no cookies) on the live portal, with axe-core, for one role."""
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")  # a German browser, as in conftest
    context.add_init_script(path=str(AXE_PATH))
    context.set_default_timeout(10_000)
    try:
        yield Portal(context.new_page(), live_server.url)
    finally:
        context.close()


def crawl_as(portal, role: str) -> list[str]:
    """Crawls as one role; returns what is wrong (empty when every page passed)."""
    email, language = ROLES[role]
    if email is not None:
        User.objects.filter(email=email).update(language=language)
        log_in(portal, email, DEMO_PASSWORD)
        if portal.page.locator("form[action$='/logout/']").count() != 1:
            return [f"{email} could not log in"]
    portal.page.goto(portal.url("/"))
    if (shown := portal.page.evaluate("document.documentElement.lang")) != language:
        return [f"the portal speaks {shown!r} to {role}, not {language!r}"]

    crawl = Crawl(portal)
    crawl.run("/", "/admin/") if role == "staff" else crawl.run("/")

    problems = list(crawl.problems)
    if crawl.foreign_resources:
        problems.append(f"resources from other hosts: {crawl.foreign_resources}")
    if foreign := portal.foreign_requests():
        problems.append(f"requests to other hosts: {foreign}")
    problems.extend(f"browser console: {error}" for error in portal.console_errors)

    cookies = {cookie["name"] for cookie in portal.page.context.cookies()}
    allowed = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    if cookies - allowed:
        problems.append(f"cookies besides session, CSRF and language: {cookies - allowed}")

    patterns = {pattern_of(urlsplit(link).path) for link in crawl.visited}
    print(
        f"\n{role} ({language}): {len(crawl.visited)} pages, {len(patterns)} URL patterns, "
        f"{len(crawl.downloads)} downloads"
    )
    # Every URL pattern among the links found was visited (the cap only limits repeats of a pattern).
    if unvisited := {pattern_of(urlsplit(link).path) for link in crawl.queue} - patterns:
        problems.append(f"patterns found but never visited: {sorted(unvisited)}")
    # The role's own pages were reached (the login worked, the navigation leads there).
    if missing := set(EXPECTED_PATTERNS[role]) - patterns:
        problems.append(f"never reached {sorted(missing)}; visited {sorted(patterns)}")
    return problems


# Two halves of about a minute each, so `make test`'s two processes crawl side by side: the staff's (the admin's
# hundred pages) and everyone else's.
HALVES = {"portal": [role for role in ROLES if role != "staff"], "staff": ["staff"]}


@pytest.mark.parametrize("half", HALVES)
def test_every_page_each_role_reaches_is_accessible_private_and_cookie_free(browser, live_server, demo_world, half):
    """One demo world for the roles of a half (the crawl only reads), each role in a fresh browser context."""
    problems = {}
    for role in HALVES[half]:
        with tab(browser, live_server) as portal:
            if found := crawl_as(portal, role):
                problems[role] = found
    assert problems == {}, "\n".join(f"{role}:\n  " + "\n  ".join(found) for role, found in problems.items())
