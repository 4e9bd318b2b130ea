"""Offer texts in the reader's language, and saying so when they are shown in German instead (issue 11).

Staff translate offer fields per language (django-modeltranslation: `title_de`, `title_tr`, …). A page shows
the reader's language, else German. Where it falls back, the text is marked `lang="de"` (screen readers
switch voice; on an Arabic page also `dir="ltr"`) and one notice per page or section says so:

    {% load offer_text %}
    {% offer_text event "title" as title %}{% offer_text event "description" as description %}
    <h1{{ title.lang_attrs }}>{{ title }}</h1>
    {% fallback_notice title description %}             {# one notice if any of them fell back #}
    <div{{ description.lang_attrs }}>{{ description|linebreaks }}</div>

    {% list_fallback_notice events "title" "summary" %}  {# above a list: one notice for all cards #}

An `OfferText` prints as its text (escaped like any string) and is false when empty, so `{% if %}` and
string filters (`linebreaks`, `truncatewords`) work on it as on the field. It reads only attributes the
row already has: no query.
"""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The language offer texts are written in first, and fall back to (MODELTRANSLATION_FALLBACK_LANGUAGES).
SOURCE_LANGUAGE = "de"


@dataclass(frozen=True)
class OfferText:
    text: str
    language: str  # the language the text is in
    requested: str  # the page's language
    is_fallback: bool  # shown in German because the requested language's field is empty

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def lang_attrs(self) -> SafeString:
        """` lang="de"` on a fallback, else nothing; on a right-to-left page also `dir="ltr"`.

        German runs left-to-right: inside an Arabic page its block is laid out left-to-right (aligned left,
        punctuation where German puts it), as the bidi rules want for a paragraph in another script.
        """
        if not self.is_fallback:
            return mark_safe("")
        direction = "rtl" if translation.get_language_info(self.language)["bidi"] else "ltr"
        if direction != ("rtl" if translation.get_language_bidi() else "ltr"):
            return format_html(' lang="{}" dir="{}"', self.language, direction)
        return format_html(' lang="{}"', self.language)


def offer_text_of(obj, field: str, language: str | None = None) -> OfferText:
    """The text of a translated `field` of `obj` in `language` (default: the active one), else in German."""
    requested = language or translation.get_language() or settings.LANGUAGE_CODE
    own = getattr(obj, f"{field}_{requested.replace('-', '_')}", None)
    if own:
        return OfferText(text=own, language=requested, requested=requested, is_fallback=False)
    source = getattr(obj, f"{field}_{SOURCE_LANGUAGE}", None) or ""
    if requested == SOURCE_LANGUAGE or not source:
        return OfferText(text=source, language=SOURCE_LANGUAGE, requested=requested, is_fallback=False)
    return OfferText(text=source, language=SOURCE_LANGUAGE, requested=requested, is_fallback=True)


@register.simple_tag
def offer_text(obj, field):
    return offer_text_of(obj, field)


def _notice(*, many: bool, requested: str):
    info = translation.get_language_info(requested)
    source = translation.get_language_info(SOURCE_LANGUAGE)
    return {
        "many": many,
        "language_name": info["name_translated"],
        "source_name": source["name_translated"],
    }


@register.inclusion_tag("academy/_fallback_notice.html")
def fallback_notice(*texts):
    """One notice when any of the given OfferTexts is shown in German instead of the page's language."""
    fallback = next((text for text in texts if isinstance(text, OfferText) and text.is_fallback), None)
    if fallback is None:
        return {"show": False}
    return {"show": True, **_notice(many=False, requested=fallback.requested)}


@register.inclusion_tag("academy/_fallback_notice.html")
def list_fallback_notice(objects, *fields):
    """One notice above a list when any item's `fields` are shown in German instead of the page's language."""
    for obj in objects:
        for field in fields:
            text = offer_text_of(obj, field)
            if text.is_fallback:
                return {"show": True, **_notice(many=True, requested=text.requested)}
    return {"show": False}
