"""Fields that staff translate per language (django-modeltranslation); German is the fallback."""

from collections.abc import Callable

from django.conf import settings
from django.db import models
from modeltranslation.fields import NONE
from modeltranslation.thread_context import fallbacks_enabled
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

from .models import Topic


def translated_columns(field: str) -> list[str]:
    """A translated field's columns: the original and modeltranslation's one per language (for only()/defer())."""
    return [field, *(build_localized_fieldname(field, code) for code, _name in settings.LANGUAGES)]


def translated_reader(model: type[models.Model], field: str) -> Callable[[dict], object]:
    """Reads a translated field from a row's values by column name (title_de, title_en, …) as modeltranslation's
    descriptor reads it from an instance in the active language: that language's column, then its fallbacks, the
    first with a value, else the fallback value or the field's default. The order is found once per call of this
    function (a page of rows) instead of once per row; the descriptor cost ~36,000 instructions a row in the
    admin's booking list (docs/benchmarks.md). Not for file fields (the descriptor wraps those)."""
    descriptor = model.__dict__[field]
    if isinstance(descriptor.field, models.FileField):
        raise TypeError(f"{model.__name__}.{field}: a file field is read through its descriptor.")
    default = descriptor.field.get_default()
    undefined = default if descriptor.fallback_undefined is NONE else descriptor.fallback_undefined
    columns = [
        build_localized_fieldname(field, language)
        for language in resolution_order(get_language(), descriptor.fallback_languages)
    ]
    fallback = descriptor.fallback_value if fallbacks_enabled() and descriptor.fallback_value is not NONE else default

    def read(values: dict):
        for column in columns:
            value = values.get(column)
            if value is not None and value != undefined:
                return value
        return fallback

    return read


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name", "description")
