"""Fields that staff translate per language (django-modeltranslation); German is the fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import AssessmentStatement


@register(AssessmentStatement)
class AssessmentStatementTranslationOptions(TranslationOptions):
    fields = ("text",)
