from datetime import date, datetime, time

from django import forms
from django.utils.translation import gettext_lazy as _

from academy.forms import IdMultipleChoiceField
from academy.models import Topic
from academy.validators import IMAGE_ACCEPT, image_upload_clean
from organisations.models import Bundesland

from . import availability, selectors
from .models import LANGUAGES, AvailabilityException, CoachingCase, CoachProfile, Format, WeeklyAvailability

PHOTO_MAX_BYTES = 2 * 1024 * 1024


def berlin_datetime(day: date, at: time) -> datetime:
    return availability.local_datetime(day, at)


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if isinstance(value, date) else value


class TimeInput(forms.TimeInput):
    input_type = "time"

    def format_value(self, value):
        return value.strftime("%H:%M") if isinstance(value, time) else value


class CaseRequestForm(forms.ModelForm):
    topics = IdMultipleChoiceField(label=_("Topics"), queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = CoachingCase
        fields = [
            "kind",
            "topics",
            "goals",
            "situation",
            "preferred_format",
            "language",
            "region",
            "participants",
            "time_frame",
            "preferred_coach",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "preferred_format": forms.RadioSelect,
            "goals": forms.Textarea(attrs={"rows": 4}),
            "situation": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "participants": _("Only for team development."),
            "region": _("Only for in-person sessions."),
            "time_frame": _("For example: from March, Tuesday evenings."),
            "preferred_coach": _("Optional. The VAMOs team takes it into account."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_coach"].queryset = selectors.coach_choices()
        self.fields["preferred_coach"].label_from_instance = lambda coach: coach.name
        self.fields["region"].choices = [("", _("— none —")), *Bundesland.choices]

    def case_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["region"] = data.get("region") or ""
        return data


class SlotForm(forms.Form):
    """The organisation's pick: one of the free slots shown (as an ISO timestamp)."""

    start = forms.CharField(label=_("Time"), max_length=40)

    def clean_start(self):
        try:
            value = datetime.fromisoformat(self.cleaned_data["start"])
        except ValueError as error:
            raise forms.ValidationError(_("Please choose one of the times shown.")) from error
        if value.tzinfo is None:
            raise forms.ValidationError(_("Please choose one of the times shown."))
        return value


class ProposeForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput)
    minutes = forms.IntegerField(label=_("Length in minutes"), min_value=15, max_value=480)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices, widget=forms.RadioSelect)
    meeting_link = forms.URLField(label=_("Meeting link (online)"), required=False, assume_scheme="https")
    place = forms.CharField(label=_("Place (in person)"), max_length=300, required=False)

    def start(self) -> datetime:
        return berlin_datetime(self.cleaned_data["day"], self.cleaned_data["start_time"])


class MoveForm(forms.Form):
    day = forms.DateField(label=_("New date"), widget=DateInput)
    start_time = forms.TimeField(label=_("New start time"), widget=TimeInput)

    def start(self) -> datetime:
        return berlin_datetime(self.cleaned_data["day"], self.cleaned_data["start_time"])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (both sides see it)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecordForm(forms.Form):
    held = forms.TypedChoiceField(
        label=_("Did the session take place?"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"), min_value=1, max_value=600, required=False)
    next_steps = forms.CharField(
        label=_("Agreed next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organisation sees these."),
    )
    private_note = forms.CharField(
        label=_("Private note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you and the VAMOs team see this note, never the organisation."),
    )


class GoalsForm(forms.Form):
    agreed_goals = forms.CharField(
        label=_("Agreed goals (Zielvereinbarung)"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MeetingForm(forms.Form):
    meeting_link = forms.URLField(label=_("Meeting link for online sessions"), required=False, assume_scheme="https")
    place = forms.CharField(label=_("Place for in-person sessions"), max_length=300, required=False)


class CompleteForm(forms.Form):
    goals_reached = forms.ChoiceField(
        label=_("Were the agreed goals reached?"), choices=CoachingCase.GoalsReached.choices, widget=forms.RadioSelect
    )
    goals_review = forms.CharField(
        label=_("Review of the goals"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How helpful was the coaching? (1 = not at all, 5 = very)"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WeeklyAvailabilityForm(forms.ModelForm):
    class Meta:
        model = WeeklyAvailability
        fields = ["weekday", "start_time", "end_time"]
        widgets = {"start_time": TimeInput, "end_time": TimeInput}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The window must end after it starts."))
        return cleaned


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AvailabilityException.Kind.choices, widget=forms.RadioSelect)
    start_day = forms.DateField(label=_("From (date)"), widget=DateInput)
    start_time = forms.TimeField(label=_("From (time)"), widget=TimeInput)
    end_day = forms.DateField(label=_("Until (date)"), widget=DateInput)
    end_time = forms.TimeField(label=_("Until (time)"), widget=TimeInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(name) for name in ("start_day", "start_time", "end_day", "end_time")):
            cleaned["start"] = berlin_datetime(cleaned["start_day"], cleaned["start_time"])
            cleaned["end"] = berlin_datetime(cleaned["end_day"], cleaned["end_time"])
            if cleaned["end"] <= cleaned["start"]:
                self.add_error("end_time", _("The time must end after it starts."))
        return cleaned


class CoachProfileForm(forms.ModelForm):
    topics = IdMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGES, widget=forms.CheckboxSelectMultiple, required=False
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions for in-person work"),
        choices=Bundesland.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = CoachProfile
        fields = ["bio", "photo", "topics", "languages", "offers_online", "offers_in_person", "regions"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5}),
            "photo": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        }
        help_texts = {"photo": _("PNG, JPEG, GIF or WebP, at most 2 MB.")}

    def clean_photo(self):
        # PNG, JPEG, GIF or WebP by content (never SVG), at most 2 MB, stored under a random name.
        return image_upload_clean(self.cleaned_data.get("photo"), max_bytes=PHOTO_MAX_BYTES)

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "topics"}


class AdminCoachProfileForm(CoachProfileForm):
    class Meta(CoachProfileForm.Meta):
        fields = ["user", *CoachProfileForm.Meta.fields, "max_active_cases", "is_active"]


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the organisation)"), widget=forms.Textarea(attrs={"rows": 4}))
