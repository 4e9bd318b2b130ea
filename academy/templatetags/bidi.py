"""The writing direction of a text, for places where HTML's dir="auto" does not work (WeasyPrint ignores it)."""

import unicodedata

from django import template

register = template.Library()


@register.filter
def direction(value) -> str:
    """ "rtl" when the text's first strongly directional letter is Arabic or Hebrew script, else "ltr" (Unicode's rule
    for dir="auto"): German lines stay left-to-right on an Arabic certificate, Arabic ones right-to-left."""
    for character in str(value):
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"
