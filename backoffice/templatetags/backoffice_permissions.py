"""Labels of the group-permission form in the reader's language: Wagtail labels each page
permission's checkbox with the permission's stored English name ("Can add page")."""

from django import template
from wagtail.models import Page

register = template.Library()


@register.filter
def page_permission_label(codename):
    """The page permission's long label ("Add/edit pages you own", translated) for its codename."""
    for known, _short, long_label in Page.permission_types:
        if known == str(codename):
            return long_label
    return codename
