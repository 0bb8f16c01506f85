"""The shipped region tree: Guizhou, its nine cities/prefectures, 贵安新区 and 88 counties."""

import json

import pytest
from django.core.management import call_command

from competitions.models import Region
from competitions.regions import FIXTURE, load_regions, read_fixture

pytestmark = pytest.mark.django_db

CITIES = {
    "5201": "贵阳市", "5202": "六盘水市", "5203": "遵义市", "5204": "安顺市", "5205": "毕节市",
    "5206": "铜仁市", "5223": "黔西南布依族苗族自治州", "5226": "黔东南苗族侗族自治州",
    "5227": "黔南布依族苗族自治州",
}


@pytest.fixture
def regions():
    # The data migration loads them, but a flushing (transactional) test may have emptied the table.
    load_regions()
    return {r.code: r for r in Region.objects.all()}


def test_fixture_is_well_formed():
    rows = read_fixture()
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    by_code = {row["code"]: row for row in rows}
    counties = [row for row in rows if row["level"] == Region.Level.COUNTY]
    assert len(counties) == 88
    for row in counties:
        assert len(row["code"]) == 6 and row["code"].isdigit()
        assert row["code"].startswith(row["parent"]), row  # a county's code starts with its city's
        assert by_code[row["parent"]]["level"] == Region.Level.CITY
    with open(FIXTURE, encoding="utf-8") as handle:
        assert "GA01" in " ".join(json.load(handle)["_comment"])


def test_province_cities_and_guian_new_area_are_present(regions):
    province = regions["52"]
    assert province.name == "贵州省" and province.level == Region.Level.PROVINCE and province.parent is None
    for code, name in CITIES.items():
        assert regions[code].name == name
        assert regions[code].parent == province
        assert regions[code].level == Region.Level.CITY
    guian = regions["GA01"]
    assert guian.name == "贵安新区" and guian.parent == province
    assert Region.objects.filter(level=Region.Level.COUNTY, path__startswith="52/").count() == 88


def test_counties_named_in_the_policy(regions):
    assert regions["520382"].name == "仁怀市" and regions["520382"].parent.code == "5203"
    assert regions["520526"].name == "威宁彝族回族苗族自治县" and regions["520526"].parent.code == "5205"
    guiyang = Region.objects.filter(parent__code="5201").values_list("name", flat=True)
    assert set(guiyang) == {"南明区", "云岩区", "花溪区", "乌当区", "白云区", "观山湖区", "开阳县", "息烽县", "修文县", "清镇市"}


def test_paths_and_is_within(regions):
    renhuai, zunyi, province = regions["520382"], regions["5203"], regions["52"]
    assert renhuai.path == "52/5203/520382"
    assert renhuai.is_within(zunyi) and renhuai.is_within(province) and renhuai.is_within(renhuai)
    assert not renhuai.is_within(regions["5201"])
    assert not zunyi.is_within(renhuai)
    # A community added under a county gets its path from save().
    street = Region.objects.create(code="520382T01", name="茅台镇", level=Region.Level.STREET, parent=renhuai)
    village = Region.objects.create(code="520382T0101", name="某村", level=Region.Level.COMMUNITY, parent=street,
                                    is_rural=True)
    assert village.path == "52/5203/520382/520382T01/520382T0101"
    assert village.is_within(zunyi) and not village.is_within(regions["5205"])


def test_loader_is_idempotent(regions):
    before = list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id", "path", "is_rural"))
    result = load_regions()
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(read_fixture()))
    after = list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id", "path", "is_rural"))
    assert after == before


def test_loader_repairs_an_edited_row_and_keeps_the_rest(regions):
    Region.objects.filter(code="520526").update(name="威宁县")
    result = load_regions()
    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get(code="520526").name == "威宁彝族回族苗族自治县"


def test_loader_fills_an_empty_table():
    for level in sorted(Region.Level.values, reverse=True):  # children first: parent is PROTECT
        Region.objects.filter(level=level).delete()
    result = load_regions()
    assert result.created == 1 + 10 + 88
    assert Region.objects.count() == 99


def test_load_regions_command(regions, capsys):
    call_command("load_regions")
    assert "0 created, 0 updated, 99 unchanged" in capsys.readouterr().out
