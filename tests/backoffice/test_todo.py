"""The staff to-do panel: what waits for the bureau, counted for its own calls only, at a cost that
does not grow with the number of rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Agreement, Disbursement, Objection, OrganizationClaim, Report, Status
from backoffice.todo import staff_todo
from review.models import Assignment
from tests.factories import CompetitionFactory, OrganizationFactory, RegionFactory, UserFactory, application_in

pytestmark = pytest.mark.django_db


def work(call, n=1):
    """``n`` of each kind of waiting work in ``call``."""
    call.review_deadline = timezone.now() - dt.timedelta(days=1)
    call.save()
    for _ in range(n):
        application_in(Status.SUBMITTED, competition=call)
        application_in(Status.RETURNED, competition=call)
        reviewing = application_in(Status.UNDER_REVIEW, competition=call)
        Assignment.objects.create(application=reviewing, reviewer=UserFactory())
        Objection.objects.create(application=application_in(Status.PUBLICIZING, competition=call), objector_name="王五",
                                 reason="核实")
        awarded = application_in(Status.AWARDED, competition=call)
        Agreement.objects.create(application=awarded, scan_uploaded_at=timezone.now())
        funded = application_in(Status.CONTRACTED, competition=call)
        Report.objects.create(application=funded, kind="midterm", due_date=timezone.localdate(), state=Report.State.SUBMITTED)
        Disbursement.objects.create(application=funded, trigger="contract", amount=Decimal("20000"),
                                    state=Disbursement.State.APPROVED)
        OrganizationClaim.objects.create(claimant=UserFactory(),
                                         organization=OrganizationFactory(community=RegionFactory(parent=call.bureau.region)))


def counts(user):
    return {item.key: item.count for item in staff_todo(user)}


def test_staff_see_their_bureaus_waiting_work_and_nothing_of_another(staff, other_staff, call):
    work(call, n=2)
    work(CompetitionFactory(bureau=other_staff.bureau))
    assert counts(staff) == {"eligibility": 2, "revisions": 2, "sheets": 2, "objections": 2, "agreements": 2,
                             "reports": 2, "tranches": 2, "claims": 2}
    assert set(counts(other_staff).values()) == {1}
    assert set(counts(UserFactory()).values()) == {0}  # not staff: nothing


def test_the_panel_on_the_admin_home_page_links_each_count(client, staff, call):
    work(call)
    client.force_login(staff)
    page = client.get("/admin/").content.decode()
    assert "To do" in page
    assert 'data-todo="eligibility"' in page
    assert f'href="/admin/application/?status={Status.SUBMITTED}"><strong>1</strong> Applications waiting for the eligibility check' in page
    assert 'href="/admin/postaward/?state=approved"><strong>1</strong> Approved tranches to pay' in page


def test_an_empty_bureau_is_told_nothing_waits(client, staff):
    client.force_login(staff)
    assert "Nothing waits for you" in client.get("/admin/").content.decode()


def test_the_count_of_queries_does_not_grow_with_the_work(staff, call):
    work(call, n=1)
    with CaptureQueriesContext(connection) as few:
        staff_todo(staff)
    work(call, n=5)
    with CaptureQueriesContext(connection) as many:
        staff_todo(staff)
    assert len(few) == len(many) <= 8
