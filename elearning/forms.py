from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from academy.models import Topic

from .models import Level, Material, Question


class CatalogueFilterForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.order_by("position"), required=False, empty_label=_("all topics")
    )
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("all levels")), *Level.choices], required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("all languages")), *settings.LANGUAGES], required=False
    )


class MaterialFilterForm(CatalogueFilterForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("all kinds")), *Material.Kind.choices], required=False)
    level = None
    field_order = ["q", "topic", "kind", "language"]


class QuizForm(forms.Form):
    """One field per question; options are the answers' ids and texts, never whether they are correct."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            choices = [(str(answer.pk), answer.text) for answer in question.answers.all()]
            label = f"{number}. {question.text}"
            if question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Choose all answers that apply."),
                    error_messages={"required": _("Please choose at least one answer.")},
                )
            else:
                field = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.RadioSelect,
                    help_text=_("Choose one answer."),
                    error_messages={"required": _("Please choose an answer.")},
                )
            self.fields[f"question_{question.pk}"] = field

    def chosen(self) -> dict[int, set[int]]:
        found = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"question_{question.pk}") or []
            values = value if isinstance(value, list) else [value]
            found[question.pk] = {int(v) for v in values}
        return found


class SharingForm(forms.Form):
    shares = forms.BooleanField(required=False)
