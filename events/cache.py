"""What the events app caches: the catalogue's filter form and results, and the event page's event with its dates,
topics and trainers; both are read far more often than events change.

The catalogue: every cached fragment is kept with the version number it was rendered under (academy.versions).
Whenever an event, one of its dates or topics, a topic's name or a booking (which moves the seat and
waiting-list counts) is saved or deleted, the version is raised, so every cached fragment is stale at once and
is never served again (it expires or is overwritten). Seat counts that change by a queryset `.update()` come
with a booking saved in the same transaction, so they raise it too. Fragments also expire after
CATALOGUE_CACHE_SECONDS, which bounds how long an event that has just ended stays listed.

The event page (events.selectors.event_detail): the event row with its contact, dates, topics and trainers, under
a version of its own that bookings do not raise (they change only the seat and waiting counts, which the page
reads from the database every time, with the row's `updated_at`: a cached row older than that is read again).
Saves and deletes of events, dates, topics, trainers (the m2m) and people (trainers' and contacts' names; not a
login's `last_login`) raise the version at once, as the catalogue's. The same race as there remains: a page
read between a change of dates, topics or trainers and its commit may keep the old ones, at most
EVENT_CACHE_SECONDS (a minute). A change made with a queryset `.update()` sends no signal: call
`event_changed()` after it (the seat counter is the one such update, and it is read fresh).

The cache is Redis in production (shared by every web process and worker); in the tests each process has its own.
"""

import hashlib

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from academy.versions import get_versioned, raise_version, set_versioned

VERSION_KEY = "events:catalogue:version"
EVENT_VERSION_KEY = "events:event:version"
FORMAT = 5  # raise when what is cached changes shape, so a deploy never reads the old shape


def catalogue_changed(**kwargs) -> None:
    """Raises the version at once (not after commit: the services' tests count what a change enqueues after
    commit, and a cache write costs less than a callback). A request that reads the old rows between this and
    the commit may cache them under the new version; that is the one case in which the catalogue lags, by at
    most CATALOGUE_CACHE_SECONDS. The event page reads its seats and waiting list from the database every time,
    and a booking reads and locks the event's row."""
    raise_version(VERSION_KEY)


def _catalogue_key(*, query: list[tuple[str, str]], htmx: bool) -> str:
    """The key of one catalogue fragment: the filters and page asked for, the language, htmx or not."""
    raw = repr((sorted(query), htmx, get_language()))
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"events:catalogue:f{FORMAT}:{digest}"


def catalogue_get(*, query: list[tuple[str, str]], htmx: bool) -> tuple[int, object | None]:
    """The catalogue's version and the fragments catalogue_set() kept for this query under it (else None)."""
    return get_versioned(VERSION_KEY, _catalogue_key(query=query, htmx=htmx))


def catalogue_set(*, query: list[tuple[str, str]], htmx: bool, version: int, fragments) -> None:
    """Keeps the fragments under the version catalogue_get() returned before they were rendered."""
    key = _catalogue_key(query=query, htmx=htmx)
    set_versioned(key, version, fragments, timeout=settings.CATALOGUE_CACHE_SECONDS)


def event_changed(**kwargs) -> None:
    """Raises the event page's version at once (not after commit, like catalogue_changed)."""
    raise_version(EVENT_VERSION_KEY)


def _person_changed(sender, update_fields=None, **kwargs) -> None:
    """A person's name or address may be a trainer's or a contact's on an event page; a login's save is not."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    event_changed()


def _event_key(pk: int) -> str:
    return f"events:event:f{FORMAT}:{pk}"


def event_get(pk: int) -> tuple[int, object | None]:
    """The event pages' version and the event as event_set() kept it under that version (else None)."""
    return get_versioned(EVENT_VERSION_KEY, _event_key(pk))


def event_set(event, version: int) -> None:
    """Keeps the event under the version event_get() returned before it was read."""
    set_versioned(_event_key(event.pk), version, event, timeout=settings.EVENT_CACHE_SECONDS)


def connect() -> None:
    """Called from EventsConfig.ready."""
    from academy.models import Topic, User

    from .models import Booking, Event, EventDate

    for model in (Event, EventDate, Booking, Topic):
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"events-catalogue-{model.__name__}-save")
        post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"events-catalogue-{model.__name__}-delete")
    m2m_changed.connect(catalogue_changed, sender=Event.topics.through, dispatch_uid="events-catalogue-topics")
    for model in (Event, EventDate, Topic):
        post_save.connect(event_changed, sender=model, dispatch_uid=f"events-event-{model.__name__}-save")
        post_delete.connect(event_changed, sender=model, dispatch_uid=f"events-event-{model.__name__}-delete")
    for through in (Event.topics.through, Event.trainers.through):
        m2m_changed.connect(event_changed, sender=through, dispatch_uid=f"events-event-{through.__name__}")
    post_save.connect(_person_changed, sender=User, dispatch_uid="events-event-person-save")
    post_delete.connect(event_changed, sender=User, dispatch_uid="events-event-person-delete")
