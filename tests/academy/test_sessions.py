"""The session and the signed-in person as every page reads them (academy/sessions.py): Django's rules hold."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academy.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

MY_BOOKINGS = "/veranstaltungen/meine-buchungen/"


def signed_in(client, user):
    response = client.post("/konto/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in_page(response) -> bool:
    return response.status_code == 200 and 'href="/konto/email/"' in response.content.decode()  # "Mein Konto"


def test_signing_in_keeps_the_person_across_pages(settings):
    from django.test import Client

    user = UserFactory()
    client = signed_in(Client(), user)
    session = client.session

    assert session[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS
    assert session[BACKEND_SESSION_KEY].startswith("academy.sessions.")
    assert signed_in_page(client.get(MY_BOOKINGS))
    assert signed_in_page(client.get(MY_BOOKINGS))  # the kept SQL, now with this call's values


def test_each_request_reads_the_session_and_the_person_once(client):
    user = UserFactory()
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    sessions = [q["sql"] for q in queries if '"django_session"' in q["sql"]]
    people = [q["sql"] for q in queries if 'FROM "academy_user"' in q["sql"]]
    assert len(sessions) == 1 and "expire_date" in sessions[0]
    assert len(people) == 1


def test_an_expired_session_signs_the_person_out(client):
    user = UserFactory()
    client.force_login(user)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(MY_BOOKINGS)

    assert response.status_code == 302 and "/konto/login/" in response["Location"]


@pytest.mark.parametrize("cookie", ["", "x", "0" * 40, "not a key; with spaces", "ä" * 32])
def test_an_unknown_or_malformed_session_cookie_is_a_visitor(client, cookie):
    UserFactory()
    client.cookies["sessionid"] = cookie

    response = client.get(MY_BOOKINGS)

    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    assert client.get("/").status_code == 200


def test_a_person_made_inactive_is_signed_out_on_their_next_page(client):
    user = UserFactory()
    client.force_login(user)
    assert signed_in_page(client.get(MY_BOOKINGS))

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get(MY_BOOKINGS).status_code == 302


def test_a_password_changed_elsewhere_signs_out_the_other_sessions():
    from django.test import Client

    user = UserFactory()
    phone, laptop = signed_in(Client(), user), signed_in(Client(), user)
    response = laptop.post(
        "/konto/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-horse-battery-9", "password2": "another-horse-battery-9"},
    )
    assert response.status_code == 302

    assert signed_in_page(laptop.get(MY_BOOKINGS))  # the session that changed it stays signed in
    assert phone.get(MY_BOOKINGS).status_code == 302


def test_a_deleted_person_is_a_visitor(client):
    user = UserFactory()
    client.force_login(user)
    User.objects.filter(pk=user.pk).delete()

    assert client.get(MY_BOOKINGS).status_code == 302


def test_staff_signed_in_reach_the_admin(client, settings):
    settings.VAMOS_STAFF_MFA_REQUIRED = False
    user = UserFactory(is_staff=True, is_superuser=True)
    assert client.get("/admin/").status_code == 302

    signed_in(client, user)

    assert client.get("/admin/").status_code == 200


def test_a_changed_session_is_written_with_its_new_expiry(client, settings):
    user = UserFactory()
    client.force_login(user)
    row = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + timedelta(minutes=5))

    store = client.session
    store["vamos_probe"] = "übermorgen"
    store.save()

    row = Session.objects.get(pk=row.pk)
    assert row.get_decoded()["vamos_probe"] == "übermorgen"
    assert row.expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert signed_in_page(client.get(MY_BOOKINGS))  # the person stays signed in with the written data


def test_a_session_deleted_while_a_request_changes_it_is_not_written_back(client):
    from django.contrib.sessions.backends.base import UpdateError

    user = UserFactory()
    client.force_login(user)
    store = client.session
    assert store.get("vamos_probe") is None  # the request has read its session
    Session.objects.filter(session_key=store.session_key).delete()  # signed out on another device meanwhile

    store["vamos_probe"] = 1
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=store.session_key).exists()
