"""Small helpers of the event pages (views.py, feeds.py) that are neither services nor selectors of the core."""

from academy import roles
from academy.models import User
from organisations.models import Membership, Organisation


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def is_trainer(user: User) -> bool:
    """Has the trainer role or trains an event (staff may name anyone in the admin); academy.roles.role_probes."""
    return roles.has_role(user, roles.TRAINER) or user.trained_events.exists()


def takes_attendance(*, user: User) -> bool:
    """Staff and trainers may open the attendance overview."""
    return bool(user.is_authenticated and (user.is_staff or is_trainer(user)))


def membership_in(*, memberships: list[Membership], organisation: Organisation | None) -> Membership | None:
    """The person's membership of the organisation, from the list organisations.selectors already loaded."""
    if organisation is None:
        return None
    return next((m for m in memberships if m.organisation_id == organisation.pk), None)
