import factory

from organisations.models import Bundesland, Invitation, JoinRequest, Membership, Organisation
from tests.factories import UserFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An approved local club; `admins=[user, …]` and `members=[…]` add memberships."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Kulturverein {n} e.V.")
    legal_form = Organisation.LegalForm.EV
    kind = Organisation.Kind.CLUB
    postcode = "10115"
    city = "Berlin"
    bundesland = Bundesland.BE
    status = Organisation.Status.APPROVED

    @factory.post_generation
    def admins(self, create, extracted, **kwargs):
        for user in extracted or ():
            Membership.objects.create(user=user, organisation=self, role=Membership.Role.ADMIN)
            if self.contact_person_id is None:
                self.contact_person = user
                self.save(update_fields=["contact_person"])

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        for user in extracted or ():
            Membership.objects.create(user=user, organisation=self, role=Membership.Role.MEMBER)


class FederationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Landesverband {n} e.V.")
    kind = Organisation.Kind.STATE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@example.org")
    invited_by = factory.SubFactory(UserFactory)


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
