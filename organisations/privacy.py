"""The organisations' part of a person's personal data (academy.privacy): memberships, consents, join requests,
invitations; and what deleting an account does here.

Deleting an account keeps the person's memberships (anonymous, inactive: the organisation's learning and
participation figures keep counting) but gives up the admin role and the contact-person role. An organisation
left without an active admin is flagged on the staff start page (organisations.dashboard) and the team is
mailed. Messages the person wrote with a join request are erased, open join requests withdrawn, and
invitations sent to the person's address deleted. Consent records stay: proof of what was consented to.
"""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.urls import reverse

from academy.mail import send_templated_mail
from academy.privacy import PersonalData

from .models import ConsentRecord, Invitation, JoinRequest, Membership, Organisation


def active_admins():
    """Admin memberships of accounts that can still log in (anonymised accounts are inactive)."""
    return Membership.objects.filter(role=Membership.Role.ADMIN, user__is_active=True)


def had_an_admin():
    """Exists(): the organisation had an admin at some time (the membership history remembers roles given up)."""
    return Exists(Membership.history.model.objects.filter(organisation_id=OuterRef("pk"), role=Membership.Role.ADMIN))


def has_active_admin():
    return Exists(active_admins().filter(organisation=OuterRef("pk")))


def organisations_without_admin():
    """Organisations (not declined) that had an admin but have no active one now: their last admin left."""
    return (
        Organisation.objects.exclude(status=Organisation.Status.DECLINED)
        .filter(had_an_admin())
        .exclude(has_active_admin())
    )


def export(*, user) -> list[PersonalData]:
    """Memberships, consents, join requests and invitations to the person's address (four queries)."""
    memberships = [
        {
            "organisation": membership.organisation.name,
            "organisation_id": membership.organisation_id,
            "role": membership.role,
            "member_since": membership.created_at,
            "contact_person": membership.organisation.contact_person_id == user.pk,
        }
        for membership in Membership.objects.filter(user=user).select_related("organisation").order_by("created_at")
    ]
    consents = list(ConsentRecord.objects.filter(user=user).order_by("accepted_at").values("version", "accepted_at"))
    join_requests = [
        {
            "organisation": request.organisation.name,
            "message": request.message,
            "status": request.status,
            "requested_at": request.created_at,
            "decided_at": request.decided_at,
        }
        for request in JoinRequest.objects.filter(user=user).select_related("organisation").order_by("created_at")
    ]
    invitations = [
        {
            "organisation": invitation.organisation.name,
            "role": invitation.role,
            "invited_at": invitation.created_at,
            "accepted_at": invitation.accepted_at,
        }
        for invitation in Invitation.objects.filter(email__iexact=user.email)
        .select_related("organisation")
        .order_by("created_at")
    ]
    return [
        PersonalData(section="memberships", data=memberships),
        PersonalData(section="consents", data=consents),
        PersonalData(section="join_requests", data=join_requests),
        PersonalData(section="invitations_received", data=invitations),
    ]


def erase(*, user, keep_certificates: bool, now) -> dict:
    """Gives up admin and contact-person roles (each organisation locked, as every change of its admins is),
    erases join-request messages and deletes invitations to the person's address. Organisations left without
    an active admin are mailed to the team after commit."""
    orphaned = []
    admin_roles = 0
    memberships = Membership.objects.filter(user=user).order_by("organisation_id")
    for organisation_id in memberships.values_list("organisation_id", flat=True):
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        membership = Membership.objects.select_for_update().get(user=user, organisation=organisation)
        if membership.is_admin:
            membership.role = Membership.Role.MEMBER
            membership.save(update_fields=["role"])  # row by row: the history records it
            admin_roles += 1
        if organisation.contact_person_id == user.pk:
            successor = (
                active_admins().filter(organisation=organisation).exclude(user=user).order_by("created_at").first()
            )
            organisation.contact_person_id = successor.user_id if successor else None
            organisation.save(update_fields=["contact_person"])
        if not active_admins().filter(organisation=organisation).exclude(user=user).exists():
            orphaned.append(organisation.pk)
    join_requests = 0
    for join_request in JoinRequest.objects.filter(user=user):
        changed = []
        if join_request.message:
            join_request.message = ""
            changed.append("message")
        if join_request.status == JoinRequest.Status.OPEN:
            join_request.status = JoinRequest.Status.DECLINED
            join_request.decided_at = now
            changed += ["status", "decided_at"]
        if changed:
            join_request.save(update_fields=changed)
            join_requests += 1
    invitations = Invitation.objects.filter(email__iexact=user.email).delete()[0]
    if orphaned:
        from academy.outbox import enqueue

        enqueue(notify_team_of_organisations_without_admin, orphaned, user.pk)
    return {
        "admin_roles_given_up": admin_roles,
        "organisations_without_admin": orphaned,
        "join_requests_erased": join_requests,
        "invitations_deleted": invitations,
    }


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=8, time_limit=60, soft_time_limit=50)
def notify_team_of_organisations_without_admin(organisation_ids: list[int], user_id: int) -> None:
    """Tells the team which organisations lost their last admin when an account was deleted. Safe to run twice:
    an atomic cache.add per (account, organisation) lets the first run mail; organisations that have found a new
    admin meanwhile are left out."""
    organisations = [
        organisation
        for organisation in organisations_without_admin().filter(pk__in=organisation_ids).order_by("name")
        if cache.add(f"privacy:without-admin:{user_id}:{organisation.pk}", 1, timeout=30 * 24 * 60 * 60)
    ]
    if not organisations:
        return
    try:
        send_templated_mail(
            template="organisation_without_admin",
            to=[settings.VAMOS_TEAM_EMAIL],
            context={
                "organisations": [
                    (organisation, reverse("admin:organisations_organisation_change", args=[organisation.pk]))
                    for organisation in organisations
                ],
                "changelist_url": reverse("admin:organisations_organisation_changelist"),
            },
            language=settings.LANGUAGE_CODE,
        )
    except OSError:
        for organisation in organisations:
            cache.delete(f"privacy:without-admin:{user_id}:{organisation.pk}")
        raise


def register() -> None:
    from academy.privacy import personal_data_erasers, personal_data_providers

    if export not in personal_data_providers:
        personal_data_providers.append(export)
    if erase not in personal_data_erasers:
        personal_data_erasers.append(erase)
