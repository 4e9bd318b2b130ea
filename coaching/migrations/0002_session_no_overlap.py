"""On PostgreSQL, the database itself keeps one coach's sessions apart: an exclusion constraint over
(coach, [start, end)) for sessions that hold the coach's time (proposed or confirmed). It needs the btree_gist
extension. SQLite (laptops) has no such constraint; there the row lock in services (which SQLite turns into
its single writer lock) is what holds the rule. The constraint is not in the model's Meta, so the migration
state stays the same on both databases and makemigrations sees no change."""

from django.db import migrations

CONSTRAINT = "coaching_session_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE coaching_session ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(coach_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
        "WHERE (status IN ('proposed', 'confirmed'))"
    )


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE coaching_session DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, remove_constraint, elidable=False)]
