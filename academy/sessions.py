"""The session and the signed-in person, read on every page with SQL compiled once per process.

Django's database session store and its authentication backends build and compile a queryset for each of the two
reads every request makes before any view runs (`Session.objects.get(...)`, `User.objects.get(pk=...)`); at
the portal's scale that was a third of the bare view's cost (docs/benchmarks.md, ninth round). These subclasses
read the same rows through academy.prepared and otherwise leave Django's behaviour as it is: expiry, invalid
keys, inactive people and the session's password check.

    SESSION_ENGINE = "academy.sessions"
    AUTHENTICATION_BACKENDS = ["academy.sessions.ModelBackend", "academy.sessions.AuthenticationBackend"]
"""

import datetime as dt

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from .prepared import prepared


@prepared(key=str, now=dt.datetime)
def _session(*, key: str, now: dt.datetime):
    return Session.objects.filter(session_key=key, expire_date__gt=now)


@prepared(pk=int)
def _person(*, pk: int):
    return get_user_model()._default_manager.filter(pk=pk)


class SessionStore(db.SessionStore):
    """Django's database sessions (django_session, its expiry, its clean-up command)."""

    def _get_session_from_db(self):
        # A key that failed Django's validation is None here: no row, a new session (as Django's own store).
        found = _session(key=self.session_key, now=timezone.now()) if self.session_key else []
        if not found:
            self._session_key = None
            return None
        return found[0]


class _PreparedUser:
    def get_user(self, user_id):
        found = _person(pk=int(user_id))
        return found[0] if found and self.user_can_authenticate(found[0]) else None


class ModelBackend(_PreparedUser, django_backends.ModelBackend):
    """Django's backend (the admin's sign-in by email and password)."""


class AuthenticationBackend(_PreparedUser, allauth_backends.AuthenticationBackend):
    """allauth's backend (the portal's sign-in)."""
