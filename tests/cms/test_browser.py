"""A visitor reads a call, opens a 公示 and objects; staff uphold it; the award is cancelled."""

import datetime as dt
import os
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client

from applications.models import Objection, Status
from applications.publicity import publicity_award_due
from cms.publicity import publicity_publish
from tests.factories import application_in_state

from .conftest import add_call_page, admin_staff

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists("/usr/bin/chromium") and not IN_CI,
                       reason="browser tests need Debian's chromium at /usr/bin/chromium"),
]


def test_objection_upheld_cancels_the_award(phone_page, home, call_index, announcements, settings):
    settings.OBJECTION_MIN_FILL_SECONDS = 1
    app = application_in_state(Status.RECOMMENDED, title="幸福里助餐项目")
    add_call_page(call_index, app.competition)
    publicity = publicity_publish(competition=app.competition, actor=app.staff)
    page = phone_page

    # A visitor reads the call from the home page...
    page.goto("/")
    page.get_by_role("link", name=app.competition.title, exact=True).click()
    assert "Key facts" in page.content()
    assert page.locator("a.button", has_text="Apply").first.is_visible()

    # ...opens the 公示 from the announcements and objects by real name.
    page.goto("/")
    page.get_by_role("link", name=publicity.title, exact=True).click()
    assert "幸福里助餐项目" in page.content()
    page.get_by_role("link", name="Object to this project").click()
    assert page.locator("#id_application").input_value() == str(app.pk)  # the row's project, chosen
    page.check("input[name=objector_kind][value=person]")
    page.fill("#id_name", "王五")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_reason", "该项目的服务对象与申报内容不符。")
    time.sleep(1.2)  # a person takes longer than the minimum fill time
    with page.expect_navigation():
        page.click("text=Send the objection")
    assert "Your objection was received" in page.content()
    assert "Received" in page.content()
    assert "13912345678" not in page.content()
    objection = Objection.objects.get()

    # Staff of the call's bureau investigate and uphold it in the back office.
    staff = admin_staff(app.competition.bureau)
    client = Client()
    client.force_login(staff)
    page.context.add_cookies([{
        "name": django_settings.SESSION_COOKIE_NAME, "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": page.url.split("/announcements")[0],
    }])
    page.goto(f"/admin/publicity/objections/{objection.pk}/")
    page.check("input[name=decision][value=investigating]")
    page.fill("textarea[name=investigation]", "调取服务对象名册核实。")
    with page.expect_navigation():
        page.click("text=Record the decision")
    objection.refresh_from_db()
    assert objection.state == Objection.State.INVESTIGATING
    page.goto(f"/admin/publicity/objections/{objection.pk}/")
    assert "调取服务对象名册核实。" in page.content()
    page.check("input[name=decision][value=upheld]")
    page.fill("textarea[name=investigation]", "经核实，服务对象与申报不符。")
    page.check("input[name=confirmed]")  # upholding is final: the box under its consequences
    with page.expect_navigation():
        page.click("text=Record the decision")

    app.refresh_from_db()
    assert app.status == Status.DECLINED
    page.goto(publicity.url)
    assert "the award is cancelled" in page.content()
    assert "王五" not in page.content()

    # When the window ends the job does not award it.
    import time_machine

    with time_machine.travel(app.publicity_ends_at + dt.timedelta(minutes=1), tick=False):
        assert publicity_award_due() == []
    app.refresh_from_db()
    assert app.status == Status.DECLINED


def test_a_table_read_as_cards_on_a_phone_labels_each_value_with_the_languages_colon(new_phone_page, home, call_index):
    """The call's scoring table becomes one card per criterion on a phone, each value behind its
    heading: 评分项：需求分析 in Chinese (full-width colon), "Criterion: …" in English."""
    app = application_in_state(Status.DRAFT)
    page_obj = add_call_page(call_index, app.competition)
    labels = {}
    for locale, accept in (("zh-CN", "zh-hans"), ("en-US", "en")):
        page = new_phone_page(locale=locale, extra_http_headers={"Accept-Language": accept})
        page.goto(page_obj.url)
        cell = page.locator("table.list td[data-label]").first
        labels[accept] = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert labels["zh-hans"].endswith('："'), labels
    assert labels["en"].endswith(': "'), labels
