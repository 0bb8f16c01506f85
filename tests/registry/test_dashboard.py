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
