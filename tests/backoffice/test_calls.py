"""Calls in the admin: the form checks the call and its tranche plan; staff keep to their bureau."""

import pytest

from competitions.models import Competition, Criterion, ReportRequirement, TranchePlanItem
from tests.factories import CompetitionFactory

pytestmark = pytest.mark.django_db


def call_form(bureau, **overrides):
    data = {
        "bureau": bureau.pk, "fund_source": "lottery_fund", "title": "2027年彩票公益金项目", "year": 2027,
        "summary": "", "total_budget": "1000000", "min_amount": "10000", "max_amount": "100000",
        "admin_cost_cap": "10", "opens_at": "2027-03-01 09:00", "closes_at": "2027-04-01 17:00",
        "revision_days": 7, "allowed_service_areas": ["elderly", "disability"], "eligible_region": "",
        "reviewers_per_application": 3, "aggregation_method": "mean", "spread_threshold": "20",
        "review_deadline": "", "community_bonus": "0", "pitch_weight": "0", "rural_min_share": "30",
        "publicity_working_days": 5, "tranche_contract": "50", "tranche_midterm": "30", "tranche_final": "20",
        "report_midterm_days": "180", "report_final_days": "365",
    }
    data.update(overrides)
    return data


def test_staff_create_a_call_with_its_tranche_plan_and_report_schedule(client, staff):
    client.force_login(staff)
    response = client.post("/admin/competition/new/", call_form(staff.bureau))
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Competition.objects.get(title="2027年彩票公益金项目")
    assert call.bureau == staff.bureau
    assert [(t.trigger, int(t.percent)) for t in call.tranches.all()] == [("contract", 50), ("midterm", 30), ("final", 20)]
    assert [(r.kind, r.days_after_contract) for r in call.report_requirements.all()] == [("midterm", 180), ("final", 365)]
    # The edit form shows the plan back, and saving a new plan replaces the old one.
    page = client.get(f"/admin/competition/edit/{call.pk}/").content.decode()
    assert 'name="tranche_midterm"' in page and 'value="30.00"' in page
    response = client.post(f"/admin/competition/edit/{call.pk}/", call_form(
        staff.bureau, tranche_contract="70", tranche_midterm="0", tranche_final="30", report_midterm_days=""))
    assert response.status_code == 302
    assert [(t.trigger, int(t.percent)) for t in call.tranches.all()] == [("contract", 70), ("final", 30)]
    assert list(ReportRequirement.objects.filter(competition=call).values_list("kind", flat=True)) == ["final"]


def test_a_tranche_plan_that_does_not_add_up_to_100_is_refused_naming_the_sum(client, staff):
    client.force_login(staff)
    response = client.post("/admin/competition/new/", call_form(staff.bureau, tranche_final="10"))
    assert response.status_code == 200
    assert "The tranche plan adds up to 90%; the percentages paid must add up to 100%." in response.content.decode()
    assert not Competition.objects.exists() and not TranchePlanItem.objects.exists()


def test_the_calls_own_rules_apply(client, staff):
    client.force_login(staff)
    response = client.post("/admin/competition/new/", call_form(
        staff.bureau, closes_at="2027-02-01 09:00", allowed_service_areas=["environment"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The closing time must be after the opening time." in page
    assert "The lottery fund supports only support for the elderly" in page
    assert not Competition.objects.exists()


def test_staff_cannot_create_a_call_for_another_bureau(client, staff, other_staff):
    client.force_login(staff)
    response = client.post("/admin/competition/new/", call_form(other_staff.bureau))
    assert response.status_code == 200
    assert not Competition.objects.exists()


def test_staff_edit_the_rubric_of_their_call(client, staff, call):
    client.force_login(staff)
    listing = client.get(f"/admin/criterion/?competition={call.pk}").content.decode()
    assert "需求分析" in listing and "项目设计" in listing
    response = client.post("/admin/criterion/new/", {
        "competition": call.pk, "stage": "review", "position": 3, "name": "可持续性", "description": "",
        "max_points": "10", "weight": "1",
    })
    assert response.status_code == 302
    assert Criterion.objects.filter(competition=call, name="可持续性").exists()


def test_calls_listing_links_to_applications_and_rubric(client, staff, call):
    client.force_login(staff)
    page = client.get("/admin/competition/").content.decode()
    assert f"/admin/application/?competition={call.pk}" in page
    assert f"/admin/criterion/?competition={call.pk}" in page


def test_site_admin_may_delete_an_empty_call_but_not_one_with_applications(client, site_admin, submitted):
    empty = CompetitionFactory()
    client.force_login(site_admin)
    assert client.post(f"/admin/competition/delete/{empty.pk}/").status_code == 302
    assert not Competition.objects.filter(pk=empty.pk).exists()
    response = client.post(f"/admin/competition/delete/{submitted.competition_id}/", follow=True)
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Competition.objects.filter(pk=submitted.competition_id).exists()
