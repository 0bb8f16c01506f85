"""A staff member works through the back office in a real browser (chromium, headless)."""

import pytest

from applications.models import Application, Status

from .conftest import application_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def browser_page(browser):
    """A desktop-sized context of the suite's shared chromium (tests/browser_harness.py)."""
    context = browser.new_context(locale="en", viewport={"width": 1280, "height": 2000})
    yield context
    context.close()


def _log_in(context, client, user, live_server):
    client.force_login(user)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}])
    return context.new_page()


def test_staff_accept_in_bulk_then_return_one_for_revision(browser_page, client, staff, call, live_server):
    apps = [application_in(Status.SUBMITTED, competition=call) for _ in range(3)]
    page = _log_in(browser_page, client, staff, live_server)
    page.goto(f"{live_server.url}/admin/application/?competition={call.pk}")
    for app in apps[:2]:
        page.locator(f'input[data-object-id="{app.pk}"]').check(force=True)
    page.locator("[data-bulk-action-footer] a", has_text="Accept as eligible").click()
    page.get_by_role("button", name="Yes, go ahead").click()
    page.wait_for_url("**/admin/application/**")
    assert "2 applications accepted as eligible." in page.content()
    assert [Application.objects.get(pk=a.pk).status for a in apps] == ["eligible", "eligible", "submitted"]

    page.goto(f"{live_server.url}/admin/application/inspect/{apps[2].pk}/")
    page.locator("summary", has_text="Return for revision").click()
    page.fill("#id_return_for_revision-reason", "请补充预算明细和项目团队介绍")
    page.locator("form.staff-transition-form button", has_text="Return for revision").click()
    page.wait_for_load_state()
    assert "Return for revision: done." in page.content()
    assert "Submitted → Returned for revision" in page.content()
    assert Application.objects.get(pk=apps[2].pk).status == Status.RETURNED
