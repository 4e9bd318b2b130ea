"""Labels of choices, for code that writes many rows (lists, the admin's change lists, str() of a row)."""

from functools import lru_cache

from django.db.models import Choices
from django.utils.translation import get_language


def choice_label(choices: type[Choices], value) -> str:
    """What `get_<field>_display()` says for a value of these choices, in the active language.

    For rows of long lists: Django's get_<field>_display builds a dictionary of all the field's choices on every
    call (about 150 Python calls; a fifth of a case list's row); here the label is translated once per process
    for each choice and language. A value that is none of the choices is shown as it is, as Django does."""
    return _label(choices, value, get_language())


@lru_cache(maxsize=1024)
def _label(choices: type[Choices], value, language: str | None) -> str:
    # Called with `language` active: the lazy label is translated into it.
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
