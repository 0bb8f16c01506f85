"""The home, call and 公示 pages run a fixed number of queries whatever the number of rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, Objection, Status
from cms.models import PublicityEntry, PublicityPage
from tests.factories import ApplicationFactory, CompetitionFactory

from .conftest import add_call_page

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grants(n, competition, status):
    apps = ApplicationFactory.create_batch(n, competition=competition, lines=False)
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=status, awarded_amount=Decimal("30000"))
    return apps


@pytest.mark.parametrize("rows", [10, 200])
def test_home_query_count_is_fixed(client, home, call_index, rows, django_assert_max_num_queries):
    calls = CompetitionFactory.create_batch(3, rubric=False)
    for call in calls:
        add_call_page(call_index, call)
    _grants(rows, calls[0], Status.AWARDED)
    client.get(home.url)  # warm the site-root cache
    # session/site root, page route (2), open calls, their pages, news, announcements, 3 figures
    with django_assert_max_num_queries(12):
        assert client.get(home.url).status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_call_page_query_count_is_fixed(client, call_index, rows, django_assert_max_num_queries):
    call = CompetitionFactory()
    page = add_call_page(call_index, call)
    _grants(rows, call, Status.SUBMITTED)
    client.get(page.url)
    with django_assert_max_num_queries(12):
        assert client.get(page.url).status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_publicity_page_query_count_is_fixed(client, announcements, rows, django_assert_max_num_queries, settings):
    settings.PAGE_CACHE_ENABLED = False  # the page is cached since its objection form moved out: count a render
    call = CompetitionFactory(show_panel_names=True)
    page = PublicityPage(title="公示", slug="gs", competition=call, starts_at=call.opens_at,
                         ends_at=call.closes_at, last_day=call.closes_at.date())
    announcements.add_child(instance=page)
    apps = _grants(rows, call, Status.PUBLICIZING)
    PublicityEntry.objects.bulk_create(PublicityEntry(page=page, application=a, position=i) for i, a in enumerate(apps))
    Objection.objects.bulk_create(Objection(application=a, objector_name="某人", reason="理由") for a in apps[:5])
    client.get(page.url)
    with django_assert_max_num_queries(13):  # 12, and one for the breadcrumbs
        response = client.get(page.url)
    assert response.status_code == 200
    assert len(response.context["entries"]) == rows


def test_counts_are_equal_for_10_and_200_rows(client, home, announcements, call_index):
    """The same page with 10 and with 200 rows runs exactly the same number of queries."""
    counts = {}
    for rows in (10, 200):
        call = CompetitionFactory(show_panel_names=True)
        page = PublicityPage(title=f"公示{rows}", slug=f"gs{rows}", competition=call, starts_at=call.opens_at,
                             ends_at=call.closes_at, last_day=call.closes_at.date())
        announcements.add_child(instance=page)
        apps = _grants(rows, call, Status.PUBLICIZING)
        PublicityEntry.objects.bulk_create(PublicityEntry(page=page, application=a) for a in apps)
        call_page = add_call_page(call_index, call)
        _grants(rows, CompetitionFactory(), Status.AWARDED)
        client.get(page.url)
        counts[rows] = (_queries(client, page.url), _queries(client, call_page.url), _queries(client, home.url))
    assert counts[10] == counts[200]
