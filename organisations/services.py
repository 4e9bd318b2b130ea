"""Everything in organisations that changes state. Views, the admin and tasks call these.

Rule violations raise django.core.exceptions.ValidationError with a message for the person (and a code
for tests); views show it next to the field it concerns.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.models import Topic, User
from academy.outbox import enqueue

from .models import (
    Assessment,
    AssessmentAnswer,
    AssessmentStatement,
    ConsentRecord,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    normalise_name,
    privacy_notice_version,
)

SESSION_KEY = "organisations_current"


class DuplicateOrganisation(Exception):
    """An organisation of the same name (ignoring case, legal form, punctuation) is registered in that city."""

    def __init__(self, match: Organisation):
        super().__init__(f"Duplicate of organisation {match.pk}")
        self.match = match


def organisation_find_duplicate(*, name: str, city: str, exclude_pk: int | None = None) -> Organisation | None:
    queryset = Organisation.objects.filter(
        normalised_name=normalise_name(name), normalised_city=normalise_name(city)
    ).exclude(status=Organisation.Status.DECLINED)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()


def _enqueue(task, *args) -> None:
    enqueue(task, *args)


def consent_record(*, user: User, version: str | None = None) -> ConsentRecord:
    """Records that the person accepted the privacy notice (the current version unless given). Idempotent."""
    record, _created = ConsentRecord.objects.get_or_create(user=user, version=version or privacy_notice_version())
    return record


def consent_is_current(*, user: User) -> bool:
    return ConsentRecord.objects.filter(user=user, version=privacy_notice_version()).exists()


# A consent once given stays given (records are never withdrawn, only a newer notice asks again), so a session
# may remember the version its person accepted: at login (which reads the person's consents anyway) or at the
# first page that checked it.
CONSENT_SESSION_KEY = "vamos_consent_version"


def consent_remember(*, session) -> None:
    session[CONSENT_SESSION_KEY] = privacy_notice_version()


def consent_remembered(*, session) -> bool:
    return session.get(CONSENT_SESSION_KEY) == privacy_notice_version()


@transaction.atomic
def organisation_register(
    *,
    creator: User,
    name: str,
    city: str,
    topics: list[Topic] | tuple = (),
    **profile: Any,
) -> Organisation:
    """Registers an organisation, pending until staff approve it. The creator becomes its admin and contact.

    Raises DuplicateOrganisation when the same organisation (name and city) is registered already; the
    unique constraint on the normalised name and city makes this hold under concurrent registrations too.
    The VAMOs team is emailed after commit. The caller has asked the creator to accept the privacy notice
    (the registration form's checkbox); the acceptance is recorded here.
    """
    match = organisation_find_duplicate(name=name, city=city)
    if match is not None:
        raise DuplicateOrganisation(match)
    organisation = Organisation(
        name=name.strip(),
        city=city.strip(),
        contact_person=creator,
        status=Organisation.Status.PENDING,
        **profile,
    )
    organisation.full_clean(exclude=["contact_person"], validate_constraints=False)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:
        match = organisation_find_duplicate(name=name, city=city)
        if match is None:
            raise
        raise DuplicateOrganisation(match) from error
    if topics:
        organisation.topics.set(topics)
    Membership.objects.create(user=creator, organisation=organisation, role=Membership.Role.ADMIN)
    consent_record(user=creator)
    from .tasks import notify_staff_of_registration

    _enqueue(notify_staff_of_registration, organisation.pk)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, by: User, topics: list[Topic] | None = None, **fields: Any
) -> Organisation:
    """Changes an organisation's profile. Only its admins (or staff) may. A new parent federation must confirm."""
    _require_admin(organisation=organisation, user=by)
    # Compared with the stored row: a ModelForm has already changed the instance in memory.
    old_parent_id = Organisation.objects.select_for_update().values_list("parent_id", flat=True).get(pk=organisation.pk)
    for field, value in fields.items():
        setattr(organisation, field, value)
    if organisation.parent_id != old_parent_id:
        organisation.parent_confirmed = False
    if "name" in fields or "city" in fields:
        match = organisation_find_duplicate(name=organisation.name, city=organisation.city, exclude_pk=organisation.pk)
        if match is not None:
            raise ValidationError({"name": _("An organisation of this name is already registered in this city.")})
    organisation.full_clean(exclude=["contact_person"], validate_constraints=False)
    organisation.save()
    if topics is not None:
        organisation.topics.set(topics)
    return organisation


def _decide(*, organisation: Organisation, by: User, status: str, reason: str = "") -> Organisation:
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.status == status and locked.decline_reason == reason:
        return locked
    locked.status = status
    locked.decline_reason = reason
    locked.decided_at = timezone.now()
    locked.decided_by = by
    locked.decision_notified_at = None
    locked.save(update_fields=["status", "decline_reason", "decided_at", "decided_by", "decision_notified_at"])
    from .tasks import notify_contact_of_decision

    _enqueue(notify_contact_of_decision, locked.pk)
    return locked


@transaction.atomic
def organisation_approve(*, organisation: Organisation, by: User) -> Organisation:
    """Staff approve an organisation; its contact person is emailed in their language. Approving twice is a no-op."""
    if not by.is_staff:
        raise PermissionDenied
    return _decide(organisation=organisation, by=by, status=Organisation.Status.APPROVED)


@transaction.atomic
def organisation_decline(*, organisation: Organisation, by: User, reason: str) -> Organisation:
    """Staff decline an organisation with a reason that the contact person receives by email."""
    if not by.is_staff:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason; the contact person will read it.")})
    return _decide(organisation=organisation, by=by, status=Organisation.Status.DECLINED, reason=reason)


@transaction.atomic
def organisation_confirm_member_club(*, federation: Organisation, club: Organisation, by: User) -> None:
    """A federation admin confirms that a club which named the federation as its parent is its member."""
    _require_admin(organisation=federation, user=by)
    if club.parent_id != federation.pk:
        raise ValidationError(_("This organisation has not named your federation as its parent."))
    # A locked save rather than an UPDATE, so the confirmation is in the club's history with who gave it.
    locked = Organisation.objects.select_for_update().filter(pk=club.pk, parent=federation).first()
    if locked is not None and not locked.parent_confirmed:
        locked.parent_confirmed = True
        locked.save(update_fields=["parent_confirmed"])
    club.parent_confirmed = True


def membership_of(*, user: User, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def _require_admin(*, organisation: Organisation, user: User) -> None:
    if user.is_staff:
        return
    membership = membership_of(user=user, organisation=organisation)
    if membership is None or not membership.is_admin:
        raise PermissionDenied


def _lock_organisation(organisation: Organisation) -> Organisation:
    # The organisation's row is the lock every change of its admins takes: two admins who demote each other
    # at the same moment are serialised here, so one of them always stays.
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _other_admins(organisation: Organisation, user_id: int) -> int:
    return (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
        .exclude(user_id=user_id)
        .count()
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, by: User) -> Membership:
    """An admin changes a member's role. The last admin cannot give up the role (checked under a row lock)."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    _lock_organisation(membership.organisation)
    # Checked under the lock: an admin who was demoted a moment ago by a colleague no longer decides.
    _require_admin(organisation=membership.organisation, user=by)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if role != Membership.Role.ADMIN and not _other_admins(membership.organisation, membership.user_id):
        raise ValidationError(_("The last admin cannot give up the admin role. Make someone else admin first."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """An admin removes a member, or a person leaves. The last admin cannot leave or be removed.

    The organisation keeps everything recorded for it (bookings, coaching, participation); the person keeps
    their own certificates.
    """
    _lock_organisation(membership.organisation)
    if membership.user_id != by.pk:
        _require_admin(organisation=membership.organisation, user=by)
    membership = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if membership is None:
        return
    if membership.is_admin and not _other_admins(membership.organisation, membership.user_id):
        raise ValidationError(_("The last admin cannot leave or be removed. Hand over the admin role first."))
    organisation = membership.organisation
    if organisation.contact_person_id == membership.user_id:
        successor = (
            Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
            .exclude(pk=membership.pk)
            .order_by("created_at")
            .first()
        )
        organisation.contact_person_id = successor.user_id if successor else None
        organisation.save(update_fields=["contact_person"])
    membership.delete()


@transaction.atomic
def organisation_hand_over(*, organisation: Organisation, from_user: User, to_user: User) -> Organisation:
    """Hands the admin role and the contact-person role from one admin to a colleague, in one transaction.

    The colleague must be a member already. The person handing over stays a member.
    """
    organisation = _lock_organisation(organisation)
    giving = Membership.objects.select_for_update().filter(organisation=organisation, user=from_user).first()
    if giving is None or not giving.is_admin:
        raise PermissionDenied
    taking = Membership.objects.select_for_update().filter(organisation=organisation, user=to_user).first()
    if taking is None:
        raise ValidationError({"to_user": _("Only a member of the organisation can take over.")})
    if taking.pk == giving.pk:
        raise ValidationError({"to_user": _("Please choose a colleague.")})
    taking.role = Membership.Role.ADMIN
    taking.save(update_fields=["role"])
    giving.role = Membership.Role.MEMBER
    giving.save(update_fields=["role"])
    organisation.contact_person = to_user
    organisation.save(update_fields=["contact_person"])
    return organisation


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, invited_by: User, role: str = Membership.Role.MEMBER
) -> Invitation:
    """An admin invites a colleague by email. An earlier open invitation to the same address is withdrawn."""
    _require_admin(organisation=organisation, user=invited_by)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of your organisation.")})
    Invitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(organisation=organisation, email=email, role=role, invited_by=invited_by)
    from .tasks import send_invitation

    _enqueue(send_invitation, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    _require_admin(organisation=invitation.organisation, user=by)
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why an invitation cannot be accepted, in words for the person, or None."""
    if invitation is None or invitation.revoked_at is not None:
        return _("This invitation is not valid (any more). Please ask your organisation for a new one.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used. Each invitation works only once.")
    if invitation.is_expired:
        return _("This invitation has expired. Invitations are valid for 14 days; please ask for a new one.")
    return None


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """The invited person accepts: they become a member with the invited role. Works once (row lock).

    The caller has asked them to accept the privacy notice (the invitation page's checkbox); it is recorded here.
    """
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem, code="invalid_invitation")
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    if not created and invitation.role == Membership.Role.ADMIN and not membership.is_admin:
        membership.role = Membership.Role.ADMIN
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    JoinRequest.objects.filter(user=user, organisation=invitation.organisation, status=JoinRequest.Status.OPEN).update(
        status=JoinRequest.Status.ACCEPTED, decided_at=timezone.now()
    )
    consent_record(user=user)
    return membership


@transaction.atomic
def join_request_create(*, user: User, organisation: Organisation, message: str = "") -> JoinRequest:
    """A person asks to join. Refused when they are a member already or have an open request (also a constraint)."""
    if organisation.status == Organisation.Status.DECLINED:
        raise ValidationError(_("This organisation cannot be joined."))
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("You are already a member of this organisation."), code="already_member")
    if JoinRequest.objects.filter(user=user, organisation=organisation, status=JoinRequest.Status.OPEN).exists():
        raise ValidationError(_("You have already asked to join; an admin will answer soon."), code="already_open")
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(user=user, organisation=organisation, message=message.strip())
    except IntegrityError as error:
        raise ValidationError(
            _("You have already asked to join; an admin will answer soon."), code="already_open"
        ) from error
    from .tasks import notify_admins_of_join_request

    _enqueue(notify_admins_of_join_request, join_request.pk)
    return join_request


def _decide_join_request(*, join_request: JoinRequest, by: User, status: str) -> JoinRequest:
    _require_admin(organisation=join_request.organisation, user=by)
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequest.Status.OPEN:
        raise ValidationError(_("This request has already been answered."))
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    from .tasks import notify_requester_of_decision

    _enqueue(notify_requester_of_decision, locked.pk)
    return locked


@transaction.atomic
def join_request_accept(*, join_request: JoinRequest, by: User) -> Membership:
    """An admin accepts: the person becomes a member. The person is emailed."""
    locked = _decide_join_request(join_request=join_request, by=by, status=JoinRequest.Status.ACCEPTED)
    membership, _created = Membership.objects.get_or_create(user=locked.user, organisation=locked.organisation)
    return membership


@transaction.atomic
def join_request_decline(*, join_request: JoinRequest, by: User) -> JoinRequest:
    """An admin declines; the person is emailed and may ask again later."""
    return _decide_join_request(join_request=join_request, by=by, status=JoinRequest.Status.DECLINED)


def current_organisation_set(*, session, user: User, organisation: Organisation) -> None:
    """Remembers the organisation the person acts for (in the session); they must be a member of it."""
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise PermissionDenied
    session[SESSION_KEY] = organisation.pk


@transaction.atomic
def assessment_submit(*, organisation: Organisation, by: User, ratings: dict[int, int]) -> Assessment:
    """Records a completed Organisationscheck: every active statement rated from 1 to 4.

    Any admin of the organisation (or staff) may fill it in; earlier results are kept for comparison.
    """
    _require_admin(organisation=organisation, user=by)
    statements = list(AssessmentStatement.objects.filter(is_active=True))
    if not statements:
        raise ValidationError(_("The Organisationscheck has no statements yet."))
    if any(statement.pk not in ratings for statement in statements):
        raise ValidationError(_("Please rate every statement."), code="incomplete")
    if any(ratings[statement.pk] not in AssessmentAnswer.Rating.values for statement in statements):
        raise ValidationError(_("Each rating is a number from 1 to 4."), code="invalid_rating")
    assessment = Assessment.objects.create(organisation=organisation, completed_by=by)
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(
            assessment=assessment, statement=statement, topic_id=statement.topic_id, rating=ratings[statement.pk]
        )
        for statement in statements
    )
    return assessment
