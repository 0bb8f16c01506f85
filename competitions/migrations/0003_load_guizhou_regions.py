"""Load Guizhou's province, cities/prefectures, 贵安新区 and counties so every database has them."""

from django.db import migrations


def load(apps, schema_editor):
    from competitions.regions import load_regions

    load_regions(region_model=apps.get_model("competitions", "Region"))


class Migration(migrations.Migration):

    dependencies = [
        ("competitions", "0002_review_deadline"),
    ]

    # Unloading would fail as soon as an organization points at a region; leave the rows.
    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
