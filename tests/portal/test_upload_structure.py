"""Uploads are checked by their whole structure, not only their first bytes (security finding 13):
each refusal names the rule the file breaks, and a file named for another kind is stored under
the name its content calls for."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.models import Attachment
from applications.services import ApplicationError
from applications.uploads import attachment_create
from tests.files import DOCX, JPEG, PDF, PNG, XLSX, office

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(draft):
    return draft.organization.memberships.get().user


def store(draft, owner, name, content):
    return attachment_create(actor=owner, uploaded=SimpleUploadedFile(name, content), kind="project", application=draft)


@pytest.mark.parametrize("name,content", [("方案.pdf", PDF), ("照片.png", PNG), ("照片.jpg", JPEG),
                                          ("预算.docx", DOCX), ("预算表.xlsx", XLSX)])
def test_real_files_of_each_kind_are_kept(draft, owner, name, content):
    assert store(draft, owner, name, content).original_name == name


def test_a_png_named_pdf_is_kept_as_a_png_under_the_right_name(draft, owner):
    kept = store(draft, owner, "活动照片.pdf", PNG)
    assert kept.content_type == "image/png"
    assert kept.original_name == "活动照片.png"


def test_pdf_header_followed_by_html_is_refused(draft, owner):
    with pytest.raises(ApplicationError, match="begins like a PDF but cannot be read as one") as refused:
        store(draft, owner, "申请书.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>")
    assert refused.value.code == "pdf_unreadable"
    assert not Attachment.objects.exists()


def test_a_cut_off_pdf_is_refused(draft, owner):
    with pytest.raises(ApplicationError, match="begins like a PDF"):
        store(draft, owner, "方案.pdf", PDF[: len(PDF) // 3])


def test_a_password_protected_pdf_is_refused_with_what_to_do(draft, owner):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ApplicationError, match="protected by a password"):
        store(draft, owner, "方案.pdf", buffer.getvalue())


def test_a_pdf_with_only_an_owner_password_is_kept(draft, owner):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt(user_password="", owner_password="owner")  # printing restrictions only, opens without a password
    buffer = io.BytesIO()
    writer.write(buffer)
    assert store(draft, owner, "通知.pdf", buffer.getvalue()).content_type == "application/pdf"


def test_a_png_header_with_nothing_behind_it_is_refused(draft, owner):
    with pytest.raises(ApplicationError, match="is not a readable PNG picture") as refused:
        store(draft, owner, "照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert refused.value.code == "image_unreadable"


def test_a_truncated_jpeg_is_refused(draft, owner):
    with pytest.raises(ApplicationError, match="is not a readable JPEG picture"):
        store(draft, owner, "照片.jpg", JPEG[:40])


def test_a_picture_over_the_pixel_limit_is_refused_before_it_is_decoded(draft, owner, settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 2_000_000
    buffer = io.BytesIO()
    Image.new("L", (2000, 1500)).save(buffer, format="PNG")  # 3 million pixels, a few KB compressed
    with pytest.raises(ApplicationError, match="2000 × 1500 pixels; a picture may have at most 2 million pixels"):
        store(draft, owner, "扫描.png", buffer.getvalue())


def test_office_files_with_macros_are_refused(draft, owner):
    with pytest.raises(ApplicationError, match="contains macros") as refused:
        store(draft, owner, "预算.docx", office("word", extra=["word/vbaProject.bin"]))
    assert refused.value.code == "office_macros"


def test_an_office_file_that_unpacks_too_large_is_refused(draft, owner, settings):
    settings.UPLOAD_OFFICE_MAX_UNPACKED_BYTES = 1000
    with pytest.raises(ApplicationError, match="unpacks to more than"):
        store(draft, owner, "预算表.xlsx", _with_member(XLSX, 5000))  # 5,000 zero bytes pack into a few dozen


def _with_member(package, size):
    import zipfile

    buffer = io.BytesIO(package)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", b"\x00" * size)
    return buffer.getvalue()


def test_the_portal_shows_the_rule_beside_the_file_field(app_client, draft):
    from django.urls import reverse

    response = app_client.post(reverse("applications:section", args=[draft.pk, "attachments"]),
                               {"file": SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n<html></html>"), "kind": "project"})
    assert response.status_code == 400
    assert "begins like a PDF but cannot be read as one" in response.content.decode()
