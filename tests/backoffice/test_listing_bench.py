"""Staff application listing with 1,000 and 10,000 applications: pages per second in-process
beside the admin's own dashboard, and queries a page (issue 16).

Prints figures; asserts only the query budget (≤ 15 a page; test_listing.py asserts it in every
run). Runs only when asked for, on PostgreSQL as deployed:

    CI=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME \\
        pytest -m benchmark -s tests/backoffice/test_listing_bench.py

In-process (test client, no gunicorn, DEBUG off and the cached template loader as in
production), so the figures are the pages' own cost, not the deployed throughput. The listing
and the dashboard are requested in turn and compared by their medians, so the machine's load
(other processes on its two cores) falls on both alike; CPU time is printed beside the wall time
because it moves less under that load.
"""

import statistics
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, Organization, Status
from tests.factories import RegionFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db(transaction=True)]

ROUNDS = 40

# A submitted application carries its texts: the listing must not read them (rows of ~2 KB).
TEXTS = {
    "summary": "为社区高龄、空巢老人提供上门探访和助餐服务，" * 20,
    "goals": "服务老人二百名，开展活动四十场，" * 15,
    "team": "项目负责人具有五年社会工作经验；" * 10,
    "target_groups": "高龄、空巢老人",
    "place": "测试社区",
    "indicators": [{"indicator": "服务人次", "target": "2000"}, {"indicator": "活动场次", "target": "40"}],
}


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
        (Application(organization=org, competition=call, status=statuses[i % 4], title=f"压测项目{i}",
                     reference=f"GZ-2026-LF-{i + 1:05d}", requested_amount=Decimal("50000"),
                     submitted_at=timezone.now(), **TEXTS)
         for i, org in enumerate(orgs)),
        batch_size=1000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a load in production
            cursor.execute("VACUUM ANALYZE applications_application")
            cursor.execute("VACUUM ANALYZE applications_organization")


def _timed(client, url):
    wall, cpu = time.perf_counter(), time.process_time()
    assert client.get(url).status_code == 200, url
    return time.perf_counter() - wall, time.process_time() - cpu


@pytest.mark.parametrize("rows", [1000, 10000])
def test_staff_listing_speed_beside_the_dashboard(request, client, staff, call, rows):
    if "benchmark" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a benchmark (10,000 applications, ~700 requests): run it with -m benchmark -s")
    _bulk_applications(call, rows)
    client.force_login(staff)
    urls = ["/admin/application/", f"/admin/application/?competition={call.pk}",
            "/admin/application/?status=eligible&area=rural", "/admin/application/?q=压测项目9"]
    for url in ["/admin/", *urls]:
        client.get(url)  # warm per-process caches
    print(f"\n{connection.vendor}, {rows} applications in the call, 50 a page:")
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        queries = len(ctx.captured_queries)
        dashboard, listing = [], []
        for i in range(ROUNDS):  # in turn: the machine's load falls on both alike
            dashboard.append(_timed(client, "/admin/"))
            listing.append(_timed(client, url + ("&" if "?" in url else "?") + f"p={i % 5 + 1}"))
        dash_wall, dash_cpu = (statistics.median(t) for t in zip(*dashboard))
        list_wall, list_cpu = (statistics.median(t) for t in zip(*listing))
        print(f"  {url:50s} {1 / list_wall:6.1f} pages/s ({list_wall * 1000:5.1f} ms, CPU {list_cpu * 1000:5.1f} ms), "
              f"{queries} queries | /admin/ {1 / dash_wall:6.1f}/s ({dash_wall * 1000:5.1f} ms, "
              f"CPU {dash_cpu * 1000:5.1f} ms) | listing/dashboard {dash_wall / list_wall:.2f}× "
              f"(CPU {dash_cpu / list_cpu:.2f}×)")
        assert 0 < queries <= 15, "\n".join(q["sql"] for q in ctx.captured_queries)
