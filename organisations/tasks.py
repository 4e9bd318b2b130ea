"""Mails of the organisations app. Each task takes ids, locks its row and records that it has sent,
so running it twice sends once; SMTP errors (OSError) are retried with backoff."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from academy.mail import send_templated_mail

from .models import Invitation, JoinRequest, Membership, Organisation

RETRY = {
    "bind": True,
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 60 * 30,
    "max_retries": 8,
    "time_limit": 60,
    "soft_time_limit": 50,
}


@shared_task(**RETRY)
def notify_staff_of_registration(self, organisation_id: int) -> None:
    """Tells the VAMOs team that an organisation waits for approval. Guard: staff_notified_at."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update(of=("self",)).filter(pk=organisation_id).first()
        if organisation is None or organisation.staff_notified_at is not None:
            return
        send_templated_mail(
            template="organisation_registered",
            to=[settings.VAMOS_TEAM_EMAIL],
            context={
                "organisation": organisation,
                "admin_url": reverse("admin:organisations_organisation_change", args=[organisation.pk]),
            },
            language=settings.LANGUAGE_CODE,
        )
        organisation.staff_notified_at = timezone.now()
        organisation.save(update_fields=["staff_notified_at"])


@shared_task(**RETRY)
def notify_contact_of_decision(self, organisation_id: int) -> None:
    """Emails the contact person the approval or the decline with its reason, in their language.

    Guard: decision_notified_at, which every new decision resets.
    """
    with transaction.atomic():
        organisation = (
            Organisation.objects.select_for_update(of=("self",))
            .select_related("contact_person")
            .filter(pk=organisation_id)
            .first()
        )
        if organisation is None or organisation.decision_notified_at is not None:
            return
        if organisation.status == Organisation.Status.PENDING or organisation.contact_person is None:
            return
        template = (
            "organisation_approved" if organisation.status == Organisation.Status.APPROVED else "organisation_declined"
        )
        send_templated_mail(
            template=template,
            to=[organisation.contact_person.email],
            context={
                "organisation": organisation,
                "person": organisation.contact_person,
                "home_url": reverse("organisations:home", args=[organisation.pk]),
            },
            language=organisation.contact_person.language,
        )
        organisation.decision_notified_at = timezone.now()
        organisation.save(update_fields=["decision_notified_at"])


@shared_task(**RETRY)
def send_invitation(self, invitation_id: int) -> None:
    """Sends the invitation link, in the inviting person's language. Guard: sent_at."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organisation", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at is not None or not invitation.is_open:
            return
        language = invitation.invited_by.language if invitation.invited_by else settings.LANGUAGE_CODE
        send_templated_mail(
            template="organisation_invitation",
            to=[invitation.email],
            context={
                "invitation": invitation,
                "accept_url": reverse("organisations:invitation", args=[invitation.token]),
            },
            language=language,
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])


@shared_task(**RETRY)
def notify_admins_of_join_request(self, join_request_id: int) -> None:
    """Tells the organisation's admins about an open join request. Guard: admins_notified_at."""
    with transaction.atomic():
        join_request = (
            JoinRequest.objects.select_for_update(of=("self",))
            .select_related("organisation", "user")
            .filter(pk=join_request_id, status=JoinRequest.Status.OPEN, admins_notified_at__isnull=True)
            .first()
        )
        if join_request is None:
            return
        admins = Membership.objects.filter(
            organisation=join_request.organisation, role=Membership.Role.ADMIN
        ).select_related("user")
        for admin in admins:
            send_templated_mail(
                template="organisation_join_request",
                to=[admin.user.email],
                context={
                    "join_request": join_request,
                    "team_url": reverse("organisations:team", args=[join_request.organisation_id]),
                },
                language=admin.user.language,
            )
        join_request.admins_notified_at = timezone.now()
        join_request.save(update_fields=["admins_notified_at"])


@shared_task(**RETRY)
def notify_requester_of_decision(self, join_request_id: int) -> None:
    """Tells the person whether their join request was accepted. Guard: decision_notified_at."""
    with transaction.atomic():
        join_request = (
            JoinRequest.objects.select_for_update(of=("self",))
            .select_related("organisation", "user")
            .filter(pk=join_request_id, decision_notified_at__isnull=True)
            .exclude(status=JoinRequest.Status.OPEN)
            .first()
        )
        if join_request is None:
            return
        send_templated_mail(
            template="organisation_join_request_decided",
            to=[join_request.user.email],
            context={
                "join_request": join_request,
                "accepted": join_request.status == JoinRequest.Status.ACCEPTED,
                "home_url": reverse("organisations:home", args=[join_request.organisation_id]),
            },
            language=join_request.user.language,
        )
        join_request.decision_notified_at = timezone.now()
        join_request.save(update_fields=["decision_notified_at"])
