"""Public pages from the cache for visitors who are not signed in: correct before fast.

Every event a public page shows is on the next request; signed-in people, POSTs and per-visitor
pages are never served from the cache; made-up languages and query strings make no new entries;
a cache outage serves pages uncached.
"""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from applications.models import Objection, Status
from applications.publicity import objection_decide
from cms.models import NewsIndexPage, NewsPage
from competitions.models import RegistrationStatus
from tests.factories import CompetitionFactory, OrganizationFactory, UserFactory, application_in_state

from .conftest import add_call_page

pytestmark = pytest.mark.django_db


def fetch(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response["X-Page-Cache"] if "X-Page-Cache" in response else "none", response.content.decode()


def test_a_visitor_gets_the_second_view_from_the_cache_and_a_signed_in_person_never(client, home):
    assert fetch(client, home.url)[0] == "miss"
    assert fetch(client, home.url)[0] == "hit"
    client.force_login(UserFactory())
    assert fetch(client, home.url)[0] == "none"


def test_a_published_or_unpublished_page_shows_on_the_next_request(client, home):
    news = NewsIndexPage(title="News", slug="news")
    home.add_child(instance=news)
    fetch(client, news.url)
    assert fetch(client, news.url)[0] == "hit"
    item = NewsPage(title="创投大赛启动", slug="launch", intro="今年的大赛开始报名", live=False)
    news.add_child(instance=item)
    item.save_revision().publish()
    state, text = fetch(client, news.url)
    assert state == "miss" and "创投大赛启动" in text
    item.refresh_from_db()
    item.unpublish()
    state, text = fetch(client, news.url)
    assert state == "miss" and "创投大赛启动" not in text


def test_a_cached_open_call_closes_the_second_its_deadline_passes(client, call_index):
    closes = timezone.now() + dt.timedelta(minutes=1)
    call = CompetitionFactory(title="2026年扶老助残项目", closes_at=closes)
    page = add_call_page(call_index, call)
    with time_machine.travel(closes - dt.timedelta(seconds=30), tick=False):
        state, text = fetch(client, page.url)
        assert f'href="/portal/calls/{call.pk}/apply/"' in text
        assert fetch(client, page.url)[0] == "hit"
    with time_machine.travel(closes + dt.timedelta(seconds=1), tick=False):
        # The entry was stored to live until the close at most: locmem honours expiry by the clock.
        state, text = fetch(client, page.url)
    assert state == "miss"
    assert f'href="/portal/calls/{call.pk}/apply/"' not in text
    assert 'class="status closed">Closed<' in text


def test_the_publicity_page_is_cached_and_its_objection_form_never_is(client, publicity):
    page, app, _staff = publicity
    state, text = fetch(client, page.url)
    assert state == "miss"
    assert "csrfmiddlewaretoken" not in text  # the form is on its own page, linked from each row
    assert f'href="/publicity/{page.pk}/objection/?application={app.pk}"' in text
    assert fetch(client, page.url)[0] == "hit"
    form_page = f"/publicity/{page.pk}/objection/?application={app.pk}"
    assert fetch(client, form_page)[0] == "none"  # a single-use token: always fresh, never stored
    assert fetch(client, form_page)[0] == "none"
    assert 'name="csrfmiddlewaretoken"' in fetch(client, form_page)[1]


def test_a_cached_publicity_page_stops_taking_objections_the_moment_its_window_ends(client, publicity):
    page, _app, _staff = publicity
    with time_machine.travel(page.ends_at - dt.timedelta(seconds=30), tick=False):
        state, text = fetch(client, page.url)
        assert "Open to objections" in text
        assert fetch(client, page.url)[0] == "hit"
    with time_machine.travel(page.ends_at + dt.timedelta(seconds=1), tick=False):
        state, text = fetch(client, page.url)
    assert state == "miss"  # stored to live until the window's end at most
    assert "Open to objections" not in text
    assert "The public notice period has ended" in text
    assert f"/publicity/{page.pk}/objection/" not in text


def test_an_objection_decision_and_an_award_show_on_the_next_request(client, publicity, announcements):
    page, app, staff = publicity
    objection = Objection.objects.create(application=app, objector_name="王五", reason="核实")
    fetch(client, announcements.url)
    assert fetch(client, announcements.url)[0] == "hit"
    objection_decide(objection=objection, actor=staff, upheld=False, investigation="查无实据")
    assert fetch(client, announcements.url)[0] == "miss"


def test_a_new_figure_on_the_home_page_shows_on_the_next_request(client, home):
    fetch(client, home.url)
    assert fetch(client, home.url)[0] == "hit"
    OrganizationFactory(registration_status=RegistrationStatus.REGISTERED)
    assert fetch(client, home.url)[0] == "miss"


def test_an_applicants_draft_does_not_empty_the_cache_but_a_submission_does(client, home):
    app = application_in_state(Status.DRAFT)
    fetch(client, home.url)
    app.title = "草稿改了标题"
    app.save()
    assert fetch(client, home.url)[0] == "hit"
    from applications import services

    services.application_submit(application=app, actor=app.member)
    assert fetch(client, home.url)[0] == "miss"


def test_a_deploy_serves_no_page_drawn_by_the_old_templates(client, home):
    fetch(client, home.url)
    assert fetch(client, home.url)[0] == "hit"
    call_command("migrate", verbosity=0)  # what every deploy runs, with or without new migrations
    assert fetch(client, home.url)[0] == "miss"


def test_made_up_languages_and_query_strings_make_no_new_entries(client, home):
    fetch(client, home.url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert fetch(client, home.url, HTTP_ACCEPT_LANGUAGE="xx-made-up")[0] == "hit"  # the default language's entry
    assert fetch(client, home.url, HTTP_ACCEPT_LANGUAGE="en")[0] == "miss"  # English is a site language
    assert fetch(client, home.url + "?utm_source=spam1")[0] == "none"  # served fresh, never stored
    assert fetch(client, home.url + "?utm_source=spam1")[0] == "none"


def test_posts_are_never_answered_from_the_cache(client, publicity):
    page, app, _staff = publicity
    response = client.post(f"/publicity/{page.pk}/objection/", {"application": app.pk})
    assert "X-Page-Cache" not in response


def test_a_cache_outage_serves_the_page_uncached(client, home):
    down = mock.Mock(**{f"{method}.side_effect": ConnectionError("Redis is down") for method in ("get", "add", "set", "incr")})
    with mock.patch("cms.pagecache.cache", down):
        response = client.get(home.url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_the_language_switch_is_a_link_and_keeps_the_page(client, home):
    state, text = fetch(client, home.url)
    assert "csrfmiddlewaretoken" not in text
    response = client.get("/i18n/setlang/", {"language": "en", "next": home.url})
    assert response.status_code == 302 and response["Location"] == home.url
    assert client.cookies["django_language"].value == "en"
    outside = client.get("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert outside["Location"] == "/"
