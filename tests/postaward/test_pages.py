"""Applicant post-award pages and the public disclosure page."""

import datetime as dt
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress

from applications import postaward
from applications.models import Report, Status
from tests.factories import UserFactory, application_in_state

from .conftest import contracted, pay, pdf_file

pytestmark = pytest.mark.django_db


def login(client, user):
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    client.force_login(user)
    return client


@pytest.fixture
def project(db):
    return contracted()


def test_applicant_uploads_agreement_through_pages(client):
    app = application_in_state(Status.AWARDED)
    from .conftest import add_plan

    add_plan(app.competition)
    login(client, app.member)
    page = client.get(f"/portal/applications/{app.pk}/project/")
    assert page.status_code == 200 and "Download the agreement" in page.content.decode()
    pdf = client.get(f"/portal/applications/{app.pk}/agreement.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    bad = client.post(f"/portal/applications/{app.pk}/agreement/upload/", {"file": pdf_file("scan.pdf").__class__("scan.pdf", b"GIF89a....")}, follow=True)
    assert "not a file of an accepted kind" in bad.content.decode()
    ok = client.post(f"/portal/applications/{app.pk}/agreement/upload/", {"file": pdf_file()}, follow=True)
    assert "waiting for the bureau to confirm" in ok.content.decode()


def test_report_of_another_organization_is_404(client, project):
    other = contracted()
    login(client, project.member)
    report = other.reports.first()
    assert client.get(f"/portal/reports/{report.pk}/").status_code == 404
    assert client.post(f"/portal/reports/{report.pk}/", {"narrative": "x"}).status_code == 404
    assert client.post(f"/portal/reports/{report.pk}/files/", {"file": pdf_file()}).status_code == 404
    assert client.get(f"/portal/applications/{other.pk}/project/").status_code == 404
    assert client.get(f"/portal/applications/{other.pk}/agreement.pdf").status_code == 404


def test_report_form_save_and_submit_errors_shown(client, project):
    pay(project.disbursements.get(position=0), project.staff)
    login(client, project.member)
    report = project.reports.get(kind="midterm")
    lines = list(project.budget_lines.all())
    data = {"narrative": "开展活动", "beneficiaries_reached": "50", "ind-name": ["服务人次"], "ind-planned": ["100"],
            "ind-achieved": ["60"], f"exp-{lines[0].pk}-amount": "30000", f"exp-{lines[1].pk}-amount": "100", "action": "submit"}
    page = client.post(f"/portal/reports/{report.pk}/", data)
    assert page.status_code == 400
    assert "exceeds what was disbursed" in page.content.decode()
    data[f"exp-{lines[0].pk}-amount"] = "18000"
    data[f"exp-{lines[1].pk}-amount"] = "1600"
    page = client.post(f"/portal/reports/{report.pk}/", data, follow=True)
    assert "The report is submitted" in page.content.decode()
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    assert list(report.indicators.values_list("name", "achieved")) == [("服务人次", "60")]


def test_report_form_starts_from_the_planned_indicators(client, project):
    type(project).objects.filter(pk=project.pk).update(indicators=[{"indicator": "探访老人人次", "target": "500"}])
    login(client, project.member)
    page = client.get(f"/portal/reports/{project.reports.first().pk}/")
    assert 'value="探访老人人次"' in page.content.decode() and 'value="500"' in page.content.decode()


def test_report_error_keeps_every_value_and_marks_the_field(client, project):
    pay(project.disbursements.get(position=0), project.staff)
    login(client, project.member)
    report = project.reports.get(kind="midterm")
    lines = list(project.budget_lines.all())
    data = {"narrative": "开展助餐服务十二次", "beneficiaries_reached": "很多", "ind-name": ["服务人次", ""],
            "ind-planned": ["100", ""], "ind-achieved": ["87", ""], f"exp-{lines[0].pk}-amount": "12345.60",
            f"exp-{lines[0].pk}-explanation": "物价上涨", f"exp-{lines[1].pk}-amount": "777", "action": "save"}
    page = client.post(f"/portal/reports/{report.pk}/", data)
    text = page.content.decode()
    assert page.status_code == 400 and "whole number" in text
    for typed in ("开展助餐服务十二次", 'value="很多"', 'value="服务人次"', 'value="87"', 'value="12345.60"',
                  'value="物价上涨"', 'value="777"'):
        assert typed in text, typed
    assert 'name="beneficiaries_reached" inputmode="numeric" value="很多" aria-invalid="true"' in text
    assert text.count("autofocus") == 1
    report.refresh_from_db()
    assert report.narrative == "" and not report.indicators.exists()  # nothing half-saved


def test_indicator_row_without_a_name_is_refused_not_dropped(client, project):
    login(client, project.member)
    report = project.reports.get(kind="midterm")
    page = client.post(f"/portal/reports/{report.pk}/", {"narrative": "x", "ind-name": [""], "ind-planned": ["10"],
                                                          "ind-achieved": ["9"], "action": "save"})
    text = page.content.decode()
    assert page.status_code == 400 and "Indicator 1 has values but no name" in text
    assert 'value="9"' in text


def test_report_form_reads_planned_indicators_stored_under_name(client, project):
    # The demo seed and older rows store {"name", "target"}; the form must still show the names.
    type(project).objects.filter(pk=project.pk).update(indicators=[{"name": "满意度", "target": "90%"}])
    login(client, project.member)
    text = client.get(f"/portal/reports/{project.reports.first().pk}/").content.decode()
    assert 'value="满意度"' in text and 'value="90%"' in text


def test_report_rows_show_the_awarded_budget_and_the_variance_message_quotes_them(client, project):
    lines = list(project.budget_lines.all())
    type(project).objects.filter(pk=project.pk).update(awarded_amount=project.requested_amount / 2)
    project.refresh_from_db()
    pay(project.disbursements.get(position=0), project.staff)
    disbursed = postaward.disbursed_total(project)
    awarded = (lines[0].amount / 2).quantize(Decimal("0.01"))
    expected = (awarded * disbursed / project.awarded_amount).quantize(Decimal("0.01"))
    login(client, project.member)
    report = project.reports.get(kind="midterm")
    text = client.get(f"/portal/reports/{report.pk}/").content.decode()
    assert f"{awarded:,.2f}" in text and f"{expected:,.2f}" in text  # as money is written: 12,500.00
    assert f"{lines[0].amount:,.2f} yuan" not in text.split("Spending by budget line")[1]  # the requested figure is gone
    data = {"narrative": "x", f"exp-{lines[0].pk}-amount": "1", "action": "submit"}
    page = client.post(f"/portal/reports/{report.pk}/", data)
    text = page.content.decode()
    assert page.status_code == 400
    message = text.split('id="form-errors"')[1].split("</div>")[0]
    assert f"{awarded} yuan awarded" in message and f"{expected} yuan is expected" in message
    assert f'id="exp-{lines[0].pk}-explanation" name="exp-{lines[0].pk}-explanation" value="" aria-invalid="true"' in text


def test_report_after_termination_refused_on_page(client, project):
    postaward.project_terminate(application=project, actor=project.staff, reason="违约", return_amount="1000")
    login(client, project.member)
    report = project.reports.first()
    page = client.post(f"/portal/reports/{report.pk}/", {"narrative": "x", "action": "submit"})
    assert page.status_code == 400 and "no longer be written" in page.content.decode()


def test_disclosure_shows_amounts_and_no_personal_data(client, project):
    pay(project.disbursements.get(position=0), project.staff)
    mid = project.reports.get(kind="midterm")
    lines = list(project.budget_lines.all())
    postaward.report_save(report=mid, actor=project.member, narrative="开展助餐服务", expenditures=[
        {"budget_line": lines[0].pk, "amount": "18000"}, {"budget_line": lines[1].pk, "amount": "1500"}])
    postaward.report_submit(report=mid, actor=project.member)
    postaward.report_accept(report=mid, actor=project.staff)
    page = client.get(f"/projects/{project.reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    for expected in ("50,000.00", "20,000.00", "19,500.00", "18,000.00", "开展助餐服务", project.organization.name):
        assert expected in text
    org = project.organization
    for private in (org.head_name, org.contact_name, org.contact_phone, org.credit_code, project.member.email,
                    project.member.full_name, project.staff.full_name):
        assert private not in text


def test_disclosure_of_unawarded_is_404(client):
    app = application_in_state(Status.SUBMITTED)
    assert client.get(f"/projects/{app.reference}/").status_code == 404
    assert client.get("/projects/NOPE-1/").status_code == 404


def test_report_list_queries_do_not_grow(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ApplicationFactory, MembershipFactory

    user = UserFactory()
    login(client, user)
    client.get("/portal/reports/")  # warm: the site menu's site lookup is cached after the first request
    counts = {}
    made = 0
    for n in (10, 200):
        for _ in range(made // 2, n // 2):
            app = ApplicationFactory(lines=False)
            MembershipFactory(organization=app.organization, user=user)
            for kind in ("midterm", "final"):
                Report.objects.create(application=app, kind=kind, due_date=dt.date(2027, 6, 1))
        made = n
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/portal/reports/")
        assert page.status_code == 200
        assert page.content.decode().count("/portal/reports/") >= min(n, 50)  # 50 a page
        counts[n] = len(queries)
    print(counts)
    assert counts[10] == counts[200], counts


def test_awarded_applicant_finds_the_project_page_and_results_link_the_disclosure(client, project):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=project.member, email=project.member.email, verified=True, primary=True)
    client.force_login(project.member)
    detail = client.get(f"/portal/applications/{project.pk}/").content.decode()
    assert f"/portal/applications/{project.pk}/project/" in detail
    assert client.get(f"/portal/applications/{project.pk}/project/").status_code == 200


def test_award_notice_downloadable_by_the_applicant_and_the_staff_with_its_code(client, django_capture_on_commit_callbacks):
    from applications.notices import notice_issue
    from tests.factories import staff_with_admin

    with django_capture_on_commit_callbacks(execute=True):
        app = application_in_state(Status.AWARDED)
        notice, _created = notice_issue(application=app)
    login(client, app.member)
    page = client.get(f"/portal/applications/{app.pk}/project/").content.decode()
    assert f"/portal/applications/{app.pk}/award-notice.pdf" in page and notice.code in page
    pdf = client.get(f"/portal/applications/{app.pk}/award-notice.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    outsider = contracted()
    assert client.get(f"/portal/applications/{outsider.pk}/award-notice.pdf").status_code == 404
    client.force_login(staff_with_admin(bureau=app.competition.bureau))
    inspect = client.get(f"/admin/application/inspect/{app.pk}/").content.decode()
    assert f"/admin/application/notice/{app.pk}/" in inspect and notice.code in inspect
    staff_pdf = client.get(f"/admin/application/notice/{app.pk}/")
    assert staff_pdf.status_code == 200 and b"".join(staff_pdf.streaming_content).startswith(b"%PDF")
    client.force_login(staff_with_admin())  # another bureau
    assert client.get(f"/admin/application/notice/{app.pk}/").status_code in (403, 404)


def test_staff_find_the_signed_agreement_and_the_project_from_the_inspect_page(client, project):
    from tests.factories import staff_with_admin

    client.force_login(staff_with_admin(bureau=project.competition.bureau))
    inspect = client.get(f"/admin/application/inspect/{project.pk}/").content.decode()
    assert f"/admin/postaward/projects/{project.pk}/agreement-scan/" in inspect
    assert f"/admin/postaward/projects/{project.pk}/" in inspect
    scan = client.get(f"/admin/postaward/projects/{project.pk}/agreement-scan/")
    assert scan.status_code == 200 and b"".join(scan.streaming_content).startswith(b"%PDF")


def test_the_report_heading_and_the_public_page_write_chinese_colons_and_grouped_money(client, project):
    pay(project.disbursements.get(position=0), project.staff, voucher="PZ-1")
    login(client, project.member)
    report = project.reports.get(kind="midterm")
    page = client.get(f"/portal/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"<h1>中期报告：{project.title}</h1>" in page
    disbursed = postaward.disbursed_total(project)
    public = client.get(f"/projects/{project.reference}/").content.decode()
    assert f"<td>{disbursed:,.2f}</td>" in public and f"<td>{disbursed:.2f}</td>" not in public
