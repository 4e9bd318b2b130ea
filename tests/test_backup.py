"""A backup is only a backup once it has been restored: scripts/backup.sh, then scripts/restore.sh into a new,
empty database, checked with a connection of its own.

The scripts run as an operator runs them (bash, pg_dump, pg_restore, psql, tar) against the real test
database; the scratch database for the restore is created and dropped here.
"""

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from academy.models import User
from events import services as event_services
from events.models import Booking
from organisations.models import Organisation
from tests.events.factories import EventFactory
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent
CLUB = "Türkisch-Deutscher Elternverein Köln-Mülheim e. V."


def url_of(database: str) -> str:
    params = connection.settings_dict
    credentials = quote(params["USER"] or "")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"])
    return f"postgresql://{credentials}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{database}"


def run_script(script: str, *args: str, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    return subprocess.run(
        ["bash", str(BASE_DIR / "scripts" / script), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def scratch_database(postgresql):
    """A new, empty database beside the test database; dropped afterwards whatever happens."""
    name = f"vamos_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url_of("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(url_of("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def portal_data():
    """Some of everything: people (one with umlauts), organisations, an event with bookings."""
    founder = UserFactory(first_name="Jürgen", last_name="Müßig-Öztürk", email="juergen@elternverein.example")
    members = [UserFactory() for _ in range(3)]
    club = OrganisationFactory(name=CLUB, city="Köln", admins=[founder], members=members)
    OrganisationFactory()
    event = EventFactory(title="Vereinsgründung für Anfänger*innen")
    for person in [founder, *members]:
        event_services.booking_create(event=event, person=person, organisation=club, booked_by=founder)
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "bookings": Booking.objects.count(),
    }


def test_a_backup_restores_into_an_empty_database_with_its_files(portal_data, scratch_database, tmp_path):
    assert portal_data["bookings"] == 4
    media = tmp_path / "media"
    (media / "certificates").mkdir(parents=True)
    (media / "certificates" / "a1b2c3.pdf").write_bytes(b"%PDF-1.7 Nachweis")
    backups = tmp_path / "backups"

    made = run_script(
        "backup.sh", str(backups), database_url=url_of(connection.settings_dict["NAME"]), media_root=media
    )
    assert made.returncode == 0, made.stdout + made.stderr
    (folder,) = backups.iterdir()
    assert folder.name.startswith("vamos-") and not folder.name.endswith(".partial")
    assert {path.name for path in folder.iterdir()} == {"database.dump", "media.tar.gz", "SHA256SUMS"}

    restored_media = tmp_path / "restored-media"
    restored = run_script("restore.sh", str(folder), database_url=url_of(scratch_database), media_root=restored_media)
    assert restored.returncode == 0, restored.stdout + restored.stderr

    with psycopg.connect(url_of(scratch_database)) as check:
        counts = {
            "users": check.execute("SELECT count(*) FROM academy_user").fetchone()[0],
            "organisations": check.execute("SELECT count(*) FROM organisations_organisation").fetchone()[0],
            "bookings": check.execute("SELECT count(*) FROM events_booking").fetchone()[0],
        }
        club = check.execute("SELECT name, city FROM organisations_organisation WHERE name = %s", [CLUB]).fetchone()
        founder = check.execute(
            "SELECT last_name FROM academy_user WHERE email = %s", ["juergen@elternverein.example"]
        ).fetchone()
        migrations = check.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert counts == portal_data
    assert club == (CLUB, "Köln")
    assert founder == ("Müßig-Öztürk",)
    assert migrations > 0
    assert (restored_media / "certificates" / "a1b2c3.pdf").read_bytes() == b"%PDF-1.7 Nachweis"


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(portal_data, scratch_database, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    backups = tmp_path / "backups"
    made = run_script(
        "backup.sh", str(backups), database_url=url_of(connection.settings_dict["NAME"]), media_root=media
    )
    assert made.returncode == 0, made.stdout + made.stderr
    (folder,) = backups.iterdir()
    target = url_of(scratch_database)
    assert run_script("restore.sh", str(folder), database_url=target, media_root=tmp_path / "m1").returncode == 0
    with psycopg.connect(target, autocommit=True) as change:
        change.execute("UPDATE organisations_organisation SET city = 'Changed' WHERE name = %s", [CLUB])

    refused = run_script("restore.sh", str(folder), database_url=target, media_root=tmp_path / "m2")
    assert refused.returncode != 0
    assert "the database is not empty" in refused.stderr

    forced = run_script("restore.sh", "--force", str(folder), database_url=target, media_root=tmp_path / "m3")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    with psycopg.connect(target) as check:
        assert check.execute("SELECT city FROM organisations_organisation WHERE name = %s", [CLUB]).fetchone() == (
            "Köln",
        )
        assert check.execute("SELECT count(*) FROM events_booking").fetchone()[0] == portal_data["bookings"]


def test_restore_refuses_a_damaged_backup(portal_data, scratch_database, tmp_path):
    backups = tmp_path / "backups"
    made = run_script(
        "backup.sh", str(backups), database_url=url_of(connection.settings_dict["NAME"]), media_root=tmp_path / "media"
    )
    assert made.returncode == 0, made.stdout + made.stderr
    (folder,) = backups.iterdir()
    dump = folder / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    refused = run_script("restore.sh", str(folder), database_url=url_of(scratch_database), media_root=tmp_path / "m")

    assert refused.returncode != 0
    assert "damaged" in refused.stderr
    with psycopg.connect(url_of(scratch_database)) as check:
        assert check.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
