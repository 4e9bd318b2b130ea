from django.conf import settings

from . import roles


def portal(request):
    """What every page's header and footer need."""
    user = getattr(request, "user", None)
    return {
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "VAMOS_TEAM_EMAIL": settings.VAMOS_TEAM_EMAIL,
        "is_vamos_staff": bool(user and user.is_authenticated and user.is_staff),
        "roles": roles,
        "session_roles": roles.session_roles(request) if user is not None else frozenset(),
    }
