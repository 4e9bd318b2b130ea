from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from academy.models import Topic
from organisations import services
from organisations.models import ConsentRecord, Invitation, JoinRequest, Membership, Organisation
from tests.factories import UserFactory

from .factories import InvitationFactory, JoinRequestFactory

pytestmark = pytest.mark.django_db

PROFILE = {
    "legal_form": Organisation.LegalForm.EV,
    "kind": Organisation.Kind.CLUB,
    "postcode": "50667",
    "bundesland": "NW",
}


def register(creator, name="Afrika Forum e.V.", city="Köln", **extra):
    return services.organisation_register(creator=creator, name=name, city=city, **{**PROFILE, **extra})


def test_registration_makes_the_creator_admin_and_contact_and_tells_the_team(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    creator = UserFactory()
    topics = list(Topic.objects.all()[:2])
    with django_capture_on_commit_callbacks(execute=True):
        organisation = register(creator, topics=topics)

    assert organisation.status == Organisation.Status.PENDING
    assert organisation.contact_person == creator
    assert Membership.objects.get(organisation=organisation).role == Membership.Role.ADMIN
    assert set(organisation.topics.all()) == set(topics)
    assert ConsentRecord.objects.filter(user=creator).exists()
    assert [mail.to for mail in mailoutbox] == [[settings.VAMOS_TEAM_EMAIL]]
    assert "Afrika Forum" in mailoutbox[0].subject
    assert f"/admin/organisations/organisation/{organisation.pk}/change/" in mailoutbox[0].body


def test_the_same_organisation_cannot_be_registered_twice():
    first = register(UserFactory(), name="Afrika Forum e.V.", city="Köln")
    with pytest.raises(services.DuplicateOrganisation) as error:
        register(UserFactory(), name="afrika-forum", city="KÖLN")
    assert error.value.match == first
    assert Organisation.objects.count() == 1


def test_same_name_in_another_city_is_another_organisation():
    register(UserFactory(), city="Köln")
    register(UserFactory(), city="Bonn")
    assert Organisation.objects.count() == 2


def test_registration_checks_the_postcode():
    with pytest.raises(ValidationError) as error:
        register(UserFactory(), postcode="1234")
    assert "postcode" in error.value.message_dict


def test_approval_emails_the_contact_in_their_language(django_capture_on_commit_callbacks, mailoutbox, staff_user):
    contact = UserFactory(language="en")
    organisation = register(contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_approve(organisation=organisation, by=staff_user)

    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.APPROVED
    assert organisation.decided_by == staff_user
    assert organisation.decision_notified_at is not None
    assert mailoutbox[-1].to == [contact.email]
    assert "is approved" in mailoutbox[-1].subject


def test_approving_twice_mails_once(django_capture_on_commit_callbacks, mailoutbox, staff_user):
    organisation = register(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_approve(organisation=organisation, by=staff_user)
        services.organisation_approve(organisation=organisation, by=staff_user)
    assert len(mailoutbox) == 1


def test_decline_needs_a_reason_and_mails_it(django_capture_on_commit_callbacks, mailoutbox, staff_user):
    contact = UserFactory(language="de")
    organisation = register(contact)
    with pytest.raises(ValidationError):
        services.organisation_decline(organisation=organisation, by=staff_user, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_decline(organisation=organisation, by=staff_user, reason="Kein Migrant*innenbezug.")

    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.DECLINED
    assert mailoutbox[-1].to == [contact.email]
    assert "Kein Migrant*innenbezug." in mailoutbox[-1].body


def test_only_staff_decide(admin_user, organisation):
    with pytest.raises(PermissionDenied):
        services.organisation_approve(organisation=organisation, by=admin_user)


def test_the_last_admin_cannot_leave_or_be_removed_or_demoted(organisation, admin_user):
    membership = Membership.objects.get(organisation=organisation, user=admin_user)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, by=admin_user)
    with pytest.raises(ValidationError):
        services.membership_set_role(membership=membership, role=Membership.Role.MEMBER, by=admin_user)
    assert Membership.objects.get(pk=membership.pk).is_admin


def test_with_a_second_admin_an_admin_can_leave(organisation, admin_user, member_user):
    services.membership_set_role(
        membership=Membership.objects.get(organisation=organisation, user=member_user),
        role=Membership.Role.ADMIN,
        by=admin_user,
    )
    services.membership_remove(
        membership=Membership.objects.get(organisation=organisation, user=admin_user), by=admin_user
    )
    organisation.refresh_from_db()
    assert organisation.contact_person == member_user  # the contact role passes to the remaining admin


def test_a_member_cannot_change_roles_or_remove_others(organisation, admin_user, member_user):
    with pytest.raises(PermissionDenied):
        services.membership_set_role(
            membership=Membership.objects.get(organisation=organisation, user=member_user),
            role=Membership.Role.ADMIN,
            by=member_user,
        )
    with pytest.raises(PermissionDenied):
        services.membership_remove(
            membership=Membership.objects.get(organisation=organisation, user=admin_user), by=member_user
        )


def test_a_member_may_leave(organisation, member_user):
    services.membership_remove(
        membership=Membership.objects.get(organisation=organisation, user=member_user), by=member_user
    )
    assert not Membership.objects.filter(organisation=organisation, user=member_user).exists()


def test_hand_over_moves_admin_and_contact_in_one_step(organisation, admin_user, member_user):
    services.organisation_hand_over(organisation=organisation, from_user=admin_user, to_user=member_user)

    organisation.refresh_from_db()
    assert organisation.contact_person == member_user
    roles = dict(Membership.objects.filter(organisation=organisation).values_list("user_id", "role"))
    assert roles == {member_user.pk: Membership.Role.ADMIN, admin_user.pk: Membership.Role.MEMBER}


def test_hand_over_only_to_a_member(organisation, admin_user):
    with pytest.raises(ValidationError):
        services.organisation_hand_over(organisation=organisation, from_user=admin_user, to_user=UserFactory())
    with pytest.raises(PermissionDenied):
        services.organisation_hand_over(organisation=organisation, from_user=UserFactory(), to_user=admin_user)


def test_invitation_is_mailed_and_accepted_once(
    organisation, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organisation=organisation, email="Kollegin@Example.org", invited_by=admin_user
        )
    assert invitation.email == "kollegin@example.org"
    assert invitation.expires_at - invitation.created_at == pytest.approx(timedelta(days=14), abs=timedelta(seconds=5))
    assert mailoutbox[0].to == ["kollegin@example.org"]
    assert f"/organisationen/einladung/{invitation.token}/" in mailoutbox[0].body

    colleague = UserFactory(email="kollegin@example.org")
    membership = services.invitation_accept(token=invitation.token, user=colleague)
    assert membership.organisation == organisation
    assert membership.role == Membership.Role.MEMBER

    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(token=invitation.token, user=UserFactory())


def test_an_expired_invitation_is_refused(organisation):
    invitation = InvitationFactory(organisation=organisation, expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(token=invitation.token, user=UserFactory())


def test_a_new_invitation_to_the_same_address_withdraws_the_old_one(organisation, admin_user):
    old = services.invitation_create(organisation=organisation, email="a@example.org", invited_by=admin_user)
    services.invitation_create(organisation=organisation, email="a@example.org", invited_by=admin_user)
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_accept(token=old.token, user=UserFactory())


def test_members_are_not_invited_again_and_members_do_not_invite(organisation, admin_user, member_user):
    with pytest.raises(ValidationError):
        services.invitation_create(organisation=organisation, email=member_user.email, invited_by=admin_user)
    with pytest.raises(PermissionDenied):
        services.invitation_create(organisation=organisation, email="x@example.org", invited_by=member_user)


def test_join_request_rules(organisation, member_user, admin_user, django_capture_on_commit_callbacks, mailoutbox):
    with pytest.raises(ValidationError, match="already a member"):
        services.join_request_create(user=member_user, organisation=organisation)

    newcomer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        join_request = services.join_request_create(user=newcomer, organisation=organisation, message="Hallo!")
    assert mailoutbox[-1].to == [admin_user.email]
    with pytest.raises(ValidationError, match="already asked"):
        services.join_request_create(user=newcomer, organisation=organisation)

    with pytest.raises(PermissionDenied):
        services.join_request_accept(join_request=join_request, by=member_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_accept(join_request=join_request, by=admin_user)
    assert Membership.objects.filter(user=newcomer, organisation=organisation).exists()
    assert mailoutbox[-1].to == [newcomer.email]
    with pytest.raises(ValidationError, match="already been answered"):
        services.join_request_decline(join_request=join_request, by=admin_user)


def test_a_declined_person_may_ask_again(organisation, admin_user):
    join_request = JoinRequestFactory(organisation=organisation)
    services.join_request_decline(join_request=join_request, by=admin_user)
    services.join_request_create(user=join_request.user, organisation=organisation)
    assert JoinRequest.objects.filter(user=join_request.user, status=JoinRequest.Status.OPEN).count() == 1


def test_current_organisation_must_be_ones_own(organisation, member_user):
    session = {}
    services.current_organisation_set(session=session, user=member_user, organisation=organisation)
    assert session[services.SESSION_KEY] == organisation.pk
    with pytest.raises(PermissionDenied):
        services.current_organisation_set(session=session, user=UserFactory(), organisation=organisation)


def test_a_new_privacy_notice_version_needs_new_consent(person):
    assert services.consent_is_current(user=person)
    with override_settings(PRIVACY_NOTICE_VERSION="2027-01"):
        assert not services.consent_is_current(user=person)


def test_tasks_are_safe_to_run_twice(organisation, admin_user, mailoutbox):
    from organisations import tasks

    invitation = InvitationFactory(organisation=organisation, invited_by=admin_user)
    tasks.send_invitation(invitation.pk)
    tasks.send_invitation(invitation.pk)
    assert len(mailoutbox) == 1
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
