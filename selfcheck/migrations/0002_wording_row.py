from django.db import migrations


def create_wording(apps, schema_editor):
    """The one row of wording staff edit, with the texts written for the site (the field defaults)."""
    Wording = apps.get_model("selfcheck", "Wording")
    Wording.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("selfcheck", "0001_initial")]

    operations = [migrations.RunPython(create_wording, migrations.RunPython.noop)]
