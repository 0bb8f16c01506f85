"""A clerk of a city bureau imports the registry file, reads the cultivation dashboard (in
Chinese) and downloads the annual report; screenshots of the dashboard on a desktop and a phone."""

import os
import tempfile
import csv
import io
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from applications.models import AnnualReport, Organization, Status
from competitions.models import Region
from tests.cms.conftest import admin_staff
from tests.factories import BureauFactory, CompetitionFactory, RegionFactory, application_in, credit_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Written to docs/screenshots only with SAVE_SCREENSHOTS=1 (a test run leaves the tree as it was).
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("SAVE_SCREENSHOTS")
               else Path(tempfile.mkdtemp(prefix="screenshots-")))
HEADER = ["名称", "统一社会信用代码或备案号", "类别", "社区", "登记状态", "日期", "负责人"]


def _context(browser, live_server, user, viewport):
    context = browser.new_context(viewport=viewport, extra_http_headers={"Accept-Language": "zh-hans"},
                                  accept_downloads=True)
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    context.set_default_timeout(30_000)
    return context


def _world():
    province = RegionFactory(code="52", name="贵州省", level=Region.Level.PROVINCE)
    city = RegionFactory(code="5201", name="贵阳市", level=Region.Level.CITY, parent=province)
    counties = {}
    for code, name in (("520102", "南明区"), ("520103", "云岩区")):
        county = RegionFactory(code=code, name=name, level=Region.Level.COUNTY, parent=city)
        street = RegionFactory(code=f"{code}D01", name=f"{name}街道", level=Region.Level.STREET, parent=county)
        counties[code] = [RegionFactory(code=f"{code}D01{n:02d}", name=f"{name}第{n}社区", parent=street) for n in (1, 2)]
    bureau = BureauFactory(name="贵阳市民政局", short_name="市民政局", region=city, level="city")
    call = CompetitionFactory(bureau=bureau, year=2026, title="2026年贵阳市彩票公益金社区项目")
    return bureau, call, counties


def _registry_file(tmp_path, counties):
    """20 organizations in 南明区's two communities (10.00: the target met) and 14 in 云岩区's (7.00: below)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    n = 0
    for code, count in (("520102", 20), ("520103", 14)):
        for i in range(count):
            n += 1
            community = counties[code][i % 2]
            writer.writerow([f"{community.name}互助会{i + 1}", credit_code(900 + n), "公益慈善和居民互助类",
                             community.code, "已登记", "2024-05-01", "王五"])
    path = tmp_path / "社区社会组织名录.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


def test_a_clerk_imports_the_registry_reads_the_dashboard_and_downloads_the_report(live_server, browser, tmp_path):
    bureau, call, counties = _world()
    clerk = admin_staff(bureau, full_name="李娟", language="zh-hans")
    context = _context(browser, live_server, clerk, {"width": 1280, "height": 900})
    page = context.new_page()

    page.goto(f"{live_server.url}/admin/registry/")
    page.set_input_files("input[name=file]", str(_registry_file(tmp_path, counties)))
    page.get_by_role("button", name="预览").click()
    page.wait_for_load_state()
    assert "新增 34 个" in page.locator("p[role=status]").inner_text()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    assert Organization.objects.count() == 34
    organization = Organization.objects.filter(community__parent__parent__code="520102").first()
    application_in(Status.AWARDED, competition=call, organization=organization, requested_amount=60000,
                   awarded_amount=50000, service_area="elderly", beneficiaries=80)

    page.goto(f"{live_server.url}/admin/cultivation/")
    text = page.content()
    counties_table = page.locator("#table-counties").inner_text()
    assert "南明区" in counties_table and "10.00" in counties_table
    assert "云岩区" in counties_table and "7.00" in counties_table and "未达标" in counties_table
    assert "50,000.00" in text  # the award, beside its chart
    assert page.locator("#table-counties svg.chart-wide").is_visible()
    assert not page.locator("#table-counties svg.chart-narrow").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "cultivation-desktop.png"), full_page=False)

    page.select_option("select[name=year]", "2026")
    page.get_by_role("button", name="生成年度报告").click()
    page.wait_for_load_state()
    report = AnnualReport.objects.get()
    assert report.file  # rendered by the (eager) task after the request's commit
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载（PDF）").click()
    download = download_info.value
    assert "年度社区社会组织培育发展情况报告" in download.suggested_filename
    pdf = tmp_path / "report.pdf"
    download.save_as(str(pdf))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace(" ", "")
    assert "2026年度社区社会组织培育发展情况报告" in flat and "云岩区" in flat and "未达标" in flat
    context.close()

    phone = _context(browser, live_server, clerk, {"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(f"{live_server.url}/admin/cultivation/")
    assert "南明区" in page.locator("#table-counties").inner_text()
    # On a phone the narrow drawing (labels above the bars) shows, whole within the screen.
    chart = page.locator("#table-counties svg.chart-narrow")
    assert chart.is_visible() and not page.locator("#table-counties svg.chart-wide").is_visible()
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(SCREENSHOTS / "cultivation-phone.png"), full_page=False)
    phone.close()

    # A visitor reads the same figures on the public site's phone page: each table is a table (its
    # headings side by side in one row, scrolling within its box), not squeezed into the site's
    # grid of figure cards, and the page itself no wider than the phone.
    visitor = browser.new_context(viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": "zh-hans"})
    page = visitor.new_page()
    page.goto(f"{live_server.url}/figures/")
    table = page.locator("#table-counties table")
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    tops = {round(box["y"]) for box in (th.bounding_box() for th in table.locator("thead th").all())}
    assert len(tops) == 1, f"the headings sit on {len(tops)} lines"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "figures-phone.png"), full_page=False)
    visitor.close()
