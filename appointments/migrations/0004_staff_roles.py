from django.db import migrations

from appointments.roles import create_roles


class Migration(migrations.Migration):
    """The Front desk, Clinic manager and Marketing groups (appointments.roles)."""

    dependencies = [
        ("appointments", "0003_export_health_details_permission"),
        ("armorpt", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
