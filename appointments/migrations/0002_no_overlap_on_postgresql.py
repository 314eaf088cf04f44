"""Make overlapping active appointments for one specialist impossible, on PostgreSQL.

SQLite cannot parse EXCLUDE, so this step does nothing there; on SQLite the booking
service's IMMEDIATE transaction and re-check are the guard.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "appointment_no_overlap_per_specialist"

CREATE = f"""
ALTER TABLE appointments_appointment
ADD CONSTRAINT {CONSTRAINT}
EXCLUDE USING gist (
    specialist_id WITH =,
    tstzrange("start", "end", '[)') WITH &&
) WHERE (status <> 'cancelled')
"""

DROP = f"ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS {CONSTRAINT}"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [
        # A no-op on databases other than PostgreSQL.
        BtreeGistExtension(),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
