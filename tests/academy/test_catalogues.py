"""Every language the portal offers has a complete catalogue: every entry translated, none fuzzy, placeholders
and HTML tags kept, as many plural forms as the language has, and a compiled .mo that is what its .po says.

English is the source language: its msgids are the text, so it needs no catalogue. The checks are per
language in settings.LANGUAGES, so a language added there without a finished catalogue fails here.
"""

import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]
LOCALE = BASE_DIR / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]

# %(name)s, %s, %d, %i, %f – after taking out "%%", which is a literal percent sign.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[sdif]")
BRACE_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*?>")
NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


def po_path(code: str) -> Path:
    return LOCALE / code / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def catalogues():
    """Each catalogue parsed once for the module (the largest takes a noticeable moment)."""
    return {code: polib.pofile(str(po_path(code))) for code in LANGUAGES if po_path(code).is_file()}


def placeholders(text: str) -> Counter:
    text = text.replace("%%", "")
    return Counter(PERCENT_PLACEHOLDER.findall(text) + BRACE_PLACEHOLDER.findall(text))


def tags(text: str) -> Counter:
    return Counter(f"{slash}{name.lower()}" for slash, name in HTML_TAG.findall(text))


def is_named(placeholder: str) -> bool:
    return placeholder.startswith(("%(", "{"))


def label(entry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def active(po) -> list:
    return [entry for entry in po if not entry.obsolete]


def make_messages_arguments() -> list[str]:
    """The arguments `make messages` passes to makemessages, read from the Makefile so the two cannot differ."""
    for line in (BASE_DIR / "Makefile").read_text().splitlines():
        if " makemessages " in line:
            return shlex.split(line.split(" makemessages ", 1)[1])
    raise AssertionError("the Makefile has no makemessages line")


def msgids(path: Path) -> set[str]:
    return {label(entry) for entry in active(polib.pofile(str(path)))}


def test_the_catalogues_hold_every_text_the_code_and_templates_say(tmp_path):
    """A text added to the code or a template without `make messages` would stay English on every page in every
    other language, and the checks below could not see it. Extracts the texts from a copy of the tree, as
    `make messages` does, and compares them with the catalogues."""
    copy = tmp_path / "tree"
    leave_out = shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "docs", "media", "__pycache__", "*.mo")
    shutil.copytree(BASE_DIR, copy, ignore=leave_out, symlinks=True)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", *make_messages_arguments()],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for code in LANGUAGES:
        missing = msgids(copy / "locale" / code / "LC_MESSAGES" / "django.po") - msgids(po_path(code))
        assert not missing, f"{code}: texts not in the catalogue, run `make messages` and translate them: {missing}"


def test_there_is_a_german_catalogue():
    assert settings.LANGUAGE_CODE == "de"
    assert "de" in LANGUAGES


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_catalogue_exists_and_says_its_language(code, catalogues):
    assert code in catalogues, f"{po_path(code)} is missing: run `make messages`"
    po = catalogues[code]
    assert po.metadata.get("Language") == code
    # A fuzzy header is skipped by msgfmt, and with it the Plural-Forms line.
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"
    assert NPLURALS.search(po.metadata.get("Plural-Forms", "")), "the header has no Plural-Forms"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(code, catalogues):
    po = catalogues.get(code)
    if po is None:
        pytest.fail(f"{po_path(code)} is missing")
    assert [label(e) for e in po.untranslated_entries()] == [], "untranslated entries"
    assert [label(e) for e in po.fuzzy_entries() if not e.obsolete] == [], "fuzzy entries"


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_entry_is_both_active_and_obsolete_or_there_twice(code, catalogues):
    """An obsolete (#~) entry whose msgid is active again means a merge went wrong: which one is meant?"""
    po = catalogues.get(code)
    if po is None:
        pytest.fail(f"{po_path(code)} is missing")
    keys = Counter((e.msgctxt, e.msgid) for e in active(po))
    assert [key for key, count in keys.items() if count > 1] == [], "entries that appear twice"
    assert [label(e) for e in po.obsolete_entries() if (e.msgctxt, e.msgid) in keys] == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_translations_keep_the_placeholders_and_tags(code, catalogues):
    po = catalogues.get(code)
    if po is None:
        pytest.fail(f"{po_path(code)} is missing")
    wrong = []
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            if placeholders(entry.msgstr) != placeholders(entry.msgid):
                wrong.append(f"placeholders: {entry.msgid!r} → {entry.msgstr!r}")
            if tags(entry.msgstr) != tags(entry.msgid):
                wrong.append(f"tags: {entry.msgid!r} → {entry.msgstr!r}")
            continue
        source = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
        positional = +Counter({p: n for p, n in placeholders(entry.msgid_plural).items() if not is_named(p)})
        for index, text in sorted(entry.msgstr_plural.items()):
            found = placeholders(text)
            # A form may leave out a named placeholder (Arabic writes "one" and "two" as words), but it may not
            # add one the code does not pass, and it must keep every positional one (% needs them all).
            invented = [p for p in found if is_named(p) and p not in source]
            if invented or +Counter({p: n for p, n in found.items() if not is_named(p)}) != positional:
                wrong.append(f"placeholders: {entry.msgid_plural!r} → [{index}] {text!r}")
            if tags(text) != tags(entry.msgid_plural):
                wrong.append(f"tags: {entry.msgid_plural!r} → [{index}] {text!r}")
    assert wrong == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_plural_entries_have_as_many_forms_as_the_language(code, catalogues):
    po = catalogues.get(code)
    if po is None:
        pytest.fail(f"{po_path(code)} is missing")
    match = NPLURALS.search(po.metadata.get("Plural-Forms", ""))
    assert match, "the header has no Plural-Forms"
    forms = list(range(int(match.group(1))))
    wrong = [e.msgid_plural for e in active(po) if e.msgid_plural and sorted(e.msgstr_plural) != forms]
    assert wrong == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(code, catalogues):
    po = catalogues.get(code)
    if po is None:
        pytest.fail(f"{po_path(code)} is missing")
    mo_path = po_path(code).with_suffix(".mo")
    assert mo_path.is_file(), "run `make messages` (or scripts/compile_messages.py)"
    mo = polib.mofile(str(mo_path))

    def table(entries):
        return {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in entries if e.msgid}

    assert table(mo) == table(po.translated_entries()), "run `make messages` (or scripts/compile_messages.py)"
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")
