"""公示: publishing, objections (and their refusals), decisions."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from accounts.models import Notification
from applications.models import Application, Attachment, Objection, Status
from applications.publicity import objection_decide, objection_file
from applications.services import ApplicationError
from cms.models import NewsIndexPage, PublicityPage
from cms.publicity import publicity_publish
from review.services import assignment_create
from tests.factories import StaffFactory, UserFactory, application_in_state
from tests.files import PDF, PNG

from .conftest import admin_staff, objection_post

pytestmark = pytest.mark.django_db


def test_publish_moves_recommended_to_publicizing_and_creates_the_page(client, publicity):
    page, app, _staff = publicity
    assert app.status == Status.PUBLICIZING
    assert page.live and isinstance(page, PublicityPage)
    assert page.ends_at == app.publicity_ends_at
    text = client.get(page.url).content.decode()
    assert app.organization.name in text
    assert app.title in text
    assert "50,000.00" in text
    assert "not published" in text  # no ranking available: a labelled blank, not a number
    assert page.last_day.strftime("%Y-%m-%d") in text
    # A short address to print or read out: the call's number, then the round.
    assert page.slug == f"publicity-{app.competition.pk}"
    from cms.publicity import publicity_slug

    assert publicity_slug(page.get_parent(), app.competition) == f"publicity-{app.competition.pk}-2"


def test_window_counts_chinese_working_days(announcements):
    app = application_in_state(Status.RECOMMENDED)
    app.competition.publicity_working_days = 5
    app.competition.save()
    # Published on Monday 28 September 2026: National Day holidays (1-7 October) are not counted.
    with time_machine.travel(dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc), tick=False):
        page = publicity_publish(competition=app.competition, actor=app.staff)
    assert page.last_day > dt.date(2026, 10, 7)
    assert not page.approximate


def test_window_beyond_the_holiday_calendar_shows_a_warning(client, announcements):
    app = application_in_state(Status.RECOMMENDED)
    with time_machine.travel(dt.datetime(2099, 3, 2, 2, 0, tzinfo=dt.timezone.utc), tick=False):
        page = publicity_publish(competition=app.competition, actor=app.staff)
        text = client.get(page.url).content.decode()
    assert page.approximate
    assert "The official holiday schedule for 2099 was not yet known" in text
    assert "only weekends were skipped" in text


def test_panel_names_shown_only_when_the_call_says_so(client, announcements):
    app = application_in_state(Status.RECOMMENDED)
    reviewer = app.assignments.first().reviewer
    reviewer.full_name = "李专家"
    reviewer.save()
    app.competition.show_panel_names = True
    app.competition.save()
    page = publicity_publish(competition=app.competition, actor=app.staff)
    assert "李专家" in client.get(page.url).content.decode()

    other = application_in_state(Status.RECOMMENDED)
    assignment_create(application=other, reviewer=reviewer)
    hidden = publicity_publish(competition=other.competition, actor=other.staff)
    assert "李专家" not in client.get(hidden.url).content.decode()


def test_another_bureaus_staff_cannot_publish(client, announcements, recommended):
    stranger = StaffFactory()
    with pytest.raises(ApplicationError, match="Only staff of the bureau"):
        publicity_publish(competition=recommended.competition, actor=stranger)
    recommended.refresh_from_db()
    assert recommended.status == Status.RECOMMENDED

    editor = admin_staff(StaffFactory().bureau)
    client.force_login(editor)
    url = f"/admin/publicity/{recommended.competition.pk}/publish/"
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    recommended.refresh_from_db()
    assert recommended.status == Status.RECOMMENDED
    assert not PublicityPage.objects.exists()


def test_staff_publish_through_the_admin_confirm_page(client, announcements, recommended):
    staff = admin_staff(recommended.competition.bureau)
    client.force_login(staff)
    url = f"/admin/publicity/{recommended.competition.pk}/publish/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert recommended.title in confirm.content.decode()

    response = client.post(url)

    assert response.status_code == 302
    recommended.refresh_from_db()
    assert recommended.status == Status.PUBLICIZING
    page = PublicityPage.objects.get()
    assert response["Location"] == page.url
    # Nothing left to publish: a second post says so instead of failing.
    again = client.post(url)
    assert again.status_code == 400
    assert "nothing to publish" in again.content.decode()


# ----- objections -------------------------------------------------------------------------------


def test_a_person_files_an_objection_and_the_page_shows_no_personal_data(client, publicity):
    page, app, _staff = publicity
    response = client.post(f"/publicity/{page.pk}/objection/", objection_post(app))
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.objector_name, objection.objector_phone, objection.state) == ("王五", "13912345678", "open")

    text = client.get(page.url).content.decode()
    assert "Received" in text
    assert "王五" not in text and "13912345678" not in text
    assert "未按期结项" not in text  # the reason stays with the bureau too


def test_an_organization_objects_with_a_stamped_letter(client, publicity):
    page, app, _staff = publicity
    letter = SimpleUploadedFile("盖章函.png", PNG, content_type="image/png")
    data = objection_post(app, objector_kind="organization", organization="某社工服务中心", phone="", letter=letter)
    response = client.post(f"/publicity/{page.pk}/objection/", data)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.kind == "objection"
    assert attachment.objection == Objection.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.application_id is None and attachment.organization_id is None


def test_organization_without_letter_is_refused(client, publicity):
    page, app, _staff = publicity
    data = objection_post(app, objector_kind="organization", organization="某社工服务中心")
    response = client.post(f"/publicity/{page.pk}/objection/", data)
    assert response.status_code == 400
    assert "stamped letter" in response.content.decode()
    assert not Objection.objects.exists()


def test_objection_after_the_window_is_refused_with_the_dates(client, publicity):
    page, app, _staff = publicity
    end = timezone.localtime(app.publicity_ends_at)
    with time_machine.travel(app.publicity_ends_at + dt.timedelta(hours=1), tick=False):
        data = objection_post(app)  # filled in a minute before sending, after the window
        response = client.post(f"/publicity/{page.pk}/objection/", data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "ended at" in text and end.strftime("%Y-%m-%d %H:%M") in text
    assert not Objection.objects.exists()


def test_objection_on_a_page_that_is_not_a_publicity_is_refused(client, home, publicity):
    _page, app, _staff = publicity
    news = NewsIndexPage(title="新闻", slug="news")
    home.add_child(instance=news)
    response = client.post(f"/publicity/{news.pk}/objection/", objection_post(app))
    assert response.status_code == 400
    assert "is not a public notice (公示)" in response.content.decode()
    assert client.post("/publicity/999999/objection/", objection_post(app)).status_code == 404
    assert not Objection.objects.exists()


def test_objection_to_an_application_not_on_the_page_is_refused(client, publicity):
    page, _app, _staff = publicity
    other = application_in_state(Status.PUBLICIZING)
    response = client.post(f"/publicity/{page.pk}/objection/", objection_post(other))
    assert response.status_code == 400
    assert not Objection.objects.exists()


@override_settings(OBJECTION_LETTER_MAX_BYTES=1000)
def test_oversize_letter_is_refused(client, publicity):
    page, app, _staff = publicity
    letter = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 2000, content_type="application/pdf")
    data = objection_post(app, objector_kind="organization", organization="某中心", letter=letter)
    response = client.post(f"/publicity/{page.pk}/objection/", data)
    assert response.status_code == 400
    assert "at most" in response.content.decode()
    assert not Objection.objects.exists() and not Attachment.objects.exists()


def test_letter_that_is_not_an_image_or_pdf_is_refused_whatever_its_name(client, publicity):
    page, app, _staff = publicity
    letter = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    data = objection_post(app, objector_kind="organization", organization="某中心", letter=letter)
    response = client.post(f"/publicity/{page.pk}/objection/", data)
    assert response.status_code == 400
    assert "is not a PDF, JPEG or PNG file" in response.content.decode()
    assert not Objection.objects.exists()


def test_honeypot_filled_is_refused(client, publicity):
    page, app, _staff = publicity
    response = client.post(f"/publicity/{page.pk}/objection/", objection_post(app, website="http://spam.example"))
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_form_sent_too_fast_is_refused(client, publicity):
    page, app, _staff = publicity
    fresh = client.get(f"/publicity/{page.pk}/objection/").context["objection_form"].initial["started"]
    response = client.post(f"/publicity/{page.pk}/objection/", objection_post(app, started=fresh))
    assert response.status_code == 400
    assert "too quickly" in response.content.decode()
    forged = client.post(f"/publicity/{page.pk}/objection/", objection_post(app, started="123:forged"))
    assert forged.status_code == 400
    assert not Objection.objects.exists()


def test_one_form_files_one_objection_however_often_it_is_sent(client, publicity):
    page, app, _staff = publicity
    data = objection_post(app)
    first = client.post(f"/publicity/{page.pk}/objection/", data)
    assert first.status_code == 302
    again = client.post(f"/publicity/{page.pk}/objection/", data, REMOTE_ADDR="10.9.8.7")  # replayed from elsewhere
    assert again.status_code == 400
    assert "This form has already been sent" in again.content.decode()
    assert Objection.objects.count() == 1
    # The page shown with the refusal carries a fresh form: a person can still file another one.
    fresh = again.context["objection_form"].data["started"]
    assert fresh != data["started"]


def test_a_form_with_mistakes_keeps_its_token_until_it_is_filed(client, publicity):
    page, app, _staff = publicity
    data = objection_post(app, reason="")
    assert client.post(f"/publicity/{page.pk}/objection/", data).status_code == 400
    assert client.post(f"/publicity/{page.pk}/objection/", {**data, "reason": "补充：项目预算虚报。"}).status_code == 302
    assert Objection.objects.count() == 1


@override_settings(OBJECTION_RATE_LIMIT=(3, 3600))
def test_rate_limited_per_ip(client, publicity):
    page, app, _staff = publicity
    codes = [client.post(f"/publicity/{page.pk}/objection/", objection_post(app)).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    other_ip = client.post(f"/publicity/{page.pk}/objection/", objection_post(app), REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 302
    assert Objection.objects.count() == 4


def test_the_objection_form_is_a_page_of_its_own_with_the_project_chosen(client, publicity):
    page, app, _staff = publicity
    response = client.get(f"/publicity/{page.pk}/objection/?application={app.pk}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Send the objection" in text and page.title in text
    assert response.context["objection_form"]["application"].value() == app.pk
    # A made-up choice is ignored, not a 500.
    assert client.get(f"/publicity/{page.pk}/objection/?application=²").status_code == 200


def test_after_the_window_the_objection_page_says_so(client, publicity):
    page, _app, _staff = publicity
    with time_machine.travel(page.ends_at + dt.timedelta(minutes=1), tick=False):
        text = client.get(f"/publicity/{page.pk}/objection/").content.decode()
    assert "The period has ended" in text
    assert "Send the objection" not in text


# ----- decisions --------------------------------------------------------------------------------


def _objection(app):
    return objection_file(application=app, objector_kind="person", name="王五", phone="139", reason="虚报人数")


def test_upheld_objection_cancels_the_award(publicity, mailoutbox, django_capture_on_commit_callbacks):
    page, app, staff = publicity
    objection = _objection(app)
    with django_capture_on_commit_callbacks(execute=True):
        objection_decide(objection=objection, actor=staff, upheld=True, investigation="经核实，服务人数虚报。")
    app.refresh_from_db()
    objection.refresh_from_db()
    assert app.status == Status.DECLINED
    assert objection.state == "upheld" and objection.decided_by == staff
    entry = app.log.order_by("-seq").first()
    assert entry.transition == "application.cancel_after_objection"
    assert "服务人数虚报" in entry.note
    # The organization hears of it (in its member's language), in the site and by mail.
    notification = Notification.objects.get(key=f"transition:{entry.pk}:user:{app.member.pk}")
    assert notification.url == f"/portal/applications/{app.pk}/"
    assert app.reference in notification.subject
    assert [m.to for m in mailoutbox if m.subject == notification.subject] == [[app.member.email]]


def test_dismissed_objection_keeps_the_award(client, publicity):
    page, app, staff = publicity
    objection = _objection(app)
    objection_decide(objection=objection, actor=staff, upheld=False, investigation="反映情况不属实。")
    app.refresh_from_db()
    assert app.status == Status.PUBLICIZING
    text = client.get(page.url).content.decode()
    assert "Dismissed" in text and "the award stands" in text
    with pytest.raises(ApplicationError, match="already decided"):
        objection_decide(objection=objection, actor=staff, upheld=True, investigation="再议")


def test_only_the_calls_bureau_decides_and_with_an_investigation(publicity):
    _page, app, staff = publicity
    objection = _objection(app)
    with pytest.raises(ApplicationError, match="Only staff"):
        objection_decide(objection=objection, actor=StaffFactory(), upheld=True, investigation="x")
    with pytest.raises(ApplicationError, match="investigation"):
        objection_decide(objection=objection, actor=staff, upheld=True, investigation="  ")
    assert Objection.objects.get().state == "open"
    assert Application.objects.get(pk=app.pk).status == Status.PUBLICIZING


def test_staff_decide_in_the_admin(client, publicity):
    _page, app, _staff = publicity
    objection = _objection(app)
    staff = admin_staff(app.competition.bureau)
    client.force_login(staff)
    index = client.get("/admin/publicity/")
    assert index.status_code == 200 and "王五" in index.content.decode()
    unconfirmed = client.post(f"/admin/publicity/objections/{objection.pk}/", {"decision": "upheld", "investigation": "属实"})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm" in unconfirmed.content.decode()
    app.refresh_from_db()
    assert app.status == Status.PUBLICIZING
    response = client.post(f"/admin/publicity/objections/{objection.pk}/", {"decision": "upheld", "investigation": "属实", "confirmed": "on"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.DECLINED

    stranger = admin_staff(StaffFactory().bureau)
    client.force_login(stranger)
    assert client.get(f"/admin/publicity/objections/{objection.pk}/").status_code == 403
    assert "王五" not in client.get("/admin/publicity/").content.decode()


def test_anonymous_cannot_reach_the_admin_views(client, publicity):
    _page, app, _staff = publicity
    response = client.get(f"/admin/publicity/{app.competition.pk}/publish/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(f"/admin/publicity/{app.competition.pk}/publish/").status_code in (302, 403)


def test_letter_download_is_for_the_bureau_only(client, publicity):
    page, app, _staff = publicity
    letter = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    objection = objection_file(application=app, objector_kind="organization", name="赵六", organization="某中心",
                               reason="理由", letter=letter)
    attachment = objection.attachments.get()
    client.force_login(admin_staff(app.competition.bureau))
    response = client.get(f"/admin/publicity/objections/{objection.pk}/letters/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_final_scores_come_from_the_review_ranking(client, announcements):
    from review.models import Score

    app = application_in_state(Status.RECOMMENDED)
    sheet = app.assignments.get().sheet
    for criterion in app.competition.criteria.all():
        Score.objects.create(sheet=sheet, criterion=criterion, points=criterion.max_points - 5)
    page = publicity_publish(competition=app.competition, actor=app.staff)
    entry = page.entries.get()
    assert entry.final_score is not None and entry.final_score > 0
    text = client.get(page.url).content.decode()
    assert f"{entry.final_score:.2f}" in text
    assert "not published" not in text


def test_bureau_staff_are_told_of_a_new_objection(publicity, mailoutbox, django_capture_on_commit_callbacks):
    from accounts.models import Notification

    _page, app, staff = publicity
    other_bureau = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        objection = _objection(app)
    notification = Notification.objects.get(key=f"objection:{objection.pk}:user:{staff.pk}")
    assert notification.url == f"/admin/publicity/objections/{objection.pk}/"
    assert not Notification.objects.filter(user=other_bureau).exists()
    assert [staff.email] in [m.to for m in mailoutbox]


def test_editors_cannot_make_a_publicity_page_by_hand(announcements):
    assert not PublicityPage.can_create_at(announcements)


def test_the_row_number_column_is_headed_as_chinese_tables_head_it(client, publicity):
    """序号, not "#" (which a phone shows as the card label "#：1")."""
    page, _application, _staff = publicity
    html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<th>序号</th>" in html and 'data-label="序号"' in html and "<th>#</th>" not in html
