"""What a federation may see of its member clubs: which offers they take part in, as counts and offer names,
never personal data of the clubs' members, and only for clubs that agreed (Organisation.shares_participation).

Offer apps register a provider once (in AppConfig.ready); organisations never imports them:

    from organisations.participation import ParticipationLine, participation_providers

    def seminar_participation(*, organisations):
        # one query for all clubs; returns {organisation_id: [ParticipationLine, ...]}
        ...

    participation_providers.append(seminar_participation)
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Organisation


@dataclass(frozen=True)
class ParticipationLine:
    offer: str  # the offer's name, e.g. "Fördermittel beantragen (Seminar, 12.3.2027)"
    count: int  # how many people of the club took part


participation_providers: list[Callable[..., dict[int, list[ParticipationLine]]]] = []


def club_participation(*, clubs: list[Organisation]) -> dict[int, list[ParticipationLine]]:
    """Participation of the clubs that share it, by organisation id; clubs that do not share are left out."""
    sharing = [club for club in clubs if club.shares_participation]
    lines: dict[int, list[ParticipationLine]] = {club.pk: [] for club in sharing}
    for provider in participation_providers if sharing else ():
        for organisation_id, found in provider(organisations=sharing).items():
            if organisation_id in lines:
                lines[organisation_id].extend(found)
    return lines
