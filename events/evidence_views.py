"""Funder evidence downloads (events.evidence builds them). Who may:
- participant list and attendance record of a date, participants of an event: staff, and the event's trainers;
- bookings over a period: staff only.
Anybody else who is logged in gets 404 (so event and date ids do not leak); anonymous people go to the login.
"""

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from academy.exports import Sheet, csv_response, xlsx_response

from . import evidence
from .forms import DateInput

EXPORT_FORMATS = ("csv", "xlsx")


def _date_for(request, date_pk: int):
    event_date = evidence.evidence_date(pk=date_pk)
    if not evidence.may_see_evidence(event=event_date.event, user=request.user):
        raise Http404
    return event_date


def _filename(event, event_date, kind: str, extension: str) -> str:
    name = slugify(event.title)[:50] or "event"
    if event_date is not None:
        name += timezone.localtime(event_date.start).strftime("-%Y-%m-%d")
    return f"{kind}-{name}.{extension}"


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@login_required
def participant_list_pdf(request, date_pk: int):
    """The list to sign at a date in person (A4 landscape), in the requesting person's language."""
    event_date = _date_for(request, date_pk)
    pdf = evidence.participant_list_pdf(event_date=event_date, by=request.user, language=get_language())
    return _pdf_response(pdf, _filename(event_date.event, event_date, "participant-list", "pdf"))


@require_GET
@login_required
def attendance_record_pdf(request, date_pk: int):
    """The proof of attendance at an online date: who was marked present or absent, when and by whom."""
    event_date = _date_for(request, date_pk)
    pdf = evidence.attendance_record_pdf(event_date=event_date, by=request.user, language=get_language())
    return _pdf_response(pdf, _filename(event_date.event, event_date, "attendance-record", "pdf"))


def _download(table: evidence.Table, *, filename: str, extension: str, sheet_title: str):
    if extension == "csv":
        return csv_response(filename=f"{filename}.csv", header=table.header, rows=table.rows)
    return xlsx_response(
        filename=f"{filename}.xlsx", sheets=[Sheet(title=sheet_title, header=table.header, rows=table.rows)]
    )


@require_GET
@login_required
def event_participants_export(request, pk: int, extension: str):
    """An event's bookings with attendance per date, as CSV (streamed) or XLSX."""
    if extension not in EXPORT_FORMATS:
        raise Http404
    event = evidence.evidence_event(pk=pk)
    if not evidence.may_see_evidence(event=event, user=request.user):
        raise Http404
    table = evidence.event_participants_table(event=event)
    return _download(
        table,
        filename=_filename(event, None, "participants", extension).rsplit(".", 1)[0],
        extension=extension,
        sheet_title=str(_("Participants")),
    )


class PeriodForm(forms.Form):
    """The period of the bookings export: two days, inclusive."""

    date_from = forms.DateField(
        label=_("From"), widget=DateInput(), error_messages={"invalid": _("Please enter a date such as 2026-03-14.")}
    )
    date_to = forms.DateField(
        label=_("Until"), widget=DateInput(), error_messages={"invalid": _("Please enter a date such as 2026-03-14.")}
    )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end of the range must not be before its start."))
        return cleaned


def _current_year() -> dict:
    year = timezone.localdate().year
    return {"date_from": date(year, 1, 1), "date_to": date(year, 12, 31)}


@require_GET
@login_required
def period_bookings(request):
    """Staff: a form for the period (default: the current year); with `download=csv|xlsx` the export itself."""
    if not request.user.is_staff:
        raise Http404
    extension = request.GET.get("download", "")
    form = PeriodForm(request.GET) if extension else PeriodForm(initial=_current_year())
    if extension and form.is_valid() and extension in EXPORT_FORMATS:
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        table = evidence.period_bookings_table(date_from=date_from, date_to=date_to)
        return _download(
            table,
            filename=f"bookings-{date_from:%Y-%m-%d}-{date_to:%Y-%m-%d}",
            extension=extension,
            sheet_title=str(_("Bookings")),
        )
    if extension and extension not in EXPORT_FORMATS:
        form.add_error(None, _("Please choose CSV or Excel (XLSX)."))
    return render(request, "events/evidence/period.html", {"form": form}, status=400 if form.errors else 200)
