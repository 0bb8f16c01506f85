"""The cultivation targets by county, checked against figures worked out by hand."""

from decimal import Decimal

import pytest

from applications.cultivation import county_figures
from applications.models import Organization
from competitions.models import Region
from tests.factories import OrganizationFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _county(code, *, urban, rural=0, organizations_urban=0, organizations_rural=0, parent):
    county = RegionFactory(code=code, name=f"县{code}", level=Region.Level.COUNTY, parent=parent)
    street = RegionFactory(code=f"{code}S", level=Region.Level.STREET, parent=county)
    urban_c = [RegionFactory(code=f"{code}U{i}", parent=street) for i in range(urban)]
    rural_c = [RegionFactory(code=f"{code}R{i}", parent=street, is_rural=True) for i in range(rural)]
    orgs = [OrganizationFactory.build(community=urban_c[i % urban]) for i in range(organizations_urban)]
    orgs += [OrganizationFactory.build(community=rural_c[i % rural]) for i in range(organizations_rural)]
    Organization.objects.bulk_create(orgs)
    return county


def test_ten_point_zero_meets_the_target_and_nine_point_nine_nine_does_not(django_assert_num_queries):
    province = RegionFactory(code="P", level=Region.Level.PROVINCE)
    city = RegionFactory(code="C", level=Region.Level.CITY, parent=province)
    # By hand: 30 organizations / 3 urban communities = 10.00 → meets; 10 / 2 rural = 5.00 → meets.
    _county("A", urban=3, organizations_urban=30, rural=2, organizations_rural=10, parent=city)
    # By hand: 999 / 100 urban communities = 9.99 → below.
    _county("B", urban=100, organizations_urban=999, parent=city)
    # By hand: 4 / 1 rural community = 4.00 → below the rural 5.
    _county("D", urban=0, rural=1, organizations_rural=4, parent=city)
    with django_assert_num_queries(3):  # counties, communities per county, organizations per county
        rows = {f.county.code: f for f in county_figures(region=city)}
    assert (rows["A"].urban_average, rows["A"].rural_average, rows["A"].meets_target) == (Decimal("10.00"), Decimal("5.00"), True)
    assert (rows["B"].urban_average, rows["B"].rural_average, rows["B"].meets_target) == (Decimal("9.99"), None, False)
    assert (rows["D"].urban_average, rows["D"].rural_average, rows["D"].meets_target) == (None, Decimal("4.00"), False)
    assert rows["B"].urban_communities == 100 and rows["B"].urban_organizations == 999


@pytest.mark.parametrize("organizations", [10, 200])
def test_the_query_count_does_not_grow_with_organizations(organizations, django_assert_num_queries):
    province = RegionFactory(code="P", level=Region.Level.PROVINCE)
    for code in ("E", "F"):
        _county(code, urban=2, rural=2, organizations_urban=organizations, organizations_rural=organizations,
                parent=province)
    with django_assert_num_queries(3):
        assert len(county_figures(region=None)) == 2


def test_the_staff_dashboard_shows_their_own_counties_only(client):
    from tests.factories import BureauFactory, staff_with_admin

    province = RegionFactory(code="P", level=Region.Level.PROVINCE)
    mine = RegionFactory(code="CM", level=Region.Level.CITY, parent=province)
    theirs = RegionFactory(code="CT", level=Region.Level.CITY, parent=province)
    _county("MINE", urban=100, organizations_urban=999, parent=mine)
    _county("THEIRS", urban=1, organizations_urban=10, parent=theirs)
    client.force_login(staff_with_admin(bureau=BureauFactory(region=mine, level="city")))
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "县MINE" in page and "999 / 100 = 9.99" in page
    assert "县THEIRS" not in page
