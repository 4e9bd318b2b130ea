"""Labels of choices, for code that writes many rows (lists, the admin's change lists, str() of a row)."""

from django.db.models import Choices


def choice_label(choices: type[Choices], value) -> str:
    """What `get_<field>_display()` says for a value of these choices, in the active language.

    For rows of long lists: Django's get_<field>_display builds a dictionary of all the field's choices on every
    call (about 150 Python calls; a fifth of a case list's row); the enum finds the member directly. A value that
    is none of the choices is shown as it is, as Django does."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
