"""Fields that staff translate per language (django-modeltranslation); German is the fallback."""

from django.conf import settings
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname

from .models import Topic


def translated_columns(field: str) -> list[str]:
    """A translated field's columns: the original and modeltranslation's one per language (for only()/defer())."""
    return [field, *(build_localized_fieldname(field, code) for code, _name in settings.LANGUAGES)]


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name", "description")
