"""The staff statistics page and its XLSX download (academy.statistics). Staff only; 404 for everybody else."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .charts import MAX_BARS, bar_chart
from .exports import xlsx_response
from .statistics import Period, statistics_collect, statistics_sheets

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]


class PeriodForm(forms.Form):
    """?from=…&to=… (ISO dates from <input type=date>, or German 31.12.2026 typed by hand)."""

    def __init__(self, data):
        super().__init__(data)
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), input_formats=DATE_FORMATS)
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), input_formats=DATE_FORMATS)
        for name in ("from", "to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            self.fields[name].error_messages["invalid"] = _("Please enter a date, e.g. 31.12.2026.")
            self.fields[name].error_messages["required"] = _("Please enter a date.")

    def clean(self):
        cleaned = super().clean()
        for name in ("from", "to"):
            value = cleaned.get(name)
            if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
                self.add_error(
                    name,
                    _("Please choose a date between %(first)s and %(last)s.")
                    % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
                )
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end and not self.has_error("from") and not self.has_error("to"):
            self.add_error("to", _("The end of the period must not be before its start."))
        return cleaned

    @property
    def period(self) -> Period | None:
        return Period(self.cleaned_data["from"], self.cleaned_data["to"]) if self.is_valid() else None


def _period_form(request) -> PeriodForm:
    default = Period.year(timezone.localdate().year)
    if "from" in request.GET or "to" in request.GET:
        data = {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")}
    else:
        data = {"from": default.start.isoformat(), "to": default.end.isoformat()}
    return PeriodForm(data)


def _staff_only(request) -> None:
    if not request.user.is_staff:
        raise Http404


def _sections_html(request, sections) -> str:
    """The figures of the page (the section links and every section with its charts and tables) as HTML."""
    charts = {}
    for section in sections:
        for figure in section.figures:
            if figure.chart_column is not None and not figure.is_empty and len(figure.rows) <= MAX_BARS:
                charts[figure.key] = bar_chart(
                    labels=[row[0] for row in figure.rows], values=[row[figure.chart_column] for row in figure.rows]
                )
    return render_to_string(
        "academy/statistics_sections.html",
        {
            "sections": [
                (section, [(figure, charts.get(figure.key)) for figure in section.figures]) for section in sections
            ]
        },
        request=request,
    )


def _cache_key(period: Period) -> str:
    return f"statistics:v2:{period.start.isoformat()}:{period.end.isoformat()}:{get_language()}"


def _figures(request, period: Period, *, recompute: bool) -> dict:
    """The period's figures as HTML with the moment they were computed: from the cache (STATISTICS_CACHE_SECONDS)
    unless missing or `recompute`, else computed now and cached. The figures change slowly and a funder's
    report does not need them to the second; computing them costs about a second at academy scale."""
    key = _cache_key(period)
    cached = None if recompute else cache.get(key)
    if cached is None:
        sections = statistics_collect(period=period)
        cached = {"html": _sections_html(request, sections), "computed_at": timezone.now()}
        cache.set(key, cached, settings.STATISTICS_CACHE_SECONDS)
    return cached


def _render_page(request, form: PeriodForm, figures: dict | None, *, status: int = 200):
    period = form.period
    export_query = f"from={period.start.isoformat()}&to={period.end.isoformat()}" if period else ""
    return render(
        request,
        "academy/statistics.html",
        {
            "form": form,
            "period": period,
            "figures_html": mark_safe(figures["html"]) if figures else "",  # noqa: S308 - our own rendered template
            "computed_at": figures["computed_at"] if figures else None,
            "export_query": export_query,
            "recompute_query": f"{export_query}&recompute=1" if period else "",
        },
        status=status,
    )


@login_required
@require_GET
def statistics(request):
    """Figures for the period (default: this calendar year), each as a chart and a table. Served from the cache
    for a few minutes, with the time they were computed; `recompute=1` (a button on the page) computes them now."""
    _staff_only(request)
    form = _period_form(request)
    period = form.period
    figures = _figures(request, period, recompute="recompute" in request.GET) if period else None
    return _render_page(request, form, figures)


@login_required
@require_GET
def statistics_export(request):
    """The same figures as XLSX, one sheet per section; invalid dates show the page with the errors (400)."""
    _staff_only(request)
    form = _period_form(request)
    period = form.period
    if period is None:
        return _render_page(request, form, None, status=400)
    sections = statistics_collect(period=period)
    filename = f"vamos-statistik-{period.start.isoformat()}-{period.end.isoformat()}.xlsx"
    return xlsx_response(filename=filename, sheets=statistics_sheets(sections=sections, period=period))
