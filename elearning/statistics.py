"""The e-learning section of the staff statistics (academy.statistics).

An enrolment counts in the period in which the person started the module; a completion in the period in which
the last lesson was done (completed_at), whenever the module was started.
"""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from academy.statistics import Figure, Period, Section
from organisations.models import Membership

from .models import Module


def learning_organisations(period: Period) -> QuerySet:
    """organisations.statistics.active_organisation_sources: a member started or completed a module."""
    learning = Q(user__enrolments__started_at__gte=period.since, user__enrolments__started_at__lt=period.until) | Q(
        user__enrolments__completed_at__gte=period.since, user__enrolments__completed_at__lt=period.until
    )
    return Membership.objects.filter(learning).order_by().values("organisation_id")


def elearning_section(period: Period) -> Section:
    """One query: every module with its enrolments and completions in the period."""
    started = Q(**{f"enrolments__{key}": value for key, value in period.lookup("started_at").items()})
    completed = Q(**{f"enrolments__{key}": value for key, value in period.lookup("completed_at").items()})
    modules = Module.objects.annotate(
        started=Count("enrolments", filter=started),
        completed=Count("enrolments", filter=completed),
    ).order_by("position", "title")
    rows = [
        (str(module.title), module.started, module.completed)
        for module in modules
        if module.is_published or module.started or module.completed
    ]
    return Section(
        key="elearning",
        title=_("E-learning"),
        note=_(
            "Enrolments: people who started a module in the period. Completions: people who finished every lesson "
            "of a module in the period, whenever they started it. Anonymised people still count."
        ),
        figures=[
            Figure(
                key="elearning-modules",
                title=_("Enrolments and completions per module"),
                columns=[_("Module"), _("Enrolments"), _("Completions")],
                rows=rows,
                note=_(
                    "Unpublished modules are listed only when they have enrolments or completions. Charted: enrolments."
                ),
            ),
        ],
    )


def register() -> None:
    from academy.statistics import statistics_section_register
    from organisations.statistics import active_organisation_sources

    statistics_section_register(elearning_section, position=50)
    if learning_organisations not in active_organisation_sources:
        active_organisation_sources.append(learning_organisations)
