"""The session and the signed-in person, read on every page with SQL compiled once per process.

Django's database session store and its authentication backends build and compile a queryset for each of the two
reads every request makes before any view runs (`Session.objects.get(...)`, `User.objects.get(pk=...)`); at
the portal's scale that was a third of the bare view's cost (docs/benchmarks.md, ninth round). These subclasses
read the same rows through academy.prepared, write a changed session with one kept UPDATE, and otherwise leave
Django's behaviour as it is: expiry, invalid keys, inactive people and the session's password check.

    SESSION_ENGINE = "academy.sessions"
    AUTHENTICATION_BACKENDS = ["academy.sessions.ModelBackend", "academy.sessions.AuthenticationBackend"]
"""

import datetime as dt

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from .prepared import kept_statement, prepared


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

    def save(self, must_create=False):
        """A session that changes (a message after a form, a chosen language) is written by one statement kept per
        database, not a model save compiled anew; a new session is Django's. As Django's, a session that is gone
        (signed out elsewhere) raises UpdateError, which Django's middleware answers."""
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        connection = connections[router.db_for_write(Session)]
        expiry = connection.ops.adapt_datetimefield_value(self.get_expiry_date())
        with connection.cursor() as cursor:
            cursor.execute(
                kept_statement("session-update", connection, _update_sql),
                [self.encode(self._get_session()), expiry, self.session_key],
            )
            if cursor.rowcount != 1:
                raise UpdateError


def _update_sql(quote) -> str:
    meta = Session._meta
    data, expiry, key = (quote(meta.get_field(name).column) for name in ("session_data", "expire_date", "session_key"))
    return f"UPDATE {quote(meta.db_table)} SET {data} = %s, {expiry} = %s WHERE {key} = %s"  # noqa: S608 - our names


class _PreparedUser:
    def get_user(self, user_id):
        found = _person(pk=int(user_id))
        return found[0] if found and self.user_can_authenticate(found[0]) else None


class ModelBackend(_PreparedUser, django_backends.ModelBackend):
    """Django's backend: first in the list, it answers `authenticate()` with an email and password, the portal's
    login form's (allauth's) included, so most sessions name it."""


class AuthenticationBackend(_PreparedUser, allauth_backends.AuthenticationBackend):
    """allauth's backend (the portal's sign-in)."""
