"""Shared test set-up.

Tests that need a real service (PostgreSQL, Redis, Chromium) skip with a reason on a laptop without
it; with VAMOS_REQUIRE_SERVICES=1 (set by .ci/run) every skip is turned into a failure, so CI always
runs them.
"""

import os

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("VAMOS_REQUIRE_SERVICES") == "1"


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"Skipped, but VAMOS_REQUIRE_SERVICES=1 forbids skips: {reason}"


@pytest.fixture(autouse=True)
def _german_by_default(settings):
    """Each test starts as a visitor meets the portal: in German, with an empty cache (rate limits)."""
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def postgresql():
    """For tests that need PostgreSQL itself (row locks, real parallel connections)."""
    if not uses_postgresql():
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")
