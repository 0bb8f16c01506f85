"""``/sitemap.xml``: Wagtail's sitemap with every address on the host and port it was asked on.

Wagtail builds a page's full address from its Site's stored hostname and port (``localhost:80``
in a fresh database), which need not be where the site is served; the request knows.
"""

from wagtail.contrib.sitemaps import views as wagtail_views
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap


class RequestSitemap(Sitemap):
    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        root = self.get_wagtail_site().root_url
        for info in urls:
            location = info["location"]
            if location == root or location.startswith(root + "/"):
                info["location"] = self.request.build_absolute_uri(location[len(root):] or "/")
        return urls


def sitemap(request):
    return wagtail_views.sitemap(request, sitemaps={"wagtail": RequestSitemap})
