"""A new applicant on a phone: sign up, verify, describe the organization, apply, submit, receipt."""

import re

import pytest
from django.core import mail

from applications.models import Application, SubmittedDocument
from tests.factories import CompetitionFactory, RegionFactory, credit_code
from tests.files import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_main_submit(page, text=None):
    selector = "main button[type=submit]" if text is None else f"main button:has-text('{text}')"
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_sign_up_to_receipt_on_a_phone(phone_page, screenshot, tmp_path):
    page = phone_page
    community = RegionFactory(name="花果园社区")
    call = CompetitionFactory(title="2026年彩票公益金社区服务项目")

    # Sign up; the verification link comes by mail.
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "applicant@example.org")
    page.fill("input[name=password1]", "Long-pass-phrase-2026")
    page.fill("input[name=password2]", "Long-pass-phrase-2026")
    screenshot(page, "01-sign-up")
    click_main_submit(page)
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    click_main_submit(page, "Confirm")

    page.goto("/accounts/login/")
    page.fill("input[name=login]", "applicant@example.org")
    page.fill("input[name=password]", "Long-pass-phrase-2026")
    click_main_submit(page)
    assert page.url.endswith("/portal/")

    # The organization.
    page.click("text=Add an organization")
    page.fill("#id_name", "花果园邻里互助会")
    page.select_option("#id_registration_status", "registered")
    page.fill("#id_credit_code", credit_code(4242).lower())
    page.select_option("#id_category", "community_service")
    page.select_option("#id_community", str(community.pk))
    page.fill("#id_head_name", "王芳")
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_contact_phone", "13812345678")
    screenshot(page, "02-organization")
    click_main_submit(page, "Save")
    assert "is created" in page.content()

    # Apply to the open call.
    page.goto("/portal/")
    screenshot(page, "03-portal")
    page.click(f"text=Apply")
    page.fill("#id_title", "空巢老人上门探访与助餐")
    click_main_submit(page, "Start the application")
    app = Application.objects.get()

    page.fill("#id_summary", "为花果园社区80岁以上空巢老人提供每周上门探访和助餐服务。")
    click_main_submit(page, "Save and continue")

    page.select_option("#id_service_area", "elderly")
    page.fill("#id_target_groups", "空巢、高龄老人")
    # Autosave: leave the field, wait for "Saved", reload: it is still there.
    page.locator("#id_target_groups").blur()
    page.wait_for_selector("#autosave-target_groups:has-text('Saved')")
    page.reload()
    assert page.input_value("#id_target_groups") == "空巢、高龄老人"
    page.fill("#id_beneficiaries", "120")
    click_main_submit(page, "Save and continue")

    page.fill("#id_place", "花果园社区服务站")
    page.fill("#id_start_date", "2027-01-01")
    page.fill("#id_end_date", "2027-12-31")
    click_main_submit(page, "Save and continue")

    page.fill("#id_requested_amount", "50000")
    page.select_option("#id_lines-0-category", "activities")
    page.fill("#id_lines-0-item", "助餐服务")
    page.fill("#id_lines-0-amount", "46000")
    page.select_option("#id_lines-1-category", "admin")
    page.fill("#id_lines-1-item", "项目管理")
    page.fill("#id_lines-1-amount", "4000")
    # The total follows the typing, before any save.
    assert page.text_content("#budget-total") == "50000.00"
    screenshot(page, "04-budget")
    click_main_submit(page, "Save and continue")
    assert [line.item for line in app.budget_lines.all()] == ["助餐服务", "项目管理"]

    page.fill("#id_goals", "减少老人孤独感，保障营养。")
    page.fill("#id_indicators", "上门探访：2400人次")
    click_main_submit(page, "Save and continue")
    page.fill("#id_team", "社工2名，志愿者20名。")
    click_main_submit(page, "Save and continue")

    annex = tmp_path / "项目方案.pdf"
    annex.write_bytes(PDF)
    page.set_input_files("#id_file", str(annex))
    click_main_submit(page, "Upload")
    assert "项目方案.pdf" in page.content()

    page.click("text=Review and submit")
    assert "Nothing blocks submission" in page.content()
    screenshot(page, "05-review-and-submit")
    page.click("main button:has-text('Submit the application')")
    # Submitting cannot be undone: a dialog says what will happen, and confirming sends the form.
    dialog = page.locator("dialog#confirm-submit")
    assert dialog.is_visible() and "can no longer be changed" in dialog.text_content()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Yes, submit the application").click()

    app = Application.objects.get()
    assert app.status == "submitted"
    assert page.text_content("#reference") == app.reference
    assert SubmittedDocument.objects.filter(application=app).exists()
    screenshot(page, "06-receipt")

    # The same pages in Chinese (the site's default language).
    with page.expect_navigation():
        page.locator('header .lang a[lang="zh-hans"]').click()
    assert app.reference in page.content()
    screenshot(page, "07-receipt-zh-hans")
    page.goto(f"/portal/applications/{app.pk}/")
    screenshot(page, "08-status-zh-hans")
