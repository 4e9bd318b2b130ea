"""Texts that staff translate per language (django-modeltranslation); German is the fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import Answer, Lesson, LessonAttachment, Material, Module, Question


@register(Module)
class ModuleTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "learning_goals", "cover_alt")


@register(Lesson)
class LessonTranslationOptions(TranslationOptions):
    fields = ("title", "text")


@register(LessonAttachment)
class LessonAttachmentTranslationOptions(TranslationOptions):
    fields = ("title",)


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    fields = ("text",)


@register(Answer)
class AnswerTranslationOptions(TranslationOptions):
    fields = ("text", "explanation")


@register(Material)
class MaterialTranslationOptions(TranslationOptions):
    fields = ("title", "description")
