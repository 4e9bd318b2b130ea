"""Everything in events that changes state. Views, the admin and tasks call these.

Rule violations raise django.core.exceptions.ValidationError with a message for the person (English msgid,
translated) and a `code` for tests; acting for someone one may not act for raises PermissionDenied.

Locking: every change of an event's seats (booking, cancelling, promoting, cancelling the event, changing
its capacity) first locks the event's row with SELECT … FOR UPDATE, inside one transaction. All seat
changes of one event are therefore serialised, while bookings of different events never wait for each
other. Locks are always taken event first, then bookings, so two services cannot deadlock.

Mails are sent by Celery tasks enqueued with academy.outbox.enqueue in the transaction, handed to the broker
after commit (the worker never looks for an uncommitted row, nothing is sent for a transaction that rolled
back, and a broker that is down delays the mail instead of failing the booking).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academy.models import User
from academy.outbox import enqueue
from academy.prepared import kept_statement, prepared
from organisations.models import Membership, Organisation

from .models import Attendance, Booking, Event, EventDate, EventMail, EventMessage

# What event_notify_change can tell participants about, with the words the mail uses.
CHANGES = {
    "dates": gettext_lazy("date and time"),
    "venue": gettext_lazy("place"),
    "online_link": gettext_lazy("online meeting link"),
}


_mails_suppressed: ContextVar[bool] = ContextVar("events_mails_suppressed", default=False)


@contextmanager
def mails_suppressed():
    """Within it the services send no mails: for demo data and imports of past events, never for people's actions."""
    token = _mails_suppressed.set(True)
    try:
        yield
    finally:
        _mails_suppressed.reset(token)


def _enqueue_mail(booking_id: int, kind: str, sequence: int = 0, changes: list[str] | None = None) -> None:
    from .tasks import send_booking_mail

    if _mails_suppressed.get():
        return

    args = (booking_id, kind, sequence, changes or [])
    enqueue(send_booking_mail, *args)


def _when(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _lock_event(event_id: int) -> Event:
    """The event's row, locked (with its `first_start` and `last_end` columns, which the refusal needs); a prepared
    read, like the counts under the lock: every booking and cancellation asks."""
    found = _locked_event(pk=event_id)
    if not found:
        raise Event.DoesNotExist(f"No event {event_id}.")
    return found[0]


@prepared(pk=int)
def _locked_event(*, pk: int) -> QuerySet[Event]:
    return Event.objects.select_for_update().filter(pk=pk)[:1]


@prepared(event=int, person=int, organisation=int, now=datetime)
def _booking_counts(*, event: int, person: int, organisation: int, now: datetime) -> QuerySet:
    """One row for all the counts a booking needs, under the event's lock (none while the event has no bookings):
    already booked?, seats taken, the organisation's seats, and who waits ahead of a booking made now (the new one
    comes last: latest created_at, highest id)."""
    confirmed = Q(status=Booking.Status.CONFIRMED)
    return (
        Booking.objects.filter(event=event)
        .values("event")
        .annotate(
            mine=Count("pk", filter=Q(person=person, status__in=Booking.ACTIVE)),
            confirmed=Count("pk", filter=confirmed),
            organisation=Count("pk", filter=confirmed & Q(organisation=organisation)),
            waiting_ahead=Count("pk", filter=Q(status=Booking.Status.WAITING, created_at__lte=now)),
        )
        .values_list("mine", "confirmed", "organisation", "waiting_ahead")
    )


def _is_trainer(*, event: Event, user: User) -> bool:
    """Whether the user is one of the event's trainers: from its trainers when they were read with it (the event
    page's), else one query."""
    if "trainers" in getattr(event, "_prefetched_objects_cache", {}):
        return any(trainer.pk == user.pk for trainer in event.trainers.all())
    return event.trainers.filter(pk=user.pk).exists()


# ---- booking ---------------------------------------------------------------------------------------------------


def event_booking_refusal(*, event: Event, now: datetime | None = None) -> ValidationError | None:
    """Why nobody can book this event now (cancelled, draft, over, outside the registration window), or None.

    The event page uses it to decide whether to show the booking form; booking_create raises it.
    """
    now = now or timezone.now()
    if event.status == Event.Status.CANCELLED:
        return ValidationError(_("This event has been cancelled."), code="event_cancelled")
    if event.status != Event.Status.PUBLISHED:
        return ValidationError(_("This event is not open for booking."), code="event_not_published")
    starts = event.first_start
    if starts is None:
        return ValidationError(_("This event has no dates yet."), code="event_without_dates")
    if starts <= now:
        return ValidationError(_("This event has already begun or taken place."), code="event_past")
    if event.registration_opens and now < event.registration_opens:
        return ValidationError(
            _("Registration opens on %(date)s.") % {"date": _when(event.registration_opens)},
            code="registration_not_open",
        )
    if event.registration_closes and now >= event.registration_closes:
        return ValidationError(_("Registration for this event has closed."), code="registration_closed")
    return None


def _check_booker(
    *, person: User, organisation: Organisation, booked_by: User, membership: Membership | None = None
) -> None:
    if not organisation.can_book:
        raise ValidationError(
            _("Your organisation can book once the VAMOs team has approved it."), code="organisation_not_approved"
        )
    if (
        membership is not None
        and booked_by.pk == person.pk == membership.user_id
        and membership.organisation_id == organisation.pk
    ):
        return  # the person books for themselves, a member: the caller read the membership in this request
    people = {person.pk, booked_by.pk}
    memberships = {m.user_id: m for m in Membership.objects.filter(organisation=organisation, user_id__in=people)}
    if person.pk not in memberships:
        raise ValidationError(
            _("%(person)s is not a member of %(organisation)s.")
            % {"person": person.get_full_name(), "organisation": organisation.name},
            code="not_a_member",
        )
    if booked_by.pk == person.pk or booked_by.is_staff:
        return
    booker = memberships.get(booked_by.pk)
    if booker is None or not booker.is_admin:
        raise PermissionDenied(_("Only the organisation’s admins can book for colleagues."))


def booking_create(
    *,
    event: Event,
    person: User,
    organisation: Organisation,
    booked_by: User,
    now: datetime | None = None,
    membership: Membership | None = None,
) -> Booking:
    """Books `person` (a member of the approved `organisation`) a seat, or a waiting-list place when full.

    `membership` is the person's membership of the organisation when the caller has just read it (the booking
    view has, for the page's header); it is then not read a second time.

    `booked_by` is the person, an admin of the organisation, or staff. The booking is confirmed while the
    event has a free seat and the organisation is under its per-organisation limit; otherwise it goes onto
    the waiting list (or is refused when the event has no waiting list).

    Concurrency: the event's row is locked (SELECT … FOR UPDATE) before the confirmed bookings are counted,
    so parallel bookings of the same event are serialised and the count cannot be stale. As a second line,
    the database guards the outcome itself: every confirmation raises `Event.confirmed_count` with an
    atomic `UPDATE … SET confirmed_count = confirmed_count + 1` (which PostgreSQL applies to the latest row
    version even without our lock), and the CheckConstraint `confirmed_count <= capacity` makes a
    transaction that would overbook fail instead of commit, should a future code path forget the lock.
    The partial UniqueConstraint (event, person) on active bookings refuses a second booking of the same
    person. The per-organisation limit is held by the lock only (a CheckConstraint cannot count rows).

    The person is mailed (confirmed with the .ics, or their waiting-list position) after commit. A waiting
    booking comes back with `position_when_booked`, counted under the lock.
    """
    now = now or timezone.now()
    _check_booker(person=person, organisation=organisation, booked_by=booked_by, membership=membership)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        refusal = event_booking_refusal(event=locked, now=now)
        if refusal is not None:
            raise refusal
        found = _booking_counts(event=locked.pk, person=person.pk, organisation=organisation.pk, now=now)
        mine, confirmed_total, organisation_total, waiting_ahead = found[0] if found else (0, 0, 0, 0)
        if mine:
            raise ValidationError(
                _("%(person)s has already booked this event.") % {"person": person.get_full_name()},
                code="already_booked",
            )
        limit = locked.per_organisation_limit
        at_limit = limit is not None and organisation_total >= limit
        if confirmed_total < locked.capacity and not at_limit:
            status = Booking.Status.CONFIRMED
        elif locked.waiting_list_enabled:
            status = Booking.Status.WAITING
        elif at_limit and confirmed_total < locked.capacity:
            raise ValidationError(
                _("Your organisation has reached its limit of %(limit)s seats for this event.") % {"limit": limit},
                code="organisation_limit",
            )
        else:
            raise ValidationError(_("This event is fully booked."), code="full")
        booking = Booking.objects.create(
            event=locked,
            person=person,
            organisation=organisation,
            booked_by=booked_by,
            status=status,
            created_at=now,
        )
        if booking.is_confirmed:
            event.confirmed_count = _count_seats(locked, +1, locked_count=locked.confirmed_count)
        else:
            booking.position_when_booked = waiting_ahead + 1  # for the page's message; the lists count anew
        _enqueue_mail(booking.pk, EventMail.Kind.CONFIRMED if booking.is_confirmed else EventMail.Kind.WAITING)
    return booking


@dataclass
class ColleagueOutcome:
    """What happened to one colleague of a multiple booking: a booking (confirmed or waiting) or the reason."""

    person: User
    booking: Booking | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.booking.status if self.booking is not None else "refused"


def bookings_create_for_colleagues(
    *,
    event: Event,
    organisation: Organisation,
    people: list[User],
    booked_by: User,
    now: datetime | None = None,
) -> list[ColleagueOutcome]:
    """An organisation admin books several colleagues at once, in the given order.

    Each person is booked in a transaction of their own (booking_create), so one refusal (already booked,
    not a member) does not undo the others; the outcome per person says confirmed, waiting or refused with
    the reason. Raises PermissionDenied at once when booked_by is not an admin of the organisation (or staff).
    """
    if not booked_by.is_staff:
        membership = Membership.objects.filter(user=booked_by, organisation=organisation).first()
        if membership is None or not membership.is_admin:
            raise PermissionDenied(_("Only the organisation’s admins can book for colleagues."))
    outcomes = []
    for person in dict.fromkeys(people):  # the same person twice is booked once
        try:
            booking = booking_create(
                event=event, person=person, organisation=organisation, booked_by=booked_by, now=now
            )
        except ValidationError as error:
            outcomes.append(ColleagueOutcome(person=person, errors=list(error.messages)))
        else:
            outcomes.append(ColleagueOutcome(person=person, booking=booking))
    return outcomes


# ---- cancelling and the waiting list ----------------------------------------------------------------------------


def _may_act_for(*, booking: Booking, user: User) -> bool:
    if user.is_staff or (booking.person_id is not None and booking.person_id == user.pk):
        return True
    return (
        booking.organisation_id is not None
        and Membership.objects.filter(
            user=user, organisation_id=booking.organisation_id, role=Membership.Role.ADMIN
        ).exists()
    )


def booking_cancel_refusal(*, booking: Booking, by: User, now: datetime | None = None) -> ValidationError | None:
    """Why `by` may not cancel this booking now (the deadline has passed), or None. Staff are never refused.

    Raises PermissionDenied when `by` is neither the person, an admin of the booking's organisation nor staff.
    """
    now = now or timezone.now()
    if not _may_act_for(booking=booking, user=by):
        raise PermissionDenied
    if booking.status != Booking.Status.CONFIRMED or by.is_staff:
        return None
    event = booking.event
    deadline = event.cancellation_deadline or event.first_start
    if deadline is not None and now >= deadline:
        return ValidationError(
            _("The cancellation deadline (%(date)s) has passed. Please contact the VAMOs team if you cannot take part.")
            % {"date": _when(deadline)},
            code="cancellation_deadline",
        )
    return None


def booking_cancel(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """Cancels a booking: the person themselves, an admin of their organisation, or staff.

    A waiting-list place can always be cancelled; a confirmed seat only until the cancellation deadline
    (staff always). The freed seat goes, in the same transaction and under the event's row lock, to the
    first waiting booking whose organisation is under its per-organisation limit; the promoted person and
    the cancelled one are mailed after commit. Cancelling a cancelled booking changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(booking.event_id)
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        locked.event = event
        if locked.status == Booking.Status.CANCELLED:
            return locked
        refusal = booking_cancel_refusal(booking=locked, by=by, now=now)
        if refusal is not None:
            raise refusal
        was_confirmed = locked.is_confirmed
        locked.status = Booking.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = by
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        if was_confirmed:
            _count_seats(event, -1)
            _promote_from_waiting_list(event=event, now=now)
        _enqueue_mail(locked.pk, EventMail.Kind.CANCELLED)
    booking.status, booking.cancelled_at, booking.cancelled_by = locked.status, locked.cancelled_at, by
    return locked


def _count_seats(event: Event, change: int, *, locked_count: int | None = None) -> int:
    """Moves the confirmed count by `change` in one atomic UPDATE, which the database checks against the
    capacity (event_not_overbooked); returns the new count and sets it on `event`.

    `locked_count`: the count read with the row lock this transaction holds; nobody can have changed it since,
    so the new count is known without reading it back.

    The UPDATE is the one `Event.objects.filter(pk=…).update(confirmed_count=F("confirmed_count") + change)`
    writes, kept per process (academy.prepared.kept_statement): every booking and cancellation runs it, and
    Django compiled it anew each time (three quarters of its cost). As there, a refused UPDATE (the capacity's
    check) marks the surrounding transaction for rollback."""
    connection = connections[router.db_for_write(Event)]
    with transaction.mark_for_rollback_on_error(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(kept_statement("event-seats", connection, _seats_sql), [change, event.pk])
    if locked_count is not None:
        event.confirmed_count = locked_count + change
    else:
        event.confirmed_count = Event.objects.filter(pk=event.pk).values_list("confirmed_count", flat=True).get()
    return event.confirmed_count


def _seats_sql(quote) -> str:
    meta = Event._meta
    table, count = quote(meta.db_table), quote(meta.get_field("confirmed_count").column)
    return f"UPDATE {table} SET {count} = ({table}.{count} + %s) WHERE {table}.{quote(meta.pk.column)} = %s"  # noqa: S608


def _promote_from_waiting_list(*, event: Event, now: datetime) -> list[Booking]:
    """Fills free seats from the waiting list in booking order, skipping organisations at their limit.

    The caller holds the event's row lock. Nobody is promoted once the event has begun or was cancelled.
    """
    if event.status != Event.Status.PUBLISHED:
        return []
    starts = event.first_start
    if starts is None or starts <= now:
        return []
    confirmed = Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED)
    free = event.capacity - confirmed.count()
    if free <= 0:
        return []
    limit = event.per_organisation_limit
    per_organisation = dict(
        confirmed.order_by().values("organisation").annotate(total=Count("pk")).values_list("organisation", "total")
    )
    promoted = []
    waiting = Booking.objects.filter(event=event, status=Booking.Status.WAITING).order_by("created_at", "pk")
    for candidate in waiting:
        if free <= 0:
            break
        organisation_id = candidate.organisation_id
        if limit is not None and organisation_id is not None and per_organisation.get(organisation_id, 0) >= limit:
            continue
        candidate.status = Booking.Status.CONFIRMED
        candidate.promoted_at = now
        candidate.save(update_fields=["status", "promoted_at"])
        per_organisation[organisation_id] = per_organisation.get(organisation_id, 0) + 1
        free -= 1
        promoted.append(candidate)
        _enqueue_mail(candidate.pk, EventMail.Kind.PROMOTED)
    if promoted:
        _count_seats(event, len(promoted))
    return promoted


def event_fill_from_waiting_list(*, event: Event, now: datetime | None = None) -> list[Booking]:
    """Promotes waiting people into free seats (after staff raised the capacity or the per-organisation limit)."""
    with transaction.atomic():
        locked = _lock_event(event.pk)
        promoted = _promote_from_waiting_list(event=locked, now=now or timezone.now())
    event.confirmed_count = locked.confirmed_count
    return promoted


# ---- staff: publishing, cancelling, copying, telling of changes ------------------------------------------------


def _require_staff(user: User | None) -> None:
    if user is None or not user.is_staff:
        raise PermissionDenied


def event_publish(*, event: Event, by: User) -> Event:
    """Publishes a draft (staff only) after checking it is complete: dates, venue or link. Idempotent."""
    _require_staff(by)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        if locked.status == Event.Status.PUBLISHED:
            return locked
        if locked.status == Event.Status.CANCELLED:
            raise ValidationError(_("A cancelled event cannot be published again; copy it instead."), code="cancelled")
        if not EventDate.objects.filter(event=locked).exists():
            raise ValidationError(_("Add at least one date before publishing."), code="no_dates")
        locked.status = Event.Status.PUBLISHED
        locked.full_clean(validate_constraints=False)
        locked.save(update_fields=["status", "updated_at"])
    event.status = locked.status
    return locked


def event_cancel(*, event: Event, message: str, by: User, now: datetime | None = None) -> Event:
    """Staff cancel a whole event with a message: every active booking is cancelled, and everyone who was
    booked or waiting is mailed the message after commit. Cancelling a cancelled event changes nothing."""
    _require_staff(by)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Please write a message to the participants.")}, code="message_required")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_event(event.pk)
        if locked.status == Event.Status.CANCELLED:
            return locked
        active = list(
            Booking.objects.select_for_update()
            .filter(event=locked, status__in=Booking.ACTIVE)
            .values_list("pk", flat=True)
        )
        # Row by row (the rows are locked above), so each cancellation is in the booking's history with its author.
        for booking in Booking.objects.filter(pk__in=active).order_by("pk"):
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_at = now
            booking.cancelled_by = by
            booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        locked.status = Event.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = by
        locked.cancellation_message = message
        locked.confirmed_count = 0
        locked.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancelled_by",
                "cancellation_message",
                "confirmed_count",
                "updated_at",
            ]
        )
        for booking_id in active:
            _enqueue_mail(booking_id, EventMail.Kind.EVENT_CANCELLED)
    for name in ("status", "cancelled_at", "cancelled_by", "cancellation_message", "confirmed_count"):
        setattr(event, name, getattr(locked, name))
    return locked


def event_message_send(*, event: Event, audience: str, subject: str, body: str, by: User) -> EventMessage:
    """Staff write to an event's confirmed participants, its waiting list or both; the message is recorded and
    sent by Celery after commit (events.tasks.send_event_message_fan_out), each person in their language.

    Who receives it is decided when the fan-out runs: the bookings then confirmed or waiting, as the audience
    says (a booking cancelled in between gets nothing). Each person gets it once (EventMail, kind "message").
    """
    _require_staff(by)
    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if audience not in EventMessage.Audience.values:
        errors["audience"] = _("Please choose who receives the message.")
    if not subject:
        errors["subject"] = _("Please write a subject.")
    if not body:
        errors["body"] = _("Please write a message.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        message = EventMessage.objects.create(event=event, audience=audience, subject=subject, body=body, sent_by=by)
        _enqueue_message(message.pk)
    return message


def _enqueue_message(message_id: int) -> None:
    from .tasks import send_event_message_fan_out

    enqueue(send_event_message_fan_out, message_id)


def event_message_resend(*, message: EventMessage, by: User) -> None:
    """Staff send a message again to those it has not reached (it failed, or they joined the audience since);
    whoever received it already is skipped by the fan-out's once-per-person record."""
    _require_staff(by)
    _enqueue_message(message.pk)


def event_copy(*, event: Event, new_start: datetime, by: User | None = None) -> Event:
    """Copies an event to a new first date, as a draft: every date and the registration and cancellation times
    move by the same offset; topics, trainers and translations are copied, bookings are not."""
    if by is not None:
        _require_staff(by)
    dates = list(EventDate.objects.filter(event=event).order_by("start"))
    if not dates:
        raise ValidationError(_("An event without dates cannot be copied to a new date."), code="no_dates")
    offset = new_start - dates[0].start
    with transaction.atomic():
        copy = Event.objects.get(pk=event.pk)
        copy.pk = None
        copy._state.adding = True
        copy.status = Event.Status.DRAFT
        copy.confirmed_count = 0
        copy.sequence = 0
        copy.cancelled_at = None
        copy.cancelled_by = None
        copy.cancellation_message = ""
        for name in ("registration_opens", "registration_closes", "cancellation_deadline"):
            value = getattr(copy, name)
            if value is not None:
                setattr(copy, name, value + offset)
        copy.save()
        EventDate.objects.bulk_create(
            EventDate(event=copy, start=date.start + offset, end=date.end + offset) for date in dates
        )
        Event.objects.filter(pk=copy.pk).refresh_dates()  # bulk_create sends no signal
        copy.refresh_from_db(fields=["first_start", "last_end"])
        copy.topics.set(event.topics.all())
        copy.trainers.set(event.trainers.all())
    return copy


def event_notify_change(*, event: Event, what: list[str], by: User | None = None) -> int:
    """Tells everyone booked or waiting that the event's dates, place or online link changed (`what`: keys of
    CHANGES). A change of only the link is told to confirmed people only (nobody else may see the link).

    Each call is a new change: the event's `sequence` goes up (and with it the SEQUENCE of its .ics), and the
    mails record it, so each person hears of each change once. Returns how many people will be mailed.
    Drafts and cancelled events have nobody to tell.
    """
    if by is not None:
        _require_staff(by)
    what = [key for key in CHANGES if key in set(what)]
    if not what:
        return 0
    with transaction.atomic():
        locked = _lock_event(event.pk)
        if locked.status != Event.Status.PUBLISHED:
            return 0
        statuses = [Booking.Status.CONFIRMED] if what == ["online_link"] else list(Booking.ACTIVE)
        recipients = list(Booking.objects.filter(event=locked, status__in=statuses).values_list("pk", flat=True))
        locked.sequence += 1
        locked.save(update_fields=["sequence"])
        for booking_id in recipients:
            _enqueue_mail(booking_id, EventMail.Kind.EVENT_CHANGED, locked.sequence, what)
    event.sequence = locked.sequence
    return len(recipients)


# ---- attendance --------------------------------------------------------------------------------------------------


def attendance_can_mark(*, event: Event, user: User) -> bool:
    """Staff and the event's trainers take attendance."""
    return bool(user.is_authenticated and (user.is_staff or _is_trainer(event=event, user=user)))


def attendance_mark(
    *,
    booking: Booking,
    event_date: EventDate,
    present: bool,
    by: User,
    now: datetime | None = None,
) -> Attendance:
    """Marks a confirmed participant present or absent at one date; marking again overwrites.

    Only staff and the event's trainers (PermissionDenied otherwise); from the day of the date on; not for
    cancelled events or bookings that are not confirmed. The unique (booking, date) constraint keeps one
    record even when two people tap at the same moment.
    """
    now = now or timezone.now()
    event = booking.event
    if not attendance_can_mark(event=event, user=by):
        raise PermissionDenied
    if event_date.event_id != booking.event_id:
        raise ValidationError(_("This date belongs to another event."), code="wrong_date")
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event has been cancelled."), code="event_cancelled")
    if booking.status != Booking.Status.CONFIRMED:
        raise ValidationError(_("Only confirmed participants can be marked."), code="not_confirmed")
    if timezone.localdate(now) < timezone.localdate(event_date.start):
        raise ValidationError(_("Attendance can be taken from the day of the date on."), code="too_early")
    with transaction.atomic():
        attendance, _created = Attendance.objects.update_or_create(
            booking=booking,
            event_date=event_date,
            defaults={"present": present, "marked_by": by, "marked_at": now},
        )
    from .certificates import issue_after_attendance

    issue_after_attendance(booking=booking, event_date=event_date)
    return attendance


def feedback_give(*, booking: Booking, by: User, rating: int, comment: str = "", now: datetime | None = None):
    """Records a participant's feedback on an event: only their own confirmed booking, after the event has
    begun, once (the one-to-one on the booking refuses a second under concurrency)."""
    from django.db import IntegrityError

    from .models import Feedback

    refusal = feedback_refusal(booking=booking, by=by, now=now)
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            return Feedback.objects.create(booking=booking, rating=rating, comment=comment.strip())
    except IntegrityError:
        raise ValidationError(_("You have already given feedback on this event. Thank you!")) from None


def feedback_refusal(*, booking: Booking, by: User, now: datetime | None = None) -> ValidationError | None:
    """Why this person may not give feedback on this booking (None: they may)."""
    from .models import Feedback

    now = now or timezone.now()
    if booking.person_id != by.pk:
        raise PermissionDenied
    if not booking.is_confirmed or booking.event.is_cancelled:
        return ValidationError(_("Only participants of the event can give feedback."))
    start = booking.event.first_start
    if start is None or start > now:
        return ValidationError(_("You can give feedback once the event has taken place."))
    if Feedback.objects.filter(booking=booking).exists():
        return ValidationError(_("You have already given feedback on this event. Thank you!"))
    return None
