from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .mail import send_templated_mail
from .models import ContactMessage


@shared_task
def ping(token: str) -> str:
    """Answers with the token it was given: proves a worker consumes from the broker (healthz, tests)."""
    return f"pong:{token}"


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=60 * 30,
    max_retries=8,
    soft_time_limit=50,  # must not exceed time_limit (the global soft limit is 240 s)
    time_limit=60,
)
def notify_team_of_contact_message(self, contact_message_id: int) -> None:
    """Emails the VAMOs team about a contact message.

    Safe to run twice: notified_at is set in the same transaction that holds the row lock,
    and a message already notified is skipped. SMTP errors (OSError) are retried with backoff.
    """
    with transaction.atomic():
        contact = ContactMessage.objects.select_for_update().filter(pk=contact_message_id).first()
        if contact is None or contact.notified_at is not None:
            return
        send_templated_mail(
            template="contact_message",
            to=[settings.VAMOS_TEAM_EMAIL],
            reply_to=[contact.email],
            context={"contact": contact},
            language=settings.LANGUAGE_CODE,
        )
        contact.notified_at = timezone.now()
        contact.save(update_fields=["notified_at"])
