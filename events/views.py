"""The event pages: catalogue, event page with booking, cancelling, bookings lists and attendance.

Thin views: check who may look, parse input, call events.services, render. Who may see what:
- catalogue, event page and its .ics: everyone (drafts only staff, via selectors.event_detail);
- booking: members of an approved organisation, for themselves; its admins also for colleagues;
- a booking (cancel): the person, an admin of its organisation, staff; anyone else gets 404;
- an organisation's bookings: its members (404 for others); members see their own, admins all;
- attendance: staff and the event's trainers; anyone else who is logged in gets 404, so dates do not leak.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from academy.pagination import page_of
from organisations.selectors import current_organisation, organisation_access
from organisations.views import consent_required

from . import cache as event_cache
from . import ics, selectors, services, web
from .forms import AttendanceForm, BookColleaguesForm, CatalogueFilterForm
from .models import Booking

PAGE_SIZE = 12
BOOKINGS_PAGE_SIZE = 20  # upcoming and past bookings per page, each list with its own page links


# ---- catalogue --------------------------------------------------------------------------------------------------


@require_GET
def catalogue(request):
    """The catalogue. Its filter form and results (count, cards, pages) are the same for everyone who asks with
    the same filters, and come from the cache (events.cache) until an event, date, topic or booking changes.

    The cache is asked with the query as it came, before any form is made: only canonical queries are ever kept
    (_canonical_query), so one that finds its fragments is one of them, and the form (with the topic it reads
    from the database) is made only to fill the cache."""
    htmx = web.is_htmx(request)
    asked = _query_pairs(request)
    version, fragments = event_cache.catalogue_get(query=asked, htmx=htmx) if asked is not None else (None, None)
    if fragments is None:
        form = CatalogueFilterForm(request.GET or None)
        form_html = "" if htmx else render_to_string("events/_catalogue_form.html", {"form": form}, request)
        fragments = (form_html, *_catalogue_results(request, form))
        if asked is not None and _canonical_query(asked, form):
            event_cache.catalogue_set(query=asked, htmx=htmx, version=version, fragments=fragments)
    form_html, count_html, results_html = (mark_safe(fragment) for fragment in fragments)  # noqa: S308 - ours
    if htmx:
        response = HttpResponse(results_html)
    else:
        context = {"form_html": form_html, "count_html": count_html, "results_html": results_html}
        response = render(request, "events/catalogue.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _query_pairs(request) -> list[tuple[str, str]] | None:
    """The query string's (name, value) pairs; None when a name comes more than once (never a canonical query)."""
    pairs = []
    for name, values in request.GET.lists():
        if len(values) != 1:
            return None
        pairs.append((name, values[0]))
    return pairs


def _canonical_query(pairs: list[tuple[str, str]], form: CatalogueFilterForm) -> bool:
    """Whether the query is one of the catalogue's few canonical queries, which alone are cached: valid filters
    written as the form writes them, no free-text search, no date range, a page number. So nobody can fill the
    cache with endless variants of a query string."""
    if not pairs:
        return True
    if not form.is_valid():
        return False
    data = form.cleaned_data
    canonical = {
        "topic": str(data["topic"].pk) if data.get("topic") else None,
        "kind": data.get("kind") or None,
        "format": data.get("format") or None,
        "language": data.get("language") or None,
        "month": data["month"].strftime("%Y-%m") if data.get("month") else None,
        "free": "on" if data.get("free") else None,
    }
    for name, value in pairs:
        if name == "page":
            if not (value.isascii() and value.isdigit() and len(value) <= 4 and not value.startswith("0")):
                return False
        elif name in ("q", "date_from", "date_to"):
            if value:
                return False
        elif name not in canonical or (canonical[name] or "") != value:  # the form sends empty fields too
            return False
    return True


def _catalogue_results(request, form) -> tuple[str, str]:
    """The result count and the results (cards and page links) as HTML."""
    paged = page_of(request, selectors.event_catalogue(**form.filters()), per_page=PAGE_SIZE)
    context = {
        "form": form,
        "paged": paged,
        "events": paged.items,
        "filter_query": form.active_filter_query() if form.is_bound else "",
    }
    return (
        render_to_string("events/_results_count.html", context, request),
        render_to_string("events/_results.html", context, request),
    )


# ---- event page and booking -------------------------------------------------------------------------------------


def _booking_context(request, event, **extra):
    """Everything the event page shows about the viewer: their booking, whether and how they may book."""
    user = request.user
    context = {"event": event, "refusal": services.event_booking_refusal(event=event)}
    trainer_ids = {trainer.pk for trainer in event.trainers.all()}
    context["is_trainer"] = user.is_authenticated and user.pk in trainer_ids
    context["takes_attendance"] = services.attendance_can_mark(event=event, user=user)  # no query: trainers are read
    if not user.is_authenticated:
        context["show_link"] = False
        return context | extra
    booking = selectors.booking_of_person_for_event(event=event, person=user)
    if booking is not None:
        booking.event = event
        try:
            context["cancel_refusal"] = services.booking_cancel_refusal(booking=booking, by=user)
        except PermissionDenied:  # pragma: no cover - one's own booking may always be looked at
            context["cancel_refusal"] = None
    organisation = current_organisation(request=request)
    membership = web.membership_in(memberships=getattr(request, "_memberships", []), organisation=organisation)
    context.update(
        booking=booking,
        organisation=organisation,
        membership=membership,
        show_link=bool(event.has_online_link and ((booking and booking.is_confirmed) or context["is_trainer"])),
    )
    if (
        context["refusal"] is None
        and organisation is not None
        and organisation.can_book
        and membership is not None
        and membership.is_admin
    ):
        form = extra.pop("colleagues_form", None)
        if form is None:  # the page's own form only shows them; book_colleagues checks what is sent
            listed = selectors.bookable_colleague_names(organisation=organisation, event=event, viewer=user)
            form = BookColleaguesForm(listed=listed)
        context["colleagues_form"] = form
    return context | extra


@require_GET
def detail(request, pk: int):
    event = selectors.event_detail(pk=pk, viewer=request.user)
    return render(request, "events/detail.html", _booking_context(request, event))


def _booking_message(booking: Booking) -> str:
    if booking.is_confirmed:
        return _("Your seat is booked. We have sent you a confirmation by email.")
    return _("The event is fully booked: you are on the waiting list at position %(position)s.") % {
        "position": booking.position_when_booked
    }


@require_POST
@consent_required
def book(request, pk: int):
    """A member books a seat (or a waiting-list place) for themselves, for the organisation they act for."""
    event = selectors.event_to_book(pk=pk, viewer=request.user)
    organisation = current_organisation(request=request)
    if organisation is None:
        messages.error(request, _("Please register your organisation or join one before booking."))
        return redirect(event.get_absolute_url())
    membership = web.membership_in(memberships=request._memberships, organisation=organisation)
    try:
        booking = services.booking_create(
            event=event, person=request.user, organisation=organisation, booked_by=request.user, membership=membership
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _booking_message(booking))
    return redirect(event.get_absolute_url())


@consent_required
def book_colleagues(request, pk: int):
    """An organisation admin books several colleagues at once; the page shows what happened to each."""
    if request.method != "POST":
        return redirect("events:detail", pk=pk)
    event = selectors.event_detail(pk=pk, viewer=request.user)
    organisation = current_organisation(request=request)
    membership = web.membership_in(memberships=getattr(request, "_memberships", []), organisation=organisation)
    if membership is None or not membership.is_admin:
        raise PermissionDenied
    colleagues = selectors.bookable_colleagues(organisation=organisation, event=event).exclude(pk=request.user.pk)
    form = BookColleaguesForm(request.POST, colleagues=colleagues)
    outcomes = None
    if form.is_valid():
        try:
            outcomes = services.bookings_create_for_colleagues(
                event=event,
                organisation=organisation,
                people=_in_posted_order(form.cleaned_data["people"], request.POST.getlist("people")),
                booked_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        if outcomes is not None:
            event = selectors.event_detail(pk=pk, viewer=request.user)  # seats left have changed
            form = None
    context = _booking_context(request, event, colleagues_form=form, outcomes=outcomes)
    return render(request, "events/detail.html", context, status=400 if form is not None and form.errors else 200)


def _in_posted_order(people, posted: list[str]) -> list:
    """The chosen colleagues in the order the form sent them (who comes first gets the last seat)."""
    position = {value: index for index, value in enumerate(posted)}
    return sorted(people, key=lambda person: position.get(str(person.pk), len(posted)))


@require_GET
def event_ics(request, pk: int):
    """The event's dates as an .ics file; with the online link for confirmed participants."""
    event = selectors.event_detail(pk=pk, viewer=request.user)
    booking = None
    if request.user.is_authenticated:
        booking = selectors.booking_of_person_for_event(event=event, person=request.user)
    body = ics.event_ics(event=event, include_online_link=bool(booking and booking.is_confirmed))
    response = HttpResponse(body, content_type=f"{ics.MIME_TYPE}; charset=utf-8")
    filename = slugify(event.title)[:60] or "event"
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


# ---- cancelling -------------------------------------------------------------------------------------------------


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: `redirect()` would take a bare word like "home" for a view name (a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def cancel(request, pk: int):
    """Asks to confirm, then cancels a booking (the person's own, or one of an organisation they administer)."""
    booking = selectors.booking_access(user=request.user, pk=pk)
    next_url = _next_url(request, booking.event.get_absolute_url())
    if booking.is_cancelled:
        messages.info(request, _("This booking has already been cancelled."))
        return redirect(next_url)
    refusal = services.booking_cancel_refusal(booking=booking, by=request.user)
    if request.method == "POST" and refusal is None:
        try:
            services.booking_cancel(booking=booking, by=request.user)
        except ValidationError as error:
            refusal = error
        else:
            if booking.person_id == request.user.pk:
                messages.success(request, _("Your booking has been cancelled. We have sent you a confirmation."))
            else:
                messages.success(
                    request,
                    _("The booking of %(person)s has been cancelled.") % {"person": booking.person.get_full_name()},
                )
            return redirect(next_url)
    return render(
        request,
        "events/cancel.html",
        {"booking": booking, "refusal": refusal, "next": next_url},
        status=400 if request.method == "POST" else 200,
    )


# ---- bookings lists ---------------------------------------------------------------------------------------------


@require_GET
@login_required
def my_bookings(request):
    upcoming, past = selectors.booking_lists(person=request.user)
    return render(request, "events/my_bookings.html", _bookings_pages(request, upcoming=upcoming, past=past))


def _bookings_pages(request, *, upcoming, past, **context) -> dict:
    """The upcoming and the past bookings (brief lists), a page of each (?upcoming_page=, ?page=), completed."""
    upcoming = page_of(request, upcoming, per_page=BOOKINGS_PAGE_SIZE, param="upcoming_page")
    past = page_of(request, past, per_page=BOOKINGS_PAGE_SIZE)
    selectors.complete_booking_rows([*upcoming.items, *past.items])
    return context | {"upcoming": upcoming, "past": past}


@require_GET
@consent_required
def organisation_bookings(request, pk: int):
    """An organisation's bookings: all of them for its admins (and staff), a member's own for members."""
    access = organisation_access(request=request, pk=pk)
    organisation = access.organisation
    # Admins (and staff) see all of the organisation's bookings, a member their own.
    person = None if access.can_change else request.user
    upcoming, past = selectors.booking_lists(organisation=organisation, person=person)
    context = _bookings_pages(request, upcoming=upcoming, past=past, access=access, organisation=organisation)
    return render(request, "events/organisation_bookings.html", context)


# ---- attendance ------------------------------------------------------------------------------------------------


@require_GET
@login_required
def attendance_overview(request):
    """The dates whose attendance the person takes: staff all, trainers theirs; 404 for everybody else."""
    if not web.takes_attendance(user=request.user):
        raise Http404
    return render(
        request, "events/attendance_overview.html", {"events": selectors.events_to_take_attendance(user=request.user)}
    )


def _attendance_date(request, date_pk: int):
    event_date = selectors.event_date_for_attendance(pk=date_pk)
    if not services.attendance_can_mark(event=event_date.event, user=request.user):
        raise Http404
    return event_date


def _attendance_context(event_date, participants):
    return {
        "event_date": event_date,
        "event": event_date.event,
        "participants": participants,
        "count": selectors.attendance_count(participants=participants),
    }


@require_GET
@login_required
def attendance(request, date_pk: int):
    event_date = _attendance_date(request, date_pk)
    participants = list(selectors.participants_of_date(event_date=event_date))
    return render(request, "events/attendance.html", _attendance_context(event_date, participants))


@require_POST
@login_required
def attendance_mark(request, date_pk: int, booking_pk: int):
    """Marks one participant present or absent. htmx swaps the row (and the count); without JS: back to the list."""
    event_date = _attendance_date(request, date_pk)
    participants = list(selectors.participants_of_date(event_date=event_date))
    participant = next((p for p in participants if p.pk == booking_pk), None)
    if participant is None:
        raise Http404
    participant.event = event_date.event
    form = AttendanceForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.attendance_mark(
                booking=participant, event_date=event_date, present=form.cleaned_data["present"], by=request.user
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            participant.present = form.cleaned_data["present"]
    else:
        error = " ".join(form.errors.get("present", [])) or _("Please choose present or absent.")
    page = reverse("events:attendance", args=[event_date.pk])
    if not web.is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("%(person)s: %(state)s")
                % {
                    "person": participant.person.get_full_name() if participant.person else _("(deleted person)"),
                    "state": _("present") if participant.present else _("absent"),
                },
            )
        return redirect(f"{page}#participant-{participant.pk}")
    context = _attendance_context(event_date, participants) | {"participant": participant, "error": error, "oob": True}
    return render(request, "events/_attendance_row.html", context, status=200)


# ---- feedback after an event ------------------------------------------------------------------------------------


@login_required
def feedback(request, pk: int):
    """The short feedback form linked from the thank-you mail: the person's own booking only, once."""
    from .forms import FeedbackForm

    booking = Booking.objects.select_related("event").filter(pk=pk, person=request.user).first()
    if booking is None:
        raise Http404
    refusal = services.feedback_refusal(booking=booking, by=request.user)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.feedback_give(booking=booking, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            refusal = error
        else:
            messages.success(request, _("Thank you for your feedback!"))
            return redirect("events:my_bookings")
    return render(
        request,
        "events/feedback.html",
        {"booking": booking, "event": booking.event, "form": form, "refusal": refusal},
        status=400 if request.method == "POST" else 200,
    )
