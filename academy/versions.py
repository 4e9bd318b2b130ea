"""Version numbers for cached data that is read far more often than it changes (the catalogue, an event page, a
module): every cached entry's key carries the version it was read under, and any change raises the version, so
older entries are never read again and simply expire. Nothing has to find and delete them.

    key = f"events:event:{current('events:event:version')}:{pk}"
    raise_version("events:event:version")  # from a post_save/post_delete receiver

The numbers live in the cache itself (Redis in production, shared by every process).
"""

import time

from django.core.cache import cache


def current(key: str) -> int:
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh(), timeout=None)
        version = cache.get(key, 0)
    return version


def raise_version(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not in the cache (evicted or never read): a fresh value makes the old keys unreachable
        cache.set(key, _fresh(), timeout=None)


def _fresh() -> int:
    """A version no earlier entry can carry (the clock in nanoseconds), for when the counter was evicted: a small
    restart value could meet entries cached under it before, which may not have expired yet."""
    return time.time_ns()
