"""Throughput of the public pages (home, call, 公示) against a bare template view, in process.

Prints figures; asserts nothing about time. Run with
`pytest -m benchmark -s tests/cms/test_public_pages_bench.py` (BENCH_REQUESTS=n to change the
count). The design target (≥ 50% of the bare view) is about gunicorn + PostgreSQL; this gives
the in-process ratio, which moves the same way.
"""

import os
import time

import pytest
from django.db import connection
from django.test import Client

from applications.models import Application, Status
from cms.models import PublicityEntry, PublicityPage
from tests.factories import ApplicationFactory, CompetitionFactory

from .conftest import add_call_page

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db, pytest.mark.urls("tests.cms.bench_urls")]

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def _rate(client, url):
    assert client.get(url).status_code == 200
    start = time.perf_counter()
    for _ in range(REQUESTS):
        client.get(url)
    return REQUESTS / (time.perf_counter() - start)


def test_public_pages_against_a_bare_template_view(request, home, call_index, announcements):
    if "benchmark" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a benchmark: run it with -m benchmark -s")
    call = CompetitionFactory(show_panel_names=True)
    call_page = add_call_page(call_index, call)
    apps = ApplicationFactory.create_batch(30, competition=call, lines=False)
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=Status.PUBLICIZING, awarded_amount=50000)
    publicity = PublicityPage(title="公示", slug="gs", competition=call, starts_at=call.opens_at,
                              ends_at=call.closes_at, last_day=call.closes_at.date())
    announcements.add_child(instance=publicity)
    PublicityEntry.objects.bulk_create(PublicityEntry(page=publicity, application=a) for a in apps)

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    bare = _rate(client, "/__bench__/bare/")
    print(f"\n{connection.vendor}, {REQUESTS} requests each, in-process test client")
    print(f"{'bare template view':<28}{bare:8.0f} pages/s")
    for name, url in (("home", home.url), ("call page", call_page.url), ("公示 (30 projects)", publicity.url)):
        rate = _rate(client, url)
        print(f"{name:<28}{rate:8.0f} pages/s  {rate / bare:6.1%} of bare")
