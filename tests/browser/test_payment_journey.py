"""A clerk on a phone pays the first tranche of a project, in Chinese, and a visitor sees the payment
on the project's public page: both read it from the project's audit chain."""

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from applications.models import Disbursement, TransitionLog
from tests.cms.conftest import admin_staff
from tests.postaward.conftest import contracted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Written to docs/screenshots only with SAVE_SCREENSHOTS=1 (a test run leaves the tree as it was).
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("SAVE_SCREENSHOTS")
               else Path(tempfile.mkdtemp(prefix="screenshots-")))


def _phone(browser, live_server, user=None):
    context = browser.new_context(viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": "zh-hans"})
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context


def test_a_clerk_pays_a_tranche_on_a_phone_and_the_public_page_shows_it(live_server, browser):
    project = contracted()
    clerk = admin_staff(project.competition.bureau, full_name="李会计")
    first = project.disbursements.get(position=0)

    context = _phone(browser, live_server, clerk)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/postaward/projects/{project.pk}/")
    page.get_by_role("button", name="审批").first.click()
    page.wait_for_load_state()
    assert "已审批" in page.content()

    # The date and voucher fields sit within the phone's screen, at a size a thumb can use.
    for name in ("paid_on", "voucher"):
        box = page.locator(f"input[name={name}]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 30, (name, box)
    # A payment without a voucher number is refused by the browser before it is sent; then with one.
    page.fill("input[name=voucher]", "PZ-2026-031")
    page.get_by_role("button", name="登记拨付").click()
    page.wait_for_load_state()
    # A payment cannot be undone: the next page says what will be recorded, and only then it is.
    assert "确认登记这笔拨付？" in page.content() and "PZ-2026-031" in page.content()
    page.get_by_role("button", name="确认登记拨付").click()
    page.wait_for_load_state()
    text = page.content()
    assert "拨付记录（取自审计日志）" in text and "PZ-2026-031" in text and "李会计" in text
    page.screenshot(path=str(SCREENSHOTS / "staff-payment-history-phone.png"), full_page=True)
    context.close()

    first.refresh_from_db()
    assert first.state == Disbursement.State.PAID
    assert TransitionLog.objects.filter(subject="disbursement", subject_id=first.pk, actor=clerk).count() == 2

    visitor = _phone(browser, live_server)
    page = visitor.new_page()
    page.goto(f"{live_server.url}/projects/{project.reference}/")
    text = page.content()
    assert "拨付记录" in text and "20,000.00" in text
    assert "PZ-2026-031" not in text and "李会计" not in text  # the office's details stay in the office
    page.screenshot(path=str(SCREENSHOTS / "public-payments-phone.png"), full_page=True)
    visitor.close()
