"""Texts of our dependencies whose German translation they ship empty.

Listing them here keeps them in our catalogue (`make messages` finds them), and our catalogue comes first
(LOCALE_PATHS), so people see them in their language. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

TEXTS = (
    # allauth's message when its login rate limit refuses an attempt.
    gettext_noop("Too many failed login attempts. Try again later."),
)
