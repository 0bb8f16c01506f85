"""Protection of the public objection form against automated posting, without outside services.

Three checks, each cheap: a honeypot field people never see, a signed timestamp that must be
at least a few seconds old (nobody reads a 公示 and writes an objection in two seconds) and not
older than a day, and a per-IP rate limit kept in the shared cache (Redis in production, so it
holds across gunicorn nodes).
"""

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

SALT = "cms.objection-form"
HONEYPOT_FIELD = "website"


def min_fill_seconds():
    return getattr(settings, "OBJECTION_MIN_FILL_SECONDS", 5)


def rate_limit():
    """(objections, per seconds) one IP address may file."""
    return getattr(settings, "OBJECTION_RATE_LIMIT", (5, 3600))


def form_token(now=None):
    return signing.dumps({"t": int(now if now is not None else time.time())}, salt=SALT)


def check_token(token, now=None):
    """None if the form was filled by a person at human speed, else the reason to refuse."""
    now = now if now is not None else time.time()
    try:
        started = signing.loads(token or "", salt=SALT, max_age=24 * 3600)["t"]
    except (signing.BadSignature, KeyError, TypeError):
        return _("The form has expired or was not sent from this site. Reload the page and fill it in again.")
    if now - started < min_fill_seconds():
        return _("The form was sent too quickly to have been filled in by a person. Wait a few seconds and send it again.")
    return None


def client_ip(request):
    # REMOTE_ADDR only: a forwarded header can be forged by anyone. Behind a proxy, have the
    # proxy set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit_rate_limit(request):
    """Count one attempt from this IP; None if within the limit, else the reason to refuse."""
    limit, period = rate_limit()
    key = f"cms:objection-rate:{client_ip(request)}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        count = 1
    if count > limit:
        return _("Too many objections were sent from your network in a short time. Try again in an hour, or write to the bureau.")
    return None
