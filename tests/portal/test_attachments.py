"""Uploads typed by content, size limits, private storage, and who may download."""

import urllib.parse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application, Attachment, Status
from review.models import Assignment
from tests.factories import ReviewerFactory, StaffFactory, UserFactory, with_totp
from tests.files import JPEG, PDF, PNG, office

pytestmark = pytest.mark.django_db


def upload(client, app, name, content, **extra):
    data = {"file": SimpleUploadedFile(name, content), "kind": "project"}
    data.update(extra)
    return client.post(reverse("applications:section", args=[app.pk, "attachments"]), data)


@pytest.mark.parametrize("name,content,expected", [
    ("项目方案.pdf", PDF, "application/pdf"),
    ("活动照片.png", PNG, "image/png"),
    ("现场.JPG", JPEG, "image/jpeg"),
    ("预算.docx", office("word"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("预算表.xlsx", office("xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_accepted_kinds_are_typed_from_content(app_client, draft, name, content, expected):
    assert upload(app_client, draft, name, content).status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.content_type == expected
    assert attachment.original_name == name
    assert attachment.size == len(content)


def test_file_is_stored_outside_the_public_media_folder(app_client, draft, settings):
    upload(app_client, draft, "a.pdf", PDF)
    path = Attachment.objects.get().file.path
    assert str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not str(path).startswith(str(settings.MEDIA_ROOT))


def test_renamed_file_that_is_not_a_pdf_is_refused(app_client, draft):
    response = upload(app_client, draft, "申请书.pdf", b"PK\x03\x04 this is a renamed zip, not a PDF")
    assert response.status_code == 400
    html = response.content.decode()
    assert "“申请书.pdf” is not a file of an accepted kind" in html
    assert not Attachment.objects.exists()


def test_text_renamed_as_pdf_is_refused(app_client, draft):
    response = upload(app_client, draft, "x.pdf", b"<script>alert(1)</script>")
    assert "not a file of an accepted kind" in response.content.decode()
    assert "<script>alert(1)" not in response.content.decode()


def test_empty_file_is_refused(app_client, draft):
    response = upload(app_client, draft, "空.pdf", b"")
    assert response.status_code == 400
    # Django's own FileField refuses empty uploads before our check; either message names the problem.
    assert "empty" in response.content.decode()
    assert not Attachment.objects.exists()


def test_empty_file_refused_by_the_upload_check_too(draft):
    from applications.services import ApplicationError
    from applications.uploads import attachment_create

    with pytest.raises(ApplicationError, match=r"is empty \(0 bytes\)"):
        attachment_create(actor=draft.organization.memberships.get().user,
                          uploaded=SimpleUploadedFile("空.pdf", b""), kind="project", application=draft)


def test_file_over_the_limit_is_refused(app_client, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    response = upload(app_client, draft, "大文件.pdf", PDF + b"0" * 200)
    assert response.status_code == 400
    assert "each file may be at most 100\xa0bytes" in response.content.decode()
    assert not Attachment.objects.exists()


def test_application_total_is_limited(app_client, draft, settings):
    settings.APPLICATION_ATTACHMENTS_MAX_BYTES = len(PDF) + 10
    assert upload(app_client, draft, "一.pdf", PDF).status_code == 302
    response = upload(app_client, draft, "二.pdf", PDF)
    assert "the files of one application may total at most" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_download_keeps_the_chinese_name(app_client, draft):
    upload(app_client, draft, "项目 方案.pdf", PDF)
    attachment = Attachment.objects.get()
    response = app_client.get(reverse("applications:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "filename*=utf-8''" + urllib.parse.quote("项目 方案.pdf") in disposition
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_remove_an_attachment(app_client, draft):
    upload(app_client, draft, "a.pdf", PDF)
    attachment = Attachment.objects.get()
    app_client.post(reverse("applications:attachment_remove", args=[draft.pk, attachment.pk]))
    assert not Attachment.objects.exists()


@pytest.fixture
def stored(draft):
    from applications.uploads import attachment_create

    owner = draft.organization.memberships.get().user
    return attachment_create(actor=owner, uploaded=SimpleUploadedFile("机构简介.pdf", PDF), kind="project",
                             application=draft, identifying=True)


def _get(client, user, attachment):
    client.force_login(user)
    return client.get(reverse("applications:attachment_download", args=[attachment.pk]))


def test_other_organization_gets_404(client, stored, stranger):
    assert _get(client, stranger, stored).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, stored):
    response = client.get(reverse("applications:attachment_download", args=[stored.pk]))
    assert response.status_code == 302


def test_staff_of_the_calls_bureau_may_download_once_submitted_others_never(client, stored):
    own_staff = StaffFactory(bureau=stored.application.competition.bureau)
    assert _get(client, own_staff, stored).status_code == 404  # a draft is the organization's own
    Application.objects.filter(pk=stored.application_id).update(status=Status.SUBMITTED)
    assert _get(client, own_staff, stored).status_code == 200
    assert _get(client, StaffFactory(), stored).status_code == 404


def test_organization_papers_are_shown_to_staff_only_through_a_submitted_application(client, draft):
    from applications.uploads import attachment_create

    owner = draft.organization.memberships.get().user
    papers = attachment_create(actor=owner, uploaded=SimpleUploadedFile("登记证书.pdf", PDF), kind="other",
                               organization=draft.organization)
    own_staff = StaffFactory(bureau=draft.competition.bureau)
    assert _get(client, own_staff, papers).status_code == 404
    Application.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    assert _get(client, own_staff, papers).status_code == 200


def test_a_reviewer_who_declined_for_a_conflict_loses_every_page_of_the_application(client, stored):
    Application.objects.filter(pk=stored.application_id).update(status=Status.UNDER_REVIEW)
    reviewer = ReviewerFactory(bureaus=[stored.application.competition.bureau]).user
    with_totp(reviewer)
    assignment = Assignment.objects.create(application=stored.application, reviewer=reviewer)
    pages = [
        reverse("applications:attachment_download", args=[stored.pk]),
        reverse("review:sheet", args=[assignment.pk]),
        reverse("review:attachment", args=[assignment.pk, stored.pk]),
        reverse("review:decline", args=[assignment.pk]),
    ]
    client.force_login(reviewer)
    assert [client.get(url).status_code for url in pages] == [200, 200, 200, 200]
    Assignment.objects.filter(pk=assignment.pk).update(state=Assignment.State.DECLINED)
    assert [client.get(url).status_code for url in pages] == [404, 404, 404, 404]
    assert client.get(reverse("review:other_sheets", args=[assignment.pk])).status_code == 404


def test_assigned_reviewer_may_download_unless_blind_hides_it(client, stored):
    reviewer = UserFactory()
    Assignment.objects.create(application=stored.application, reviewer=reviewer)
    assert _get(client, reviewer, stored).status_code == 200
    call = stored.application.competition
    call.blind_review = True
    call.save()
    assert _get(client, reviewer, stored).status_code == 404
    Attachment.objects.filter(pk=stored.pk).update(identifying=False)
    assert _get(client, reviewer, stored).status_code == 200


def test_unassigned_reviewer_gets_404(client, stored):
    assert _get(client, UserFactory(), stored).status_code == 404
