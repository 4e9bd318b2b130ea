"""/healthz: what the load balancer and the container orchestrator ask."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from academy import health

URL = reverse("academy:healthz")


@pytest.mark.django_db
def test_healthy_when_database_and_broker_answer(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_unhealthy_and_names_the_failing_check_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "database", lambda: "OperationalError")

    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_unhealthy_when_the_broker_is_down(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "broker", lambda: "ConnectionRefusedError")

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error: ConnectionRefusedError"}


@pytest.mark.django_db
def test_the_database_check_reports_the_error_instead_of_raising(monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)

    assert health.check_database() == "DatabaseError"


def test_the_broker_check_reports_the_error_instead_of_raising(monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(health.celery_app, "connection_for_write", unreachable)

    assert health.check_broker() == "ConnectionRefusedError"


@pytest.mark.django_db
def test_post_is_not_allowed(client):
    assert client.post(URL).status_code == 405
