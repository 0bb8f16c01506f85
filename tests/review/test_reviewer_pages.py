"""Reviewer pages: only their own assignments, MFA first, blind review, locked sheets, query counts."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from applications.models import Attachment, Status
from review import services
from review.models import Assignment, Score, ScoreSheet

from .conftest import application_in, reviewer, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(call):
    return application_in(Status.UNDER_REVIEW, competition=call)


@pytest.fixture
def me(bureau):
    return reviewer(bureau)


@pytest.fixture
def my_assignment(under_review, me):
    return services.assignment_create(application=under_review, reviewer=me)


def login(client, user):
    client.force_login(user)
    return client


def criteria_of(app):
    return list(app.competition.criteria.filter(stage="review"))


def sheet_post(app, points, comments=None, **extra):
    data = {}
    for i, c in enumerate(criteria_of(app)):
        data[f"points_{c.pk}"] = points[i]
        data[f"comment_{c.pk}"] = (comments or {}).get(i, "")
    data.update(extra)
    return data


def test_reviewer_without_authenticator_is_sent_to_set_it_up(client, bureau, under_review):
    user = reviewer(bureau, totp=False)
    assignment = services.assignment_create(application=under_review, reviewer=user)
    for url in ("/review/", f"/review/assignments/{assignment.pk}/"):
        response = login(client, user).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/setup/?next=")


def test_non_reviewer_gets_403_and_anonymous_goes_to_login(client, plain_user):
    assert client.get("/review/").status_code == 302
    assert login(client, plain_user).get("/review/").status_code == 403


def test_reviewer_cannot_open_an_unassigned_application_or_another_reviewers_sheet(client, bureau, call, me, my_assignment):
    someone = reviewer(bureau)
    other_app = application_in(Status.UNDER_REVIEW, competition=call)
    theirs = services.assignment_create(application=other_app, reviewer=someone)
    theirs_on_mine = services.assignment_create(application=my_assignment.application, reviewer=someone)
    login(client, me)
    assert client.get(f"/review/assignments/{my_assignment.pk}/").status_code == 200
    for pk in (theirs.pk, theirs_on_mine.pk, 999999):
        assert client.get(f"/review/assignments/{pk}/").status_code == 404
        assert client.post(f"/review/assignments/{pk}/", {"save": "1"}).status_code == 404
        assert client.get(f"/review/assignments/{pk}/decline/").status_code == 404
        assert client.get(f"/review/assignments/{pk}/sheets/").status_code == 404


def test_other_sheets_only_after_submitting_own_and_if_the_call_allows(client, bureau, call, me, my_assignment):
    other = reviewer(bureau)
    scored(my_assignment.application, other, [25, 30, 20], comment="很好")
    login(client, me)
    url = f"/review/assignments/{my_assignment.pk}/sheets/"
    assert client.get(url).status_code == 403  # own sheet not submitted
    services.sheet_submit(sheet=my_assignment.sheet, actor=me)
    assert client.get(url).status_code == 403  # call does not allow it
    call.show_other_sheets = True
    call.save()
    response = client.get(url)
    assert response.status_code == 200 and "很好" in response.content.decode()


def test_draft_then_submit_locks_and_completes_the_review(client, me, my_assignment, django_capture_on_commit_callbacks):
    app = my_assignment.application
    url = f"/review/assignments/{my_assignment.pk}/"
    login(client, me)
    response = client.post(url, sheet_post(app, ["20", "", ""], save="1"))
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(assignment=my_assignment)
    assert not sheet.locked and Score.objects.get(sheet=sheet).points == Decimal("20")
    # Submitting needs every criterion, a comment under 60 % of the maximum and a recommendation.
    response = client.post(url, sheet_post(app, ["20", "10", "25"], submit="1"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Explain a score below 60% of the maximum" in page and "Choose a recommendation" in page
    # The summary lists the fields to correct, without a line repeating its own heading.
    assert "Correct the marked fields." not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, sheet_post(app, ["20", "10", "25"], {1: "设计不完整"}, submit="1", recommendation="fund_with_changes",
                                               overall_comment="可以资助", confirmed="1"))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.locked and sheet.recommendation == "fund_with_changes"
    app.refresh_from_db()
    assert app.status == Status.REVIEWED  # the only sheet was the last one
    assert "Submitted on" in client.get(url).content.decode()


def test_a_locked_sheet_cannot_be_changed_by_service_or_post(client, me, my_assignment):
    app = my_assignment.application
    services.sheet_save(sheet=my_assignment.sheet, actor=me, scores={c.pk: ("25", "") for c in criteria_of(app)},
                        recommendation="fund", submit=True)
    with pytest.raises(services.ReviewError) as exc:
        services.sheet_save(sheet=my_assignment.sheet, actor=me, scores={c.pk: ("1", "x") for c in criteria_of(app)})
    assert exc.value.code in ("locked", "state")
    with pytest.raises(services.ReviewError) as exc:
        services.sheet_submit(sheet=my_assignment.sheet, actor=me)
    assert exc.value.code == "locked"
    response = login(client, me).post(f"/review/assignments/{my_assignment.pk}/", sheet_post(app, ["1", "1", "1"], submit="1"))
    assert response.status_code == 400
    assert set(Score.objects.filter(sheet=my_assignment.sheet).values_list("points", flat=True)) == {Decimal("25")}


def test_points_range_and_half_points(call, me, my_assignment):
    app = my_assignment.application
    first = criteria_of(app)[0]  # max 30
    for raw, message in (("31", "between 0 and 30"), ("-1", "between 0 and 30"), ("7.5", "whole points"), ("abc", "number")):
        with pytest.raises(services.ReviewError) as exc:
            services.sheet_save(sheet=my_assignment.sheet, actor=me, scores={first.pk: (raw, "")})
        assert message in exc.value.errors[f"points_{first.pk}"]
    call.half_points = True
    call.save()
    services.sheet_save(sheet=my_assignment.sheet, actor=me, scores={first.pk: ("7.5", "")})
    with pytest.raises(services.ReviewError):
        services.sheet_save(sheet=my_assignment.sheet, actor=me, scores={first.pk: ("7.25", "")})


def test_blind_review_hides_identity_and_identifying_attachments(client, call, me, my_assignment):
    call.blind_review = True
    call.save()
    app = my_assignment.application
    secret = Attachment.objects.create(application=app, kind="registration", original_name="登记证书.pdf",
                                       content_type="application/pdf", size=3, sha256="x", identifying=True,
                                       file=ContentFile(b"abc", name="a"))
    plain = Attachment.objects.create(application=app, kind="project", original_name="项目方案.pdf",
                                      content_type="application/pdf", size=3, sha256="y",
                                      file=ContentFile(b"def", name="b"))
    login(client, me)
    page = client.get(f"/review/assignments/{my_assignment.pk}/").content.decode()
    org = app.organization
    for hidden in (org.name, org.credit_code, org.contact_phone, org.contact_name, "登记证书.pdf"):
        assert hidden not in page
    assert "项目方案.pdf" in page and app.title in page
    assert client.get(f"/review/assignments/{my_assignment.pk}/attachments/{secret.pk}/").status_code == 404
    response = client.get(f"/review/assignments/{my_assignment.pk}/attachments/{plain.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"def"
    assert org.name not in client.get("/review/").content.decode()
    call.blind_review = False
    call.save()
    assert org.name in client.get(f"/review/assignments/{my_assignment.pk}/").content.decode()


def test_decline_page_records_the_conflict_and_hands_over(client, bureau, me, my_assignment):
    other = reviewer(bureau)
    login(client, me)
    url = f"/review/assignments/{my_assignment.pk}/decline/"
    assert client.post(url, {"declaration": ""}).status_code == 400
    response = client.post(url, {"declaration": "申报机构负责人是我的亲属"})
    assert response.status_code == 302
    my_assignment.refresh_from_db()
    assert my_assignment.state == "declined"
    assert Assignment.objects.filter(application=my_assignment.application, reviewer=other, state="assigned").exists()
    assert client.get(f"/review/assignments/{my_assignment.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [10, 200])
def test_assignment_list_query_count_does_not_grow(client, call, me, rows, django_assert_num_queries):
    for _ in range(rows):
        services.assignment_create(application=application_in(Status.UNDER_REVIEW, competition=call), reviewer=me)
    login(client, me)
    client.get("/review/")  # warm: the site menu's site lookup is cached after the first request
    # session, user, reviewer profile, second factor, the assignments with call, org and sheet, and
    # the header's roles: whether the reviewer also belongs to an organization (portal link)
    with django_assert_num_queries(6):
        response = client.get("/review/")
    assert response.status_code == 200
    assert response.content.decode().count("/review/assignments/") == rows


def test_invitation_link_sets_password_once_then_mfa(client, bureau, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        profile = services.reviewer_invite(email="Expert@Example.org", full_name="王专家", bureau=bureau, actor=staff,
                                           expertise=["养老"])
    assert profile.bureaus.filter(pk=bureau.pk).exists() and not profile.user.has_usable_password()
    (message,) = mail.outbox
    link = re.search(r"http\S+/review/invitation/\S+/", message.body).group(0)
    path = link.split("127.0.0.1:8000")[-1] if "127.0.0.1:8000" in link else "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    # Two passwords that differ: the message sits with its field, in the site's form style, and the
    # password rules read 您 as the rest of the site does.
    mismatch = client.post(path, {"new_password1": "Review-pass-2026", "new_password2": "Review-pass-2062"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = mismatch.content.decode()
    assert mismatch.status_code == 400 and not profile.user.__class__.objects.get(pk=profile.user.pk).has_usable_password()
    assert '<div class="field has-error">' in page and "输入的两个密码不一致。" in page
    assert "css/portal.css" in page and "密码至少需要 8 个字符。" in page and "你的" not in page
    assert "通行密钥或身份验证器应用" in page
    response = client.post(path, {"new_password1": "Review-pass-2026", "new_password2": "Review-pass-2026"})
    assert response.status_code == 302
    profile.user.refresh_from_db()
    assert profile.user.check_password("Review-pass-2026")
    assert response["Location"] == "/accounts/2fa/setup/?next=/review/"  # straight to the second factor, then back
    assert client.get("/accounts/2fa/setup/?next=/review/").status_code == 200  # no second password prompt
    client.logout()
    assert client.get(path).status_code == 400  # used once


def test_only_the_bureaus_staff_invite(bureau, other_staff):
    with pytest.raises(services.ReviewError):
        services.reviewer_invite(email="x@example.org", full_name="x", bureau=bureau, actor=other_staff)


def test_reviewer_declares_a_tie_on_the_profile_page_and_is_not_assigned_it(client, bureau, call, staff, me):
    from review.models import Affiliation

    app = application_in(Status.ELIGIBLE, competition=call)
    login(client, me)
    assert client.get("/review/profile/").status_code == 200
    assert client.post("/review/profile/", {"organization": "无此机构", "description": "x"}).status_code == 400
    response = client.post("/review/profile/", {"organization": app.organization.credit_code, "description": "曾任理事"})
    assert response.status_code == 302
    assert Affiliation.objects.filter(reviewer=me.reviewer_profile, organization=app.organization).exists()
    assert "曾任理事" in client.get("/review/profile/").content.decode()
    other = reviewer(bureau)
    call.reviewers_per_application = 1
    call.save()
    services.assignments_generate(competition=call, actor=staff)
    assert list(app.assignments.values_list("reviewer_id", flat=True)) == [other.pk]


def test_submit_and_lock_asks_for_confirmation_first_and_locks_nothing_until_confirmed(client, me, my_assignment):
    """A complete sheet sent without the confirmation gets a page that says what will be locked; the
    sheet stays open. The same POST with confirmed=1 locks it."""
    app = my_assignment.application
    url = f"/review/assignments/{my_assignment.pk}/"
    data = sheet_post(app, ["20", "15", "25"], {1: "设计不完整"}, submit="1", recommendation="fund")
    response = login(client, me).post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Submit and lock this score sheet?" in page and "60 of 100 points" in page
    assert 'name="confirmed" value="1"' in page
    sheet = ScoreSheet.objects.get(assignment=my_assignment)
    assert not sheet.locked and not Score.objects.filter(sheet=sheet).exists()
    response = client.post(url, data | {"confirmed": "1"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.locked


def test_the_score_sheet_marks_each_field_in_error_and_shows_the_total(client, me, my_assignment):
    app = my_assignment.application
    first = criteria_of(app)[0]
    url = f"/review/assignments/{my_assignment.pk}/"
    response = login(client, me).post(url, sheet_post(app, ["99", "10", ""], submit="1"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and f'href="#id_points_{first.pk}"' in page
    assert re.search(rf'id="id_points_{first.pk}"[^>]*value="99"[^>]*aria-invalid="true"', page, re.S)
    assert 'id="sheet-total"' in page and 'data-confirm="confirm-lock"' in page


def test_a_sheet_the_bureau_took_off_the_list_says_so_and_leads_back_to_my_reviews(client, my_assignment, me, staff):
    sheet_url = f"/review/assignments/{my_assignment.pk}/"
    login(client, me)
    assert client.get(sheet_url).status_code == 200
    services.assignment_remove(assignment=my_assignment, actor=staff)
    gone = client.get(sheet_url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = gone.content.decode()
    assert gone.status_code == 404 and "此申报不在您的评审任务中：可能已被民政部门撤下" in text and 'href="/review/"' in text
    assert "此申报不在您的评审任务中" not in client.get("/no-such-page/").content.decode()


def test_the_profile_page_writes_no_lone_separator_for_a_reviewer_without_title_or_employer(client, bureau):
    bare = reviewer(bureau, title="", employer="")
    login(client, bare)
    page = client.get("/review/profile/").content.decode()
    assert '<p class="meta"> · </p>' not in page and '<p class="meta">' not in page.split("<h1>")[1].split("</section>")[0]
    titled = reviewer(bureau, title="副教授", employer="")
    login(client, titled)
    assert '<p class="meta">副教授</p>' in client.get("/review/profile/").content.decode()
