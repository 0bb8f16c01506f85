"""The public site's menu and breadcrumbs, built from Wagtail's page tree.

The menu lists the live sections under the site's home page (calls, 公示 and results, showcase,
directory, news...) in the editors' order, so a new section appears in it when it is published.
"""

from django import template
from django.core.cache import cache
from wagtail.models import Site

from cms import pagecache

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context):
    """``[{"title", "url", "active", "home"}]`` for the home page and its live sections shown in
    menus (all live sections when editors marked none)."""
    request = context.get("request")
    if request is None:
        return []
    current_path = getattr(context.get("page"), "path", "")
    return [{**entry, "active": entry["path"] == current_path if entry["home"] else current_path.startswith(entry["path"])}
            for entry in _entries(request)]


def _entries(request):
    """The menu's entries for the site this host serves, kept in the cache until the next change of
    a public page (``cms.pagecache``): no query on a page view once they are there."""
    version = pagecache.version()
    key = f"sitemenu:{version}:{request.get_host()}"
    entries = cache.get(key) if version is not None else None
    if entries is None:
        site = Site.find_for_request(request)
        if site is None:
            return []
        home = site.root_page
        sections = list(home.get_children().live().order_by("path"))  # titles and URLs: no .specific() needed
        marked = [page for page in sections if page.show_in_menus]
        entries = [{"title": home.title, "url": home.get_url(request), "path": home.path, "home": True}]
        entries += [{"title": page.title, "url": page.get_url(request), "path": page.path, "home": False}
                    for page in marked or sections]
        if version is not None:
            cache.set(key, entries, timeout=pagecache.seconds())
    return entries


@register.inclusion_tag("cms/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page):
    """The way back to the home page from a page two or more levels below it."""
    request = context.get("request")
    ancestors = [a for a in page.get_ancestors().live() if a.depth >= 2] if page.depth > 3 else []
    return {"trail": ancestors, "page": page, "request": request}
