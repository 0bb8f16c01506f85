"""The essential path works with JavaScript off: sign in, fill a section, save, submit, receipt."""

import pytest

from applications.models import Application
from tests.factories import ApplicationFactory, member_of
from tests.portal.conftest import verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fill_save_and_submit_without_javascript(new_phone_page):
    page = new_phone_page(java_script_enabled=False)
    app = ApplicationFactory(summary="")
    user = verified(member_of(app.organization, user__email="nojs@example.org"))
    user.set_password("Long-pass-phrase-2026")
    user.save()

    page.goto("/accounts/login/")
    page.fill("input[name=login]", "nojs@example.org")
    page.fill("input[name=password]", "Long-pass-phrase-2026")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()

    page.goto(f"/portal/applications/{app.pk}/")
    assert "Fill in before submitting" in page.content()
    page.click("text=Fix this")
    page.fill("#id_summary", "没有脚本也能保存的摘要。")
    with page.expect_navigation():
        page.click("main button[name=save]")
    assert "Saved." in page.content()
    page.reload()
    assert page.input_value("#id_summary") == "没有脚本也能保存的摘要。"

    page.goto(f"/portal/applications/{app.pk}/")
    with page.expect_navigation():
        page.click("main button:has-text('Submit the application')")
    # Without JavaScript the server asks on a page of its own before it submits.
    assert "Submit the application?" in page.content()
    assert Application.objects.get(pk=app.pk).status == "draft"
    with page.expect_navigation():
        page.click("main button:has-text('Yes, submit the application')")
    app = Application.objects.get(pk=app.pk)
    assert app.status == "submitted"
    assert page.text_content("#reference") == app.reference
