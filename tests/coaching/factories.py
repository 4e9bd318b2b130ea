from datetime import time

import factory

from academy import roles
from coaching.models import CoachProfile, WeeklyAvailability
from organisations.services import consent_record
from tests.factories import UserFactory


class CoachFactory(factory.django.DjangoModelFactory):
    """A coach (in the Coach group) with a profile: German and English, online and in person in Berlin."""

    class Meta:
        model = CoachProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, roles=[roles.COACH], language="en")
    bio = "Coach for associations."
    languages = factory.LazyFunction(lambda: ["de", "en"])
    regions = factory.LazyFunction(lambda: ["BE"])
    max_active_cases = 4

    @factory.post_generation
    def consent(self, create, extracted, **kwargs):
        if create:
            consent_record(user=self.user)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class WeeklyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyAvailability

    coach = factory.SubFactory(CoachFactory)
    weekday = 0
    start_time = time(9, 0)
    end_time = time(17, 0)
