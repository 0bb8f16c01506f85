"""Ranking speed: the ranking selector against one hand-written SQL aggregate over the same rows.

Prints figures; asserts nothing about time. Run with `make bench` (or
`pytest -m benchmark -s tests/benchmarks/test_ranking_bench.py`); BENCH_LARGE=1 adds 10,000
applications × 5 sheets.
"""

import os
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from applications.models import Application, Organization
from review.models import Assignment, Score, ScoreSheet
from review.selectors import ranking
from tests.factories import CompetitionFactory, RegionFactory, UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

SQL = """
SELECT t.application_id, AVG(t.total) AS score
FROM (
    SELECT a.application_id, s.id,
           SUM(sc.points * c.weight) * 100.0 / SUM(c.max_points * c.weight) AS total
    FROM review_score sc
    JOIN review_scoresheet s ON s.id = sc.sheet_id
    JOIN review_assignment a ON a.id = s.assignment_id
    JOIN competitions_criterion c ON c.id = sc.criterion_id
    JOIN applications_application app ON app.id = a.application_id
    WHERE app.competition_id = %s AND s.submitted_at IS NOT NULL AND a.stage = 'review'
    GROUP BY a.application_id, s.id
) t
GROUP BY t.application_id
ORDER BY score DESC
"""


def build(n_apps, n_sheets):
    call = CompetitionFactory()
    criteria = list(call.criteria.all())
    region = RegionFactory()
    reviewers = [UserFactory() for _ in range(n_sheets)]
    orgs = Organization.objects.bulk_create(
        Organization(name=f"机构{i}", registration_status="filed", category="community_service",
                     community=region, head_name="张", contact_name="李", contact_phone="1")
        for i in range(n_apps)
    )
    now = timezone.now()
    apps = Application.objects.bulk_create(
        Application(organization=o, competition=call, title=f"项目{i}", status="reviewed",
                    requested_amount=Decimal("50000"), submitted_at=now, reference=f"BENCH-{call.pk}-{i}")
        for i, o in enumerate(orgs)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(application=a, reviewer=r, state="submitted") for a in apps for r in reviewers
    )
    sheets = ScoreSheet.objects.bulk_create(ScoreSheet(assignment=a, submitted_at=now) for a in assignments)
    Score.objects.bulk_create(
        (Score(sheet=s, criterion=c, points=Decimal((i * 7 + j * 3) % int(c.max_points)))
         for i, s in enumerate(sheets) for j, c in enumerate(criteria)),
        batch_size=5000,
    )
    return call


def measure(n_apps, n_sheets):
    call = build(n_apps, n_sheets)
    ranking(call)  # warm-up: the first query of a connection pays for its setup
    t0 = time.perf_counter()
    _criteria, rows = ranking(call)
    selector = time.perf_counter() - t0
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(ranking, call)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(SQL, [call.pk])
        sql_rows = cursor.fetchall()
    sql = time.perf_counter() - t0
    assert len(rows) == len(sql_rows) == n_apps
    # Same order at the top (up to ties, which the selector breaks and SQL does not).
    assert Decimal(str(round(sql_rows[0][1], 2))) == rows[0].final
    print(
        f"\nranking {n_apps} applications × {n_sheets} sheets ({connection.vendor}): selector {selector:.3f} s, "
        f"hand-written SQL aggregate {sql:.3f} s, ratio {selector / sql if sql else float('inf'):.1f}×"
    )


def test_ranking_1000_applications():
    measure(1000, 5)


@pytest.mark.skipif(not os.environ.get("BENCH_LARGE"), reason="set BENCH_LARGE=1 for 10,000 applications")
def test_ranking_10000_applications():
    measure(10000, 5)
