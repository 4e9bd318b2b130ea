from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Event, EventDate


def soon(days: int = 14, hour: int = 10):
    """A local time `days` from now at `hour` o'clock."""
    day = timezone.localtime() + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


class EventFactory(factory.django.DjangoModelFactory):
    """A published seminar in person with one date two weeks ahead and ten seats. `title=` sets the German title.

    `dates=[(start, end), …]` replaces the date; `topics=[…]` and `trainers=[…]` set those.
    """

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title_de = factory.Sequence(lambda n: f"Seminar {n}")
    kind = Event.Kind.SEMINAR
    format = Event.Format.IN_PERSON
    description_de = "Wie wir Fördermittel beantragen."
    capacity = 10
    venue_name = "Haus der Vereine"
    street = "Musterstraße 5"
    postcode = "10115"
    city = "Berlin"
    status = Event.Status.PUBLISHED

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # `title=`/`description=` are the German texts (the default language), whatever language is active.
        for name in ("title", "description"):
            if name in kwargs:
                kwargs[f"{name}_de"] = kwargs.pop(name)
        return kwargs

    @factory.post_generation
    def dates(self, create, extracted, **kwargs):
        if not create:
            return
        for start, end in extracted if extracted is not None else [(soon(), soon(hour=16))]:
            EventDate.objects.create(event=self, start=start, end=end)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainers.set(extracted)


class OnlineEventFactory(EventFactory):
    format = Event.Format.ONLINE
    venue_name = ""
    street = ""
    postcode = ""
    city = ""
    online_link = "https://meet.vamos.example/room-42"
