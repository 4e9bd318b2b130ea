"""Every main page speaks every language of the portal: no English source text is left on a page that is not
English, `<html lang>` is the language, and Arabic pages (only they) are right-to-left.

What counts as "missing": an English msgid at least two words long (one word like "Name" or "Team" is the same
in many languages) that no catalogue translates into the page's language, or translates into something else,
and yet appears on the page. The msgids come from the portal's catalogue, from allauth's, and straight from the
templates and Python code, so a string nobody has extracted yet counts too (German, the complete language, must
show no English msgid at all). "Translates" is what Django's merged catalogue for the language holds, so
Django's and allauth's own translations count as they do on the real page.

The page's text is what a person sees or hears: text nodes and the labels of controls (aria-label, alt, title,
placeholder), without scripts and styles, without parts marked as another language (`lang="…"`, e.g. the
language switcher, where each language is named in itself), and without the texts this test created itself.
One test per language fetches all pages with the Django test client; the catalogues are read once per session.
"""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from academy.models import Topic
from organisations import services as organisation_services
from tests.elearning.factories import LessonFactory, MaterialFactory, ModuleFactory
from tests.events.factories import EventFactory
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[1]
PROJECT_APPS = ("academy", "organisations", "events", "coaching", "elearning", "vamos")
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
GETTEXT_NAMES = {
    "_": "gettext", "gettext": "gettext", "gettext_lazy": "gettext", "gettext_noop": "gettext",
    "pgettext": "pgettext", "pgettext_lazy": "pgettext",
    "ngettext": "ngettext", "ngettext_lazy": "ngettext", "npgettext": "npgettext", "npgettext_lazy": "npgettext",
}  # fmt: skip
STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"\b(gettext|pgettext|ngettext|npgettext)\(\s*({STRING}(?:\s*,\s*{STRING})*)")
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")
TAG = re.compile(r"<[^<>]*>")
WORD = re.compile(r"[^\W\d_]{2,}")


# ------------------------------------------------------------------------------------------------------------------
# The source strings
# ------------------------------------------------------------------------------------------------------------------


def _template_messages():
    """(context, msgid, msgid_plural) of every template of the project, as makemessages would extract them."""
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in {".html", ".txt"}:
            continue
        for name, args in TEMPLATE_CALL.findall(templatize(path.read_text(encoding="utf-8"))):
            strings = ast.literal_eval(f"({args},)")
            if name == "gettext":
                yield None, strings[0], None
            elif name == "pgettext":
                yield strings[0], strings[1], None
            elif name == "ngettext" and len(strings) >= 2:
                yield None, strings[0], strings[1]
            elif name == "npgettext" and len(strings) >= 3:
                yield strings[0], strings[1], strings[2]


def _python_messages():
    for app in PROJECT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                kind = GETTEXT_NAMES.get(func)
                strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if kind == "gettext" and strings:
                    yield None, strings[0], None
                elif kind == "pgettext" and len(strings) >= 2:
                    yield strings[0], strings[1], None
                elif kind == "ngettext" and len(strings) >= 2:
                    yield None, strings[0], strings[1]
                elif kind == "npgettext" and len(strings) >= 3:
                    yield strings[0], strings[1], strings[2]


def _catalogue_messages():
    """The project's German catalogue and allauth's (its msgids are the same in every language)."""
    import allauth

    for path in (
        ROOT / "locale/de/LC_MESSAGES/django.po",
        Path(allauth.__file__).parent / "locale/de/LC_MESSAGES/django.po",
    ):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and entry.msgid:
                yield entry.msgctxt, entry.msgid, entry.msgid_plural or None


def _translations(language, context, msgid, plural):
    """What the page shows for the source string(s) in `language`, or None where no catalogue translates it
    (then the English shows, even when it would be right to keep it as it is)."""
    catalogue = translation.trans_real.translation(language)._catalog
    key = f"{context}\x04{msgid}" if context else msgid
    if plural:
        return [catalogue.get((key, 0)), catalogue.get((key, 1))]
    return [catalogue.get(key)]


class Needle:
    """An English source string as a pattern over visible text: placeholders match anything short, tags nothing."""

    def __init__(self, text: str):
        text = " ".join(TAG.sub(" ", text.replace("%%", "%")).split())
        parts = [part.strip() for part in PLACEHOLDER.split(text)]
        parts = [part for part in parts if part]
        self.text = text
        self.words = len(WORD.findall(" ".join(parts)))
        self.longest = max(parts, key=len) if parts else ""
        body = r".{1,200}?".join(re.escape(part) for part in parts)
        self.pattern = re.compile(rf"(?<!\w){body}(?!\w)") if parts else None

    def found_in(self, text: str) -> bool:
        return self.pattern is not None and self.longest in text and bool(self.pattern.search(text))


@pytest.fixture(scope="session")
def source_messages():
    seen = set()
    for message in (*_catalogue_messages(), *_template_messages(), *_python_messages()):
        seen.add(message)
    return seen


@pytest.fixture(scope="session")
def needles(source_messages):
    """Per language: the strings that must not appear on its pages. Where the language's catalogue lacks a string,
    Django shows the German one (the default language is the fallback), not the English: so both the English
    msgid and its German translation are wrong on a Turkish page, unless they are what the Turkish catalogue says.
    """
    result = {}
    for language in LANGUAGE_CODES:
        chosen, right = {}, []
        for context, msgid, plural in source_messages:
            sources = (msgid, plural or msgid)
            german = _translations(settings.LANGUAGE_CODE, context, msgid, plural)
            expected = sources if language == "en" else _translations(language, context, msgid, plural)
            for source, german_text, wanted in zip(sources, german, expected, strict=False):
                right.append(Needle(wanted).text if wanted else "")
                for text in {source, german_text} - {wanted, None}:
                    needle = Needle(text)
                    if needle.words >= 2 and needle.text not in chosen:
                        chosen[needle.text] = needle
        # A name kept in every language ("VAMOs – Verbandsakademie für …") is part of right texts: not a needle.
        right_texts = "\n".join(right)
        result[language] = [needle for text, needle in chosen.items() if text not in right_texts]
    return result


# ------------------------------------------------------------------------------------------------------------------
# The visible text of a page
# ------------------------------------------------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """Text nodes and the labels of controls, in segments; skips scripts, styles and parts in another language."""

    SKIP = {"script", "style", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    LABELS = ("aria-label", "alt", "title", "placeholder")

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[bool] = []  # per open element: is its content to be skipped?
        self.segments: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = (attributes.get("lang") or "").split("-")[0]
        skip = self._skipping() or tag in self.SKIP or bool(lang and lang != self.language)
        if not skip:
            self.segments.extend(attributes[name] for name in self.LABELS if attributes.get(name))
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.segments.append(data)


def visible_text(html: str, language: str, own_texts) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    text = " | ".join(" ".join(segment.split()) for segment in parser.segments)
    for own in own_texts:
        text = text.replace(own, " ")
    return text


# ------------------------------------------------------------------------------------------------------------------
# The pages
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    """A member (and admin) of an approved organisation, an event, a module with a lesson, and materials."""
    topic = Topic.objects.order_by("position").first()
    person = UserFactory(first_name="Ayşe", last_name="Yılmaz", display_name="Ayşe")
    organisation_services.consent_record(user=person)
    organisation = OrganisationFactory(name="Deutsch-Türkischer Kulturverein e.V.", admins=[person])
    event = EventFactory(title="Fördermittel beantragen", description="Wie wir Anträge schreiben.", topics=[topic])
    module = ModuleFactory(title_de="Vereinsfinanzen", title_en="Vereinsfinanzen", summary_de="Geld im Verein.",
                           summary_en="Geld im Verein.", learning_goals_en="", topics=[topic])  # fmt: skip
    lesson = LessonFactory(module=module, position=1, title_de="Der Haushaltsplan", title_en="Der Haushaltsplan",
                           text_de="Ein Plan für das Jahr.", text_en="Ein Plan für das Jahr.")  # fmt: skip
    MaterialFactory(topic=topic, title_de="Checkliste Kassenprüfung", title_en="Checkliste Kassenprüfung")
    own_texts = [
        person.get_full_name(), person.display_name, person.email, organisation.name, event.title_de,
        event.description_de, module.title_de, module.summary_de, lesson.title_de, lesson.text_de,
        "Checkliste Kassenprüfung", organisation.city,
    ]  # fmt: skip
    public = {
        "home": reverse("academy:home"),
        "plain home": reverse("academy:plain_home"),
        "plain join": reverse("academy:plain_join"),
        "catalogue": reverse("events:catalogue"),
        "event": reverse("events:detail", args=[event.pk]),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "contact": reverse("academy:contact"),
        "privacy": reverse("academy:privacy"),
        "accessibility": reverse("academy:accessibility"),
    }
    member = {
        "organisation home": reverse("organisations:home", args=[organisation.pk]),
        "my bookings": reverse("events:my_bookings"),
        "modules": reverse("elearning:catalogue"),
        "module": reverse("elearning:module", args=[module.slug]),
        "lesson": reverse("elearning:lesson", args=[module.slug, lesson.pk]),
        "materials": reverse("elearning:materials"),
        "coaching request": reverse("coaching:request", args=[organisation.pk]),
        "account": reverse("account_email"),
    }
    return {"person": person, "public": public, "member": member, "own_texts": own_texts}


def missing_strings(html: str, language: str, needles, own_texts) -> list[str]:
    text = visible_text(html, language, own_texts)
    return sorted(needle.text for needle in needles if needle.found_in(text))


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_every_main_page_speaks_the_language(client, world, needles, language, settings):
    person = world["person"]
    person.language = language
    person.save(update_fields=["language"])

    pages = {}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for name, url in world["public"].items():
        pages[name] = client.get(url)
    client.force_login(person)
    for name, url in world["member"].items():
        pages[name] = client.get(url)

    problems = {}
    for name, response in pages.items():
        assert response.status_code == 200, f"{name}: {response.status_code}"
        html = response.content.decode()
        opening = re.search(r"<html\b[^>]*>", html).group(0)
        assert f'lang="{language}"' in opening, f"{name}: {opening}"
        assert ('dir="rtl"' in opening) == (language == "ar"), f"{name}: {opening}"
        missing = missing_strings(html, language, needles[language], world["own_texts"])
        if missing:
            problems[name] = missing
    report = "\n".join(
        f"{name} ({len(missing)}): {', '.join(map(repr, missing[:12]))}{' …' if len(missing) > 12 else ''}"
        for name, missing in problems.items()
    )
    assert not problems, f"text not in {language} on its pages:\n{report}"


def test_the_check_finds_english_left_on_a_page(needles):
    """The check itself can fail: English left on a German page is caught, and so is German (the fallback when a
    catalogue lacks a string) on a Turkish page; text marked as another language and the test's own are not."""
    html = (
        '<html lang="de"><body><p>Willkommen, Ayşe!</p><p>Seminars &amp; events</p><p lang="en">Register your'
        ' organisation</p><button aria-label="Show menu">x</button><p>Show menu</p></body></html>'
    )
    assert missing_strings(html, "de", needles["de"], ["Show menu"]) == ["Seminars & events"]
    html = '<html lang="tr"><body><p>Menü anzeigen</p><script>"Seminars & events"</script></body></html>'
    assert missing_strings(html, "tr", needles["tr"], []) == ["Menü anzeigen"]
