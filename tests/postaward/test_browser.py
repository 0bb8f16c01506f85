"""The post-award path in a browser: award → agreement → mid-term report → second tranche →
final report → completed. The applicant on a phone, bureau staff in the Wagtail admin."""

import os

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client

from applications.models import Application, Disbursement, Status
from tests.factories import application_in_state

from tests.browser_harness import CHROMIUM, IN_CI

from .conftest import PDF_BYTES, add_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) or IN_CI), reason=f"browser tests need Debian's chromium at {CHROMIUM}"),
]


def signed_in(new_phone_page, live_server, user, **options):
    client = Client()
    client.force_login(user)
    page = new_phone_page(**options)
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])
    return page


def click(page, selector):
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_award_to_completed(new_phone_page, live_server, screenshot, tmp_path):
    app = application_in_state(Status.AWARDED)
    add_plan(app.competition)
    EmailAddress.objects.create(user=app.member, email=app.member.email, verified=True, primary=True)
    group, _ = Group.objects.get_or_create(name="Bureau staff")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    app.staff.groups.add(group)
    applicant = signed_in(new_phone_page, live_server, app.member)
    staff = signed_in(new_phone_page, live_server, app.staff, viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    project_url = f"/portal/applications/{app.pk}/project/"
    admin_url = f"/admin/postaward/projects/{app.pk}/"

    # The applicant downloads the agreement and uploads the signed scan.
    applicant.goto(project_url)
    with applicant.expect_download() as download:
        applicant.click("text=Download the agreement (PDF)")
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    scan = tmp_path / "签字盖章协议.pdf"
    scan.write_bytes(PDF_BYTES)
    applicant.set_input_files("input[name=file]", str(scan))
    click(applicant, "button:has-text('Upload the signed agreement')")
    assert "waiting for the bureau to confirm" in applicant.content()
    screenshot(applicant, "postaward-01-agreement")

    # Staff confirm it and pay the first tranche.
    staff.goto(admin_url)
    click(staff, "button:has-text('Confirm the signed agreement')")
    click(staff, "button:has-text('Yes, confirm the agreement')")  # the confirmation page
    assert "The agreement is confirmed" in staff.content()
    click(staff, "button:has-text('Approve')")
    staff.fill("input[name=voucher]", "记-0001")
    click(staff, "button:has-text('Record the payment')")
    click(staff, "button:has-text('Yes, record the payment')")  # the confirmation page
    assert "The payment is recorded" in staff.content()

    def write_report(kind, amounts):
        applicant.goto(project_url)
        click(applicant, f"a:has-text('{kind}')")
        applicant.fill("#id_narrative", f"{kind}: 开展助餐服务，覆盖老人80名。")
        applicant.fill("#id_beneficiaries_reached", "80")
        for box, amount in zip(applicant.locator("input[name$='-amount']").all(), amounts):
            box.fill(amount)
        screenshot(applicant, f"postaward-report-{amounts[0]}")
        click(applicant, "button:has-text('Submit the report')")
        assert "The report is submitted" in applicant.content(), applicant.content()

    write_report("Mid-term report", ["18400", "1600"])
    staff.goto(admin_url)
    click(staff, "button:has-text('Accept the report')")
    click(staff, "button:has-text('Approve')")
    staff.fill("input[name=voucher]", "记-0002")
    click(staff, "button:has-text('Record the payment')")
    click(staff, "button:has-text('Yes, record the payment')")  # the confirmation page
    assert Disbursement.objects.filter(application=app, state="paid").count() == 2

    write_report("Final report", ["36800", "3200"])
    staff.goto(admin_url)
    staff.select_option("select[name=grade]", "excellent")
    click(staff, "button:has-text('Accept the report')")
    screenshot(staff, "postaward-02-staff-completed")
    assert Application.objects.get(pk=app.pk).status == Status.COMPLETED

    applicant.goto(project_url)
    assert "Completed" in applicant.content()
    click(applicant, "text=Public page of the project")
    text = applicant.content()
    assert "Excellent" in text and "40,000.00" in text
    screenshot(applicant, "postaward-03-disclosure")
