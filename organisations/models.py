"""Organisations (federations, member clubs, initiatives), the people who act for them and how they join."""

import re
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from academy.history import KeptHistoryManager

PRIVACY_NOTICE_VERSION_DEFAULT = "2026-11"
INVITATION_VALID_DAYS = 14
LOGO_MAX_BYTES = 2 * 1024 * 1024


def privacy_notice_version() -> str:
    """The version of the privacy notice a person must have accepted; a new one asks everybody again."""
    return getattr(settings, "PRIVACY_NOTICE_VERSION", PRIVACY_NOTICE_VERSION_DEFAULT)


# Legal-form words that say nothing about which organisation it is ("e.V." is "ev" once dots are gone).
LEGAL_FORM_WORDS = {"ev", "nev", "ggmbh", "gmbh", "gug", "ug", "haftungsbeschränkt", "eg", "gag", "ag", "mbh"}


def normalise_name(value: str) -> str:
    """The name as duplicate detection compares it: case, punctuation, spacing and legal-form suffixes ignored.

    "Türkische Gemeinde in Hamburg e. V." and "türkische gemeinde in hamburg" normalise to the same text.
    """
    text = unicodedata.normalize("NFKC", value or "").casefold()
    text = re.sub(r"\bn\.\s*e\.\s*v\b\.?", " nev ", text)
    text = re.sub(r"\be\.\s*v\b\.?", " ev ", text)
    text = text.replace(".", "")
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(word for word in text.split() if word not in LEGAL_FORM_WORDS)


def validate_logo(file) -> None:
    """A logo must be a real image (checked by content, not by name) of at most 2 MB."""
    from PIL import Image, UnidentifiedImageError

    if getattr(file, "_committed", False):  # stored already, checked when it was uploaded
        return
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 2 MB large."), code="too_large")
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
            if image.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
                raise ValidationError(_("Please upload a PNG, JPEG, GIF or WebP image."), code="format")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("This file is not an image we can read."), code="not_an_image") from error
    finally:
        file.seek(position)


postcode_validator = RegexValidator(
    r"^\d{5}$", _("A German postcode (PLZ) has exactly five digits."), code="invalid_postcode"
)


class Bundesland(models.TextChoices):
    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


class Organisation(models.Model):
    """A federation, member club or initiative: the client of VAMOs. Pending until staff approve it."""

    class LegalForm(models.TextChoices):
        EV = "ev", _("registered association (e.V.)")
        GGMBH = "ggmbh", _("non-profit limited company (gGmbH)")
        GUG = "gug", _("non-profit entrepreneurial company (gUG)")
        UNREGISTERED = "unregistered", _("unregistered association")
        INITIATIVE = "initiative", _("initiative")
        OTHER = "other", _("other")

    class Kind(models.TextChoices):
        FEDERAL = "federal", _("federal or umbrella federation (Bundes-/Dachverband)")
        STATE = "state", _("state federation (Landesverband)")
        CLUB = "club", _("regional or local association (Verein)")
        INITIATIVE = "initiative", _("initiative")

    FEDERATION_KINDS = (Kind.FEDERAL, Kind.STATE)

    class Status(models.TextChoices):
        PENDING = "pending", _("pending approval")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    name = models.CharField(_("name"), max_length=200)
    normalised_name = models.CharField(_("normalised name"), max_length=200, db_index=True, editable=False)
    normalised_city = models.CharField(_("normalised city"), max_length=100, editable=False)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    kind = models.CharField(_("kind of organisation"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent federation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_clubs",
        limit_choices_to={"kind__in": ["federal", "state"], "status": "approved"},
        help_text=_("The federation you are a member of. Its admins confirm the link."),
    )
    parent_confirmed = models.BooleanField(_("membership confirmed by the federation"), default=False)
    shares_participation = models.BooleanField(
        _("share participation with the federation"),
        default=False,
        help_text=_("The federation may see which offers your organisation takes part in (no personal data)."),
    )

    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode (PLZ)"), max_length=5, validators=[postcode_validator])
    city = models.CharField(_("city"), max_length=100)
    bundesland = models.CharField(_("federal state (Bundesland)"), max_length=2, choices=Bundesland.choices)

    founding_year = models.PositiveSmallIntegerField(
        _("founding year"), null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    member_count = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    paid_staff_count = models.PositiveIntegerField(_("paid staff"), null=True, blank=True)
    volunteer_count = models.PositiveIntegerField(_("volunteers"), null=True, blank=True)
    working_languages = models.JSONField(_("working languages"), default=list, blank=True)
    communities = models.JSONField(_("communities served"), default=list, blank=True)

    website = models.URLField(_("website"), blank=True)
    public_email = models.EmailField(_("public contact email"), blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True)
    topics = models.ManyToManyField(
        "academy.Topic", verbose_name=_("topics of interest"), blank=True, related_name="organisations"
    )
    description = models.TextField(_("short self-description"), max_length=2000, blank=True)
    logo = models.ImageField(_("logo"), upload_to="organisations/logos/", blank=True, validators=[validate_logo])

    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations_in_charge",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_notified_at = models.DateTimeField(_("contact notified of decision"), null=True, blank=True)
    staff_notified_at = models.DateTimeField(_("team notified of registration"), null=True, blank=True)
    staff_notes = models.TextField(_("notes (staff only)"), blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(history_manager=KeptHistoryManager)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            # One record per organisation: a second registration of the same name in the same city is refused
            # (declined registrations do not count).
            models.UniqueConstraint(
                fields=["normalised_name", "normalised_city"],
                condition=~Q(status="declined"),
                name="organisation_unique_name_city",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")), name="organisation_not_own_parent"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="organisation_decline_has_reason"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        self.normalised_city = normalise_name(self.city)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"name", "city"} & set(update_fields)):
            kwargs["update_fields"] = {*update_fields, "normalised_name", "normalised_city"}
        super().save(*args, **kwargs)

    @property
    def is_federation(self) -> bool:
        return self.kind in self.FEDERATION_KINDS

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def can_book(self) -> bool:
        """Pending (and declined) organisations may browse and prepare, but not book or request offers."""
        return self.is_approved

    # Fields a complete profile has filled in, with the label shown when one is missing.
    PROFILE_FIELDS = (
        "street",
        "founding_year",
        "member_count",
        "paid_staff_count",
        "volunteer_count",
        "working_languages",
        "communities",
        "website",
        "public_email",
        "phone",
        "description",
        "logo",
    )

    def profile_missing(self, has_topics: bool) -> list[str]:
        """Labels of the profile fields still empty (whether it chose topics passed in: no query of its own)."""
        missing = [
            str(self._meta.get_field(name).verbose_name)
            for name in self.PROFILE_FIELDS
            if getattr(self, name) in (None, "", [])
        ]
        if not has_topics:
            missing.append(str(self._meta.get_field("topics").verbose_name))
        return missing

    def profile_completeness(self, has_topics: bool) -> int:
        total = len(self.PROFILE_FIELDS) + 1
        return round(100 * (total - len(self.profile_missing(has_topics))) / total)


class Membership(models.Model):
    """A person's place in an organisation: admin (changes it, manages the team) or member."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("organisation admin")
        MEMBER = "member", _("member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    history = HistoricalRecords(history_manager=KeptHistoryManager)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_organisation")
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=INVITATION_VALID_DAYS)


class Invitation(models.Model):
    """An admin's invitation of a colleague by email. The token works once and for 14 days."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=_invitation_expiry)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class JoinRequest(models.Model):
    """A person asks to join an organisation; one of its admins accepts or declines."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="join_requests"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    admins_notified_at = models.DateTimeField(_("admins notified"), null=True, blank=True)
    decision_notified_at = models.DateTimeField(_("person notified of decision"), null=True, blank=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], condition=Q(status="open"), name="join_request_one_open"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.get_status_display()})"


class ConsentRecord(models.Model):
    """Which version of the privacy notice a person accepted, and when (GDPR: consent is recorded)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    version = models.CharField(_("privacy notice version"), max_length=20)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-accepted_at"]
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="consent_once_per_version")]

    def __str__(self):
        return f"{self.user} – {self.version}"


class AssessmentStatement(models.Model):
    """A statement of the Organisationscheck ("Wo stehen wir als Verband?"), rated on a 4-point scale.

    Staff edit the statements in the admin (German and English); a statement that has been answered is
    deactivated rather than deleted, so that earlier results keep their meaning.
    """

    topic = models.ForeignKey(
        "academy.Topic", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="assessment_statements"
    )
    text = models.CharField(_("statement"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Organisationscheck statement")
        verbose_name_plural = _("Organisationscheck statements")
        ordering = ["topic__position", "position", "pk"]

    def __str__(self):
        return self.text


class Assessment(models.Model):
    """One completed Organisationscheck of an organisation, kept with its date so it can be repeated."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="assessments"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)

    class Meta:
        verbose_name = _("Organisationscheck")
        verbose_name_plural = _("Organisationschecks")
        ordering = ["-completed_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-completed_at"])]

    def __str__(self):
        return f"{self.organisation} – {self.completed_at:%Y-%m-%d}"


class AssessmentAnswer(models.Model):
    """A rating from 1 (does not apply) to 4 (fully applies). The topic is copied, so results stay as they were
    even when staff later move a statement to another topic."""

    class Rating(models.IntegerChoices):
        NOT_AT_ALL = 1, _("does not apply")
        PARTLY = 2, _("applies partly")
        MOSTLY = 3, _("mostly applies")
        FULLY = 4, _("fully applies")

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("Organisationscheck"), on_delete=models.CASCADE, related_name="answers"
    )
    statement = models.ForeignKey(
        AssessmentStatement, verbose_name=_("statement"), on_delete=models.PROTECT, related_name="answers"
    )
    topic = models.ForeignKey("academy.Topic", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "statement"], name="assessment_answer_once"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="assessment_rating_1_to_4"),
        ]

    def __str__(self):
        return f"{self.statement}: {self.rating}"
