from django.db.models import QuerySet

from .models import CalendarFeedToken, Topic, User


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


def calendar_feed_token_of(*, user: User) -> CalendarFeedToken | None:
    """The person's active calendar feed link, or None when they have none (or revoked it)."""
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_feed_owner(*, token: str) -> User | None:
    """The active person whose active feed link has this token; None for unknown or revoked tokens."""
    found = (
        CalendarFeedToken.objects.filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return found.user if found is not None else None
