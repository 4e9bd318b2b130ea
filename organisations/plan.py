"""The development plan: for an organisation's weakest topics, the offers that help.

Each offer app (events, elearning, coaching) plugs its offers in through one provider, registered once
in its AppConfig.ready, so the plan needs no change when an offer type is added:

    from organisations.plan import PlanItem, plan_providers

    def upcoming_seminars(*, organisation, topics):
        # one query for all topics; returns {topic_id: [PlanItem, ...]}
        ...

    plan_providers.append(upcoming_seminars)

organisations never imports the offer apps.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from academy.models import Topic

from .models import Organisation
from .selectors import TopicScore

WEAKEST_TOPICS = 3
STRONG_ENOUGH = 75  # percent; topics at or above it need no plan


@dataclass(frozen=True)
class PlanItem:
    title: str
    url: str
    kind: str  # shown to the person, e.g. "Seminar", "E-learning module", "Coaching"
    detail: str = ""  # e.g. the date or "online"
    admins_only: bool = False  # only the organisation's admins may follow the link (e.g. requesting coaching)


plan_providers: list[Callable[..., dict[int, list[PlanItem]]]] = []


@dataclass
class PlanEntry:
    score: TopicScore
    items: list[PlanItem] = field(default_factory=list)

    @property
    def topic(self) -> Topic:
        return self.score.topic


def development_plan(*, organisation: Organisation, scores: list[TopicScore]) -> list[PlanEntry]:
    """The weakest topics (at most three, below 75 %), each with what the registered offer apps suggest."""
    weakest = sorted((s for s in scores if s.percent < STRONG_ENOUGH), key=lambda s: (s.percent, s.topic.position))
    entries = [PlanEntry(score=score) for score in weakest[:WEAKEST_TOPICS]]
    topics = [entry.topic for entry in entries]
    for provider in plan_providers:
        suggestions = provider(organisation=organisation, topics=topics) if topics else {}
        for entry in entries:
            entry.items.extend(suggestions.get(entry.topic.pk, []))
    return entries
