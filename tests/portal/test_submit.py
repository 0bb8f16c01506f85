"""Submit, the receipt, the 申报书 PDF, the status page, resubmit, withdraw and notifications."""

import datetime as dt
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from applications import services
from applications.models import Application, SubmittedDocument, TransitionLog
from applications.tasks import generate_application_pdf
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def submit(client, app, version=None):
    return client.post(reverse("applications:submit", args=[app.pk]),
                       {"version": app.version if version is None else version, "confirmed": "1"})


def pdf_text(document):
    with document.file.open("rb") as f:
        data = f.read()
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    return text, fonts


def test_submit_shows_the_receipt_with_reference_and_pdf(app_client, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(app_client, draft)
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert response["Location"] == reverse("applications:receipt", args=[draft.pk])
    html = app_client.get(response["Location"]).content.decode()
    assert draft.reference in html
    document = SubmittedDocument.objects.get(application=draft)
    assert reverse("applications:document_download", args=[draft.pk, document.pk]) in html
    text, _fonts = pdf_text(document)
    assert draft.reference in text
    assert draft.title in text
    assert "为社区高龄、空巢老人提供上门探访和助餐服务" in text
    assert draft.organization.name in text


def test_pdf_fonts_are_embedded_cjk_and_not_type3(draft):
    services.application_submit(application=draft, actor=draft.organization.memberships.get().user)
    entry = draft.log.get()
    generate_application_pdf(entry.pk)
    _text, fonts = pdf_text(SubmittedDocument.objects.get())
    assert "NotoSansCJK" in fonts.replace(" ", "").replace("-", "")
    assert "Type 3" not in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes " in line  # emb column


def test_pdf_is_kept_once_and_later_changes_do_not_touch_it(draft):
    member = draft.organization.memberships.get().user
    services.application_submit(application=draft, actor=member)
    entry = draft.log.get()
    first = generate_application_pdf(entry.pk)
    assert generate_application_pdf(entry.pk) is None  # run again: nothing new
    assert SubmittedDocument.objects.count() == 1
    document = SubmittedDocument.objects.get()
    before = document.file.open("rb").read()
    Application.objects.filter(pk=draft.pk).update(title="后来改过的名称")
    generate_application_pdf(entry.pk)
    document.refresh_from_db()
    assert document.pk == first
    assert document.file.open("rb").read() == before
    assert "后来改过的名称" not in pdf_text(document)[0]


def test_double_click_gives_one_submission_and_the_same_receipt(app_client, draft, django_capture_on_commit_callbacks):
    version = draft.version
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(app_client, draft, version)
        second = submit(app_client, draft, version)
    assert first["Location"] == second["Location"] == reverse("applications:receipt", args=[draft.pk])
    assert TransitionLog.objects.filter(application=draft).count() == 1
    assert SubmittedDocument.objects.count() == 1
    page = app_client.get(second["Location"]).content.decode()
    assert "already submitted; here is its receipt" in page
    draft.refresh_from_db()
    assert draft.reference in page


def test_submit_after_the_deadline_says_when_it_closed(app_client, draft):
    closes = draft.competition.closes_at
    with time_machine.travel(closes + dt.timedelta(minutes=1), tick=False):
        response = submit(app_client, draft)
        page = app_client.get(response["Location"]).content.decode()
    local = timezone.localtime(closes).strftime("%Y-%m-%d %H:%M:%S")
    assert f"The call closed at {local} (Beijing time)" in page
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.reference is None


def test_submit_with_blockers_explains(app_client, draft):
    draft.budget_lines.all().delete()
    page = app_client.post(reverse("applications:submit", args=[draft.pk]), {"version": draft.version, "confirmed": "1"}, follow=True).content.decode()
    assert "Add at least one budget line." in page
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_submit_with_a_stale_version_is_refused_while_still_a_draft(app_client, draft):
    page = app_client.post(reverse("applications:submit", args=[draft.pk]), {"version": draft.version - 1 if draft.version else 99, "confirmed": "1"}, follow=True).content.decode()
    assert "Reload" in page
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_submit_without_version_is_a_clear_400(app_client, draft):
    response = app_client.post(reverse("applications:submit", args=[draft.pk]), {})
    assert response.status_code == 400


def test_status_page_timeline_resubmit_and_second_pdf(app_client, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(app_client, draft)
    draft.refresh_from_db()
    staff = StaffFactory(bureau=draft.competition.bureau)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return_for_revision(application=draft, actor=staff, reason="请补充预算明细")
    html = app_client.get(reverse("applications:application_detail", args=[draft.pk])).content.decode()
    assert "submitted the application." in html
    assert "The bureau returned the application for revision." in html
    assert "请补充预算明细" in html
    assert "Revise and resubmit before" in html
    assert "Resubmit the application" in html
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(app_client, draft)
    assert response["Location"] == reverse("applications:receipt", args=[draft.pk])
    assert SubmittedDocument.objects.filter(application=draft).count() == 2
    html = app_client.get(reverse("applications:application_detail", args=[draft.pk])).content.decode()
    assert "submitted the revised application." in html


def test_withdraw_asks_first_then_withdraws(app_client, draft):
    url = reverse("applications:withdraw", args=[draft.pk])
    assert "Withdraw the application?" in app_client.get(url).content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    app_client.post(url, {"note": "团队变动"})
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    html = app_client.get(reverse("applications:application_detail", args=[draft.pk])).content.decode()
    assert "withdrew the application." in html and "团队变动" in html


def test_every_mail_is_also_a_notification_and_can_be_marked_read(app_client, draft, applicant, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(app_client, draft)
    assert len(mailoutbox) == 1
    notification = Notification.objects.get(user=applicant)
    html = app_client.get(reverse("applications:notification_list")).content.decode()
    assert notification.subject in html and "unread" in html
    response = app_client.post(reverse("applications:notification_read", args=[notification.pk]), {"next": notification.url})
    assert response["Location"] == notification.url
    assert app_client.get(notification.url).status_code == 200
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read(app_client, applicant):
    from accounts import services as account_services

    for i in range(3):
        account_services.notification_create(user=applicant, key=f"k{i}", subject=f"s{i}", body="b")
    app_client.post(reverse("applications:notifications_read_all"))
    assert not Notification.objects.filter(user=applicant, read_at__isnull=True).exists()


def test_document_of_another_organization_is_404(client, other_application, stranger):
    services.application_submit(application=other_application, actor=other_application.organization.memberships.get().user)
    doc_pk = generate_application_pdf(other_application.log.get().pk)
    client.force_login(stranger)
    assert client.get(reverse("applications:document_download", args=[other_application.pk, doc_pk])).status_code == 404


def test_status_page_says_what_happens_next(app_client, draft):
    services.application_submit(application=draft, actor=draft.organization.memberships.get().user)
    staff = StaffFactory(bureau=draft.competition.bureau)
    services.application_reject_ineligible(application=draft, actor=staff, reason="服务地点不在本市")
    html = app_client.get(reverse("applications:application_detail", args=[draft.pk])).content.decode()
    assert "The bureau's reason:" in html and "服务地点不在本市" in html
    assert "Withdraw the application" not in html
    assert "The bureau checked the application: it is not eligible." in html


def test_submit_without_confirmation_shows_what_will_happen_and_does_not_submit(app_client, draft):
    """The server asks again (a page of its own, for a phone without JavaScript) and submits nothing."""
    response = app_client.post(reverse("applications:submit", args=[draft.pk]), {"version": draft.version})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Submit the application?" in page and "can no longer be changed" in page
    assert f'name="version" value="{draft.version}"' in page and 'name="confirmed" value="1"' in page
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.reference is None
    assert not TransitionLog.objects.filter(application=draft).exists()


def test_the_status_page_carries_the_confirmation_dialog(app_client, draft):
    page = app_client.get(reverse("applications:application_detail", args=[draft.pk])).content.decode()
    assert 'data-confirm="confirm-submit"' in page and '<dialog id="confirm-submit"' in page
    assert "The application form (申报书) is made into a PDF" in page


def test_a_title_with_its_own_quotation_marks_is_quoted_with_single_marks_inside(app_client, applicant, draft):
    """GB/T 15834: a quotation inside a quotation takes single marks, so the confirmation reads
    的“‘银龄守望’高龄独居老人关爱服务”, not the doubled ““银龄守望”…”."""
    applicant.language = "zh-hans"
    applicant.save(update_fields=["language"])
    draft.title = "“银龄守望”高龄独居老人关爱服务"
    draft.save(update_fields=["title"])
    draft.competition.title = "2026年“邻里守望”公益创投大赛"
    draft.competition.save(update_fields=["title"])
    response = app_client.post(reverse("applications:submit", args=[draft.pk]), {"version": draft.version},
                               HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert "的“‘银龄守望’高龄独居老人关爱服务”将提交给民政局，参加“2026年‘邻里守望’公益创投大赛”" in page
    assert "““" not in page and "””" not in page
