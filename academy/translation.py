"""Fields that staff translate per language (django-modeltranslation); German is the fallback."""

from django.conf import settings
from django.db.models import Choices
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname

from .models import Topic


def translated_columns(field: str) -> list[str]:
    """A translated field's columns: the original and modeltranslation's one per language (for only()/defer())."""
    return [field, *(build_localized_fieldname(field, code) for code, _name in settings.LANGUAGES)]


def choice_label(choices: type[Choices], value) -> str:
    """What `get_<field>_display()` says for a value of these choices, in the active language.

    For rows of long lists: Django's get_<field>_display builds a dictionary of all the field's choices on every
    call (about 150 Python calls; a fifth of a case list's row); the enum finds the member directly. A value that
    is none of the choices is shown as it is, as Django does."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name", "description")
