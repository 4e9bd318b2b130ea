"""What the events app caches: the catalogue's filter form and results, read far more often than events change.

A version number in the cache is part of every cached fragment's key. Whenever an event, one of its dates or
topics, a topic's name or a booking (which moves the seat and waiting-list counts) is saved or deleted, the
version is raised, so every cached fragment is stale at once and is never read again (it expires on its own).
Seat counts that change by a queryset `.update()` come with a booking saved in the same transaction, so they
raise it too. Fragments also expire after CATALOGUE_CACHE_SECONDS, which bounds how long an event that has
just ended stays listed.

The cache is Redis in production (shared by every web process and worker); in the tests each process has its own.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

VERSION_KEY = "events:catalogue:version"
FORMAT = 3  # raise when what is cached changes shape, so a deploy never reads the old shape


def catalogue_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return version


def _fresh_version() -> int:
    """A version no earlier fragment can carry (the clock in nanoseconds), for when the counter was evicted: a
    small restart value could meet fragments cached under it before, which may not have expired yet."""
    return time.time_ns()


def catalogue_changed(**kwargs) -> None:
    """Raises the version at once (not after commit: the services' tests count what a change enqueues after
    commit, and a cache write costs less than a callback). A request that reads the old rows between this and
    the commit may cache them under the new version; that is the one case in which the catalogue lags, by at
    most CATALOGUE_CACHE_SECONDS. The event page and booking always read the database."""
    _raise_version()


def _raise_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (evicted or never read): a fresh value makes the old keys unreachable
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def catalogue_key(*, query: list[tuple[str, str]], htmx: bool) -> str:
    """The key of one catalogue fragment: the filters and page asked for, the language, htmx or not, version."""
    raw = repr((sorted(query), htmx, get_language()))
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"events:catalogue:f{FORMAT}:{catalogue_version()}:{digest}"


def catalogue_timeout() -> int:
    return settings.CATALOGUE_CACHE_SECONDS


def connect() -> None:
    """Called from EventsConfig.ready."""
    from academy.models import Topic

    from .models import Booking, Event, EventDate

    for model in (Event, EventDate, Booking, Topic):
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"events-catalogue-{model.__name__}-save")
        post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"events-catalogue-{model.__name__}-delete")
    m2m_changed.connect(catalogue_changed, sender=Event.topics.through, dispatch_uid="events-catalogue-topics")
