"""The inspect page and the workflow actions staff take from it, one at a time or in bulk."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import services
from applications.models import Application, Attachment, Status
from review.models import Assignment, Score, ScoreSheet
from tests.factories import ApplicationFactory, CompetitionFactory, UserFactory, member_of

from .conftest import application_in

pytestmark = pytest.mark.django_db


def inspect_url(app):
    return f"/admin/application/inspect/{app.pk}/"


def act(client, app, name, version=None, **fields):
    data = {f"{name}-version": app.version if version is None else version}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(f"/admin/application/transition/{app.pk}/{name}/", data)


@pytest.fixture
def really_submitted(call, django_capture_on_commit_callbacks):
    """Submitted through the service, so that the timeline has its first entry."""
    app = ApplicationFactory(competition=call, title="高龄老人助餐")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=app, actor=member_of(app.organization, user__full_name="王申报"))
    return app


def test_inspect_page_shows_application_budget_attachments_scores_timeline_and_actions(client, staff, really_submitted):
    app = really_submitted
    Attachment.objects.create(application=app, kind="project", file="attachments/x", original_name="实施方案.pdf",
                              content_type="application/pdf", size=2048, sha256="0" * 64)
    reviewer = UserFactory(full_name="李专家")
    assignment = Assignment.objects.create(application=app, reviewer=reviewer, state="submitted")
    sheet = ScoreSheet.objects.create(assignment=assignment, overall_comment="设计扎实", recommendation="fund",
                                      submitted_at=timezone.now())
    for criterion in app.competition.criteria.all():
        Score.objects.create(sheet=sheet, criterion=criterion, points=Decimal("20"), comment="好")
    draft_sheet_reviewer = UserFactory(full_name="赵草稿")
    ScoreSheet.objects.create(assignment=Assignment.objects.create(application=app, reviewer=draft_sheet_reviewer))
    client.force_login(staff)
    page = client.get(inspect_url(app)).content.decode()
    for text in [app.reference, "高龄老人助餐", app.organization.name, "助餐服务", "46,000.00", "50,000.00",
                 "实施方案.pdf", f"/portal/attachments/{app.attachments.get().pk}/",
                 "李专家", "需求分析", "设计扎实", "Fund",
                 "王申报", "Submitted", "Draft → Submitted",
                 "Accept as eligible", "Reject as ineligible", "Return for revision",
                 f'name="accept_eligible-version" value="{app.version}"']:
        assert text in page, text
    assert "赵草稿" not in page  # a draft sheet stays with its reviewer
    assert "Open expert review" not in page  # not a step from 'submitted'


def test_accept_moves_the_state_and_writes_the_log(client, staff, really_submitted, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, really_submitted, "accept_eligible", note="材料齐全")
    assert response.status_code == 302 and response["Location"] == inspect_url(really_submitted)
    really_submitted.refresh_from_db()
    assert really_submitted.status == Status.ELIGIBLE
    entry = really_submitted.log.order_by("-seq").first()
    assert (entry.transition, entry.actor, entry.note) == ("application.accept_eligible", staff, "材料齐全")
    page = client.get(inspect_url(really_submitted)).content.decode()
    assert "Accept as eligible: done." in page
    assert "Submitted → Eligible" in page and "材料齐全" in page
    assert any("passed the eligibility check" in m.subject for m in mailoutbox)


def test_return_for_revision_asks_reason_and_deadline(client, staff, submitted, time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 28, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    submitted.competition.revision_days = 7
    submitted.competition.save()
    client.force_login(staff)
    form_page = client.get(f"/admin/application/transition/{submitted.pk}/return_for_revision/").content.decode()
    # 7 working days from Monday 28 September 2026, past National Day: the deadline is midnight after 13 October.
    assert 'value="2026-10-14T00:00"' in form_page
    deadline = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    response = act(client, submitted, "return_for_revision", reason="请补充预算明细",
                   deadline=deadline.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert submitted.staff_note == "请补充预算明细"
    assert submitted.revision_deadline == deadline


def test_missing_reason_is_a_form_error(client, staff, submitted):
    client.force_login(staff)
    response = act(client, submitted, "reject_ineligible", reason="")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_step_from_the_wrong_state_shows_the_reason_not_a_500(client, staff, submitted):
    client.force_login(staff)
    response = act(client, submitted, "open_review")
    assert response.status_code == 200
    assert "This cannot be done while the application is “Submitted”" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.log.count() == 0


def test_refusal_by_the_service_shows_its_message(client, staff, call):
    reviewed = application_in(Status.REVIEWED, competition=call)
    client.force_login(staff)
    response = act(client, reviewed, "recommend", amount="200000")
    assert response.status_code == 200
    assert "exceeds the call&#x27;s maximum per project" in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == Status.REVIEWED
    response = act(client, reviewed, "recommend", amount="45000")
    assert response.status_code == 302
    reviewed.refresh_from_db()
    assert (reviewed.status, reviewed.awarded_amount) == (Status.RECOMMENDED, Decimal("45000"))


def test_stale_page_is_refused(client, staff, submitted):
    client.force_login(staff)
    response = act(client, submitted, "accept_eligible", version=submitted.version - 1 if submitted.version else 7)
    assert response.status_code == 200
    assert "Someone else changed this application" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_unknown_action_and_bad_input_are_not_500(client, staff, submitted):
    client.force_login(staff)
    assert client.get(f"/admin/application/transition/{submitted.pk}/withdraw/").status_code == 404
    assert client.get(f"/admin/application/transition/{submitted.pk}/nonsense/").status_code == 404
    assert act(client, submitted, "accept_eligible", version="abc").status_code == 200
    response = act(client, submitted, "return_for_revision", reason="x", deadline="not a date")
    assert response.status_code == 200 and "Enter a valid date/time." in response.content.decode()


def test_terminate_asks_reason_and_amount_to_return(client, staff, call):
    contracted = application_in(Status.CONTRACTED, competition=call, awarded_amount=Decimal("40000"))
    client.force_login(staff)
    page = client.get(inspect_url(contracted)).content.decode()
    assert "Terminate the project" in page and "cannot be resumed" in page and 'name="terminate-confirmed"' in page
    assert "Complete the project" in page and "The final report has not been accepted yet." in page
    response = act(client, contracted, "terminate", reason="项目负责人失联", return_amount="12000")
    assert response.status_code == 200 and "Tick the box to confirm" in response.content.decode()
    contracted.refresh_from_db()
    assert contracted.status == Status.CONTRACTED  # not without the confirmation
    response = act(client, contracted, "terminate", reason="项目负责人失联", return_amount="12000", confirmed="on")
    assert response.status_code == 302
    contracted.refresh_from_db()
    assert (contracted.status, contracted.return_amount) == (Status.TERMINATED, Decimal("12000"))


def test_missing_buttons_are_explained(client, staff, call):
    reviewed = application_in(Status.REVIEWED, competition=call)
    client.force_login(staff)
    page = client.get(inspect_url(reviewed)).content.decode()
    assert "Why some steps are missing" in page
    assert "Shortlist for the pitch" in page and "This call has no pitch round." in page
    assert "Recommend for funding" in page and "Decline" in page


def test_inspect_links_the_review_pages_of_the_call_when_they_exist(client, staff, submitted):
    from backoffice.applications import review_call_links

    client.force_login(staff)
    page = client.get(inspect_url(submitted)).content.decode()
    for link in review_call_links(submitted.competition):
        assert link["url"] in page


# ----- bulk actions -----------------------------------------------------------------------------


def bulk(client, name, apps, method="post"):
    query = "&".join(f"id={a.pk}" for a in apps) + "&next=/admin/application/"
    url = f"/admin/bulk/applications/application/{name}/?{query}"
    return client.post(url) if method == "post" else client.get(url)


def test_bulk_accept_reports_successes_and_refusals(client, staff, call):
    ready = [application_in(Status.SUBMITTED, competition=call) for _ in range(3)]
    already = application_in(Status.ELIGIBLE, competition=call)
    client.force_login(staff)
    confirm = bulk(client, "accept_eligible", [*ready, already], method="get").content.decode()
    assert "4 applications selected" in confirm and "will be refused" in confirm
    response = bulk(client, "accept_eligible", [*ready, already])
    assert response.status_code == 302 and response["Location"] == "/admin/application/"
    assert set(Application.objects.filter(pk__in=[a.pk for a in ready]).values_list("status", flat=True)) == {"eligible"}
    assert all(a.log.get().actor == staff for a in ready)
    page = client.get("/admin/application/").content.decode()
    assert "3 applications accepted as eligible." in page
    assert f"1 refused: {already.reference}: This cannot be done while the application is “Eligible”" in page


def test_bulk_open_review(client, staff, call):
    apps = [application_in(Status.ELIGIBLE, competition=call) for _ in range(2)]
    client.force_login(staff)
    assert bulk(client, "open_review", apps).status_code == 302
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {"under_review"}


def test_bulk_with_another_bureaus_application_is_not_found_and_changes_nothing(client, staff, call, other_staff):
    mine = application_in(Status.SUBMITTED, competition=call)
    theirs = application_in(Status.SUBMITTED, competition=CompetitionFactory(bureau=other_staff.bureau))
    client.force_login(staff)
    assert bulk(client, "accept_eligible", [mine, theirs], method="get").status_code == 404
    assert bulk(client, "accept_eligible", [mine, theirs]).status_code == 404
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}


def test_bulk_select_all_takes_only_own_applications_in_the_source_state(client, staff, call, other_staff):
    mine = [application_in(Status.SUBMITTED, competition=call) for _ in range(2)]
    theirs = application_in(Status.SUBMITTED, competition=CompetitionFactory(bureau=other_staff.bureau))
    client.force_login(staff)
    response = client.post("/admin/bulk/applications/application/accept_eligible/?id=all&next=/admin/application/")
    assert response.status_code == 302
    assert {a.status for a in Application.objects.filter(pk__in=[m.pk for m in mine])} == {"eligible"}
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED


def test_bulk_select_all_keeps_to_the_listings_filters_and_search(client, staff, bureau, call):
    second_call = CompetitionFactory(bureau=bureau)
    in_call = [application_in(Status.SUBMITTED, competition=call, title=f"助餐{i}") for i in range(2)]
    other_title = application_in(Status.SUBMITTED, competition=call, title="书屋")
    other_call = application_in(Status.SUBMITTED, competition=second_call, title="助餐3")
    client.force_login(staff)
    response = client.post(f"/admin/bulk/applications/application/accept_eligible/"
                           f"?competition={call.pk}&q=助餐&id=all&next=/admin/application/")
    assert response.status_code == 302
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in in_call] == ["eligible", "eligible"]
    assert statuses[other_title.pk] == statuses[other_call.pk] == "submitted"


def test_staff_download_the_submitted_form_of_their_calls_only(client, staff, other_staff, really_submitted):
    from applications.models import SubmittedDocument

    # The submit service kept the 申报书 on commit.
    document = SubmittedDocument.objects.get(application=really_submitted, log_entry=really_submitted.log.get())
    url = f"/admin/application/document/{really_submitted.pk}/{document.pk}/"
    client.force_login(staff)
    assert url in client.get(inspect_url(really_submitted)).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(other_staff)
    assert client.get(url).status_code == 404
