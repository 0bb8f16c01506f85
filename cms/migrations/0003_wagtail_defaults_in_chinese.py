"""Wagtail's migrations create a few rows with English names that the admin then shows as they are: the
tree's root page and root collection ("Root"), the two default groups ("Editors", "Moderators") and the default workflow
and its task ("Moderators approval"). A Chinese site names them in Chinese; a name an administrator
already changed is left alone."""

from django.db import migrations

PAGES = {"Root": "根目录"}
GROUPS = {"Editors": "网站编辑", "Moderators": "网站审核员"}
WORKFLOWS = {"Moderators approval": "网站内容审核"}


def _rename(model, field, names):
    for old, new in names.items():
        if not model.objects.filter(**{field: new}).exists():
            model.objects.filter(**{field: old}).update(**{field: new})


def _pages(Page, names):
    for old, new in names.items():
        Page.objects.filter(depth=1, title=old).update(title=new, draft_title=new)


def forward(apps, schema_editor):
    _pages(apps.get_model("wagtailcore", "Page"), PAGES)
    apps.get_model("wagtailcore", "Collection").objects.filter(depth=1, name="Root").update(name=PAGES["Root"])
    _rename(apps.get_model("auth", "Group"), "name", GROUPS)
    _rename(apps.get_model("wagtailcore", "Workflow"), "name", WORKFLOWS)
    _rename(apps.get_model("wagtailcore", "Task"), "name", WORKFLOWS)


def backward(apps, schema_editor):
    def flip(names):
        return {new: old for old, new in names.items()}

    _pages(apps.get_model("wagtailcore", "Page"), flip(PAGES))
    apps.get_model("wagtailcore", "Collection").objects.filter(depth=1, name=PAGES["Root"]).update(name="Root")
    _rename(apps.get_model("auth", "Group"), "name", flip(GROUPS))
    _rename(apps.get_model("wagtailcore", "Workflow"), "name", flip(WORKFLOWS))
    _rename(apps.get_model("wagtailcore", "Task"), "name", flip(WORKFLOWS))


class Migration(migrations.Migration):
    # After every Wagtail migration that looks these groups up by their English names.
    dependencies = [
        ("cms", "0002_public_site_pages"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(forward, backward)]
