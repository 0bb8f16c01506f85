"""Post-award figures: the reminder job over many projects (first and second run) and the
agreement PDF. Prints figures; asserts only what must hold (second run sends nothing).
Run with `pytest -m benchmark -s tests/postaward/test_bench.py`; BENCH_PROJECTS sets the size.
"""

import datetime as dt
import os
import time
from decimal import Decimal

from django.utils import timezone
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from applications import postaward
from applications.models import Application, Disbursement, Membership, Report, Status
from applications.reminders import reminders_send_all
from tests.factories import CompetitionFactory, OrganizationFactory, UserFactory

from .conftest import contracted

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def test_reminder_job_figures(django_capture_on_commit_callbacks):
    n = int(os.environ.get("BENCH_PROJECTS", "300"))
    call = CompetitionFactory(rubric=False)
    today = timezone.localdate()
    apps = []
    for i in range(n):
        org = OrganizationFactory()
        Membership.objects.create(organization=org, user=UserFactory(), role="owner")
        apps.append(Application(organization=org, competition=call, status=Status.CONTRACTED, title=f"项目{i}",
                                reference=f"GZ-B-{i:05d}", awarded_amount=Decimal("50000")))
    Application.objects.bulk_create(apps)
    apps = list(Application.objects.filter(competition=call))
    # A third coming due, a third due today, a third overdue.
    Report.objects.bulk_create(
        Report(application=a, kind="midterm", due_date=today + dt.timedelta(days=(3, 0, -2)[i % 3])) for i, a in enumerate(apps)
    )
    Disbursement.objects.bulk_create(Disbursement(application=a, trigger="midterm", amount=Decimal("20000")) for a in apps)
    for run in (1, 2):
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
            start = time.perf_counter()
            result = reminders_send_all()
            elapsed = time.perf_counter() - start
        print(f"\nreminder job run {run}: {n} projects, {elapsed * 1000:.0f} ms, {len(queries)} queries, {result}")
        if run == 2:
            assert result["reports"] == 0
    assert Notification.objects.filter(key__startswith="reminder:report:").count() == n
    assert Disbursement.objects.filter(held_at__isnull=False).count() == n // 3


def test_agreement_pdf_figures():
    app = contracted()
    start = time.perf_counter()
    data = postaward.agreement_pdf(app)
    print(f"\nagreement PDF: {len(data) / 1024:.0f} KiB in {(time.perf_counter() - start) * 1000:.0f} ms")
