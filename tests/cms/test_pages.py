"""The public pages render from the data: home, calls, news, announcements, showcase, directory."""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from applications.models import Report, Status
from cms.models import (
    NewsIndexPage,
    NewsPage,
    OrganizationDirectoryPage,
    ResultsPage,
    ShowcasePage,
)
from competitions.models import RegistrationStatus
from tests.factories import CompetitionFactory, OrganizationFactory, RegionFactory, UserFactory, application_in_state

from .conftest import add_call_page

pytestmark = pytest.mark.django_db


def test_home_shows_open_calls_news_announcements_and_figures(client, home, call_index, publicity):
    open_call = CompetitionFactory(title="2026年扶老助残项目", total_budget=Decimal("800000"))
    add_call_page(call_index, open_call)
    news_index = NewsIndexPage(title="News", slug="news")
    home.add_child(instance=news_index)
    news_index.add_child(instance=NewsPage(title="创投大赛启动", slug="launch", intro="今年的大赛开始报名"))
    awarded = application_in_state(Status.AWARDED)

    response = client.get(home.url)

    assert response.status_code == 200
    text = response.content.decode()
    assert "2026年扶老助残项目" in text
    assert "创投大赛启动" in text
    assert publicity[0].title in text
    # Figures come from the records: one grant of 50,000 yuan so far.
    assert response.context["figures"]["grant_count"] == 1
    assert response.context["figures"]["grant_total"] == awarded.awarded_amount
    assert "<title>Commonweal test home" in text
    assert 'name="viewport"' in text


@pytest.mark.parametrize(
    ("opens", "closes", "label", "apply_shown"),
    [
        (-10, 10, "Open", True),
        (5, 20, "Upcoming", False),
        (-20, -5, "Closed", False),
    ],
)
def test_call_page_status_is_computed_from_the_call(client, call_index, opens, closes, label, apply_shown):
    now = timezone.now()
    call = CompetitionFactory(opens_at=now + dt.timedelta(days=opens), closes_at=now + dt.timedelta(days=closes))
    page = add_call_page(call_index, call)

    response = client.get(page.url)

    text = response.content.decode()
    assert response.status_code == 200
    assert f'class="status {label.lower()}">{label}<' in text
    assert (f'href="/portal/calls/{call.pk}/apply/"' in text) is apply_shown
    assert "1,000,000" in text  # the call's budget, never typed into the page
    assert "需求分析" in text  # rubric criterion
    assert "Support for the elderly" in text  # eligible service area


def test_open_call_shows_a_countdown(client, call_index):
    with time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.timezone.utc), tick=False):
        call = CompetitionFactory(
            opens_at=timezone.now() - dt.timedelta(days=1),
            closes_at=timezone.now() + dt.timedelta(days=2, hours=3, minutes=30),
        )
        page = add_call_page(call_index, call)
        response = client.get(page.url)
    assert "closes in 2 days 3 hours 30 minutes" in response.content.decode()


def test_call_index_groups_calls_by_status(client, call_index):
    now = timezone.now()
    add_call_page(call_index, CompetitionFactory(title="开放中的项目"))
    add_call_page(call_index, CompetitionFactory(title="已结束的项目", opens_at=now - dt.timedelta(days=30),
                                                 closes_at=now - dt.timedelta(days=1)))
    response = client.get(call_index.url)
    assert response.status_code == 200
    assert [p.title for p in response.context["open_pages"]] == ["开放中的项目"]
    assert [p.title for p in response.context["closed_pages"]] == ["已结束的项目"]


def test_results_page_totals_and_rural_share(client, announcements):
    rural = RegionFactory(is_rural=True)
    call = CompetitionFactory()
    awarded = application_in_state(Status.AWARDED, competition=call, organization=OrganizationFactory(community=rural))
    application_in_state(Status.CONTRACTED, competition=call)
    application_in_state(Status.PUBLICIZING, competition=call)  # not a grant yet
    page = ResultsPage(title="2026年资助结果", slug="results", competition=call)
    announcements.add_child(instance=page)

    response = client.get(page.url)

    totals = response.context["totals"]
    assert totals["count"] == 2
    assert totals["total"] == Decimal("100000")
    assert totals["rural_total"] == Decimal("50000")
    assert totals["rural_share"] == Decimal("50.0")
    # Each grant links to the project's public disclosure page.
    assert f'href="/projects/{awarded.reference}/"' in response.content.decode()
    assert "50.0%" in response.content.decode()


def test_showcase_lists_completed_projects_rated_excellent(client, home):
    excellent = application_in_state(Status.COMPLETED, title="优秀的助餐项目")
    Report.objects.filter(application=excellent, kind="final").update(grade="excellent", narrative="服务老人3000人次")
    good = application_in_state(Status.COMPLETED, title="良好的项目")
    Report.objects.filter(application=good, kind="final").update(grade="good")
    page = ShowcasePage(title="优秀项目展示", slug="showcase")
    home.add_child(instance=page)

    text = client.get(page.url).content.decode()

    assert "优秀的助餐项目" in text
    assert "服务老人3000人次" in text
    assert "良好的项目" not in text


def test_directory_lists_registered_and_filed_by_region_and_category(client, home):
    city = RegionFactory(code="C1", name="遵义市", level=2)
    village = RegionFactory(code="C1V", name="某村", parent=city, is_rural=True)
    OrganizationFactory(name="遵义助老协会", community=village, category="rural")
    OrganizationFactory(name="城区服务中心")
    OrganizationFactory(name="未登记小组", registration_status=RegistrationStatus.UNREGISTERED, credit_code=None)
    page = OrganizationDirectoryPage(title="社区社会组织名录", slug="directory")
    home.add_child(instance=page)

    everything = client.get(page.url).content.decode()
    by_region = client.get(page.url, {"region": city.pk}).content.decode()
    by_category = client.get(page.url, {"category": "community_service"}).content.decode()
    bad_input = client.get(page.url, {"region": "x'--", "page": "999"})

    assert "遵义助老协会" in everything and "城区服务中心" in everything
    assert "未登记小组" not in everything
    assert "遵义助老协会" in by_region and "城区服务中心" not in by_region
    assert "城区服务中心" in by_category and "遵义助老协会" not in by_category
    assert bad_input.status_code == 200


def test_search_finds_pages(client, home):
    news_index = NewsIndexPage(title="News", slug="news")
    home.add_child(instance=news_index)
    news_index.add_child(instance=NewsPage(title="社区公益创投培训会", slug="training", intro="培训"))
    response = client.get("/search/", {"q": "公益创投"})
    assert response.status_code == 200
    assert "社区<mark>公益</mark><mark>创投</mark>培训会" in response.content.decode()  # the query's words marked
    assert client.get("/search/", {"q": "x" * 500}).status_code == 200


def test_sitemap_lists_live_pages(client, call_index):
    page = add_call_page(call_index, CompetitionFactory())
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [el.text for el in ET.fromstring(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(page.url) for loc in locations)


def test_pages_render_in_chinese_the_sites_language(home, call_index, publicity):
    from django.test import Client

    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = add_call_page(call_index, CompetitionFactory())
    for url in (home.url, call_index.url, page.url, publicity[0].url, "/search/?q=项目", "/verify/x/"):
        response = chinese.get(url)
        assert response.status_code in (200, 404), url
        assert '<html lang="zh-hans">' in response.content.decode(), url


def test_editors_open_the_page_forms_in_the_admin(client, call_index, publicity):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = add_call_page(call_index, CompetitionFactory())
    assert client.get(f"/admin/pages/add/cms/callpage/{call_index.pk}/").status_code == 200
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{publicity[0].pk}/edit/").status_code == 200
    assert client.get("/admin/publicity/").status_code == 200


def test_every_page_names_the_site_icon_and_the_icon_exists(client, home):
    """Without one, each visit asks for /favicon.ico and gets a 404 (logged on the server)."""
    import re

    from django.conf import settings
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert href.startswith(settings.STATIC_URL)
    assert finders.find(href.removeprefix(settings.STATIC_URL).split("?")[0])
    # The sign-in pages and the portal name the same icon, and no blank one after it.
    def icons(url):
        return re.findall(r'<link rel="icon" href="([^"]+)"', client.get(url).content.decode())

    assert icons("/accounts/login/") == [href]
    client.force_login(UserFactory())
    assert icons("/portal/") == [href]
