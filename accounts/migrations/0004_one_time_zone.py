"""Profiles that chose another time zone fall back to Beijing time (settings.WAGTAIL_USER_TIME_ZONES)."""

from django.db import migrations


def clear_time_zones(apps, schema_editor):
    apps.get_model("wagtailusers", "UserProfile").objects.exclude(current_time_zone="").update(current_time_zone="")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_verbose_names"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(clear_time_zones, migrations.RunPython.noop)]
