"""Lesson text: Markdown written by staff, rendered to HTML and sanitised with nh3 (an allow-list).

Nothing that runs or loads from elsewhere survives: no script, style, iframe, object, form or on* attribute;
links keep only http(s) and mailto and get rel="noopener noreferrer"; images only from our own host.
"""

import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _own_images_only(tag: str, attribute: str, value: str) -> str | None:
    # An image from another host would tell that host who reads the lesson; only our own paths are kept.
    if tag == "img" and attribute == "src" and not (value.startswith("/") and not value.startswith("//")):
        return None
    return value


HEADING = re.compile(r"<(/?)h([1-6])\b")


def _shift_headings(html: str) -> str:
    # The page's title is its only h1; a "# heading" in the text becomes an h2, and so on down.
    return HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", html)


def render_markdown(text: str) -> SafeString:
    return mark_safe(_render(text or ""))  # noqa: S308 - sanitised by nh3 in _render


@lru_cache(maxsize=256)
def _render(text: str) -> str:
    """The sanitised HTML of a text, kept per process for the last 256 texts read: the text itself is the key, so a
    changed lesson is rendered anew and nothing needs invalidating. Rendering was a tenth of a lesson page."""
    html = _shift_headings(markdown_lib.markdown(text, extensions=["extra", "sane_lists"], output_format="html"))
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_own_images_only,
        strip_comments=True,
    )
    return cleaned
