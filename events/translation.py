"""Fields that staff translate per language (django-modeltranslation); German is the fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import Event


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("title", "description", "learning_goals", "target_group")
