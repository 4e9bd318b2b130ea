"""academy.versions: cached entries carry the version they were read under; a change raises it."""

from django.core.cache import cache

from academy.versions import current, get_versioned, raise_version, set_versioned


def test_an_entry_is_read_until_the_version_is_raised():
    version, kept = get_versioned("test:version", "test:entry")
    assert kept is None
    set_versioned("test:entry", version, "rows", timeout=60)
    assert get_versioned("test:version", "test:entry") == (version, "rows")

    raise_version("test:version")

    assert get_versioned("test:version", "test:entry") == (version + 1, None)


def test_what_was_read_while_a_change_raised_the_version_is_never_served():
    version, _kept = get_versioned("test:version", "test:entry")
    raise_version("test:version")  # a change commits while the page reads the old rows
    set_versioned("test:entry", version, "old rows", timeout=60)

    assert get_versioned("test:version", "test:entry")[1] is None


def test_an_evicted_version_comes_back_above_every_earlier_one():
    cache.set("test:version", 7)
    raise_version("test:version")
    assert current("test:version") == 8

    cache.delete("test:version")  # evicted
    raise_version("test:version")

    assert current("test:version") > 8
