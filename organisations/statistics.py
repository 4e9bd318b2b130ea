"""The "Organisations reached" section of the staff statistics (academy.statistics).

Whether an organisation was active in a period depends on the offer apps, which organisations does not import.
Each offer app registers a source once, in its AppConfig.ready:

    from organisations.statistics import active_organisation_sources

    def attended_event(period):
        # a queryset of organisation ids (values("organisation_id")), NOT evaluated here
        return Booking.objects.filter(...).values("organisation_id")

    active_organisation_sources.append(attended_event)

The sources are combined into subqueries of one query (`pk__in=… OR pk__in=…`), so the section costs one
query however many organisations and sources there are.
"""

from collections.abc import Callable

from django.db.models import Count, Q, QuerySet, Value
from django.utils.translation import gettext as _

from academy.statistics import Figure, Period, Section

from .models import Bundesland, Organisation

active_organisation_sources: list[Callable[[Period], QuerySet]] = []


def active_condition(period: Period) -> Q | None:
    """Organisations that took part in anything in the period, as a condition on Organisation (None: no source)."""
    condition = None
    for source in active_organisation_sources:
        part = Q(pk__in=source(period))
        condition = part if condition is None else condition | part
    return condition


def organisations_section(period: Period) -> Section:
    """One query: registered and active organisations grouped by kind and Bundesland; the rest is summed here."""
    registered = Q(**period.lookup("created_at")) & ~Q(status=Organisation.Status.DECLINED)
    active = active_condition(period)
    counts = (
        Organisation.objects.order_by()
        .values("kind", "bundesland")
        .annotate(
            registered=Count("pk", filter=registered),
            active=Count("pk", filter=active) if active is not None else Value(0),
        )
    )
    by_kind = {kind: [0, 0] for kind in Organisation.Kind.values}
    by_land = {land: [0, 0] for land in Bundesland.values}
    for row in counts:
        for table, key in ((by_kind, row["kind"]), (by_land, row["bundesland"])):
            if key in table:
                table[key][0] += row["registered"]
                table[key][1] += row["active"]
    federations = [sum(by_kind[kind][i] for kind in Organisation.FEDERATION_KINDS) for i in (0, 1)]
    others = [sum(v[i] for k, v in by_kind.items() if k not in Organisation.FEDERATION_KINDS) for i in (0, 1)]
    total = [federations[0] + others[0], federations[1] + others[1]]

    columns = [_("Organisations"), _("Registered"), _("Active")]
    registered_note = _(
        "Registered: organisations that registered in the period (by the date of registration), unless declined; "
        "pending ones count."
    )
    active_note = _(
        "Active: organisations that took part in anything in the period — a person of theirs attended an event "
        "(by the event's first date), a coaching case was submitted (unless declined or withdrawn) or a coaching "
        "session took place (by its start), or a member started or completed an e-learning module."
    )
    return Section(
        key="organisations",
        title=_("Organisations reached"),
        note=f"{registered_note} {active_note}",
        figures=[
            Figure(
                key="organisations-total",
                title=_("Organisations registered and active"),
                columns=[_("Figure"), _("Organisations")],
                rows=[(_("Registered"), total[0]), (_("Active"), total[1])],
            ),
            Figure(
                key="organisations-kind",
                title=_("Organisations by kind"),
                columns=columns,
                rows=[(str(Organisation.Kind(kind).label), *by_kind[kind]) for kind in Organisation.Kind.values],
                chart_column=2,
                note=_("Charted: active organisations."),
            ),
            Figure(
                key="organisations-bundesland",
                title=_("Organisations by Bundesland"),
                columns=columns,
                rows=[(str(Bundesland(land).label), *by_land[land]) for land in Bundesland.values],
                chart_column=2,
                note=_("By the Bundesland of the organisation's address. Charted: active organisations."),
            ),
            Figure(
                key="organisations-federations",
                title=_("Federations and clubs"),
                columns=columns,
                rows=[
                    (_("Federations (federal, umbrella and state federations)"), *federations),
                    (_("Clubs and initiatives"), *others),
                ],
                chart_column=2,
                note=_("Charted: active organisations."),
            ),
        ],
    )
