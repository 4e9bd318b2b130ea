"""Forms of the event pages: the catalogue's filters (GET), booking colleagues and marking attendance."""

import re
from datetime import date
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from academy.forms import IdMultipleChoiceField
from academy.models import Topic

from .models import Event, Language

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def _with_blank(choices, label):
    return [("", label), *choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters, a plain GET form. Invalid values are reported beside their field and ignored;
    the valid ones still filter (`filters()`)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.order_by("position", "slug"),
        required=False,
        empty_label=_("All topics"),
        error_messages={"invalid_choice": _("Please choose a topic from the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=_with_blank(Event.Kind.choices, _("All kinds")),
        required=False,
        error_messages={"invalid_choice": _("Please choose a kind from the list.")},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=_with_blank(Event.Format.choices, _("All formats")),
        required=False,
        error_messages={"invalid_choice": _("Please choose a format from the list.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=_with_blank(Language.choices, _("All languages")),
        required=False,
        error_messages={"invalid_choice": _("Please choose a language from the list.")},
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        help_text=_("For example 2026-03"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03", "inputmode": "numeric"}),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Please enter a date such as 2026-03-14.")},
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Please enter a date such as 2026-03-14.")},
    )
    free = forms.BooleanField(label=_("Only events with free seats"), required=False)

    def clean_month(self) -> date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        match = MONTH_PATTERN.match(value)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12 and 2000 <= year <= 2100:
                return date(year, month, 1)
        raise ValidationError(_("Please enter a month such as 2026-03."), code="invalid_month")

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end of the range must not be before its start."))
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for selectors.event_catalogue from the fields that are valid."""
        if not self.is_bound:
            return {}
        self.is_valid()  # fills cleaned_data with the valid fields, errors for the others
        data = getattr(self, "cleaned_data", {})
        return {
            "search": data.get("q") or "",
            "topic": data.get("topic"),
            "kind": data.get("kind") or None,
            "format": data.get("format") or None,
            "language": data.get("language") or None,
            "month": data.get("month"),
            "date_from": data.get("date_from") if "date_to" not in self.errors else None,
            "date_to": data.get("date_to"),
            "free_only": bool(data.get("free")),
        }

    def uses_more_filters(self) -> bool:
        """Whether a filter beyond the search is set (or wrong): the page then shows them unfolded."""
        names = ("topic", "kind", "format", "language", "month", "date_from", "date_to", "free")
        return self.is_bound and any(self.data.get(name) for name in names)

    def active_filter_query(self) -> str:
        """The filters as a query string without the page, for the pagination links."""
        params = self.data.copy()
        params.pop("page", None)
        return params.urlencode()


class _ReadOnceChoiceIterator(ModelChoiceIterator):
    """Iterates the field's queryset itself, which keeps its rows, instead of Django's `.iterator()`: on
    PostgreSQL that opens a server-side cursor (DECLARE, FETCH, CLOSE) for a handful of colleagues, and the page
    asked whether there were any in a query of its own before."""

    def __iter__(self):
        for obj in self.queryset:
            yield self.choice(obj)


class ColleagueChoiceField(IdMultipleChoiceField):
    iterator = _ReadOnceChoiceIterator

    def label_from_instance(self, obj):
        return obj.get_full_name()


class BookColleaguesForm(forms.Form):
    """An organisation admin picks colleagues (members without a booking of this event)."""

    people = ColleagueChoiceField(
        label=_("Colleagues"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("Please choose at least one colleague."),
            "invalid_choice": _("%(value)s is not a member of your organisation who can still be booked."),
            "invalid_pk_value": _("Please choose colleagues from the list."),
        },
    )

    def __init__(self, *args, colleagues=None, listed: list[tuple[int, str]] | None = None, **kwargs):
        """`colleagues`: who may be chosen, the queryset that checks what is sent (a posted form needs it);
        `listed`: the (id, name) of those people where the page has read them (selectors.bookable_colleague_names),
        for the event page's form that only shows them; without it the checkboxes read the queryset."""
        super().__init__(*args, **kwargs)
        if colleagues is None and (self.is_bound or listed is None):
            raise TypeError("A posted colleagues form, or one without `listed`, needs `colleagues` to choose from.")
        self.fields["people"].queryset = colleagues
        self.listed = listed

    @cached_property
    def checkboxes(self) -> list[dict]:
        """The colleagues as the event page writes its checkboxes (id, value, label, checked), the same elements
        as Django's widget: its templates cost three includes per checkbox, an eighth of the event page."""
        field = self["people"]
        chosen = {str(value) for value in field.value() or []}
        choices = self.listed if self.listed is not None else field.field.choices
        return [
            {"id": f"{field.auto_id}_{index}", "value": str(value), "label": label, "checked": str(value) in chosen}
            for index, (value, label) in enumerate(choices)
        ]


class AttendanceForm(forms.Form):
    present = forms.TypedChoiceField(
        choices=[("1", _("present")), ("0", _("absent"))],
        coerce=lambda value: value == "1",
        error_messages={"required": _("Please choose present or absent.")},
    )


class FeedbackForm(forms.Form):
    """A participant's short feedback after an event."""

    rating = forms.TypedChoiceField(
        label=_("How useful was the event for you?"),
        choices=[
            (5, _("5 – very useful")),
            (4, _("4 – useful")),
            (3, _("3 – partly")),
            (2, _("2 – hardly")),
            (1, _("1 – not at all")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What should we keep or change? (optional)"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
