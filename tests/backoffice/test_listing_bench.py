"""Staff application listing with 1,000 applications: pages per second in-process, queries a page.

Prints figures; asserts only the query budget (≤ 15 a page). Run with
`pytest -m benchmark -s tests/backoffice/test_listing_bench.py`. In-process (test client, no
gunicorn), so it is an upper bound of the page's own cost, not the deployed throughput.
"""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, Organization, Status
from tests.factories import RegionFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ROWS = 1000
PAGES = 30


def _bulk_applications(call, n):
    urban, rural = RegionFactory(is_rural=False), RegionFactory(is_rural=True)
    orgs = Organization.objects.bulk_create(
        Organization(name=f"压测社会组织{i}", registration_status="filed", filing_record="街道备案",
                     category="community_service", community=rural if i % 3 == 0 else urban,
                     head_name="张三", contact_name="李四", contact_phone="13800000000")
        for i in range(n)
    )
    statuses = [Status.SUBMITTED, Status.ELIGIBLE, Status.UNDER_REVIEW, Status.REVIEWED]
    Application.objects.bulk_create(
        Application(organization=org, competition=call, status=statuses[i % 4], title=f"压测项目{i}",
                    reference=f"GZ-2026-LF-{i + 1:04d}", requested_amount=Decimal("50000"),
                    submitted_at=timezone.now())
        for i, org in enumerate(orgs)
    )


@pytest.mark.parametrize("query", ["", "?status=eligible&area=rural", "?q=压测项目9"])
def test_staff_listing_speed(client, staff, call, query):
    _bulk_applications(call, ROWS)
    client.force_login(staff)
    url = "/admin/application/" + query
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    queries = len(ctx.captured_queries)  # now: the next request clears the connection's log
    started = time.perf_counter()
    for page in range(1, PAGES + 1):
        client.get(url + ("&" if "?" in url else "?") + f"p={page % 5 + 1}")
    elapsed = time.perf_counter() - started
    # The admin's own home page, same process and moment: the machine's load cancels out.
    started = time.perf_counter()
    for _ in range(PAGES):
        client.get("/admin/")
    baseline = time.perf_counter() - started
    print(f"\nstaff listing {url!r} over {ROWS} applications, 50 a page: "
          f"{PAGES / elapsed:.1f} pages/s in-process ({elapsed / PAGES * 1000:.1f} ms a page), "
          f"{queries} queries a page; {elapsed / baseline:.2f}× the time of the admin dashboard")
    assert 0 < queries <= 15
