"""Forms on a 390×844 phone, in Chinese: a report sent with a mistake keeps what was typed, the
award notice is downloaded from the project page, and a reviewer scores and locks a sheet after a
confirmation, with a running total and nothing wider than the screen."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from applications.models import Report
from review import services as review_services
from review.models import ScoreSheet
from tests.factories import BureauFactory, CompetitionFactory, application_in
from tests.portal.conftest import verified
from tests.postaward.conftest import contracted, pay
from tests.review.conftest import reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHINESE = {"locale": "zh-CN", "extra_http_headers": {"Accept-Language": "zh-hans"}}


def signed_in(new_phone_page, live_server, user, **options):
    """A Chinese phone page with ``user`` signed in (second factor included, see tests/conftest.py)."""
    page = new_phone_page(**CHINESE, **options)
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return page


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_report_with_a_mistake_keeps_every_value_and_marks_the_field(new_phone_page, live_server, screenshot):
    project = contracted()
    pay(project.disbursements.get(position=0), project.staff)
    verified(project.member)
    report = project.reports.get(kind="midterm")
    first, second = list(project.budget_lines.all())[:2]
    page = signed_in(new_phone_page, live_server, project.member)
    page.goto(f"/portal/reports/{report.pk}/")
    page.fill("#id_narrative", "开展了十二次上门探访和两次健康讲座")
    page.fill("#id_beneficiaries_reached", "86")
    page.locator("input[name=ind-name]").first.fill("探访老人人次")
    page.locator("input[name=ind-planned]").first.fill("100")
    page.locator("input[name=ind-achieved]").first.fill("64")
    page.fill(f"#exp-{first.pk}-amount", "1.8万")  # the mistake: not a number
    page.fill(f"#exp-{second.pk}-amount", "1600")
    with page.expect_navigation():
        page.get_by_role("button", name="提交报告").click()

    assert page.locator(f"#exp-{first.pk}-amount").get_attribute("aria-invalid") == "true"
    assert page.input_value("#id_narrative") == "开展了十二次上门探访和两次健康讲座"
    assert page.input_value("#id_beneficiaries_reached") == "86"
    assert page.locator("input[name=ind-name]").first.input_value() == "探访老人人次"
    assert page.locator("input[name=ind-achieved]").first.input_value() == "64"
    assert page.input_value(f"#exp-{first.pk}-amount") == "1.8万"
    assert page.input_value(f"#exp-{second.pk}-amount") == "1600"
    assert no_sideways_scroll(page) <= 390
    screenshot(page, "report-error-phone")

    page.fill(f"#exp-{first.pk}-amount", "18000")
    with page.expect_navigation():
        page.get_by_role("button", name="提交报告").click()
    assert "报告已提交" in page.content()
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED and report.narrative == "开展了十二次上门探访和两次健康讲座"


def test_the_applicant_downloads_the_award_notice_from_the_project_page(new_phone_page, live_server):
    from applications.models import Status
    from applications.notices import notice_issue
    from tests.factories import application_in_state

    project = application_in_state(Status.AWARDED)
    notice, _created = notice_issue(application=project)
    verified(project.member)
    page = signed_in(new_phone_page, live_server, project.member, accept_downloads=True)
    page.goto("/portal/")
    page.goto(f"/portal/applications/{project.pk}/project/")
    assert notice.code in page.content()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="立项通知书").click()
    download = download_info.value
    assert download.suggested_filename.endswith("立项通知书.pdf")
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


def test_a_reviewer_scores_and_locks_a_sheet_on_a_phone(new_phone_page, live_server, screenshot):
    bureau = BureauFactory()
    call = CompetitionFactory(bureau=bureau)
    application = application_in("under_review", competition=call, title="社区长者助餐与探访")
    me = reviewer(bureau)
    assignment = review_services.assignment_create(application=application, reviewer=me)
    criteria = list(call.criteria.filter(stage="review").order_by("position"))
    page = signed_in(new_phone_page, live_server, me)
    page.goto(f"/review/assignments/{assignment.pk}/")
    assert no_sideways_scroll(page) <= 390

    # A mistake first: more points than the criterion allows, and no recommendation.
    page.fill(f"#id_points_{criteria[0].pk}", str(int(criteria[0].max_points) + 5))
    page.get_by_role("button", name="提交并锁定").click()
    with page.expect_navigation():
        page.locator("dialog#confirm-lock").get_by_role("button", name="确认提交并锁定").click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator(f"#id_points_{criteria[0].pk}").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.input_value(f"#id_points_{criteria[0].pk}") == str(int(criteria[0].max_points) + 5)  # kept
    assert not ScoreSheet.objects.get(assignment=assignment).locked

    # The running total follows what is typed (the server's total is the one that counts).
    values = [str(int(c.max_points * 8 / 10)) for c in criteria]
    for criterion, value in zip(criteria, values):
        page.fill(f"#id_points_{criterion.pk}", value)
    page.select_option("#id_recommendation", "fund")
    expected = sum(int(v) for v in values)
    assert page.text_content("#sheet-total") == str(expected)
    assert no_sideways_scroll(page) <= 390
    screenshot(page, "score-sheet-phone")

    # Locking asks first, with what will happen; cancelling sends nothing.
    page.get_by_role("button", name="提交并锁定").click()
    dialog = page.locator("dialog#confirm-lock")
    assert dialog.is_visible() and "不能再修改" in dialog.text_content()
    assert dialog.locator("[data-copy]").text_content() == str(expected)  # the total as typed
    screenshot(page, "confirm-submit-phone", full_page=False)
    dialog.get_by_role("button", name="取消").click()
    assert not dialog.is_visible()
    assert not ScoreSheet.objects.get(assignment=assignment).locked

    page.get_by_role("button", name="提交并锁定").click()
    with page.expect_navigation():
        dialog.get_by_role("button", name="确认提交并锁定").click()
    page.wait_for_selector("text=评分表已提交")
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert sheet.locked and sheet.submitted_at <= timezone.now()
    assert no_sideways_scroll(page) <= 390


def test_the_ranking_is_a_card_per_application_on_a_phone(new_phone_page, live_server, screenshot):
    from tests.factories import staff_with_admin
    from tests.review.conftest import scored

    bureau = BureauFactory()
    call = CompetitionFactory(bureau=bureau)
    panel = [reviewer(bureau) for _ in range(3)]
    for n, title in enumerate(["乡村儿童课后托管", "社区长者助餐与探访", "残疾人家庭喘息服务"]):
        app = application_in("reviewed", competition=call, title=title)
        for j, user in enumerate(panel):
            scored(app, user, [20 + n, 25 + j, 18])
    page = signed_in(new_phone_page, live_server, staff_with_admin(bureau))
    page.goto(f"/admin/review/calls/{call.pk}/ranking/")
    first = page.locator("table.ranking tbody tr").first
    assert first.evaluate("row => getComputedStyle(row).display") == "block"  # a card, not a squeezed row
    assert "残疾人家庭喘息服务" in page.locator("table.ranking tbody .ranking-project").first.text_content()  # the best score
    assert no_sideways_scroll(page) <= 390
    screenshot(page, "ranking-phone")


def test_on_a_desktop_the_project_column_stays_while_all_the_columns_scroll(new_phone_page, live_server, screenshot):
    from tests.factories import staff_with_admin
    from tests.review.conftest import scored

    bureau = BureauFactory()
    call = CompetitionFactory(bureau=bureau)
    panel = [reviewer(bureau) for _ in range(3)]
    for n, title in enumerate(["乡村儿童课后托管", "社区长者助餐与探访", "残疾人家庭喘息服务"]):
        app = application_in("reviewed", competition=call, title=title)
        for j, user in enumerate(panel):
            scored(app, user, [20 + n, 25 + j, 18])
    page = signed_in(new_phone_page, live_server, staff_with_admin(bureau),
                     viewport={"width": 1024, "height": 768}, is_mobile=False, has_touch=False)
    page.goto(f"/admin/review/calls/{call.pk}/ranking/?columns=all")
    box = page.locator(".ranking-scroll").first
    cell = page.locator("table.ranking tbody .ranking-project").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "every column shown: wider than the screen"
    left_before = cell.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    assert box.evaluate("b => b.scrollLeft") > 100
    assert abs(cell.bounding_box()["x"] - left_before) < 2  # the project stays where it was
    last = page.locator("table.ranking tbody tr").first.locator("td").last
    assert last.bounding_box()["x"] + last.bounding_box()["width"] <= 1024 + 1  # and the last figure came into view
    screenshot(page, "ranking-desktop-scrolled")
