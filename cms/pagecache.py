"""Whole-page cache of the public site for visitors who are not signed in.

Django's cache framework in the configured cache (Redis in production, local memory by default);
not ``wagtail-cache``, which pins Wagtail < 8. Correct before fast:

* Only anonymous GET/HEAD requests of public pages are served from or stored in the cache; the
  portal, the review, the back office and accounts never are, nor anything for a signed-in person.
* A page is stored only if nothing on it is per visitor: no CSRF token or form token in it, no
  cookie set, no flash message pending. The objection form (a single-use token) is therefore on a
  page of its own under ``/publicity/``, linked from the 公示 page, which is cached like the others.
* The key holds the scheme, host and port, the path, the language the page was rendered in (only the site's languages: an
  unknown ``Accept-Language`` gets the default, so made-up values make no new entries) and the
  query parameters the public pages read; a request with any other parameter is served fresh and
  not stored, so made-up query strings cannot flood the cache.
* Every change that public pages show bumps one version number that is part of every key, so the
  next request renders anew: a page published or unpublished, a call changed, an application
  leaving draft (submitted, 公示, awarded...), an objection, a notice, an organization, a payment;
  and a deploy (``manage.py migrate``), so no page drawn by the old templates outlives it.
* An entry lives ``PAGE_CACHE_SECONDS`` at most and never past the next opening or closing of a
  call or of a 公示 window: a cached "open" call page is gone the moment its call closes, a 公示
  "open to objections" the moment its window ends.
* If the cache is down the page is served uncached, never an error.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db.models import Min
from django.utils import timezone

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
PRIVATE_PREFIXES = ("/admin/", "/django-admin/", "/portal/", "/review/", "/accounts/", "/i18n/", "/csp-report/",
                    "/healthz", "/static/", "/media/", "/documents/", "/publicity/")
# Query parameters public pages read; any other makes the request uncacheable.
KNOWN_PARAMETERS = frozenset({"q", "page", "region", "category", "letter", "initial", "kind", "year"})
PER_VISITOR_MARKERS = (b"csrfmiddlewaretoken", b'name="started"')


def seconds():
    return getattr(settings, "PAGE_CACHE_SECONDS", 300)


def version():
    try:
        current = cache.get(VERSION_KEY)
        if current is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            current = cache.get(VERSION_KEY, 1)
        return current
    except Exception:  # noqa: BLE001  a cache outage serves pages uncached
        logger.warning("page cache unavailable", exc_info=True)
        return None


def bump(**_signal_kwargs):
    """Every cached page is stale from now on (called from signal receivers, see ``cms.apps``)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable: could not invalidate", exc_info=True)


def _key(request, current):
    query = sorted((name, value) for name, values in request.GET.lists() for value in values)
    encoded = "&".join(f"{name}={value}" for name, value in query)
    # The host too: feeds, the sitemap and open data carry absolute addresses built from the
    # request, so a page fetched at one host:port is never served to a visitor of another.
    origin = f"{request.scheme}://{request.get_host()}"
    digest = hashlib.sha256(f"{origin}{request.path}?{encoded}".encode()).hexdigest()
    return f"pagecache:{current}:{request.LANGUAGE_CODE}:{digest}"


def _cacheable_request(request):
    if request.method not in ("GET", "HEAD") or request.path.startswith(PRIVATE_PREFIXES):
        return False
    if not set(request.GET) <= KNOWN_PARAMETERS:
        return False
    try:
        request.get_host()
    except DisallowedHost:
        return False  # answered 400 by the view, never from the cache
    if "messages" in request.COOKIES:
        return False  # a flash message waits for this visitor
    return not request.user.is_authenticated


def _lifetime(now=None):
    """Seconds until the entry must go: the configured maximum, or the next moment a call opens or
    closes or a 公示 window opens or ends."""
    from competitions.models import Competition

    now = now or timezone.now()
    bounds = Competition.objects.aggregate(
        opens=Min("opens_at", filter=_after("opens_at", now)), closes=Min("closes_at", filter=_after("closes_at", now))
    )
    # A 公示 page says whether objections are still taken: its entry goes when the window opens or ends.
    from .models import PublicityPage

    bounds.update(PublicityPage.objects.live().aggregate(
        starts=Min("starts_at", filter=_after("starts_at", now)), ends=Min("ends_at", filter=_after("ends_at", now))
    ))
    lifetime = seconds()
    for moment in bounds.values():
        if moment is not None:
            lifetime = min(lifetime, max(1, int((moment - now).total_seconds()) + 1))
    return lifetime


def _after(field, now):
    from django.db.models import Q

    return Q(**{f"{field}__gt": now})


def _storable(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return False
    return not any(marker in response.content for marker in PER_VISITOR_MARKERS)


class AnonymousPageCacheMiddleware:
    """Serve public pages to visitors who are not signed in from the cache (see the module's rules).

    Placed last in ``MIDDLEWARE``: a cached page still passes through every other middleware on its
    way out (security headers, Content-Security-Policy), exactly as a fresh one does.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "PAGE_CACHE_ENABLED", True) or not _cacheable_request(request):
            return self.get_response(request)
        current = version()
        if current is None:
            return self.get_response(request)
        key = _key(request, current)
        try:
            stored = cache.get(key)
        except Exception:  # noqa: BLE001
            stored = None
        if stored is not None:
            return self._rebuild(stored)
        response = self.get_response(request)
        if _storable(response):
            try:
                cache.set(key, self._pack(response), timeout=_lifetime())
            except Exception:  # noqa: BLE001  the visitor still gets the page
                logger.warning("page cache unavailable: page not stored", exc_info=True)
        response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _pack(response):
        headers = {name: value for name, value in response.items() if name.lower() in ("content-type", "content-language",
                                                                                        "content-disposition", "vary")}
        return {"content": response.content, "headers": headers}

    @staticmethod
    def _rebuild(stored):
        from django.http import HttpResponse

        response = HttpResponse(stored["content"])
        for name, value in stored["headers"].items():
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response
