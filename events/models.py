"""Seminars and events: the offers, their dates, the people's bookings (with the waiting list) and attendance.

The rules that must hold under concurrency are database constraints:
- a person holds at most one active (confirmed or waiting) booking per event;
- an event never has more confirmed bookings than seats: `Event.confirmed_count` is kept by the booking
  services under the event's row lock, and a CheckConstraint refuses `confirmed_count > capacity`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from academy import roles
from academy.choices import choice_label
from academy.history import KeptHistoryManager
from academy.models import WorkingLanguage

# The language an event is held in (not the portal's language: events may be held in more).
Language = WorkingLanguage


class EventQuerySet(models.QuerySet):
    def refresh_dates(self) -> int:
        """Writes `first_start` and `last_end` of these events from their dates, in one UPDATE: for code that
        writes dates in bulk (bulk_create and QuerySet.update send no signals; single saves and deletes keep the
        columns themselves, see event_dates_changed)."""
        dates = EventDate.objects.filter(event=OuterRef("pk"))
        return self.update(
            first_start=Subquery(dates.order_by("start").values("start")[:1]),
            last_end=Subquery(dates.order_by("-end").values("end")[:1]),
        )

    def with_waiting_count(self):
        """Annotates `waiting_count`; the confirmed count is a column (`confirmed_count`)."""
        waiting = (
            Booking.objects.filter(event=OuterRef("pk"), status=Booking.Status.WAITING)
            .order_by()
            .values("event")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return self.annotate(waiting_count=Coalesce(Subquery(waiting), Value(0)))

    def published(self):
        return self.filter(status=Event.Status.PUBLISHED)

    def upcoming(self, now=None):
        """Events not yet over (their last date has not ended)."""
        return self.filter(last_end__gte=now or timezone.now())


class Event(models.Model):
    """A seminar (one or several dates), a networking meeting or an expert event that people book seats at."""

    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("seminar")
        NETWORKING = "networking", _("networking meeting")
        EXPERT = "expert", _("expert event")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SEMINAR)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    topics = models.ManyToManyField("academy.Topic", verbose_name=_("topics"), blank=True, related_name="events")
    description = models.TextField(_("description"), blank=True)
    learning_goals = models.TextField(_("learning goals"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.DE)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainers and speakers"),
        blank=True,
        related_name="trained_events",
        limit_choices_to={"groups__name": roles.TRAINER},
    )

    capacity = models.PositiveIntegerField(_("seats"))
    per_organisation_limit = models.PositiveIntegerField(
        _("seats per organisation"),
        null=True,
        blank=True,
        help_text=_("At most this many confirmed seats per organisation, so that more associations get a place."),
    )
    waiting_list_enabled = models.BooleanField(_("waiting list"), default=True)
    registration_opens = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: as soon as the event is published.")
    )
    registration_closes = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when the first date begins.")
    )
    cancellation_deadline = models.DateTimeField(
        _("cancellation deadline"),
        null=True,
        blank=True,
        help_text=_("Participants may cancel their seat themselves until then. Empty: until the first date begins."),
    )

    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode (PLZ)"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    online_link = models.URLField(
        _("online meeting link"), max_length=500, blank=True, help_text=_("Shown only to confirmed participants.")
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    send_reminders = models.BooleanField(
        _("send reminders"),
        default=True,
        help_text=_("Remind participants before the event and thank them afterwards."),
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact at VAMOs"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events_in_charge",
        limit_choices_to={"is_staff": True},
    )
    confirmed_count = models.PositiveIntegerField(_("confirmed"), default=0, editable=False)
    sequence = models.PositiveIntegerField(
        _("change number"), default=0, editable=False, help_text=_("Counts the changes participants were told of.")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    cancellation_message = models.TextField(_("message to participants"), blank=True, editable=False)
    # The first start and the last end of the event's dates, kept by every save and delete of a date
    # (event_dates_changed) and by refresh_dates() after writes in bulk: nearly every list, the booking rule and
    # the reminders order and filter by them, which as subqueries over the dates cost each of those queries
    # (docs/benchmarks.md).
    first_start = models.DateTimeField(_("first date"), null=True, blank=True, editable=False, db_index=True)
    last_end = models.DateTimeField(_("last date ends"), null=True, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    # Kept by the services (seats and change number under the row lock) and by the dates (first and last); a plain
    # save() (admin form) must never write a stale value.
    SERVICE_FIELDS = ("confirmed_count", "sequence", "first_start", "last_end")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(condition=Q(confirmed_count__lte=F("capacity")), name="event_not_overbooked"),
            models.CheckConstraint(
                condition=Q(per_organisation_limit__isnull=True) | Q(per_organisation_limit__gte=1),
                name="event_per_organisation_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gt=F("registration_opens")),
                name="event_registration_window_order",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False), name="event_cancelled_has_time"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.SERVICE_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.pk is not None and self.capacity is not None:
            confirmed = Event.objects.filter(pk=self.pk).values_list("confirmed_count", flat=True).first() or 0
            if self.capacity < confirmed:
                errors["capacity"] = ngettext(
                    "%(count)s person is confirmed already; cancel bookings before reducing the seats below that.",
                    "%(count)s people are confirmed already; cancel bookings before reducing the seats below that.",
                    confirmed,
                ) % {"count": confirmed}
        if (
            self.per_organisation_limit is not None
            and self.capacity is not None
            and self.per_organisation_limit > self.capacity
        ):
            errors["per_organisation_limit"] = _("The seats per organisation cannot exceed the seats.")
        if self.registration_opens and self.registration_closes and self.registration_closes <= self.registration_opens:
            errors["registration_closes"] = _("Registration must close after it opens.")
        if self.status == self.Status.PUBLISHED:
            if self.format in (self.Format.ONLINE, self.Format.HYBRID) and not self.online_link:
                errors["online_link"] = _("An online or hybrid event needs its meeting link before it is published.")
            if self.format in (self.Format.IN_PERSON, self.Format.HYBRID) and not self.city:
                errors["city"] = _("An event in person needs its venue before it is published.")
        if errors:
            raise ValidationError(errors)

    # ---- derived properties ---------------------------------------------------------------------------------
    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def is_full(self) -> bool:
        return self.confirmed_count >= self.capacity

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_online(self) -> bool:
        return self.format == self.Format.ONLINE

    @property
    def has_venue(self) -> bool:
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)

    @property
    def has_online_link(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def place(self) -> str:
        """Where it happens, in one line: the venue and city, "Online", or both for hybrid events."""
        town = f"{self.postcode} {self.city}".strip()
        venue = ", ".join(part for part in (self.venue_name, self.street, town) if part)
        if self.format == self.Format.ONLINE:
            return str(_("Online"))
        if self.format == self.Format.HYBRID:
            return f"{venue} / {_('Online')}" if venue else str(_("Online"))
        return venue

    @property
    def starts_at(self):
        return self.first_start

    @property
    def ends_at(self):
        return self.last_end

    def registration_closes_at(self):
        """When registration closes: the set time, else the start of the first date."""
        return self.registration_closes or self.starts_at

    def cancellation_deadline_at(self):
        """Until when participants may cancel themselves: the set deadline, else the start of the first date."""
        return self.cancellation_deadline or self.starts_at

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        closes = self.registration_closes_at()
        starts = self.starts_at
        return (
            self.is_published
            and starts is not None
            and now < starts
            and (self.registration_opens is None or self.registration_opens <= now)
            and (closes is None or now < closes)
        )


class EventDate(models.Model):
    """One date of an event; a seminar series is one event with several dates."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="dates")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        verbose_name = _("date")
        verbose_name_plural = _("dates")
        ordering = ["start", "pk"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_date_ends_after_start")]
        indexes = [models.Index(fields=["event", "start"])]

    def __str__(self):
        start = timezone.localtime(self.start)
        end = timezone.localtime(self.end)
        if start.date() == end.date():
            return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"
        return f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("A date must end after it starts.")})


def event_dates_changed(sender, instance: EventDate, **kwargs) -> None:
    """Keeps the event's `first_start` and `last_end` when one of its dates is saved or deleted (post_save and
    post_delete of EventDate, connected in EventsConfig.ready).

    The event's row is locked first, so two editors saving dates of the same event at once write them one after
    the other, each from the dates the other committed; the values are also set on the date's event object, so
    the caller's copy (an admin form's, a factory's) is not left stale."""
    event = Event.objects.filter(pk=instance.event_id)
    with transaction.atomic():
        if not event.select_for_update().exists():
            return  # the event itself is being deleted
        event.refresh_dates()
        first_start, last_end = event.values_list("first_start", "last_end").get()
    if EventDate.event.is_cached(instance):
        instance.event.first_start, instance.event.last_end = first_start, last_end


class Booking(models.Model):
    """A person's seat at an event (confirmed), their place on the waiting list (waiting), or a cancelled one.

    The organisation is the client: the booking is recorded for it and survives when the person leaves.
    Person and organisation are set to NULL when deleted, so statistics keep the (anonymous) booking.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("waiting list")
        CANCELLED = "cancelled", _("cancelled")

    ACTIVE = (Status.CONFIRMED, Status.WAITING)

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="event_bookings",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="event_bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved up from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(history_manager=KeptHistoryManager)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["created_at", "pk"]
        constraints = [
            # One active booking per person and event; after cancelling, the person may book again.
            models.UniqueConstraint(
                fields=["event", "person"], condition=~Q(status="cancelled"), name="booking_one_active_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="booking_cancelled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"]),
            models.Index(fields=["organisation", "status"]),
            # The admin's booking list orders all bookings by (created_at, id) and pages through them.
            models.Index(fields=["created_at", "id"], name="booking_created_id"),
        ]

    def __str__(self):
        return self.describe(self.person, self.event, self.status)

    @staticmethod
    def describe(person, event, status: str) -> str:
        """A booking as a line of text: the person (None once deleted), the event and the state; str() of the
        booking, and of a row of the staff's booking list read as values (events.admin.BookingListRow)."""
        return f"{person or _('(deleted person)')} – {event} ({choice_label(Booking.Status, status)})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Attendance(models.Model):
    """Whether a confirmed participant was present at one date: what certificates and reports are built on."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="attendances"
    )
    event_date = models.ForeignKey(
        EventDate, verbose_name=_("date"), on_delete=models.CASCADE, related_name="attendances"
    )
    present = models.BooleanField(_("present"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["event_date", "booking"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "event_date"], name="attendance_once_per_booking_and_date")
        ]

    def __str__(self):
        return f"{self.booking.person or '-'} – {self.event_date}: {_('present') if self.present else _('absent')}"


class EventMail(models.Model):
    """A mail about a booking that has been sent: the guard that makes the mail tasks safe to run twice.

    One row per booking, kind and sequence; `sequence` is the event's change number for "event changed"
    mails (each change is told once) and 0 for the others (each happens at most once per booking).
    """

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("booking confirmed")
        WAITING = "waiting", _("on the waiting list")
        PROMOTED = "promoted", _("moved up from the waiting list")
        CANCELLED = "cancelled", _("booking cancelled")
        EVENT_CANCELLED = "event_cancelled", _("event cancelled")
        EVENT_CHANGED = "event_changed", _("event changed")
        MESSAGE = "message", _("message from the VAMOs team")  # sequence: the EventMessage's id

    booking = models.ForeignKey(Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("change number"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent mail")
        verbose_name_plural = _("sent mails")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind", "sequence"], name="event_mail_sent_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.booking_id}"


class EventMessage(models.Model):
    """A message staff wrote to an event's participants, the waiting list or both (EventAdmin's action).

    Who received it is recorded per booking as EventMail (kind "message", sequence = this message's id), which
    makes sending once per person safe under retries; the counts here are what staff and the dashboard see.
    `failed_bookings` holds the bookings whose mail failed after the last retry (a set, kept under the row lock).
    """

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed participants")
        WAITING = "waiting", _("people on the waiting list")
        ALL = "all", _("confirmed participants and the waiting list")

    STATUSES = {
        Audience.CONFIRMED: (Booking.Status.CONFIRMED,),
        Audience.WAITING: (Booking.Status.WAITING,),
        Audience.ALL: Booking.ACTIVE,
    }

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="staff_messages")
    audience = models.CharField(_("to"), max_length=20, choices=Audience.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=10000)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    failed_bookings = models.JSONField(_("failed bookings"), default=list, blank=True)

    class Meta:
        verbose_name = _("message to participants")
        verbose_name_plural = _("messages to participants")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.subject

    @property
    def statuses(self) -> tuple[str, ...]:
        """The booking statuses that receive this message."""
        return tuple(self.STATUSES[self.audience])


class Feedback(models.Model):
    """A participant's short feedback on an event they booked: given once per booking, after the event."""

    booking = models.OneToOneField(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=[(value, str(value)) for value in range(1, 6)], help_text=_("1 (poor) to 5 (very good)")
    )
    comment = models.TextField(_("comment"), max_length=3000, blank=True)
    created_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="event_feedback_rating_range"),
        ]

    def __str__(self):
        return f"{self.booking} – {self.rating}/5"
