"""In a real browser: a reviewer scores an application, then staff confirm the funding list."""

import os
import shutil

import pytest
from django.conf import settings
from django.test import Client

from applications.models import Application, Status
from review import services

from .conftest import application_in, reviewer, staff_with_admin

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM) and not IN_CI, reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _session_cookie(user, live_server):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}


@pytest.mark.django_db(transaction=True)
def test_reviewer_scores_on_a_phone_and_staff_confirm_funding(live_server, browser):
    from tests.factories import BureauFactory, CompetitionFactory

    bureau = BureauFactory()
    call = CompetitionFactory(bureau=bureau, reviewers_per_application=1)
    app = application_in(Status.UNDER_REVIEW, competition=call, title="高龄老人助餐项目")
    expert = reviewer(bureau)
    services.assignment_create(application=app, reviewer=expert)
    staff = staff_with_admin(bureau)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": "en"})
    phone.add_cookies([_session_cookie(expert, live_server)])
    page = phone.new_page()
    page.goto(live_server.url + "/review/")
    page.get_by_role("link", name="高龄老人助餐项目").click()
    for criterion, points in zip(call.criteria.order_by("position"), ["25", "30", "24"]):
        page.get_by_label("Points").nth(criterion.position).fill(points)
    page.get_by_label("Recommendation").select_option("fund")
    page.get_by_role("button", name="Submit and lock").click()
    page.locator("dialog#confirm-lock").get_by_role("button", name="Yes, submit and lock").click()
    page.wait_for_selector("text=this sheet is locked")
    app.refresh_from_db()
    assert app.status == Status.REVIEWED

    desk = browser.new_context(extra_http_headers={"Accept-Language": "en"})
    desk.add_cookies([_session_cookie(staff, live_server)])
    page = desk.new_page()
    page.goto(f"{live_server.url}/admin/review/calls/{call.pk}/funding/")
    assert page.locator(f"input[name=fund_{app.pk}]").is_checked()
    page.locator("input[name=confirmed]").check()
    page.get_by_role("button", name="Confirm: recommend the ticked applications and decline the rest").click()
    page.wait_for_selector("text=1 applications recommended, 0 declined.")
    assert Application.objects.get(pk=app.pk).status == Status.RECOMMENDED
