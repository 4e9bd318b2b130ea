from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser needs is_staff and is_superuser.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Addresses are stored lower-case (User.save), so a login in any case finds its person.
        return self.get(email__iexact=username)


class WorkingLanguage(models.TextChoices):
    """Languages an offer is held in or a coach works in (ISO 639-1) — more than the portal's own languages."""

    DE = "de", _("German")
    EN = "en", _("English")
    TR = "tr", _("Turkish")
    AR = "ar", _("Arabic")
    UK = "uk", _("Ukrainian")
    RU = "ru", _("Russian")
    FA = "fa", _("Persian")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    PL = "pl", _("Polish")


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; first and last name appear on certificates."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_("How the portal addresses you, e.g. your first name."),
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Language of the portal and of the emails you receive."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        # One person, one address: stored lower-case so that uniqueness ignores case.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    # What get_full_name() and get_short_name() read: the columns a page reads of a person it only names (a trainer,
    # a coach, the contact, who booked), with only(); nothing else of their account.
    NAME_COLUMNS = ("first_name", "last_name", "display_name", "email")

    def get_full_name(self) -> str:
        return self.full_name or self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.first_name or self.email.split("@")[0]


class Topic(models.Model):
    """A Themenfeld. The seven of PRODUCT.md are seeded; staff may edit them in the admin."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name


class ContactMessage(models.Model):
    """A message to the VAMOs team from the contact form; kept so that nothing sent is lost."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ANSWERED = "answered", _("answered")
        SPAM = "spam", _("spam")

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"), max_length=5000)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="de")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_messages",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    notified_at = models.DateTimeField(_("team notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} ({self.email})"


def _new_feed_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """The secret in the address of a person's calendar feed (academy.calendar). Making a new one revokes the
    old: at most one active token per person (a partial UniqueConstraint), revoked ones are kept as a record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_feed_token, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed link")
        verbose_name_plural = _("calendar feed links")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="calendar_feed_one_active_per_user"
            )
        ]

    def __str__(self):
        return f"{self.user} ({_('revoked') if self.revoked_at else _('active')})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SentReminder(models.Model):
    """The decision to send one reminder (academy.reminders): one row per recipient, subject and kind.

    The UniqueConstraint is what makes every reminder go once: the scheduler inserts the row (pending) in
    the transaction that decides, a second scheduler's insert fails, and the send task marks it sent under
    the row lock in the transaction that sends.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("no longer applies")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="sent_reminders",
    )
    subject_key = models.CharField(_("subject"), max_length=200)
    kind = models.CharField(_("kind"), max_length=50)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "subject_key", "kind"], name="sent_reminder_once"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.kind} {self.subject_key} → {self.recipient_id} ({self.get_status_display()})"


def _new_certificate_code() -> str:
    import secrets

    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """A certificate (Nachweis) of an event attended, a module completed or coaching received (academy.certificates).

    What it says is a snapshot taken when it is issued (title, details), so later edits of the offer do not
    change a certificate already given. The organisation is kept as id and name only: academy does not
    import organisations. Issuing twice gives one certificate: a person's certificate is unique per kind and
    subject, and so is an organisation's (recipient empty), both held by partial UniqueConstraints.
    """

    class Kind(models.TextChoices):
        EVENT = "event", _("event participation")
        MODULE = "module", _("module completion")
        COACHING = "coaching", _("coaching participation")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject_key = models.CharField(_("subject"), max_length=100, help_text=_('e.g. "event:42"'))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificates",
    )
    recipient_name = models.CharField(_("name"), max_length=300, blank=True)
    organisation_id = models.PositiveBigIntegerField(_("organisation id"), null=True, blank=True, db_index=True)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="de")
    code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=_new_certificate_code, editable=False
    )
    file = models.FileField(_("PDF"), upload_to="certificates/", blank=True, max_length=200)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    rendered_at = models.DateTimeField(_("PDF made at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key", "recipient"],
                condition=models.Q(recipient__isnull=False),
                name="certificate_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=models.Q(recipient__isnull=True),
                name="certificate_once_per_subject_without_person",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoked_reason=""),
                name="certificate_revoked_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["kind", "subject_key"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title} – {self.recipient_name or self.organisation_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("academy:certificate_verify", args=[self.code])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


def _export_upload_to(instance, filename: str) -> str:
    import secrets

    # A random name: the file is only ever served through academy:data_export_download, which checks who asks.
    return f"exports/{secrets.token_urlsafe(24)}.zip"


class DataExport(models.Model):
    """A person's request for everything the portal holds about them (DSGVO Art. 15 and 20).

    A task builds one ZIP (academy.privacy.data_export_build); the person is mailed a link that works for them
    only and until `expires_at` (7 days); the retention job "data_exports" deletes expired files.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready to download")
        EXPIRED = "expired", _("expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    file = models.FileField(_("ZIP file"), upload_to=_export_upload_to, blank=True, max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    notified_at = models.DateTimeField(_("person mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One export in preparation per person: a second click while it is built asks for nothing more.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="data_export_one_pending_per_user"
            )
        ]

    def __str__(self):
        return f"{self.user_id} – {self.requested_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    def is_downloadable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.READY
            and bool(self.file)
            and self.expires_at is not None
            and now < self.expires_at
        )


class RetentionRun(models.Model):
    """One run of a retention job (academy.privacy.retention_jobs): what it did, when, and whether it failed."""

    job = models.CharField(_("job"), max_length=50, db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cutoff = models.DateTimeField(_("records older than"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("retention job run")
        verbose_name_plural = _("retention job runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def succeeded(self) -> bool:
        return self.finished_at is not None and not self.error


class OutboxMessage(models.Model):
    """A Celery task waiting to be handed to the broker (academy.outbox).

    `enqueue` writes the row in the caller's transaction, so it commits or rolls back with the booking; the
    relay in every worker hands it over and deletes it within a second. A row that stays means the broker was
    unreachable (attempts, last_error) or no worker runs; the relay or `manage.py outbox_flush` hands it over.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task} {self.args} ({self.created_at:%Y-%m-%d %H:%M})"
