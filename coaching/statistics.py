"""The coaching section of the staff statistics (academy.statistics).

A case counts in the period in which it was submitted; a session in the period in which it starts. Sessions
delivered are the ones the coach recorded as held; their hours are the durations the coach recorded.
"""

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from academy.statistics import Figure, Period, Section, topic_labels

from .models import CoachingCase, Session

NOT_TAKEN_UP = (CoachingCase.Status.DECLINED, CoachingCase.Status.WITHDRAWN)


def _hours(minutes: int | None) -> float:
    return round((minutes or 0) / 60, 1)


def cases_in(period: Period) -> QuerySet[CoachingCase]:
    return CoachingCase.objects.filter(**period.lookup("created_at")).order_by()


def sessions_held_in(period: Period) -> QuerySet[Session]:
    return Session.objects.filter(held=True, **period.lookup("start")).order_by()


def requesting_organisations(period: Period) -> QuerySet:
    """organisations.statistics.active_organisation_sources: a case submitted (and not declined or withdrawn)."""
    return cases_in(period).exclude(status__in=NOT_TAKEN_UP).values("organisation_id")


def coached_organisations(period: Period) -> QuerySet:
    """organisations.statistics.active_organisation_sources: a session held."""
    return sessions_held_in(period).values("case__organisation_id")


def _cases_with_topic(topic_id: int) -> QuerySet:
    """The ids of the cases with the topic, as a subquery: a condition per topic, with no join to the topics
    that would repeat a case (and its sessions' minutes) once per topic."""
    return CoachingCase.objects.filter(topics=topic_id).values("pk")


def coaching_section(period: Period) -> Section:
    """Three queries: the cases (by status and by topic), the sessions (totals and by topic), the topics."""
    topics = topic_labels()
    cases = cases_in(period).aggregate(
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in CoachingCase.Status.values},
        **{f"topic_{pk}": Count("pk", filter=Q(pk__in=_cases_with_topic(pk))) for pk, _label in topics},
    )
    held = Q(held=True)
    held_on_topic = {pk: held & Q(case__in=_cases_with_topic(pk)) for pk, _label in topics}
    sessions = (
        Session.objects.filter(**period.lookup("start"))
        .order_by()
        .aggregate(
            sessions=Count("pk", filter=held),
            minutes=Sum("duration_minutes", filter=held),
            not_held=Count("pk", filter=Q(held=False)),
            organisations=Count("case__organisation", distinct=True, filter=held),
            cases=Count("case", distinct=True, filter=held),
            **{f"sessions_{pk}": Count("pk", filter=on_topic) for pk, on_topic in held_on_topic.items()},
            **{f"minutes_{pk}": Sum("duration_minutes", filter=on_topic) for pk, on_topic in held_on_topic.items()},
        )
    )

    def topic_numbers(pk: int) -> tuple:
        held_sessions = sessions[f"sessions_{pk}"]
        hours = _hours(sessions[f"minutes_{pk}"]) if held_sessions else 0  # no sessions: 0 hours, shown as "0"
        return (cases[f"topic_{pk}"], held_sessions, hours)

    return Section(
        key="coaching",
        title=_("Coaching and team development"),
        note=_(
            "Cases count in the period in which they were submitted, with the status they have now. Sessions count "
            "in the period in which they start; delivered are the sessions the coach recorded as held, and their "
            "hours are the durations the coach recorded."
        ),
        figures=[
            Figure(
                key="coaching-status",
                title=_("Coaching cases by status"),
                columns=[_("Status"), _("Cases")],
                rows=[(str(label), cases[f"status_{value}"]) for value, label in CoachingCase.Status.choices],
            ),
            Figure(
                key="coaching-sessions",
                title=_("Sessions and hours delivered"),
                columns=[_("Figure"), _("Number")],
                rows=[
                    (_("Sessions held"), sessions["sessions"]),
                    (_("Hours delivered"), _hours(sessions["minutes"])),
                    (_("Sessions recorded as not held"), sessions["not_held"]),
                    (_("Cases with a session held"), sessions["cases"]),
                    (_("Organisations with a session held"), sessions["organisations"]),
                ],
            ),
            Figure(
                key="coaching-topic",
                title=_("Coaching by topic"),
                columns=[_("Topic"), _("Cases submitted"), _("Sessions held"), _("Hours delivered")],
                rows=[(label, *topic_numbers(pk)) for pk, label in topics],
                chart_column=3,
                note=_("A case with several topics counts under each of them. Charted: hours delivered."),
            ),
        ],
    )


def register() -> None:
    from academy.statistics import statistics_section_register
    from organisations.statistics import active_organisation_sources

    statistics_section_register(coaching_section, position=40)
    for source in (requesting_organisations, coached_organisations):
        if source not in active_organisation_sources:
            active_organisation_sources.append(source)
