"""Search that reads Chinese: 38 queries a visitor would type (a two-character word inside a name,
a full name, a long phrase without spaces, a reference number, a credit code, an organization's
name in pinyin or its initials), each with the records it must find. Prints the recall; every
expected hit must be found."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, Status
from cms import search as site_search
from cms.models import NewsIndexPage, NewsPage, OrganizationDirectoryPage
from tests.factories import ApplicationFactory, CompetitionFactory, OrganizationFactory

from .conftest import add_call_page

pytestmark = pytest.mark.django_db

PROJECTS = {
    "neighbours": ("邻里守望互助计划", "组织志愿者为独居老人提供上门探访、代购和陪诊服务。"),
    "kitchen": ("社区长者食堂助餐服务", "为八十岁以上老人提供每日午餐，并为行动不便者送餐上门。"),
    "reading": ("书香邻里亲子阅读", "每周末在社区图书角开展亲子共读和绘本讲故事活动。"),
    "disabled": ("助残康复托养服务", "为重度残疾人提供日间照料、康复训练和就业辅导。"),
    "orphans": ("困境儿童关爱成长营", "为留守儿童和孤儿提供课后辅导、心理陪伴和营养早餐。"),
    "farming": ("茶园种植技术培训", "邀请农技专家为茶农讲授绿色种植与病虫害防治。"),
}
ORGS = {
    "huaxi": "花溪区山王庙村乡村振兴促进会",
    "sunny": "阳光社区志愿者协会",
    "dance": "青岩古镇广场舞文艺队",
    "elder": "长寿老年人互助会",
}
PAGES = {
    "call": "2026年彩票公益金社区养老服务项目申报指南",
    "news": "社区公益创投培训会在贵阳举行",
}


@pytest.fixture
def site(home, call_index):
    records = {}
    orgs = {key: OrganizationFactory(name=name) for key, name in ORGS.items()}
    records.update({f"org:{key}": org.name for key, org in orgs.items()})
    call = CompetitionFactory(title=PAGES["call"])
    owners = [orgs["sunny"], orgs["elder"], orgs["dance"], orgs["huaxi"], orgs["sunny"], orgs["huaxi"]]
    for number, ((key, (title, summary)), org) in enumerate(zip(PROJECTS.items(), owners), start=1):
        app = ApplicationFactory(title=title, summary=summary, organization=org, competition=CompetitionFactory(), lines=False)
        reference = f"GZ-2026-LF-{number:04d}"
        Application.objects.filter(pk=app.pk).update(status=Status.AWARDED, awarded_amount=Decimal("30000"), reference=reference)
        records[f"project:{key}"] = title
        records[f"ref:{key}"] = reference
    records["draft"] = ApplicationFactory(title="邻里守望草稿项目", lines=False).title  # never public
    add_call_page(call_index, call, intro="<p>重点支持扶老、助残、救孤、济困项目。</p>")
    news_index = NewsIndexPage(title="新闻", slug="news")
    home.add_child(instance=news_index)
    news_index.add_child(instance=NewsPage(title=PAGES["news"], slug="training", intro="培训社会组织负责人六十余人"))
    home.add_child(instance=OrganizationDirectoryPage(title="社区社会组织名录", slug="directory"))
    records["org-code:sunny"] = orgs["sunny"].credit_code
    return records


# (query, titles that must be among the hits)
QUERIES = [
    ("邻里", ["邻里守望互助计划", "书香邻里亲子阅读"]),
    ("守望", ["邻里守望互助计划"]),
    ("互助", ["邻里守望互助计划", "长寿老年人互助会"]),
    ("邻里互助项目", ["邻里守望互助计划"]),
    ("独居老人", ["邻里守望互助计划"]),
    ("食堂", ["社区长者食堂助餐服务"]),
    ("助餐", ["社区长者食堂助餐服务"]),
    ("老人送餐", ["社区长者食堂助餐服务"]),
    ("亲子阅读", ["书香邻里亲子阅读"]),
    ("绘本", ["书香邻里亲子阅读"]),
    ("残疾人康复", ["助残康复托养服务"]),
    ("助残", ["助残康复托养服务", PAGES["call"]]),
    ("留守儿童", ["困境儿童关爱成长营"]),
    ("孤儿", ["困境儿童关爱成长营"]),
    ("茶园", ["茶园种植技术培训"]),
    ("病虫害防治", ["茶园种植技术培训"]),
    ("花溪", [ORGS["huaxi"]]),
    ("山王庙", [ORGS["huaxi"]]),
    ("乡村振兴", [ORGS["huaxi"]]),
    ("花溪区山王庙村乡村振兴促进会", [ORGS["huaxi"]]),
    ("阳光", [ORGS["sunny"]]),
    ("志愿者协会", [ORGS["sunny"]]),
    ("广场舞", [ORGS["dance"]]),
    ("青岩古镇", [ORGS["dance"]]),
    ("老年人", [ORGS["elder"]]),
    ("养老服务", [PAGES["call"]]),
    ("申报指南", [PAGES["call"]]),
    ("公益创投", [PAGES["news"]]),
    ("培训会", [PAGES["news"]]),
    ("ref:kitchen", ["社区长者食堂助餐服务"]),
    ("ref:farming", ["茶园种植技术培训"]),
    ("org-code:sunny", [ORGS["sunny"]]),
    # An organization by the pinyin of its name: the initials (whole, a part, in capitals), the full
    # pinyin run together or with spaces.
    ("ygsqzyzxh", [ORGS["sunny"]]),
    ("hxq", [ORGS["huaxi"]]),
    ("gcw", [ORGS["dance"]]),
    ("QYGZ", [ORGS["dance"]]),
    ("changshou", [ORGS["elder"]]),
    ("yangguang shequ", [ORGS["sunny"]]),
]


def test_the_queries_find_what_a_visitor_looks_for(site, capsys):
    expected = found = 0
    misses = []
    for query, titles in QUERIES:
        if query.startswith(("ref:", "org-code:")):
            query = site[query]
        hits = [hit.title for kind_hits in site_search.search(query).values() for hit in kind_hits]
        for title in titles:
            expected += 1
            if title in hits:
                found += 1
            else:
                misses.append((query, title, hits[:5]))
        assert "邻里守望草稿项目" not in hits  # a draft is not public
    with capsys.disabled():
        print(f"\nsearch recall: {found}/{expected} = {found / expected:.1%} over {len(QUERIES)} queries")
    assert len(QUERIES) >= 30
    assert misses == []


def test_pinyin_finds_organizations_and_nothing_else(site):
    hits = site_search.search("ygsqzyzxh")
    assert [hit.title for hit in hits["organizations"]] == [ORGS["sunny"]]
    assert set(hits) == {"organizations"}
    assert site_search.search("hxqswmc")["organizations"][0].title == ORGS["huaxi"]
    assert site_search.search("zzqqxx") == {}
    assert site_search.pinyin_query("lin li") == "linli" and site_search.pinyin_query("GZ-2026") == ""
    assert site_search.pinyin_query("邻里 ll") == "" and site_search.pinyin_query("l") == ""


def test_the_initials_follow_a_renamed_organization(db):
    from applications.models import Organization

    org = OrganizationFactory(name="邻里帮助服务中心")
    assert org.name_initials == "llbzfwzx"
    org.name = "阳光助残服务社"
    org.save(update_fields=["name"])
    assert Organization.objects.get(pk=org.pk).name_initials == "ygzcfws"


def test_results_are_grouped_by_kind_marked_and_paginated(client, site):
    page = client.get("/search/", {"q": "邻里互助"}).content.decode()
    assert "Funded projects" in page and "Organizations" in page
    assert "<mark>邻里</mark>守望<mark>互助</mark>计划" in page
    assert "/projects/" in page  # a funded project links to its public page

    for i in range(25):
        app = ApplicationFactory(title=f"邻里互助项目{i}", competition=CompetitionFactory(), lines=False)
        Application.objects.filter(pk=app.pk).update(status=Status.COMPLETED, reference=f"GZ-2026-LF-{100 + i:04d}")
    total = len(site_search.search("邻里互助")["projects"])
    assert total > 25
    first = client.get("/search/", {"q": "邻里互助", "kind": "projects"}).content.decode()
    second = client.get("/search/", {"q": "邻里互助", "kind": "projects", "page": 2}).content.decode()
    assert first.count('class="card search-hit"') == 20 and second.count('class="card search-hit"') == total - 20


def test_the_query_is_escaped_and_bad_input_is_harmless(client, site):
    page = client.get("/search/", {"q": "<script>alert(1)</script>邻里"})
    assert page.status_code == 200 and "<script>alert(1)" not in page.content.decode()
    assert client.get("/search/", {"q": "x" * 500}).status_code == 200
    assert client.get("/search/", {"q": "邻里", "kind": "nope", "page": "abc"}).status_code == 200
    assert "Nothing found for “zzqqxx”" in client.get("/search/", {"q": "zzqqxx"}).content.decode()


def test_the_search_query_count_does_not_grow_with_rows(client, site, settings):
    settings.PAGE_CACHE_ENABLED = False  # count the search itself, not the storing of a cached page

    def count():
        client.get("/search/", {"q": "邻里", "kind": "projects"})  # the site menu, rebuilt after a change, is cached again
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/search/", {"q": "邻里", "kind": "projects"}).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(30):
        app = ApplicationFactory(title=f"邻里项目{i}", competition=CompetitionFactory(), lines=False)
        Application.objects.filter(pk=app.pk).update(status=Status.AWARDED, reference=f"GZ-2026-LF-{200 + i:04d}")
    assert count() == before
