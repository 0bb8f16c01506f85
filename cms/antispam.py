"""Protection of the public objection form against automated posting, without outside services.

Four checks, each cheap: a honeypot field people never see, a signed timestamp that must be
at least a few seconds old (nobody reads a 公示 and writes an objection in two seconds) and not
older than a day, a token that files one objection only (its nonce is spent in the shared cache),
and a per-IP rate limit kept in the shared cache (Redis in production, so both hold across
gunicorn nodes).
"""

import secrets
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


TOKEN_MAX_AGE = 24 * 3600


def form_token(now=None):
    return signing.dumps({"t": int(now if now is not None else time.time()), "n": secrets.token_urlsafe(12)}, salt=SALT)


def check_token(token, now=None):
    """None if the form was filled by a person at human speed, else the reason to refuse."""
    now = now if now is not None else time.time()
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=TOKEN_MAX_AGE)
        started, _nonce = payload["t"], payload["n"]
    except (signing.BadSignature, KeyError, TypeError):
        return _("The form has expired or was not sent from this site. Reload the page and fill it in again.")
    if now - started < min_fill_seconds():
        return _("The form was sent too quickly to have been filled in by a person. Wait a few seconds and send it again.")
    return None


def spend_token(token):
    """Spend a checked token: None the first time, else the reason to refuse (it filed one already).

    ``cache.add`` is atomic in Redis and in the local-memory cache, so of two posts of the same form
    at the same moment exactly one gets through.
    """
    nonce = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)["n"]
    if cache.add(f"cms:objection-token:{nonce}", 1, timeout=TOKEN_MAX_AGE + 60):
        return None
    return _("This form has already been sent: your objection was received once. To file another one, reload the page.")


def client_ip(request):
    # REMOTE_ADDR only: a forwarded header can be forged by anyone. Behind a proxy, have the
    # proxy set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _over_limit(scope, request, limit, period):
    """Count one attempt of ``scope`` from this IP in the shared cache; True once past ``limit``."""
    key = f"cms:{scope}-rate:{client_ip(request)}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        count = 1
    return count > limit


def hit_rate_limit(request):
    """Count one objection from this IP; None if within the limit, else the reason to refuse."""
    if _over_limit("objection", request, *rate_limit()):
        return _("Too many objections were sent from your network in a short time. Try again in an hour, or write to the bureau.")
    return None


def hit_lookup_limit(request):
    """Count one 办件查询 lookup from this IP (codes cannot be guessed by trying); None or the reason."""
    if _over_limit("lookup", request, *getattr(settings, "LOOKUP_RATE_LIMIT", (30, 3600))):
        return _("Too many lookups were made from your network in a short time. Try again in an hour, or call the bureau.")
    return None
