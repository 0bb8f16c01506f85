"""No page asks any host but the site's own (no CDN, no Gravatar: unreachable from mainland China),
and no page breaks its own Content-Security-Policy (the browser reports every refusal on the console)."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from applications.models import Status
from tests.factories import UserFactory, application_in_state, staff_with_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_cookie(user, live_server):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}


# A table wider than the phone must scroll within a box of its own: the back office's main area hides
# what overflows it (overflow-x: hidden), so without one the right-hand columns cannot be reached.
CLIPPED_TABLES = """Array.from(document.querySelectorAll('main table')).filter(table => {
    if (table.getBoundingClientRect().right <= window.innerWidth + 1) return false;
    for (let e = table.parentElement; e && e.tagName !== 'MAIN'; e = e.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return false;
    }
    return true;
}).map(table => table.className + ' ' + Math.round(table.getBoundingClientRect().width) + ' px')"""


def test_public_portal_and_back_office_pages_request_nothing_from_other_hosts(live_server, browser):
    site = urlsplit(live_server.url).netloc
    submitted = application_in_state(Status.SUBMITTED, title="社区长者助餐与上门探访服务项目（试点）")
    staff = staff_with_admin(submitted.competition.bureau)
    admin = UserFactory(is_staff=True, is_superuser=True)
    draft = application_in_state(Status.DRAFT)
    applicant = draft.organization.memberships.get().user
    visits = [
        (None, ["/", "/accounts/login/", "/accounts/signup/", "/search/?q=社区", "/open-data/grants.json"]),
        (applicant, ["/portal/", f"/portal/applications/{draft.pk}/", f"/portal/applications/{draft.pk}/edit/project/",
                     f"/portal/applications/{draft.pk}/edit/budget/", f"/portal/applications/{draft.pk}/submit/"]),
        (staff, ["/admin/", "/admin/account/", "/admin/application/"]),
        (admin, ["/admin/", "/admin/users/", "/admin/official_day/"]),
    ]
    outside, refused, missing, clipped = [], [], [], []
    for user, paths in visits:
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      extra_http_headers={"Accept-Language": "zh-hans"})
        if user is not None:
            context.add_cookies([_session_cookie(user, live_server)])
        page = context.new_page()
        page.on("console", lambda message: refused.append((page.url, message.text))
                if "Content Security Policy" in message.text else None)
        page.on("request", lambda request: outside.append((page.url, request.url))
                if urlsplit(request.url).scheme in ("http", "https") and urlsplit(request.url).netloc != site else None)
        page.on("response", lambda response: missing.append((page.url, response.url, response.status))
                if response.status >= 400 and response.request.resource_type != "document" else None)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status < 500, path
            page.wait_for_load_state("networkidle")
            clipped += [(path, table) for table in page.evaluate(CLIPPED_TABLES)]
        context.close()
    assert outside == [], outside
    assert refused == [], refused
    assert missing == [], missing  # a style sheet, script, picture or icon the page names and the site lacks
    assert clipped == [], clipped
