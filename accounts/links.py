"""Absolute addresses of this site, built by one rule.

* In a request (a page, a feed, the sitemap, open data): from the request, so every address
  carries the scheme, host and port the site was reached on (``request.build_absolute_uri``).
* Outside a request (mail, PDFs and anything else a Celery worker makes): from ``SITE_URL``,
  the address people reach the site at. ``make run`` sets it from its ``HOST`` and ``PORT``.
"""

from django.conf import settings


def absolute_url(path, request=None):
    """``path`` (starting with ``/``) as an absolute address on this site."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path
