"""The checks behind /healthz: each returns None when fine, else a short reason."""

from django.db import connection

from vamos.celery import app as celery_app


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return type(error).__name__
    return None


def check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return type(error).__name__
    return None


CHECKS = {"database": check_database, "broker": check_broker}
