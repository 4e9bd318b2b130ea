"""Everything in academy that changes state. Views, the admin and tasks call these."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from .models import CalendarFeedToken, ContactMessage, User


def contact_message_create(
    *,
    name: str,
    email: str,
    subject: str,
    message: str,
    organisation: str = "",
    user: User | None = None,
    spam: bool = False,
) -> ContactMessage:
    """Stores a message to the VAMOs team and, unless it looks like spam, emails the team after commit.

    Spam is stored too (status spam, no mail), so that a person wrongly taken for a bot loses nothing.
    """
    contact = ContactMessage.objects.create(
        name=name,
        email=email,
        subject=subject,
        message=message,
        organisation=organisation,
        user=user if user is not None and user.is_authenticated else None,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        status=ContactMessage.Status.SPAM if spam else ContactMessage.Status.NEW,
    )
    if not spam:
        from .outbox import enqueue
        from .tasks import notify_team_of_contact_message

        enqueue(notify_team_of_contact_message, contact.pk)
    return contact


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unsupported language: {language}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def calendar_feed_token_rotate(*, user: User) -> CalendarFeedToken:
    """Revokes the person's calendar feed link (if any) and makes a new one; the old address answers 404 from now.

    The person's row is locked, so two clicks at once give one active token (backed by a partial unique constraint).
    """
    from django.utils import timezone

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return CalendarFeedToken.objects.create(user=user)


ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"


def user_anonymise(*, user: User) -> User:
    """Erases the personal data on a person's account but keeps the row, so that what they did stays on record
    as anonymous: bookings, attendance, enrolments, cases and certificates still point at it and statistics
    (e.g. different people who attended) stay the same. The core of account deletion (DSGVO).

    The address becomes a placeholder on the reserved `.invalid` domain (unique by the row's id), names are
    blanked, the password unusable, the account inactive and without roles; allauth's addresses and second
    factors are deleted. Superusers are refused: take the superuser status away first. Running it twice
    changes nothing more.
    """
    from allauth.account.models import EmailAddress
    from django.core.exceptions import ValidationError

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_superuser:
            raise ValidationError("A superuser cannot be anonymised.", code="superuser")
        user.email = f"anonymised-{user.pk}@{ANONYMISED_EMAIL_DOMAIN}"
        user.first_name = ""
        user.last_name = ""
        user.display_name = ""
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        EmailAddress.objects.filter(user=user).delete()
        try:
            from allauth.mfa.models import Authenticator
        except ImportError:  # pragma: no cover - allauth.mfa is installed
            pass
        else:
            Authenticator.objects.filter(user=user).delete()
        CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return user
