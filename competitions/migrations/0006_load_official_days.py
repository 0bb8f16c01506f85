from django.db import migrations


def load(apps, schema_editor):
    from competitions.services import load_library_days

    load_library_days(model=apps.get_model("competitions", "OfficialDay"))


class Migration(migrations.Migration):
    dependencies = [("competitions", "0005_official_days")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
