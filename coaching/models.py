"""Coaching and team development: coaches, the case file of a request, availability and sessions.

A coach never has two sessions that overlap. services.session_book/_propose/_reschedule lock the coach's
profile row and check under the lock; on PostgreSQL an exclusion constraint (added by migration 0002, which
does nothing on SQLite) holds the same rule in the database.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from academy.history import KeptHistoryManager
from academy.models import WorkingLanguage
from organisations.models import Bundesland

# Languages coaches work in and organisations may ask for.
LANGUAGES = WorkingLanguage.choices
LANGUAGE_NAMES = dict(LANGUAGES)


class Format(models.TextChoices):
    ONLINE = "online", _("online")
    IN_PERSON = "in_person", _("in person")


class CoachProfile(models.Model):
    """What organisations and staff know about a coach. The person is in the Coach group."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="coach_profile"
    )
    bio = models.TextField(_("about me"), max_length=3000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="coaching/photos/", blank=True)
    topics = models.ManyToManyField("academy.Topic", verbose_name=_("topics"), blank=True, related_name="coaches")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    offers_online = models.BooleanField(_("coaches online"), default=True)
    offers_in_person = models.BooleanField(_("coaches in person"), default=True)
    regions = models.JSONField(
        _("regions for in-person work"), default=list, blank=True, help_text=_("Federal states (Bundesländer).")
    )
    max_active_cases = models.PositiveSmallIntegerField(_("at most active cases"), default=4)
    is_active = models.BooleanField(_("takes new cases"), default=True)

    class Meta:
        verbose_name = _("coach profile")
        verbose_name_plural = _("coach profiles")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return self.user.get_full_name()

    @property
    def name(self) -> str:
        return self.user.get_full_name()

    def language_names(self) -> list[str]:
        return [str(LANGUAGE_NAMES.get(code, code)) for code in self.languages]

    def region_names(self) -> list[str]:
        names = dict(Bundesland.choices)
        return [names.get(code, code) for code in self.regions]

    def format_names(self) -> list[str]:
        return [
            str(label)
            for ok, label in (
                (self.offers_online, Format.ONLINE.label),
                (self.offers_in_person, Format.IN_PERSON.label),
            )
            if ok
        ]


class CoachingCase(models.Model):
    """A request for coaching or team development and everything that follows from it: the case file."""

    class Kind(models.TextChoices):
        COACHING = "coaching", _("coaching")
        TEAM = "team", _("team development")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        IN_REVIEW = "in_review", _("in review")
        ASSIGNED = "assigned", _("coach assigned")
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW)
    RUNNING_STATUSES = (Status.ASSIGNED, Status.ACTIVE)
    CLOSED_STATUSES = (Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN)
    # The way along which the organisation's timeline is drawn.
    FLOW = (Status.SUBMITTED, Status.IN_REVIEW, Status.ASSIGNED, Status.ACTIVE, Status.COMPLETED)

    class PreferredFormat(models.TextChoices):
        ONLINE = "online", _("online")
        IN_PERSON = "in_person", _("in person")
        EITHER = "either", _("either")

    class BudgetUnit(models.TextChoices):
        SESSIONS = "sessions", _("sessions")
        HOURS = "hours", _("hours")

    class GoalsReached(models.TextChoices):
        YES = "yes", _("reached")
        PARTLY = "partly", _("partly reached")
        NO = "no", _("not reached")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="coaching_cases",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COACHING)
    topics = models.ManyToManyField("academy.Topic", verbose_name=_("topics"), related_name="coaching_cases")
    goals = models.TextField(_("what do you want to reach?"), max_length=3000)
    situation = models.TextField(_("current situation"), max_length=3000)
    preferred_format = models.CharField(
        _("preferred format"), max_length=20, choices=PreferredFormat.choices, default=PreferredFormat.EITHER
    )
    language = models.CharField(_("preferred language"), max_length=5, choices=LANGUAGES, default="de")
    region = models.CharField(_("region for in-person work"), max_length=2, choices=Bundesland.choices, blank=True)
    participants = models.PositiveSmallIntegerField(
        _("number of participants"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    time_frame = models.CharField(_("preferred time frame"), max_length=200, blank=True)
    preferred_coach = models.ForeignKey(
        CoachProfile,
        verbose_name=_("preferred coach"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    coach = models.ForeignKey(
        CoachProfile, verbose_name=_("coach"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    budget_unit = models.CharField(
        _("budget counted in"), max_length=10, choices=BudgetUnit.choices, default=BudgetUnit.SESSIONS
    )
    budget = models.PositiveSmallIntegerField(_("budget (sessions or hours)"), default=0)
    beyond_budget_approved = models.BooleanField(_("staff approved sessions beyond the budget"), default=False)
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), default=90, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    meeting_link = models.URLField(_("meeting link (online sessions)"), blank=True)
    place = models.CharField(_("place (in-person sessions)"), max_length=300, blank=True)

    agreed_goals = models.TextField(_("agreed goals (Zielvereinbarung)"), blank=True)
    goals_agreed_at = models.DateTimeField(_("goals agreed at"), null=True, blank=True)
    goals_reached = models.CharField(_("goals reached"), max_length=10, choices=GoalsReached.choices, blank=True)
    goals_review = models.TextField(_("review of the goals"), blank=True)

    feedback_rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback_comment = models.TextField(_("feedback"), max_length=3000, blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)

    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(history_manager=KeptHistoryManager)

    class Meta:
        verbose_name = _("coaching case")
        verbose_name_plural = _("coaching cases")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="coaching_case_decline_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "active", "completed"]) | Q(coach__isnull=False),
                name="coaching_case_running_has_coach",
            ),
            models.CheckConstraint(
                condition=Q(feedback_rating__isnull=True) | Q(feedback_rating__gte=1, feedback_rating__lte=5),
                name="coaching_case_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["coach", "status"]), models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.organisation_id and self.organisation.name} (#{self.pk})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES


class CaseEvent(models.Model):
    """One step of a case's timeline: a change of status, with when and by whom."""

    case = models.ForeignKey(CoachingCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=CoachingCase.Status.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_status_display()} {self.at:%Y-%m-%d}"


class WeeklyAvailability(models.Model):
    """A window the coach is available every week, in Europe/Berlin wall-clock time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    coach = models.ForeignKey(CoachProfile, verbose_name=_("coach"), on_delete=models.CASCADE, related_name="weekly")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="coaching_weekly_ends_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="coaching_weekly_weekday_0_to_6"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class AvailabilityException(models.Model):
    """A one-off window: extra time the coach offers, or time blocked (holidays, appointments)."""

    class Kind(models.TextChoices):
        AVAILABLE = "available", _("available (one-off)")
        BLOCKED = "blocked", _("blocked")

    coach = models.ForeignKey(
        CoachProfile, verbose_name=_("coach"), on_delete=models.CASCADE, related_name="exceptions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("one-off availability or blocked time")
        verbose_name_plural = _("one-off availability and blocked times")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="coaching_exception_ends_after_start"),
        ]
        indexes = [models.Index(fields=["coach", "start"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"


class Session(models.Model):
    """A coaching session of a case. Proposed by the coach (the organisation confirms) or booked by the
    organisation from the coach's free slots (confirmed at once)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    # Sessions in these states hold the coach's time.
    BLOCKING = (Status.PROPOSED, Status.CONFIRMED)

    case = models.ForeignKey(CoachingCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sessions")
    # Copied from the case, so that the database can keep one coach's sessions apart.
    coach = models.ForeignKey(CoachProfile, verbose_name=_("coach"), on_delete=models.PROTECT, related_name="sessions")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.ONLINE)
    meeting_link = models.URLField(_("meeting link"), blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Counts every change of time or status, so that calendars replace the entry of an earlier .ics.
    sequence = models.PositiveIntegerField(_("version"), default=0)

    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)
    late_cancellation = models.BooleanField(_("late cancellation"), default=False)

    held = models.BooleanField(_("held"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    private_note = models.TextField(_("private note (coach and staff only)"), blank=True)
    next_steps = models.TextField(_("agreed next steps"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="coaching_session_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="coaching_session_cancelled_has_time",
            ),
        ]
        indexes = [models.Index(fields=["coach", "start"])]

    def __str__(self):
        return f"#{self.pk} {self.start:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class SentNotification(models.Model):
    """A mail that was sent: its unique key makes the mail tasks safe to run twice."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")

    def __str__(self):
        return self.key
