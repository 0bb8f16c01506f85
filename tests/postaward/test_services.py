import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings as hsettings, strategies as st

from applications import postaward
from applications.models import Disbursement, Report, Status
from applications.services import ApplicationError
from tests.factories import StaffFactory

from .conftest import pay, pdf_file

pytestmark = pytest.mark.django_db


@given(
    cents=st.integers(min_value=1, max_value=10**11),
    parts=st.lists(st.integers(min_value=1, max_value=10000), min_size=1, max_size=8),
)
@hsettings(max_examples=300, deadline=None)
def test_tranche_amounts_add_up_exactly(cents, parts):
    # Percentages with two decimals that add up to exactly 100.
    total = sum(parts)
    basis = [Decimal(p * 10000 // total) / 100 for p in parts]
    basis[-1] += Decimal(100) - sum(basis)
    award = Decimal(cents) / 100
    amounts = postaward.tranche_amounts(award, basis)
    assert sum(amounts) == award
    assert all(a >= 0 and a == a.quantize(Decimal("0.01")) for a in amounts)
    for amount, percent in zip(amounts, basis):
        assert abs(amount - award * percent / 100) < Decimal("0.01")


def test_tranche_amounts_refuse_plan_not_100():
    with pytest.raises(ApplicationError, match="99"):
        postaward.tranche_amounts(Decimal("100"), [Decimal("50"), Decimal("49")])


def test_thirds_lose_no_cent():
    assert postaward.tranche_amounts(Decimal("100.00"), ["33.33", "33.33", "33.34"]) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert sum(postaward.tranche_amounts(Decimal("50000.01"), ["40", "40", "20"])) == Decimal("50000.01")


def test_agreement_pdf_has_text_and_embedded_cjk_font(tmp_path, project):
    data = postaward.agreement_pdf(project)
    path = tmp_path / "agreement.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "资助协议书" in text
    assert project.reference in text
    assert project.organization.name in text
    assert "50,000.00" in text and "20,000.00" in text  # award and the 40% tranche
    assert "人民币伍万元整" in text  # the amount in capitals beside the figure
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert any("Noto-Sans-CJK-SC" in r for r in rows), fonts
    assert all(" yes " in r for r in rows), fonts  # every font embedded
    assert not any("Type 3" in r for r in rows), fonts


def test_confirm_contracts_and_plans_tranches_and_reports(project):
    assert project.status == Status.CONTRACTED
    amounts = list(project.disbursements.values_list("trigger", "amount"))
    assert amounts == [("contract", Decimal("20000.00")), ("midterm", Decimal("20000.00")), ("final", Decimal("10000.00"))]
    due = dict(project.reports.values_list("kind", "due_date"))
    assert due["midterm"] == timezone.localdate() + dt.timedelta(days=90)
    assert project.agreement.confirmed_at is not None


def test_confirm_needs_the_signed_scan(db):
    from tests.factories import application_in_state

    from .conftest import add_plan

    app = application_in_state(Status.AWARDED)
    add_plan(app.competition)
    with pytest.raises(ApplicationError, match="signed"):
        postaward.agreement_confirm(application=app, actor=app.staff)


def test_scan_with_wrong_content_is_refused(db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import application_in_state

    app = application_in_state(Status.AWARDED)
    with pytest.raises(ApplicationError, match="not a file of an accepted kind"):
        postaward.agreement_upload_scan(
            application=app, actor=app.member, uploaded=SimpleUploadedFile("协议.pdf", b"MZ not a pdf")
        )


def test_other_bureau_staff_cannot_confirm_or_pay(project):
    outsider = StaffFactory()
    first = project.disbursements.get(position=0)
    with pytest.raises(ApplicationError):
        postaward.disbursement_approve(disbursement=first, actor=outsider)


def test_pay_twice_is_refused(project):
    first = project.disbursements.get(position=0)
    pay(first, project.staff)
    with pytest.raises(ApplicationError, match="cannot be paid twice"):
        postaward.disbursement_pay(disbursement=first, actor=project.staff, paid_on=timezone.localdate(), voucher="PZ-002")
    first.refresh_from_db()
    assert first.voucher == "PZ-001"


def test_midterm_tranche_waits_for_the_report(project):
    second = project.disbursements.get(position=1)
    with pytest.raises(ApplicationError, match="not happened yet"):
        postaward.disbursement_approve(disbursement=second, actor=project.staff)


def _fill(report, member, amounts, explanation=""):
    lines = list(report.application.budget_lines.all())
    postaward.report_save(
        report=report, actor=member, narrative="开展助餐服务120次。", beneficiaries_reached="80",
        indicators=[{"name": "服务人次", "planned": "100", "achieved": "120"}],
        expenditures=[{"budget_line": line.pk, "amount": a, "explanation": explanation} for line, a in zip(lines, amounts)],
    )


def test_expenditure_above_disbursed_is_refused(project):
    pay(project.disbursements.get(position=0), project.staff)  # 20,000 paid
    report = project.reports.get(kind="midterm")
    _fill(report, project.member, ["19000", "1600"], explanation="提前采购")
    with pytest.raises(ApplicationError, match="exceeds what was disbursed"):
        postaward.report_submit(report=report, actor=project.member)


def test_variance_needs_explanation(project):
    pay(project.disbursements.get(position=0), project.staff)  # expected 18,400 and 1,600
    report = project.reports.get(kind="midterm")
    _fill(report, project.member, ["10000", "1600"])
    with pytest.raises(ApplicationError, match="explain why"):
        postaward.report_submit(report=report, actor=project.member)
    _fill(report, project.member, ["10000", "1600"], explanation="部分活动推迟到下半年")
    postaward.report_submit(report=report, actor=project.member)
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED


def test_within_variance_needs_no_explanation(project):
    pay(project.disbursements.get(position=0), project.staff)
    report = project.reports.get(kind="midterm")
    _fill(report, project.member, ["17000", "1500"])
    postaward.report_submit(report=report, actor=project.member)


def test_report_after_termination_is_refused(project):
    postaward.project_terminate(application=project, actor=project.staff, reason="严重违约", return_amount="12000")
    project.refresh_from_db()
    assert project.status == Status.TERMINATED
    assert project.return_amount == Decimal("12000")
    report = project.reports.get(kind="midterm")
    with pytest.raises(ApplicationError, match="no longer be written"):
        postaward.report_save(report=report, actor=project.member, narrative="x")
    with pytest.raises(ApplicationError, match="no longer be written"):
        postaward.report_submit(report=report, actor=project.member)


def test_full_path_to_completed(project):
    staff, member = project.staff, project.member
    pay(project.disbursements.get(position=0), staff, "PZ-1")
    mid = project.reports.get(kind="midterm")
    _fill(mid, member, ["18000", "1600"])
    postaward.report_submit(report=mid, actor=member)
    postaward.report_return(report=mid, actor=staff, reason="补充照片")
    mid.refresh_from_db()
    assert mid.state == Report.State.RETURNED and mid.staff_note == "补充照片"
    postaward.report_attach(report=mid, actor=member, uploaded=pdf_file("活动照片.pdf"))
    postaward.report_submit(report=mid, actor=member)
    postaward.report_accept(report=mid, actor=staff)
    pay(project.disbursements.get(position=1), staff, "PZ-2")
    final = project.reports.get(kind="final")
    _fill(final, member, ["36800", "3200"])
    postaward.report_submit(report=final, actor=member)
    with pytest.raises(ApplicationError, match="grade"):
        postaward.report_accept(report=final, actor=staff)
    postaward.report_accept(report=final, actor=staff, grade=Report.Grade.EXCELLENT)
    project.refresh_from_db()
    assert project.status == Status.COMPLETED
    assert project.log.order_by("-seq").first().transition == "application.complete"
    pay(project.disbursements.get(position=2), staff, "PZ-3")  # the last tranche follows completion
    assert postaward.disbursed_total(project) == Decimal("50000.00")
    from cms.selectors import showcase_projects

    assert list(showcase_projects()) == [project]  # graded 优秀: in the showcase
    subjects = list(member.notifications.values_list("subject", flat=True))
    assert any("was returned" in s for s in subjects) and any("is accepted" in s for s in subjects)
    assert sum("A tranche of" in s for s in subjects) == 3
    staff_subjects = list(staff.notifications.values_list("subject", flat=True))
    assert sum("submitted for review" in s for s in staff_subjects) == 3  # mid-term twice, final once
    assert any("signed agreement" in s for s in staff_subjects)


def test_no_tranche_paid_after_termination(project):
    postaward.project_terminate(application=project, actor=project.staff, reason="违约", return_amount="0")
    with pytest.raises(ApplicationError, match="Terminated"):
        postaward.disbursement_approve(disbursement=project.disbursements.get(position=0), actor=project.staff)


def test_failing_final_grade_leaves_project_for_termination(project):
    staff, member = project.staff, project.member
    final = project.reports.get(kind="final")
    postaward.report_save(report=final, actor=member, narrative="未完成")
    postaward.report_submit(report=final, actor=member)
    postaward.report_accept(report=final, actor=staff, grade=Report.Grade.FAIL)
    project.refresh_from_db()
    assert project.status == Status.CONTRACTED
    postaward.project_terminate(application=project, actor=staff, reason="结项评估不合格", return_amount="5000")
    project.refresh_from_db()
    assert project.status == Status.TERMINATED and project.return_amount == Decimal("5000")


def test_non_member_cannot_write_report(project):
    from tests.factories import UserFactory

    with pytest.raises(ApplicationError):
        postaward.report_save(report=project.reports.first(), actor=UserFactory(), narrative="x")


def test_confirm_refused_when_plan_is_not_100_or_no_final_report(db):
    from competitions.models import ReportRequirement, TranchePlanItem
    from tests.factories import application_in_state

    from .conftest import add_plan

    app = application_in_state(Status.AWARDED)
    add_plan(app.competition, percents=(("50", "contract"), ("40", "final")))
    # The agreement states the tranche amounts: none is drawn up from a plan that is not 100%.
    with pytest.raises(ApplicationError, match="90"):
        postaward.agreement_upload_scan(application=app, actor=app.member, uploaded=pdf_file())
    TranchePlanItem.objects.filter(competition=app.competition, trigger="final").update(percent=Decimal("50"))
    postaward.agreement_upload_scan(application=app, actor=app.member, uploaded=pdf_file())
    ReportRequirement.objects.filter(competition=app.competition, kind="final").delete()
    with pytest.raises(ApplicationError, match="no final report"):
        postaward.agreement_confirm(application=app, actor=app.staff)
    app.refresh_from_db()
    assert app.status == Status.AWARDED and not app.disbursements.exists()


def test_variance_share_is_a_setting(project, settings):
    settings.REPORT_VARIANCE_PERCENT = 50
    pay(project.disbursements.get(position=0), project.staff)  # expected 18,400 and 1,600
    report = project.reports.get(kind="midterm")
    _fill(report, project.member, ["10000", "1600"])  # 46% under: within 50%
    postaward.report_submit(report=report, actor=project.member)


def test_payment_without_a_voucher_number_is_refused_and_nothing_changes(project):
    first = project.disbursements.get(position=0)
    postaward.disbursement_approve(disbursement=first, actor=project.staff)
    for voucher in ("", "   ", None):
        with pytest.raises(ApplicationError, match="voucher number"):
            postaward.disbursement_pay(disbursement=first, actor=project.staff, paid_on=timezone.localdate(), voucher=voucher)
    first.refresh_from_db()
    assert (first.state, first.paid_on, first.voucher) == (Disbursement.State.APPROVED, None, "")


def test_a_held_tranche_is_neither_approved_nor_paid_and_every_hold_is_chained(project, time_machine):
    first = project.disbursements.get(position=0)
    midterm = project.reports.get(kind="midterm")
    before_due = dt.datetime.combine(midterm.due_date - dt.timedelta(days=1), dt.time(12), tzinfo=timezone.get_current_timezone())
    overdue = before_due + dt.timedelta(days=3)

    time_machine.move_to(overdue, tick=False)
    assert postaward.holds_update() == (3, 0)  # every unpaid tranche of the project
    first.refresh_from_db()
    assert first.state == Disbursement.State.HELD
    with pytest.raises(ApplicationError, match="held"):
        postaward.disbursement_approve(disbursement=first, actor=project.staff)
    assert postaward.holds_update() == (0, 0)  # a second run changes nothing

    time_machine.move_to(before_due, tick=False)  # (as if the report had come in)
    assert postaward.holds_update() == (0, 3)
    approved = postaward.disbursement_approve(disbursement=first, actor=project.staff)
    time_machine.move_to(overdue, tick=False)
    postaward.holds_update()
    with pytest.raises(ApplicationError, match="held"):
        postaward.disbursement_pay(disbursement=approved, actor=project.staff, paid_on=timezone.localdate(), voucher="PZ-009")
    time_machine.move_to(before_due, tick=False)
    postaward.holds_update()
    first.refresh_from_db()
    assert first.state == Disbursement.State.APPROVED and first.voucher == ""  # released to where it was
    steps = list(project.log.filter(subject="disbursement", subject_id=first.pk).values_list("transition", "actor"))
    assert steps == [("disbursement.plan", None), ("disbursement.hold", None), ("disbursement.release", None),
                     ("disbursement.approve", project.staff.pk), ("disbursement.hold", None),
                     ("disbursement.release", None)]


def test_a_report_is_not_accepted_for_a_terminated_project(project):
    pay(project.disbursements.get(position=0), project.staff)
    report = project.reports.get(kind="midterm")
    _fill(report, project.member, ["17000", "1500"])
    postaward.report_submit(report=report, actor=project.member)
    postaward.project_terminate(application=project, actor=project.staff, reason="严重违约", return_amount="0")
    with pytest.raises(ApplicationError, match="“Terminated”: its reports can no longer be submitted or decided"):
        postaward.report_accept(report=report, actor=project.staff)
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED and report.accepted_at is None
