from django import forms
from django.conf import settings
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import ContactMessage


class LanguageSelect(forms.Select):
    """Each language in its own name, with `lang` on its option, so a screen reader reads it in that language."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


def language_choices():
    return [(code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's signup form: how we address the person, the name for certificates, and the
    language of the portal and of their mails, reminders and certificates (preset to the page's language)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=150,
        required=False,
        help_text=_("How the portal addresses you, e.g. your first name."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        help_text=_("As it should appear on your certificates."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_("Language of the portal and of the emails you receive."),
        widget=LanguageSelect,
    )

    field_order = ["first_name", "last_name", "display_name", "email", "password1", "password2", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = translation.get_language()

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.display_name = self.cleaned_data["display_name"] or self.cleaned_data["first_name"]
        # Without a choice (an older form) the person keeps the language they were reading (AccountAdapter).
        user.language = self.cleaned_data.get("language") or user.language
        user.save(update_fields=["first_name", "last_name", "display_name", "language"])


class ContactForm(forms.ModelForm):
    """The contact form. Spam is kept out without a third-party captcha:

    - a honeypot field that people never see (hidden from screen readers too) and bots fill in;
    - a signed timestamp: a form sent back within seconds of being shown was not typed by a person;
    - a rate limit per address (in the view).
    """

    MIN_SECONDS = 3

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    shown_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "organisation", "subject", "message"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "message": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["shown_at"] = signing.TimestampSigner(salt="contact-form").sign("shown")

    def is_spam(self) -> bool:
        """True when the honeypot is filled, the stamp is missing or forged, or the form came back too fast."""
        if self.cleaned_data.get("website"):
            return True
        signer = signing.TimestampSigner(salt="contact-form")
        try:
            signer.unsign(self.cleaned_data.get("shown_at") or "", max_age=self.MIN_SECONDS)
        except signing.SignatureExpired:
            return False  # signed by us, and shown long enough ago for a person to have typed
        except signing.BadSignature:
            return True
        return True


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


# The largest id a BigAutoField holds; a larger number typed into a form is no id of ours.
MAX_ID = 2**63 - 1


def is_id(value) -> bool:
    """Whether a submitted value can be an id of ours: ASCII digits only (str.isdigit() also accepts "¹", which
    int() refuses) and no larger than an id column holds."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField whose ids must be whole numbers an id column can hold.

    Django passes the submitted values straight to `pk__in`; SQLite raises OverflowError for a number
    beyond 64 bits, which would be a server error for something anyone can type. Such a value is simply
    not one of the choices.
    """

    def _check_values(self, value):
        for pk in value:
            if not is_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)
