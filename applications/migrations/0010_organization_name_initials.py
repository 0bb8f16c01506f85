from django.db import migrations, models


def fill_initials(apps, schema_editor):
    from applications.models import pinyin_initials

    Organization = apps.get_model("applications", "Organization")
    rows = list(Organization.objects.only("pk", "name_pinyin"))
    for organization in rows:
        organization.name_initials = pinyin_initials(organization.name_pinyin)
    Organization.objects.bulk_update(rows, ["name_initials"], batch_size=1000)


class Migration(migrations.Migration):
    """Search finds an organization by the pinyin initials of its name (llbz for 邻里帮助)."""

    dependencies = [
        ("applications", "0009_organization_verified"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="name_initials",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fill_initials, migrations.RunPython.noop),
    ]
