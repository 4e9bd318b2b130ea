"""Portal-wide roles, held as Django groups (created by a data migration).

Organisation roles (admin, member of an organisation) live in organisations/, not here.
"""

from collections.abc import Callable

from .prepared import prepared

STAFF = "VAMOs-Team"
COACH = "Coach"
TRAINER = "Trainer*in"

ALL = (STAFF, COACH, TRAINER)

# The header shows links by role ("My cases" for coaches, "Attendance" for trainers). Asking the database on
# every page would cost a query per page, so the roles are worked out once at login and kept in the session.
# Offer apps add a probe in their AppConfig.ready: role_probes["coach"] = lambda user: ...
SESSION_KEY = "vamos_roles"
role_probes: dict[str, Callable[..., bool]] = {}


def remember_roles(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: stores the names of the probes that hold for the person in the session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = sorted(name for name, probe in role_probes.items() if probe(user))


def session_roles(request) -> frozenset[str]:
    """The roles remembered at login (empty for visitors)."""
    session = getattr(request, "session", None)
    if session is None or not request.user.is_authenticated:
        return frozenset()
    return frozenset(session.get(SESSION_KEY, ()))


def has_role(user, role: str) -> bool:
    """Whether the person is in the role's group now (views ask on every request: a role taken away counts at once)."""
    if not user.is_authenticated:
        return False
    return bool(_in_group(user=user.pk, group=role))


@prepared(user=int, group=str)
def _in_group(*, user: int, group: str):
    from django.contrib.auth import get_user_model

    return get_user_model().groups.through.objects.filter(user_id=user, group__name=group).values_list("pk")[:1]
