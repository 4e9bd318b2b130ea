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


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=10,
    max_retries=5,
    soft_time_limit=100,
    time_limit=120,
)
def render_certificate(certificate_id: int) -> None:
    """Makes (or remakes) a certificate's PDF. Safe to run twice: regenerate-and-overwrite under the same
    file name (academy.certificates.certificate_render). Storage errors (OSError) are retried with backoff."""
    from .certificates import certificate_render

    certificate_render(certificate_id=certificate_id)


@shared_task(soft_time_limit=100, time_limit=120)
def issue_certificate(kind: str, subject_key: str, recipient_id: int | None = None) -> None:
    """Issues one certificate and renders its PDF in the same task (staff's bulk issuing enqueues one per
    participant). Safe to run twice: certificate_issue is get-or-create under the certificate's
    UniqueConstraint, and a certificate that has its PDF is returned as it is."""
    from .certificates import certificate_issue
    from .models import User

    recipient = User.objects.filter(pk=recipient_id).first() if recipient_id is not None else None
    if recipient_id is not None and recipient is None:
        return
    certificate_issue(kind=kind, subject_key=subject_key, recipient=recipient, render_now=True)


@shared_task(time_limit=240, soft_time_limit=200)
def reminders_dispatch() -> dict:
    """Beat, every few minutes: decides the due reminders (one SentReminder each) and re-enqueues stale
    pending ones. Safe to run twice and concurrently: the SentReminder UniqueConstraint decides once."""
    from .reminders import reminders_decide, reminders_sweep

    swept = reminders_sweep()
    created = reminders_decide()
    return {"created": len(created), "swept": len(swept)}


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=60 * 30,
    max_retries=8,
    soft_time_limit=50,
    time_limit=60,
)
def reminder_send(self, sent_reminder_id: int) -> bool:
    """Sends one decided reminder (reminders_send sends them in batches; this one stays for messages queued
    before the batches and for tests). Safe to run twice: the row is locked and marked sent in the transaction
    that sends; a sent row is skipped. SMTP errors (OSError) are recorded on the row and retried with backoff;
    after the last retry the row is failed (admin: "send again")."""
    from .reminders import sent_reminder_deliver, sent_reminder_record_failure

    try:
        return sent_reminder_deliver(sent_reminder_id=sent_reminder_id)
    except OSError as error:
        sent_reminder_record_failure(
            sent_reminder_id=sent_reminder_id, error=error, final=self.request.retries >= self.max_retries
        )
        raise


@shared_task(bind=True, max_retries=8, soft_time_limit=240, time_limit=300)
def reminders_send(self, sent_reminder_ids: list[int]) -> int:
    """Sends a batch of decided reminders over one mail-server connection; returns how many mails went out.
    Safe to run twice: each reminder is locked, re-checked and marked sent in its own transaction, and a sent
    row is skipped. A reminder whose mail fails (OSError) is recorded on its row and the batch goes on; the
    failed ones alone are retried with backoff, and after the last retry they are failed (admin: "send again")."""
    from .mail import shared_mail_connection
    from .reminders import reminder_batch, sent_reminder_deliver, sent_reminder_record_failure

    final = self.request.retries >= self.max_retries
    sent, failed, last_error = 0, [], None
    with shared_mail_connection(), reminder_batch():
        for sent_reminder_id in sent_reminder_ids:
            try:
                sent += bool(sent_reminder_deliver(sent_reminder_id=sent_reminder_id))
            except OSError as error:
                sent_reminder_record_failure(sent_reminder_id=sent_reminder_id, error=error, final=final)
                failed.append(sent_reminder_id)
                last_error = error
    if failed and not final:
        countdown = min(30 * 2**self.request.retries, 60 * 30)
        raise self.retry(args=[failed], exc=last_error, countdown=countdown)
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5, soft_time_limit=280, time_limit=300)
def build_data_export(export_id: int) -> None:
    """Builds a person's data export (one ZIP) and mails them the link. Safe to run twice: the ZIP is built
    only while the export is pending and the mail goes only while notified_at is empty, each under the
    export's row lock. Storage and SMTP errors (OSError) are retried with backoff."""
    from .privacy import data_export_build, data_export_notify

    data_export_build(export_id=export_id)
    data_export_notify(export_id=export_id)


@shared_task(time_limit=1800, soft_time_limit=1700)
def retention_run(job: str) -> dict:
    """Beat, daily: one retention job (academy.privacy.retention_jobs), its run logged as a RetentionRun.
    Safe to run twice: a job selects only what is still due, and what it has done is no longer due."""
    from .privacy import retention_run as run_job

    return run_job(job=job).counts
