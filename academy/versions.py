"""Version numbers for cached data that is read far more often than it changes (the catalogue, an event page, a
module): every cached entry carries the version it was read under, and any change raises the version, so older
entries are never read again and simply expire or are overwritten. Nothing has to find and delete them.

    version, event = get_versioned("events:event:version", key)   # one round trip for both
    if event is None:
        event = ...read from the database...
        set_versioned(key, version, event, timeout)               # kept under the version read before
    raise_version("events:event:version")  # from a post_save/post_delete receiver

An entry is kept with the version read *before* its data, so a change that raises the version while the data is
read makes that entry stale at once. The numbers live in the cache itself (Redis in production, shared by every
process).
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


def get_versioned(version_key: str, key: str) -> tuple[int, object | None]:
    """The current version and what set_versioned() kept under `key` for that version (else None), read in one
    round trip: a cache read costs as much Python as a small query (~750 calls), the version's read included."""
    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    if version is None:
        version = current(version_key)
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        return version, kept[1]
    return version, None


def set_versioned(key: str, version: int, value, timeout: int) -> None:
    cache.set(key, (version, value), timeout=timeout)
