"""Staff review pages in the Wagtail admin: scoping, assignment button, ranking, funding, documents."""

import datetime as dt
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application, Status, TransitionLog
from competitions.models import Criterion, FundSource
from review.models import ReviewLog
from tests.factories import CompetitionFactory, OrganizationFactory, RegionFactory

from tests.factories import application_in
from tests.review.conftest import reviewer, scored

pytestmark = pytest.mark.django_db

PAGES = ["", "assign/", "ranking/", "funding/", "summary.pdf", "scores.xlsx", "pitch-panel/", "shortlist/",
         "assignments/add/"]


def url(call, page=""):
    return f"/admin/review/calls/{call.pk}/{page}"


def test_staff_of_another_bureau_get_404_on_every_page_and_action(client, call, other_staff, staff):
    client.force_login(other_staff)
    for page in PAGES:
        assert client.get(url(call, page)).status_code in (404, 405), page
        assert client.post(url(call, page)).status_code == 404, page
    client.force_login(staff)
    for page in ("", "ranking/", "funding/"):
        assert client.get(url(call, page)).status_code == 200, page
    index = client.get("/admin/review/").content.decode()
    assert call.title in index


def test_index_lists_only_own_bureau_calls(client, call, other_staff):
    client.force_login(other_staff)
    assert call.title not in client.get("/admin/review/").content.decode()


def test_assign_button_opens_review_with_balanced_loads(client, call, staff, bureau):
    call.reviewers_per_application = 2
    call.save()
    apps = [application_in(Status.ELIGIBLE, competition=call) for _ in range(5)]
    pool = [reviewer(bureau, expertise=["elderly"]) for _ in range(4)]
    client.force_login(staff)
    response = client.post(url(call, "assign/"), follow=True)
    page = response.content.decode()
    assert "10 assignments made; 5 applications opened for review; loads 2–3." in page
    # The pool and the log speak in words, not codes.
    assert "Support for the elderly" in page and "Reviewers assigned" in page
    assert "assignment.generated" not in page
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {"under_review"}
    for user in pool:
        assert user.display_name in page
    # Pressing again with nothing eligible says so instead of failing.
    page = client.post(url(call, "assign/"), follow=True).content.decode()
    assert "0 assignments made" in page


def _reviewed_call(call, n, bureau):
    """n reviewed applications, each with 3 submitted sheets, via bulk rows."""
    reviewers = [reviewer(bureau) for _ in range(3)]
    apps = []
    for i in range(n):
        app = application_in(Status.REVIEWED, competition=call, requested_amount=Decimal("50000"),
                             submitted_at=timezone.now() - dt.timedelta(hours=n - i))
        for j, user in enumerate(reviewers):
            scored(app, user, [10 + (i % 20), 20 + j, 15])
        apps.append(app)
    return apps


@pytest.mark.parametrize("rows", [10, 200])
def test_ranking_page_query_count_does_not_grow(client, call, staff, bureau, rows, django_assert_max_num_queries):
    _reviewed_call(call, rows, bureau)
    client.force_login(staff)
    client.get(url(call, "ranking/"))  # warm Wagtail's per-process caches
    # Wagtail's admin frame (session, user, permissions, menu, sites) plus 4 for the ranking:
    # the call, its criteria, the applications with organization and community, the score rows.
    with django_assert_max_num_queries(20) as captured:
        response = client.get(url(call, "ranking/"))
    assert response.status_code == 200
    counts = getattr(test_ranking_page_query_count_does_not_grow, "counts", {})
    counts[rows] = len(captured.captured_queries)
    test_ranking_page_query_count_does_not_grow.counts = counts
    if len(counts) == 2:
        assert counts[10] == counts[200]
    assert response.content.decode().count('class="requested">50,000.00</td>') == rows


def test_ranking_order_and_tie_breaks(client, call, staff, bureau):
    r1, r2 = reviewer(bureau), reviewer(bureau)
    now = timezone.now()
    # Same total (60 of 100) for A and B; A has the higher first criterion -> A before B.
    a = application_in(Status.REVIEWED, competition=call, title="项目A", submitted_at=now)
    b = application_in(Status.REVIEWED, competition=call, title="项目B", submitted_at=now - dt.timedelta(days=1))
    # C and D are tied on everything; D was submitted earlier -> D before C.
    c = application_in(Status.REVIEWED, competition=call, title="项目C", submitted_at=now)
    d = application_in(Status.REVIEWED, competition=call, title="项目D", submitted_at=now - dt.timedelta(days=2))
    top = application_in(Status.REVIEWED, competition=call, title="项目E")
    for user in (r1, r2):
        scored(a, user, [20, 20, 20])
        scored(b, user, [10, 30, 20])
        scored(c, user, [15, 15, 15])
        scored(d, user, [15, 15, 15])
        scored(top, user, [30, 40, 30])
    scored(top, reviewer(bureau), [0, 0, 0])  # spread 100 -> flagged; mean 66.67
    from review.selectors import ranking

    _criteria, rows = ranking(call)
    assert [r.application.title for r in rows] == ["项目E", "项目A", "项目B", "项目D", "项目C"]
    assert [r.final for r in rows][:3] == [Decimal("66.67"), Decimal("60.00"), Decimal("60.00")]
    assert rows[0].spread_flag and not rows[1].spread_flag
    client.force_login(staff)
    page = client.get(url(call, "ranking/")).content.decode()
    assert page.index("项目A") < page.index("项目B") < page.index("项目D") < page.index("项目C")


def test_funding_suggestion_then_staff_change_and_confirm(client, call, staff, bureau, django_capture_on_commit_callbacks):
    call.total_budget = Decimal("100000")
    call.max_amount = Decimal("60000")
    call.rural_min_share = Decimal("30")
    call.min_amount = Decimal("20000")
    call.save()
    rural = RegionFactory(is_rural=True)
    r = reviewer(bureau)
    best = application_in(Status.REVIEWED, competition=call, title="城市项目一", requested_amount=Decimal("60000"))
    second = application_in(Status.REVIEWED, competition=call, title="城市项目二", requested_amount=Decimal("50000"))
    village = application_in(Status.REVIEWED, competition=call, title="乡村项目",
                             organization=OrganizationFactory(community=rural), requested_amount=Decimal("40000"))
    scored(best, r, [30, 40, 30])
    scored(second, r, [25, 35, 25])
    scored(village, r, [10, 10, 10])
    client.force_login(staff)
    page = client.get(url(call, "funding/")).content.decode()
    assert "kept for rural organizations" in page  # second is out to keep 30,000 for the village
    assert "counts toward the rural minimum share" in page
    # Staff change: fund the village with 30,000 only, and decline the second.
    data = {f"fund_{best.pk}": "on", f"amount_{best.pk}": "60000", f"fund_{village.pk}": "on",
            f"amount_{village.pk}": "30000", f"amount_{second.pk}": "", "decline_reason": "得分排名靠后", "confirmed": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(call, "funding/"), data)
    assert response.status_code == 302
    statuses = dict(Application.objects.filter(competition=call).values_list("title", "status"))
    assert statuses == {"城市项目一": "recommended", "城市项目二": "declined", "乡村项目": "recommended"}
    village.refresh_from_db()
    assert village.awarded_amount == Decimal("30000")
    assert TransitionLog.objects.filter(application=second, transition="application.decline", note="得分排名靠后").exists()
    assert ReviewLog.objects.filter(competition=call, action__startswith="funding.").count() == 3
    # The funding decision of each is a row of its audit chain too, with who decided.
    funded = TransitionLog.objects.filter(application__competition=call, subject="review", transition__startswith="review.funding.")
    assert sorted(funded.values_list("application__title", flat=True)) == ["乡村项目", "城市项目一", "城市项目二"]
    assert set(funded.values_list("actor_id", flat=True)) == {staff.pk}


def test_funding_over_budget_and_refusals_are_reported(client, call, staff, bureau):
    call.total_budget = Decimal("100000")
    call.save()
    r = reviewer(bureau)
    app = application_in(Status.REVIEWED, competition=call, requested_amount=Decimal("50000"))
    scored(app, r, [30, 40, 30])
    client.force_login(staff)
    response = client.post(url(call, "funding/"), {f"fund_{app.pk}": "on", f"amount_{app.pk}": "200000", "confirmed": "on"})
    assert response.status_code == 400 and "more than the call" in response.content.decode()
    response = client.post(url(call, "funding/"), {f"fund_{app.pk}": "on", f"amount_{app.pk}": "70000", "confirmed": "on"}, follow=True)
    assert "cannot exceed the amount requested" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.REVIEWED


def test_pitch_round_shortlist_panel_and_final_score(client, staff, bureau):
    call = CompetitionFactory(bureau=bureau, fund_source=FundSource.VENTURE_CONTEST, pitch_round=True,
                              pitch_weight=Decimal("40"))
    Criterion.objects.create(competition=call, stage="pitch", position=0, name="路演表现", max_points=Decimal("100"))
    r1, r2, panel = reviewer(bureau), reviewer(bureau), reviewer(bureau)
    app = application_in(Status.REVIEWED, competition=call)
    other = application_in(Status.REVIEWED, competition=call)
    scored(app, r1, [24, 32, 24])  # 80
    scored(other, r2, [15, 20, 15])  # 50
    client.force_login(staff)
    client.post(url(call, "shortlist/"), {"applications": [app.pk]})
    app.refresh_from_db()
    assert app.status == Status.SHORTLISTED
    client.post(url(call, "pitch-panel/"), {"reviewers": [panel.pk]})
    assignment = panel.assignments.get(application=app, stage="pitch")
    from review import services

    services.sheet_save(sheet=assignment.sheet, actor=panel, scores={c.pk: ("90", "") for c in call.criteria.filter(stage="pitch")},
                        recommendation="fund", submit=True)
    from review.selectors import ranking

    _c, rows = ranking(call)
    assert rows[0].application.pk == app.pk and rows[0].final == Decimal("84.00")  # 80 × 0.6 + 90 × 0.4
    page = client.get(url(call, "funding/")).content.decode()
    assert "not shortlisted for the pitch round" in page


def _pdftotext(data, tmp_path):
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return text, fonts


def test_score_summary_pdf_has_title_criteria_cjk_font_and_respects_blind(client, call, staff, bureau, tmp_path):
    r = reviewer(bureau, user__full_name="赵评审")
    app = application_in(Status.REVIEWED, competition=call)
    scored(app, r, [20, 30, 20])
    client.force_login(staff)
    response = client.get(url(call, "summary.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, fonts = _pdftotext(response.content, tmp_path)
    assert call.title in text and "需求分析" in text and "评审汇总表" in text and "赵评审" in text
    assert app.organization.name in text
    assert "Noto-Sans-CJK-SC" in fonts and "Type 3" not in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())  # embedded
    call.blind_review = True
    call.save()
    text, _fonts = _pdftotext(client.get(url(call, "summary.pdf")).content, tmp_path)
    assert app.organization.name not in text and app.title in text


def test_scores_xlsx_has_one_row_per_sheet(client, call, staff, bureau):
    users = [reviewer(bureau) for _ in range(3)]
    apps = [application_in(Status.REVIEWED, competition=call) for _ in range(2)]
    for app in apps:
        for user in users:
            scored(app, user, [20, 30, 20], recommendation="fund")
    scored(apps[0], reviewer(bureau), [1, 1, 1], submitted=False)  # a draft is not exported
    client.force_login(staff)
    response = client.get(url(call, "scores.xlsx"))
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + 6
    header = rows[0]
    assert "Organization" in header and any("需求分析" in h for h in header)
    total_col = header.index("Weighted total (0-100)")
    assert {r[total_col] for r in rows[1:]} == {70.0}  # (20 + 30 + 20) / 100
    call.blind_review = True
    call.save()
    ws = load_workbook(BytesIO(client.get(url(call, "scores.xlsx")).content)).active
    values = [v for row in ws.iter_rows(values_only=True) for v in row]
    assert "Organization" not in values and apps[0].organization.name not in values


@pytest.mark.parametrize("rows", [10, 200])
def test_assignment_overview_query_count_does_not_grow(client, call, staff, bureau, rows):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review import services

    pool = [reviewer(bureau) for _ in range(3)]
    for i in range(rows):
        services.assignment_create(application=application_in(Status.UNDER_REVIEW, competition=call),
                                   reviewer=pool[i % 3])
    client.force_login(staff)
    client.get(url(call))  # warm Wagtail's per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(call))
    assert response.status_code == 200
    assert response.content.decode().count('name="application"') == rows
    counts = test_assignment_overview_query_count_does_not_grow.__dict__.setdefault("counts", {})
    counts[rows] = len(captured.captured_queries)
    if len(counts) == 2:
        assert counts[10] == counts[200]
    assert counts[rows] <= 20


def test_add_and_remove_a_reviewer_by_post(client, call, staff, bureau):
    app = application_in(Status.UNDER_REVIEW, competition=call)
    neighbour = reviewer(bureau, home_community=app.organization.community)
    ok = reviewer(bureau)
    client.force_login(staff)
    page = client.post(url(call, "assignments/add/"), {"application": app.pk, "reviewer": neighbour.pk}, follow=True)
    assert "has a conflict" in page.content.decode()
    client.post(url(call, "assignments/add/"), {"application": app.pk, "reviewer": ok.pk})
    assignment = app.assignments.get(reviewer=ok)
    assert client.post(url(call, f"assignments/{assignment.pk}/remove/")).status_code == 302
    assert not app.assignments.exists()
    assert client.post(url(call, "assignments/add/"), {"application": 0, "reviewer": ok.pk}).status_code == 404


def test_each_row_offers_only_reviewers_not_on_it_yet_least_loaded_first(client, call, staff, bureau):
    import re

    from review import services

    app, other = application_in(Status.UNDER_REVIEW, competition=call), application_in(Status.UNDER_REVIEW, competition=call)
    busy, free = reviewer(bureau, user__full_name="忙碌专家"), reviewer(bureau, user__full_name="空闲专家")
    services.assignment_add(application=app, reviewer=busy, actor=staff)
    client.force_login(staff)
    page = client.get(url(call), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    def offered(application):
        select = re.search(rf'<select name="reviewer" id="add-{application.pk}">(.*?)</select>', page, re.S).group(1)
        return re.findall(r"<option [^>]*>([^<]*)</option>", select)

    assert offered(app) == ["空闲专家（已分配 0 份）"]
    assert ">撤销分配</button>" in page  # taking a reviewer off, not deleting the person
    assert offered(other) == ["空闲专家（已分配 0 份）", "忙碌专家（已分配 1 份）"]
    services.assignment_add(application=app, reviewer=free, actor=staff)
    page = client.get(url(call), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'id="add-{app.pk}"' not in page and "评审专家库中的专家均已分配到此申报。" in page


def test_removing_a_reviewer_who_saved_a_draft_asks_first_and_says_what_is_lost(client, call, staff, bureau):
    from accounts.models import Notification
    from review import services
    from review.models import Assignment, ScoreSheet

    app = application_in(Status.UNDER_REVIEW, competition=call)
    ok = reviewer(bureau)
    assignment = services.assignment_add(application=app, reviewer=ok, actor=staff)
    first = call.criteria.filter(stage="review").first()
    # The reviewer saves a draft after the staff member's page was drawn.
    services.sheet_save(sheet=assignment.sheet, actor=ok, scores={first.pk: ("12", "有基础")}, overall_comment="还要看预算")
    client.force_login(staff)
    remove = url(call, f"assignments/{assignment.pk}/remove/")
    page = client.post(remove, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and "Unassign the reviewer and discard the draft?" in text
    assert f"has saved a draft score sheet for this application (1 of {call.criteria.filter(stage='review').count()} criteria scored)" in text
    assert Assignment.objects.filter(pk=assignment.pk).exists() and ScoreSheet.objects.get(assignment=assignment).scores.count() == 1
    assert not Notification.objects.filter(user=ok, subject__contains="taken off").exists()

    done = client.post(remove, {"confirmed": "1"})
    assert done.status_code == 302 and not Assignment.objects.filter(pk=assignment.pk).exists()
    assert ReviewLog.objects.filter(action="assignment.removed", note__contains="draft discarded (1 scored)").exists()
    told = Notification.objects.get(user=ok, subject__contains="taken off")
    assert app.title in told.body


def test_invite_page_sends_the_mail(client, staff, bureau, django_capture_on_commit_callbacks):
    from django.core import mail

    client.force_login(staff)
    assert client.get("/admin/review/reviewers/invite/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/review/reviewers/invite/", {"email": "new.expert@example.org",
                                                                   "full_name": "新专家", "expertise": "养老, 助残"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["new.expert@example.org"] and "/review/invitation/" in mail.outbox[0].body
    # In Chinese, without a space after the bureau's name, and saying how long the link works and what then.
    assert mail.outbox[0].subject == f"{bureau.name}邀请您担任评审专家"
    assert f"{bureau.name}邀请您作为评审专家" in mail.outbox[0].body
    assert f"请在3天内通过以下链接设置密码（链接仅可使用一次；过期后请联系{bureau.name}重新邀请）" in mail.outbox[0].body
    from review.models import ReviewerProfile

    assert ReviewerProfile.objects.get(user__email="new.expert@example.org").expertise == ["养老", "助残"]


def test_a_mistyped_invitation_says_what_to_correct_and_keeps_what_was_typed(client, staff, bureau):
    from django.core import mail

    client.force_login(staff)
    response = client.post("/admin/review/reviewers/invite/", {"email": "zhang.laoshi@example", "full_name": "张老师",
                                                               "expertise": "养老，社区治理"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert response.status_code == 400 and not mail.outbox
    assert "邀请未发出：请更正标出的字段。" in page
    # The message sits with its field, in the admin's own error style, and nothing typed is lost.
    assert 'class="error-message"' in page and "有效的" in page
    assert 'value="zhang.laoshi@example"' in page and 'value="张老师"' in page and 'value="养老，社区治理"' in page


def test_stored_summary_is_replaced_not_duplicated(call, bureau):
    from django.core.files.storage import default_storage

    from review.tasks import render_score_summary

    scored(application_in(Status.REVIEWED, competition=call), reviewer(bureau), [20, 30, 20])
    first = render_score_summary.delay(call.pk).get()
    second = render_score_summary.delay(call.pk).get()
    assert first == second == f"review/score-summaries/call-{call.pk}.pdf"
    assert default_storage.open(first).read(4) == b"%PDF"


def test_a_spread_flagged_application_can_get_one_more_reviewer(call, staff, bureau):
    from review import services
    from review.selectors import ranking

    app = application_in(Status.REVIEWED, competition=call)
    scored(app, reviewer(bureau), [30, 40, 30])
    scored(app, reviewer(bureau), [5, 5, 5])
    assert ranking(call)[1][0].spread_flag
    extra = reviewer(bureau)
    assignment = services.assignment_add(application=app, reviewer=extra, actor=staff)
    services.sheet_save(sheet=assignment.sheet, actor=extra, scores={c.pk: ("20", "一般") for c in call.criteria.all()},
                        recommendation="fund", submit=True)
    row = ranking(call)[1][0]
    assert row.review.sheet_count == 3 and row.final == Decimal("58.33")  # (100 + 15 + 60) / 3


@pytest.mark.parametrize("rows", [10, 200])
def test_review_index_query_count_does_not_grow(client, bureau, staff, rows):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from competitions.models import Competition

    base = CompetitionFactory(bureau=bureau, rubric=False)
    Competition.objects.bulk_create(
        Competition(**{f.attname: getattr(base, f.attname) for f in Competition._meta.concrete_fields
                       if f.attname not in ("id", "title")}, title=f"第{i}期") for i in range(rows - 1)
    )
    client.force_login(staff)
    client.get("/admin/review/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/review/")
    assert response.content.decode().count("/ranking/") == rows
    counts = test_review_index_query_count_does_not_grow.__dict__.setdefault("counts", {})
    counts[rows] = len(captured.captured_queries)
    if len(counts) == 2:
        assert counts[10] == counts[200]
    assert counts[rows] <= 15


def test_a_second_confirmation_counts_what_is_already_recommended(client, call, staff, bureau):
    call.total_budget = Decimal("100000")
    call.save()
    r = reviewer(bureau)
    first = application_in(Status.REVIEWED, competition=call, requested_amount=Decimal("80000"))
    scored(first, r, [30, 40, 30])
    client.force_login(staff)
    client.post(url(call, "funding/"), {f"fund_{first.pk}": "on", f"amount_{first.pk}": "80000", "confirmed": "on"})
    first.refresh_from_db()
    assert first.status == Status.RECOMMENDED
    late = application_in(Status.REVIEWED, competition=call, requested_amount=Decimal("50000"))
    scored(late, r, [30, 40, 30])
    page = client.get(url(call, "funding/")).content.decode()
    assert "20,000.00 yuan" in page  # only what is left is suggested
    response = client.post(url(call, "funding/"), {f"fund_{late.pk}": "on", f"amount_{late.pk}": "50000", "confirmed": "on"})
    assert response.status_code == 400 and "already recommended" in response.content.decode()


def test_funding_is_refused_while_a_shortlisted_pitch_is_unscored(client, staff, bureau, django_capture_on_commit_callbacks):
    call = CompetitionFactory(bureau=bureau, fund_source=FundSource.VENTURE_CONTEST, pitch_round=True,
                              pitch_weight=Decimal("30"), total_budget=Decimal("500000"))
    Criterion.objects.create(competition=call, stage="pitch", position=0, name="路演表现", max_points=Decimal("100"))
    r, panel = reviewer(bureau), reviewer(bureau)
    first = application_in(Status.REVIEWED, competition=call, title="路演未评项目", requested_amount=Decimal("50000"))
    scored(first, r, [24, 32, 24])
    client.force_login(staff)
    client.post(url(call, "shortlist/"), {"applications": [first.pk]})
    client.post(url(call, "pitch-panel/"), {"reviewers": [panel.pk]})
    page = client.get(url(call, "funding/")).content.decode()
    assert "its pitch is not scored" in page and "30%" in page  # rank 1, unfunded, and the page says why
    data = {f"fund_{first.pk}": "on", f"amount_{first.pk}": "50000", "confirmed": "on"}
    response = client.post(url(call, "funding/"), data)
    assert response.status_code == 400
    assert "not scored yet" in response.content.decode() and "路演未评项目" in response.content.decode()
    first.refresh_from_db()
    assert first.status == Status.SHORTLISTED
    from review import services

    assignment = panel.assignments.get(application=first, stage="pitch")
    services.sheet_save(sheet=assignment.sheet, actor=panel, scores={c.pk: ("90", "") for c in call.criteria.filter(stage="pitch")},
                        recommendation="fund", submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(call, "funding/"), data).status_code == 302
    first.refresh_from_db()
    assert first.status == Status.RECOMMENDED


def test_funding_is_not_confirmed_without_the_box_ticked(client, call, staff, bureau):
    r = reviewer(bureau)
    app = application_in(Status.REVIEWED, competition=call, requested_amount=Decimal("50000"))
    scored(app, r, [30, 40, 30])
    client.force_login(staff)
    response = client.post(url(call, "funding/"), {f"fund_{app.pk}": "on", f"amount_{app.pk}": "50000"})
    assert response.status_code == 400 and "Tick the box to confirm" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.REVIEWED


def test_the_ranking_shows_the_main_columns_and_every_one_on_request(client, call, staff, bureau):
    """The project column first (sticky on a desktop, a card's title on a phone), the criteria on request."""
    r = reviewer(bureau)
    app = application_in(Status.REVIEWED, competition=call, title="社区长者助餐")
    scored(app, r, [20, 30, 25])
    client.force_login(staff)
    criterion = call.criteria.filter(stage="review").order_by("position").first()
    page = client.get(url(call, "ranking/")).content.decode()
    assert 'class="ranking-project"' in page and "社区长者助餐" in page
    assert f"<th scope=\"col\">{criterion.name}</th>" not in page and "?columns=all" in page
    page = client.get(url(call, "ranking/") + "?columns=all").content.decode()
    assert f"<th scope=\"col\">{criterion.name}</th>" in page and f'data-label="{criterion.name}"' in page


def test_the_call_pages_mark_where_you_are_in_their_tabs(client, call, staff):
    client.force_login(staff)
    for page, name in (("", "call"), ("ranking/", "ranking"), ("funding/", "funding")):
        html = client.get(url(call, page)).content.decode()
        current = html.split('aria-current="page"')
        assert len(current) == 2, page  # one tab, this page's
        assert current[0].rsplit("<a ", 1)[1].count(f"/calls/{call.pk}/{page}\"") == 1, page
