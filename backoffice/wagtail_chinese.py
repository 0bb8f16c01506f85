"""Wagtail's own screens in the site's language where Wagtail leaves English that no catalog can reach.

Strings Wagtail marks for translation but its zh_Hans catalog leaves in English are translated in our
catalog (locale/); templates whose English is not marked are overridden in templates/wagtailadmin/.
What is left is here: labels Wagtail derives from Python names.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms.workflows import WorkflowPageForm
from wagtail.models import Site
from wagtail.sites.views import IndexView as SiteIndexView

# The sites listing heads three columns with the field's Python name ("Port", "Site name", "Root
# page"); the model's verbose names are marked, and translated.
for column in SiteIndexView.columns:
    if column.name in ("port", "site_name", "root_page"):
        column.label = capfirst(Site._meta.get_field(column.name).verbose_name)

# The workflow form's page field has no label: Django makes one of the field's name.
WorkflowPageForm.base_fields["page"].label = gettext_lazy("Page")


@hooks.register("construct_help_menu")
def no_whats_new_link(request, menu_items):
    """The help menu's "What's new in Wagtail" and "Editor Guide" open guide.wagtail.org: English, and
    out of reach from mainland China (the what's-new banner is off for the same reason; the
    dashboard's account summary drops its guide link, templates/wagtailadmin/home/account_summary.html)."""
    menu_items[:] = [item for item in menu_items
                     if not item.name.startswith("whats-new-in-wagtail") and item.name != "editor-guide"]
