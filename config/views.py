"""Site-wide views: error pages that keep the site's look, and the load balancer's health check."""

import json
import logging
import sys
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Failures of a service the site depends on: the person should try again soon, not report a bug.
UNAVAILABLE = (OperationalError, InterfaceError, BrokerError, RedisConnectionError, RedisTimeoutError, ConnectionError)


def server_error(request):
    """500, or 503 when a database, cache or broker is down (the person may simply try again)."""
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)


def _check(probe):
    started = time.monotonic()
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise DatabaseError("the cache did not return what was stored")


def _broker():
    if not settings.CELERY_BROKER_URL:
        return  # tasks run in-process: there is no broker to reach
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _storage():
    """Applicants' files can be written: store and remove a small probe in the private storage."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    storage = storages["private"]
    name = storage.save("healthz/probe.txt", ContentFile(b"ok"))
    storage.delete(name)


@never_cache
def healthz(request):
    """For the load balancer: each dependency's state; 200 when all answer, else 503."""
    checks = {"database": _check(_database), "cache": _check(_cache), "broker": _check(_broker),
              "storage": _check(_storage)}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503)


csp_logger = logging.getLogger("csp")


@csrf_exempt
@require_POST
def csp_report(request):
    """Browsers post here what the Content-Security-Policy blocked; each report is logged (4 KB at most)."""
    body = request.body[:4096].decode("utf-8", "replace")
    try:
        report = json.loads(body).get("csp-report", {})
        csp_logger.warning("CSP violation on %s: %s blocked %s", report.get("document-uri", "?"),
                           report.get("violated-directive", "?"), report.get("blocked-uri", "?"))
    except (ValueError, AttributeError):
        csp_logger.warning("CSP report that is not JSON: %r", body[:200])
    return HttpResponse(status=204)
