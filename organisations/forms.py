import re

from django import forms
from django.utils.translation import gettext_lazy as _

from academy.forms import IdMultipleChoiceField
from academy.models import Topic
from academy.validators import IMAGE_ACCEPT, image_upload_clean

from .models import LOGO_MAX_BYTES, Membership, Organisation


class TagsField(forms.CharField):
    """Free tags typed as one line, separated by commas: "Arabisch, Deutsch" ↔ ["Arabisch", "Deutsch"]."""

    MAX_TAGS = 20
    MAX_LENGTH = 50

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        tags: list[str] = []
        for tag in re.split(r"[,;\n]", text or ""):
            tag = " ".join(tag.split())
            if tag and tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(tag)
        return tags

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.MAX_TAGS:
            raise forms.ValidationError(_("Please name at most 20."), code="too_many")
        if any(len(tag) > self.MAX_LENGTH for tag in value):
            raise forms.ValidationError(_("Each entry may be at most 50 characters long."), code="too_long")

    def run_validators(self, value):
        # The length validators of CharField count characters of the text, not tags.
        return None


class OrganisationForm(forms.ModelForm):
    """The organisation's profile: used for the registration and for later changes."""

    working_languages = TagsField(
        label=_("Working languages"), help_text=_("Separate with commas, e.g. Deutsch, Arabisch, Türkisch.")
    )
    communities = TagsField(
        label=_("Communities served"), help_text=_("Separate with commas, e.g. Syrian, Kurdish, Ukrainian.")
    )
    topics = IdMultipleChoiceField(
        label=_("Topics of interest"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "legal_form",
            "kind",
            "parent",
            "street",
            "postcode",
            "city",
            "bundesland",
            "founding_year",
            "member_count",
            "paid_staff_count",
            "volunteer_count",
            "working_languages",
            "communities",
            "website",
            "public_email",
            "phone",
            "topics",
            "description",
            "logo",
            "shares_participation",
        ]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "logo": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        }
        help_texts = {"logo": _("PNG, JPEG, GIF or WebP, at most 2 MB.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.filter(
            kind__in=Organisation.FEDERATION_KINDS, status=Organisation.Status.APPROVED
        ).order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # A new upload is checked for size before Pillow reads it; the model validator checks the content.
        if logo and hasattr(logo, "content_type") and logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo may be at most 2 MB large."), code="too_large")
        # PNG, JPEG, GIF or WebP by content (never SVG), stored under a random name with the matching ending.
        return image_upload_clean(logo, max_bytes=LOGO_MAX_BYTES)

    def profile_data(self) -> dict:
        """The cleaned values as keyword arguments for the services (topics apart)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        data.pop("topics", None)
        if data.get("logo") is False:  # "clear" ticked
            data["logo"] = ""
        elif data.get("logo") is None:
            data.pop("logo", None)
        return data


class RegistrationForm(OrganisationForm):
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is processed as described there."),
        required=True,
    )

    class Meta(OrganisationForm.Meta):
        fields = [f for f in OrganisationForm.Meta.fields if f != "shares_participation"]


class ConsentForm(forms.Form):
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is processed as described there."),
        required=True,
    )


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation's admins (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name of the organisation"), min_length=2, max_length=200)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of your colleague"), widget=forms.EmailInput())
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class HandOverForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label=_("Colleague who takes over"),
        queryset=Membership.objects.none(),
        help_text=_("They become admin and contact person; you stay a member."),
    )

    def __init__(self, *args, organisation: Organisation, user, **kwargs):
        super().__init__(*args, **kwargs)
        from academy.models import User

        self.fields["to_user"].queryset = (
            User.objects.filter(memberships__organisation=organisation, is_active=True)
            .exclude(pk=user.pk)
            .order_by("email")
        )
        self.fields["to_user"].label_from_instance = lambda person: f"{person.get_full_name()} ({person.email})"


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the contact person receives it by email)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class SwitchForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)


class AssessmentForm(forms.Form):
    """One radio group per active statement of the Organisationscheck, grouped by topic in the template."""

    def __init__(self, *args, statements, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import AssessmentAnswer

        self.statements = list(statements)
        for statement in self.statements:
            self.fields[f"statement_{statement.pk}"] = forms.TypedChoiceField(
                label=statement.text,
                choices=AssessmentAnswer.Rating.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please rate this statement.")},
            )

    def groups(self):
        """[(topic, [bound field, …]), …] in the statements' order."""
        groups: list = []
        for statement in self.statements:
            if not groups or groups[-1][0].pk != statement.topic_id:
                groups.append((statement.topic, []))
            groups[-1][1].append(self[f"statement_{statement.pk}"])
        return groups

    def ratings(self) -> dict[int, int]:
        return {statement.pk: self.cleaned_data[f"statement_{statement.pk}"] for statement in self.statements}
