"""Staff run events here. Every change of seats goes through the services (the same rules, locks and mails
as the participants' own actions): publishing, cancelling an event, copying it, cancelling a booking."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from academy.admin_lists import EstimatedCountPaginator, QuickActionCheckboxMixin, QuickRowsMixin
from academy.translation import translated_columns, translated_reader

from . import certificates, services
from .models import Attendance, Booking, Event, EventDate, EventMail, EventMessage, Feedback

VENUE_FIELDS = {"venue_name", "street", "postcode", "city"}


class CopyForm(forms.Form):
    new_start = forms.SplitDateTimeField(
        label=_("New start of the first date"),
        widget=AdminSplitDateTime,
        help_text=_("All dates, the registration window and the cancellation deadline move by the same offset."),
    )


class CancelForm(forms.Form):
    message = forms.CharField(
        label=_("Message to everyone booked or waiting (sent by email)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )


class MessageForm(forms.Form):
    audience = forms.ChoiceField(label=_("To"), choices=EventMessage.Audience.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200, widget=forms.TextInput(attrs={"class": "vTextField"}))
    body = forms.CharField(
        label=_("Message (sent by email)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        help_text=_("Each person receives it once, with the event's details in their own language."),
    )


class EventMessageInline(admin.TabularInline):
    """The messages staff wrote to the event's people (the action "Write to participants"): a record, read only."""

    model = EventMessage
    extra = 0
    fields = ["created_at", "audience", "subject", "sent_by", "recipient_count", "sent_count", "failed_count"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("messages to participants")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sent_by")


class EventDateInline(admin.TabularInline):
    model = EventDate
    extra = 1
    fields = ["start", "end"]


class BookingInline(admin.TabularInline):
    """Read-mostly: bookings change through the services (Booking admin's action, the participants' pages)."""

    model = Booking
    extra = 0
    fields = ["person", "organisation", "status", "created_at", "promoted_at", "cancelled_at", "booked_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["status", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "organisation", "booked_by")


class WhenFilter(admin.SimpleListFilter):
    """Upcoming (not over yet) or past events, by the end of their last date."""

    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("upcoming")), ("past", _("past"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(last_end__gte=timezone.now())
        if self.value() == "past":
            return queryset.filter(last_end__lt=timezone.now())
        return queryset


@admin.register(Event)
class EventAdmin(TranslationAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "kind", "format", "first_date", "capacity", "confirmed_count", "waiting", "status"]
    list_filter = [WhenFilter, "status", "kind", "format", "topics", "language"]
    search_fields = ["title_de", "title_en", "description_de", "city", "venue_name", "trainers__last_name"]
    filter_horizontal = ["topics", "trainers"]
    autocomplete_fields = ["contact"]
    inlines = [EventDateInline, BookingInline, EventMessageInline]
    actions = ["publish", "copy_to_new_date", "write_to_participants", "cancel_events", "issue_certificates"]
    readonly_fields = [
        "status",
        "certificates",
        "confirmed_count",
        "sequence",
        "cancelled_at",
        "cancelled_by",
        "cancellation_message",
        "created_at",
        "updated_at",
    ]
    fieldsets = (
        (
            _("Status"),
            {
                "fields": (
                    "status",
                    "send_reminders",
                    "confirmed_count",
                    "certificates",
                    "cancelled_at",
                    "cancelled_by",
                    "cancellation_message",
                )
            },
        ),
        (
            None,
            {
                "fields": (
                    "title",
                    "kind",
                    "format",
                    "language",
                    "topics",
                    "description",
                    "learning_goals",
                    "target_group",
                    "trainers",
                    "contact",
                )
            },
        ),
        (
            _("Seats and deadlines"),
            {
                "fields": (
                    "capacity",
                    "per_organisation_limit",
                    "waiting_list_enabled",
                    "registration_opens",
                    "registration_closes",
                    "cancellation_deadline",
                )
            },
        ),
        (_("Place"), {"fields": ("venue_name", "street", "postcode", "city", "online_link")}),
        (_("Record"), {"classes": ("collapse",), "fields": ("sequence", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_waiting_count()

    @admin.display(description=_("first date"), ordering="first_start")
    def first_date(self, event):
        return event.first_start

    @admin.display(description=_("waiting"), ordering="waiting_count")
    def waiting(self, event):
        return event.waiting_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = set(form.changed_data)
        request._event_changes = [
            *(["venue"] if change and changed & VENUE_FIELDS else []),
            *(["online_link"] if change and "online_link" in changed else []),
        ]
        request._event_seats_changed = change and bool({"capacity", "per_organisation_limit"} & changed)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            return
        event = form.instance
        what = list(getattr(request, "_event_changes", []))
        if any(fs.model is EventDate and fs.has_changed() for fs in formsets):
            what.insert(0, "dates")
        if getattr(request, "_event_seats_changed", False):
            promoted = services.event_fill_from_waiting_list(event=event)
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d person moved up from the waiting list.",
                        "%(count)d people moved up from the waiting list.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )
        if what:
            told = services.event_notify_change(event=event, what=what, by=request.user)
            if told:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d participant is told of the change by email.",
                        "%(count)d participants are told of the change by email.",
                        told,
                    )
                    % {"count": told},
                    messages.INFO,
                )

    @admin.display(description=_("certificates"))
    def certificates(self, event):
        if event.pk is None:
            return "-"
        counts = certificates.progress(event=event)
        return _("%(issued)d issued, %(rendered)d PDFs made, of %(due)d participants due (reload to update)") % counts

    # ---- actions ---------------------------------------------------------------------------------------------

    @admin.action(description=_("Issue certificates to the participants present"))
    def issue_certificates(self, request, queryset):
        """One task per participant (the page does not wait for the PDFs); progress shows on the event."""
        total = sum(certificates.issue_for_event(event=event) for event in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d certificate is being issued; the event page shows the progress.",
                "%(count)d certificates are being issued; the event page shows the progress.",
                total,
            )
            % {"count": total},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish selected events"))
    def publish(self, request, queryset):
        published = 0
        for event in queryset:
            try:
                services.event_publish(event=event, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.ERROR)
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext("%(count)d event published.", "%(count)d events published.", published) % {"count": published},
                messages.SUCCESS,
            )

    def _intermediate(self, request, queryset, *, template, title, form, action):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "events": queryset,
                "form": form,
                "action": action,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Copy to a new date (asks for the new start)"))
    def copy_to_new_date(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Please select exactly one event to copy."), messages.WARNING)
            return None
        form = CopyForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            original = queryset.get()
            try:
                copy = services.event_copy(event=original, new_start=form.cleaned_data["new_start"], by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                _("“%(title)s” was copied as a draft; check it and publish it.") % {"title": copy.title},
                messages.SUCCESS,
            )
            return None
        return self._intermediate(
            request,
            queryset,
            template="events/admin/copy.html",
            title=_("Copy event to a new date"),
            form=form,
            action="copy_to_new_date",
        )

    @admin.action(
        description=_("Write to the participants or the waiting list (asks for the message)"),
        permissions=["change"],
    )
    def write_to_participants(self, request, queryset):
        """An intermediate page asks for audience, subject and message; one recorded message per event, sent by
        Celery (events.tasks.send_event_message_fan_out)."""
        form = MessageForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            count = 0
            for event in queryset:
                try:
                    services.event_message_send(event=event, by=request.user, **form.cleaned_data)
                except ValidationError as error:
                    self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.ERROR)
                else:
                    count += 1
            self.message_user(
                request,
                ngettext(
                    "The message to %(count)d event is being sent; the event page shows how many received it.",
                    "The message to %(count)d events is being sent; each event page shows how many received it.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        return self._intermediate(
            request,
            queryset,
            template="events/admin/message.html",
            title=_("Write to participants"),
            form=form,
            action="write_to_participants",
        )

    @admin.action(description=_("Cancel selected events (asks for a message to the participants)"))
    def cancel_events(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            count = 0
            for event in queryset:
                try:
                    services.event_cancel(event=event, message=form.cleaned_data["message"], by=request.user)
                except ValidationError as error:
                    self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.ERROR)
                else:
                    count += 1
            self.message_user(
                request,
                ngettext(
                    "%(count)d event cancelled; everyone booked or waiting is told by email.",
                    "%(count)d events cancelled; everyone booked or waiting is told by email.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        return self._intermediate(
            request,
            queryset,
            template="events/admin/cancel.html",
            title=_("Cancel events"),
            form=form,
            action="cancel_events",
        )


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["event_date", "present", "marked_by", "marked_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BookingListRow:
    """A row of the staff's booking list, read as values instead of four model instances (the booking, its person,
    event and organisation; academy.admin_lists.QuickRowsMixin.list_rows): each column's attribute is what the
    list shows of it, str() of the person, event and organisation as str() of their models gives it (the email,
    the title, the name), and str() of the row that of the booking. tests/events/test_admin.py compares the page
    with the one Django writes from the models."""

    _titles = translated_columns("title")[1:]  # title_de, title_en, …
    fields = (
        "pk",
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "person__email",
        "organisation__name",
        *(f"event__{column}" for column in _titles),
    )

    def __init__(self, values, title: Callable[[dict], object] | None = None):
        self.pk, self.status, self.created_at, self.promoted_at, self.cancelled_at, self.person, self.organisation = (
            values[:7]
        )
        self.__dict__.update(zip(self._titles, values[7:], strict=True))
        # The title in the page's language, or its fallback, as modeltranslation's descriptor reads an event's.
        self.event = (title or translated_reader(Event, "title"))(self.__dict__)

    @classmethod
    def for_page(cls) -> Callable[[tuple], "BookingListRow"]:
        """Makes a page's rows with the title's languages looked up once (academy.admin_lists.RowsChangeList)."""
        title = translated_reader(Event, "title")
        return lambda values: cls(values, title)

    @property
    def id(self):
        return self.pk

    def __str__(self):
        return Booking.describe(self.person, self.event, self.status)


@admin.register(Booking)
class BookingAdmin(QuickRowsMixin, SimpleHistoryAdmin):
    """Read-only: bookings are made and cancelled through the services, so the waiting list moves up.
    The list's rows are written by QuickRowsMixin (templates/admin/events/booking/change_list.html)."""

    list_display = ["person", "event", "organisation", "status", "created_at", "promoted_at", "cancelled_at"]
    # "Booked at" as a filter (today, 7 days, month, year) rather than a date hierarchy: the hierarchy asks
    # PostgreSQL for every distinct year over all 100,000 bookings on each visit (70 ms at academy scale).
    list_filter = ["status", ("created_at", admin.DateFieldListFilter), "event__kind", "event__format"]
    show_full_result_count = False  # one COUNT(*) over all bookings per page instead of two
    paginator = EstimatedCountPaginator  # the unfiltered list counted from PostgreSQL's estimate at scale
    list_per_page = 50  # rendering the admin's rows is most of the page's time: 100 rows took ~100 ms
    search_fields = [
        "person__email",
        "person__first_name",
        "person__last_name",
        "organisation__name",
        "event__title_de",
        "event__title_en",
    ]
    list_select_related = ["person", "event", "organisation"]
    list_rows = BookingListRow  # the page's rows as values (academy.admin_lists.QuickRowsMixin)
    list_rows_query_follows_query_string = True  # no get_queryset of its own: the page's query kept per process
    inlines = [AttendanceInline]
    actions = ["cancel_bookings"]
    fields = [
        "event",
        "person",
        "organisation",
        "status",
        "booked_by",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "cancelled_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel selected bookings (the waiting list moves up)"))
    def cancel_bookings(self, request, queryset):
        count = 0
        for booking in queryset.exclude(status=Booking.Status.CANCELLED):
            try:
                services.booking_cancel(booking=booking, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{booking}: {' '.join(error.messages)}", messages.ERROR)
            else:
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d booking cancelled.", "%(count)d bookings cancelled.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Attendance)
class AttendanceAdmin(QuickActionCheckboxMixin, admin.ModelAdmin):
    list_display = ["booking", "event_date", "present", "marked_by", "marked_at"]
    list_filter = ["present"]
    search_fields = ["booking__person__email", "booking__person__last_name", "booking__event__title_de"]
    list_select_related = ["booking__person", "booking__event", "event_date", "marked_by"]
    readonly_fields = ["booking", "event_date", "present", "marked_by", "marked_at"]

    def has_add_permission(self, request):
        return False


@admin.register(EventMail)
class EventMailAdmin(admin.ModelAdmin):
    list_display = ["booking", "kind", "sequence", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["booking__person__email"]
    list_select_related = ["booking__person", "booking__event"]
    readonly_fields = ["booking", "kind", "sequence", "sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FailedFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [("yes", _("failed for someone")), ("no", _("no failures"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(failed_count__gt=0)
        if self.value() == "no":
            return queryset.filter(failed_count=0)
        return queryset


@admin.register(EventMessage)
class EventMessageAdmin(admin.ModelAdmin):
    """The record of staff's messages to participants (written from the event list's action); read only.
    "Send again" reaches those it failed for (and anyone who joined the audience since), nobody twice."""

    list_display = [
        "subject",
        "event",
        "audience",
        "sent_by",
        "created_at",
        "recipient_count",
        "sent_count",
        "failed_count",
    ]
    list_filter = [FailedFilter, "audience"]
    search_fields = ["subject", "body", "event__title_de", "event__title_en"]
    list_select_related = ["event", "sent_by"]
    date_hierarchy = "created_at"
    fields = [
        "event",
        "audience",
        "subject",
        "body",
        "sent_by",
        "created_at",
        "recipient_count",
        "sent_count",
        "failed_count",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again to those not reached yet"), permissions=["change"])
    def send_again(self, request, queryset):
        chosen = list(queryset)
        for message in chosen:
            services.event_message_resend(message=message, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d message is sent again to those it has not reached.",
                "%(count)d messages are sent again to those they have not reached.",
                len(chosen),
            )
            % {"count": len(chosen)},
            messages.SUCCESS,
        )


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Participants' feedback after an event (the thank-you reminder links to the form); read only."""

    list_display = ["event", "person", "rating", "comment", "created_at"]
    list_filter = ["rating", ("booking__event", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["booking__event__title", "comment"]
    readonly_fields = ["booking", "rating", "comment", "created_at"]
    list_select_related = ["booking__event", "booking__person"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("event"), ordering="booking__event__title")
    def event(self, obj):
        return obj.booking.event

    @admin.display(description=_("person"))
    def person(self, obj):
        return obj.booking.person
