"""The cultivation dashboard, its XLSX, the annual report PDF and the public figures, checked
against figures worked out by hand on one fixed data set.

The data set: city 甲市 with 县A (30 organizations in 3 urban communities: exactly 10.00) and 县B
(999 in 100: 9.99, below); city 乙市 with 县D (4 in 1 rural community: 4.00, below the rural 5).
In 县A also an unverified and an unregistered organization, which the target does not count.
Money (2026 lottery-fund call, rural minimum 30%): 县A 扶老 requested 60,000, awarded 50,000, paid
20,000 (100 people planned, 120 reported); 县D (rural) 济困 30,000 awarded 30,000 (50 planned);
县B 助残 requested 40,000, not awarded; a draft in 县B asks 99,999 (not counted). 2025 contest:
县B 文化教育 20,000 awarded.
"""

import io
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from applications.figures import cultivation_figures
from applications.models import AnnualReport, Disbursement, Organization, Report, Status
from competitions.models import FundSource, Region, RegistrationStatus, ServiceArea
from tests.factories import (
    BureauFactory,
    CompetitionFactory,
    OrganizationFactory,
    RegionFactory,
    application_in,
    staff_with_admin,
)
from tests.registry.test_cultivation import _county

pytestmark = pytest.mark.django_db
URL = "/admin/cultivation/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _org(code):
    return Organization.objects.filter(community__code=code).order_by("pk").first()


@pytest.fixture
def world():
    province = RegionFactory(code="P", name="省", level=Region.Level.PROVINCE)
    city = RegionFactory(code="C1", name="甲市", level=Region.Level.CITY, parent=province)
    other_city = RegionFactory(code="C2", name="乙市", level=Region.Level.CITY, parent=province)
    _county("A", urban=3, organizations_urban=30, parent=city)
    _county("B", urban=100, organizations_urban=999, parent=city)
    _county("D", urban=0, rural=1, organizations_rural=4, parent=other_city)
    a0 = Region.objects.get(code="AU0")
    OrganizationFactory(community=a0, verified_at=None, head_name="赵不计")
    OrganizationFactory(community=a0, registration_status=RegistrationStatus.UNREGISTERED, credit_code=None)
    bureaus = {
        "province": BureauFactory(region=province, level="province"),
        "city": BureauFactory(region=city, level="city"),
        "other": BureauFactory(region=other_city, level="city"),
    }
    call = CompetitionFactory(bureau=bureaus["province"], year=2026, rural_min_share=Decimal("30"))
    a, b, d = _org("AU0"), _org("BU0"), _org("DR0")
    app1 = application_in(Status.AWARDED, competition=call, organization=a, requested_amount=60000,
                          awarded_amount=50000, service_area=ServiceArea.ELDERLY, beneficiaries=100)
    application_in(Status.CONTRACTED, competition=call, organization=d, requested_amount=30000,
                   awarded_amount=30000, service_area=ServiceArea.POVERTY, beneficiaries=50)
    application_in(Status.SUBMITTED, competition=call, organization=b, requested_amount=40000,
                   service_area=ServiceArea.DISABILITY)
    application_in("draft", competition=CompetitionFactory(bureau=bureaus["city"], year=2026), organization=b,
                   requested_amount=99999, service_area=ServiceArea.DISABILITY)
    contest = CompetitionFactory(bureau=bureaus["province"], year=2025, fund_source=FundSource.VENTURE_CONTEST)
    application_in(Status.AWARDED, competition=contest, organization=b, requested_amount=20000, awarded_amount=20000,
                   service_area=ServiceArea.CULTURE_EDUCATION, beneficiaries=10)
    Disbursement.objects.create(application=app1, position=0, trigger="contract", amount=20000, state="paid",
                                paid_on=timezone.localdate(), voucher="PZ-1")
    Disbursement.objects.create(application=app1, position=1, trigger="final", amount=30000)
    Report.objects.create(application=app1, kind="final", due_date=timezone.localdate(), state="accepted",
                          beneficiaries_reached=120)
    return {"city": city, "bureaus": bureaus, "call": call}


def _rows(figures, key):
    return figures.table(key).rows


def test_the_figures_match_the_hand_computed_ones(world):
    figures = cultivation_figures(region=None, year=2026)
    counties = {r[0]: r for r in _rows(figures, "counties")}
    # county, city, urban communities, organizations, average, rural communities, organizations, average, met
    assert counties["县A"] == ["县A", "甲市", 3, 30, Decimal("10.00"), 0, 0, None, True]
    assert counties["县B"] == ["县B", "甲市", 100, 999, Decimal("9.99"), 0, 0, None, False]
    assert counties["县D"] == ["县D", "乙市", 0, 0, None, 1, 4, Decimal("4.00"), False]
    cities = {r[0]: r for r in _rows(figures, "cities")}
    assert cities["甲市"][1:] == [103, 1029, Decimal("9.99"), 0, 0, None, False]  # 1029 / 103 = 9.990…
    assert figures.totals["communities_below"] == 2  # one of 县B (9), the one of 县D (4)
    by_area = {r[0]: r[1:] for r in _rows(figures, "service_area")}
    assert by_area["Support for the elderly"] == [Decimal("60000"), Decimal("50000"), Decimal("20000")]
    assert by_area["Support for people with disabilities"] == [Decimal("40000"), Decimal("0"), Decimal("0")]
    assert by_area["Relief of hardship"] == [Decimal("30000"), Decimal("30000"), Decimal("0")]
    by_county = {r[0]: r[1:] for r in _rows(figures, "county_funds")}
    assert by_county == {"县A": [60000, 50000, 20000], "县B": [40000, 0, 0], "县D": [30000, 30000, 0]}
    assert _rows(figures, "rural_share") == [[world["call"].title, 2026, Decimal("80000"), Decimal("30000"),
                                              Decimal("37.5"), Decimal("30.00"), True]]
    assert _rows(figures, "beneficiaries") == [["Support for the elderly", 100, 120], ["Relief of hardship", 50, 0]]
    totals = figures.totals
    assert (totals["requested"], totals["awarded"], totals["paid"], totals["rural_share"]) == (
        Decimal("130000"), Decimal("80000"), Decimal("20000"), Decimal("37.5"))
    # Counted: registered or filed and verified (the unverified and the unregistered one are not).
    assert totals["organizations"] == 30 + 999 + 4
    statuses = {r[0]: r[1] for r in _rows(figures, "statuses")}
    assert statuses["Registered with civil affairs"] == 30 + 999 + 4 + 1 and statuses["Not registered"] == 1
    every_year = cultivation_figures(region=None, year=None)
    assert {r[0]: r[1:] for r in _rows(every_year, "year_funds")} == {
        "2025": [20000, 20000, 0], "2026": [130000, 80000, 20000]}


def test_communities_below_target_are_listed_with_their_count(world):
    below = _rows(cultivation_figures(region=None), "below")
    # 999 organizations over 100 communities of 县B, given in turn: 99 have 10, the last has 9.
    names = {code: Region.objects.get(code=code).name for code in ("BU99", "BS", "DR0", "DS")}
    assert below == [[names["BU99"], names["BS"], "县B", "Urban", 9, 10], [names["DR0"], names["DS"], "县D", "Rural", 4, 5]]


# ----- the back-office page, scoping and query counts ----------------------------------------------


def test_city_staff_see_their_counties_only_and_cannot_filter_their_way_out(world, client):
    client.force_login(staff_with_admin(bureau=world["bureaus"]["city"]))
    page = client.get(URL, {"year": 2026}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "县A" in text and "县B" in text and "9.99" in text and "10.00" in text
    assert "县D" not in text and "乙市" not in text
    assert "<svg" in text and "60,000.00" in text  # a chart, and the money beside it
    assert client.get(URL, {"region": "D"}).context["region"] == world["city"]  # another city's county: ignored
    narrowed = client.get(URL, {"region": "A"}).context["figures"]
    assert [row[0] for row in narrowed.table("counties").rows] == ["县A"]


def test_the_province_sees_every_county(world, client):
    client.force_login(staff_with_admin(bureau=world["bureaus"]["province"]))
    text = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "县A" in text and "县B" in text and "县D" in text


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"year": 2026}).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_organizations(world, client):
    client.force_login(staff_with_admin(bureau=world["bureaus"]["province"]))
    with CaptureQueriesContext(connection) as figures_queries:
        cultivation_figures(region=None, year=2026)
    before = _queries(client)
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY))
    Organization.objects.bulk_create([OrganizationFactory.build(community=communities[i % len(communities)])
                                      for i in range(300)])
    assert _queries(client) == before
    with CaptureQueriesContext(connection) as again:
        cultivation_figures(region=None, year=2026)
    assert len(again) == len(figures_queries) <= 12


def test_every_table_downloads_as_xlsx_with_its_rows(world, client):
    Region.objects.filter(code="B").update(name="=HYPERLINK(\"http://x\")")  # a formula in a name stays text
    client.force_login(staff_with_admin(bureau=world["bureaus"]["city"]))
    response = client.get(URL + "export.xlsx", {"table": "counties", "year": 2026})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["County or district", "City or prefecture", "Urban communities", "Organizations in them", "Per urban community"]
    assert rows[1] == ["县A", "甲市", 3, 30, 10, 0, 0, None, "yes"]
    assert rows[2] == ["'=HYPERLINK(\"http://x\")", "甲市", 100, 999, 9.99, 0, 0, None, "below target"]
    assert len(rows) == 3
    workbook = load_workbook(io.BytesIO(client.get(URL + "export.xlsx").content))
    assert len(workbook.sheetnames) == len(cultivation_figures().tables)
    assert client.get(URL + "export.xlsx", {"table": "nonsense"}).status_code == 404


# ----- the annual report ---------------------------------------------------------------------------


def _pdf_text(data, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return text, fonts


def test_a_clerk_generates_the_annual_report_and_only_their_bureau_downloads_it(
        world, client, tmp_path, django_capture_on_commit_callbacks):
    clerk = staff_with_admin(bureau=world["bureaus"]["city"])
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL + "reports/", {"year": 2026})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 200
    report = AnnualReport.objects.get()
    assert (report.bureau, report.year, report.requested_by) == (world["bureaus"]["city"], 2026, clerk)
    assert report.file and report.generated_at  # rendered by the (eager) worker task after commit
    assert f"/admin/cultivation/reports/{report.pk}.pdf" in response.content.decode()
    download = client.get(f"/admin/cultivation/reports/{report.pk}.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text, fonts = _pdf_text(b"".join(download.streaming_content), tmp_path)
    flat = text.replace(" ", "")
    assert "年度社区社会组织培育发展情况报告" in flat and "2026" in flat
    assert "县A" in flat and "县B" in flat and "9.99" in flat and "10.00" in flat and "县D" not in flat
    assert "未达标" in flat  # the communities below target, in Chinese
    assert world["call"].title in flat  # the awarded project's call
    assert "50,000.00" in flat
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts  # every font embedded
    assert "Noto-Sans-CJK-SC" in fonts and "Type 3" not in fonts
    client.force_login(staff_with_admin(bureau=world["bureaus"]["other"]))
    assert client.get(f"/admin/cultivation/reports/{report.pk}.pdf").status_code == 404
    client.force_login(staff_with_admin(bureau=world["bureaus"]["province"]))
    assert client.get(f"/admin/cultivation/reports/{report.pk}.pdf").status_code == 404  # not the province's own


def test_rendering_twice_keeps_the_first_file(world, django_capture_on_commit_callbacks):
    from applications.pdf import annual_report_render
    from applications.tasks import request_annual_report

    with django_capture_on_commit_callbacks(execute=True):
        report = request_annual_report(bureau=world["bureaus"]["city"], year=2026, actor=None)
    report.refresh_from_db()
    first = report.file.name
    assert annual_report_render(report_id=report.pk).file.name == first


# ----- the public figures --------------------------------------------------------------------------


def test_the_public_page_and_open_data_show_aggregates_without_personal_data(world, client):
    page = client.get("/figures/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "县A" in text and "9.99" in text and "<svg" in text and "37.5%" in text
    assert "<style" not in text  # the public site's Content-Security-Policy refuses inline styles: cms.css has them
    data = client.get("/open-data/figures.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["targets"] == {"perUrbanCommunity": 10, "perRuralCommunity": 5}
    assert data["totals"]["ruralShare"] == 30 and data["totals"]["amountAwarded"] == 100000  # 30,000 of 100,000
    tables = {t["key"]: t for t in data["tables"]}
    assert set(tables) == {"cities", "counties", "service_area", "city_funds", "rural_share"}
    assert ["县B", "甲市", 100, 999, 9.99, 0, 0, None, "below target"] in tables["counties"]["rows"]
    everything = text + page.content.decode() + str(data)
    for personal in ("张三", "李四", "13800000000", "赵不计", "测试社区服务中心"):  # heads, contacts, organization names
        assert personal not in everything


def test_a_county_without_communities_of_a_kind_has_a_dash_in_the_chart_not_none(world, client):
    """县D has no urban communities and 县A, 县B no rural ones: no bar and a dash, as in the table."""
    text = client.get("/figures/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    charts = text[text.index('id="table-counties"'):text.index('id="table-service_area"')]
    assert "<svg" in charts and ">—</text>" in charts
    assert "None" not in charts


def test_the_public_figures_are_cached_and_fresh_after_a_change(world, client, settings):
    settings.PAGE_CACHE_ENABLED = True
    first = client.get("/open-data/figures.json", HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/open-data/figures.json", HTTP_ACCEPT_LANGUAGE="en")["X-Page-Cache"] == "hit"
    OrganizationFactory(community=Region.objects.get(code="BU99"))  # 县B reaches 10.00
    fresh = client.get("/open-data/figures.json", HTTP_ACCEPT_LANGUAGE="en")
    assert fresh["X-Page-Cache"] == "miss" and fresh.json() != first.json()
    counties = {r[0]: r for r in {t["key"]: t for t in fresh.json()["tables"]}["counties"]["rows"]}
    assert counties["县B"][4] == 10.0 and counties["县B"][-1] == "yes"


def test_a_report_whose_task_was_lost_is_rendered_by_the_backstop_job(world):
    from applications.jobs import requeue_missing_work

    lost = AnnualReport.objects.create(bureau=world["bureaus"]["city"], year=2026)  # the broker was down at commit
    assert requeue_missing_work(older_than_minutes=0)["annual_reports"] == 1
    lost.refresh_from_db()
    assert lost.file and lost.generated_at
    assert requeue_missing_work(older_than_minutes=0)["annual_reports"] == 0
