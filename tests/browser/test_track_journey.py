"""A resident on a phone follows an application with the numbers on its receipt (办件查询), in
Chinese, from the home page's menu, typing the code in lower case with a slip first."""

import os
import tempfile
from pathlib import Path

import pytest

from applications.models import Status
from tests.cms.conftest import home  # noqa: F401  (the fixture: a site with a home page)
from tests.factories import application_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Written to docs/screenshots only with SAVE_SCREENSHOTS=1 (a test run leaves the tree as it was).
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("SAVE_SCREENSHOTS")
               else Path(tempfile.mkdtemp(prefix="screenshots-")))


def test_a_resident_follows_a_case_from_the_menu(live_server, browser, home):
    app = application_in_state(Status.RETURNED)
    context = browser.new_context(viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": "zh-hans"})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="办件查询").click()
    page.fill("#id_reference", app.reference)
    page.fill("#id_code", "WRONG123")  # a slip
    page.get_by_role("button", name="查询").click()
    assert "未查到与这些编号对应的事项" in page.content()
    assert page.input_value("#id_reference") == app.reference  # what was typed is kept
    page.fill("#id_code", app.tracking_code.lower())
    page.get_by_role("button", name="查询").click()
    text = page.content()
    assert "当前进度: 退回补正" in text or "当前进度：退回补正" in text
    page.screenshot(path=str(SCREENSHOTS / "track-phone.png"), full_page=True)
    context.close()


def test_a_reader_finds_an_organization_by_its_letter_on_a_phone(live_server, browser, home):
    from cms.models import OrganizationDirectoryPage
    from tests.factories import OrganizationFactory

    directory = OrganizationDirectoryPage(title="社区社会组织名录", slug="directory")
    home.add_child(instance=directory)
    for name in ("阿妹文艺队", "白云社区服务中心", "张家寨互助会", "赵庄文体队", "重庆路社区互助会", "长寿老人协会"):
        OrganizationFactory(name=name)
    context = browser.new_context(viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": "zh-hans"})
    page = context.new_page()
    page.goto(live_server.url + directory.url)
    page.get_by_role("link", name="Z", exact=True).click()
    text = page.content()
    assert "张家寨互助会" in text and "赵庄文体队" in text and "阿妹文艺队" not in text
    page.screenshot(path=str(SCREENSHOTS / "directory-phone.png"), full_page=True)
    context.close()


def test_a_visitor_searches_in_chinese_on_a_phone(live_server, browser, home):
    from decimal import Decimal

    from applications.models import Application
    from tests.factories import ApplicationFactory, CompetitionFactory, OrganizationFactory

    OrganizationFactory(name="邻里互助服务中心")
    for number, title in enumerate(["邻里守望互助计划", "书香邻里亲子阅读"], start=1):
        app = ApplicationFactory(title=title, competition=CompetitionFactory(), lines=False,
                                 summary="组织志愿者为独居老人提供上门探访。")
        Application.objects.filter(pk=app.pk).update(status=Status.AWARDED, awarded_amount=Decimal("30000"),
                                                     reference=f"GZ-2026-LF-{number:04d}")
    context = browser.new_context(viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": "zh-hans"})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="搜索").first.click()
    page.fill("input[name=q]", "邻里互助")
    page.get_by_role("button", name="搜索").click()
    text = page.content()
    assert "<mark>邻里</mark>守望<mark>互助</mark>计划" in text and "获资助项目" in text
    page.screenshot(path=str(SCREENSHOTS / "search-phone.png"), full_page=True)
    context.close()
