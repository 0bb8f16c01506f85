"""Checks on uploaded files, and the service that stores them as attachments.

The type is read from the first bytes of the file, never from its name: a Word file renamed
``报告.pdf`` is refused. Then the whole file is checked by its structure: a PDF must open and
have pages (pypdf), an image must decode within a pixel limit (Pillow), a Word or Excel file must
be a valid OOXML package without macros. A file whose name says another kind than its content
(a photo named ``.pdf``) is stored under the name its content calls for. Sizes are limited per
file and per application (settings).
"""

import hashlib
import io
import logging
import os
import zipfile

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import permissions as perms
from .models import Attachment, Status
from .errors import ApplicationError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ACCEPTED = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "Word (DOCX)", XLSX: "Excel (XLSX)"}
# The name a file of each kind is stored under (the first), and the other endings that are fine.
EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",), DOCX: (".docx",), XLSX: (".xlsx",)}

logger = logging.getLogger(__name__)


def image_max_pixels():
    return getattr(settings, "UPLOAD_IMAGE_MAX_PIXELS", 40_000_000)


def office_max_unpacked_bytes():
    return getattr(settings, "UPLOAD_OFFICE_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)


def accepted_types_text():
    return "PDF, JPEG, PNG, DOCX, XLSX"


def sniff_content_type(uploaded):
    """The content type the bytes say, or None if they are none of the accepted kinds."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(uploaded)
    return None


def _office_type(uploaded):
    # DOCX and XLSX are zip archives; the folder inside says which one it is.
    try:
        uploaded.seek(0)
        data = uploaded.read() if not hasattr(uploaded, "temporary_file_path") else None
        source = io.BytesIO(data) if data is not None else uploaded.temporary_file_path()
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        uploaded.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def _source(uploaded):
    uploaded.seek(0)
    if hasattr(uploaded, "temporary_file_path"):
        return uploaded.temporary_file_path()
    return io.BytesIO(uploaded.read())


def _refuse(message, name, code, **values):
    raise ApplicationError(message % {"name": name, **values}, code=code)


def _check_pdf(uploaded, name):
    try:
        reader = PdfReader(_source(uploaded), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            _refuse(_("“%(name)s” is protected by a password, so nobody here could open it. Upload a copy without a password."),
                    name, "pdf_encrypted")
        pages = len(reader.pages)
    except ApplicationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        logger.info("unreadable PDF upload %r: %s", name, exc)
        pages = 0
    if pages < 1:
        _refuse(_("“%(name)s” begins like a PDF but cannot be read as one (it is damaged, or another kind of file renamed). Open it, save or print it as PDF again, and upload that."),
                name, "pdf_unreadable")


def _check_image(uploaded, name, kind):
    try:
        with Image.open(_source(uploaded)) as image:
            width, height = image.size
            if width * height > image_max_pixels():
                _refuse(_("“%(name)s” is %(width)s × %(height)s pixels; a picture may have at most %(max)s million pixels. Make it smaller (most phones can send a smaller copy) and try again."),
                        name, "image_too_large", width=width, height=height, max=image_max_pixels() // 1_000_000)
            image.load()  # decode every pixel: a cut-off or forged file fails here
    except ApplicationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        logger.info("undecodable image upload %r: %s", name, exc)
        _refuse(_("“%(name)s” is not a readable %(kind)s picture (it is damaged or cut off). Take or export the picture again and upload that."),
                name, "image_unreadable", kind=kind)


def _check_office(uploaded, name):
    try:
        with zipfile.ZipFile(_source(uploaded)) as archive:
            members = archive.infolist()
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
        logger.info("broken office upload %r: %s", name, exc)
        bad, members = name, []
    if bad is not None:
        _refuse(_("“%(name)s” is not a valid Word or Excel file (the package is damaged). Save it again as .docx or .xlsx and upload that."),
                name, "office_damaged")
    if sum(m.file_size for m in members) > office_max_unpacked_bytes():
        _refuse(_("“%(name)s” unpacks to more than %(max)s. Save it again without embedded videos or very large pictures."),
                name, "office_too_large", max=filesizeformat(office_max_unpacked_bytes()))
    if any(os.path.basename(m.filename).lower() in ("vbaproject.bin", "vbadata.xml") for m in members):
        _refuse(_("“%(name)s” contains macros, which are not accepted. Save it as a plain .docx or .xlsx (without macros) and upload that."),
                name, "office_macros")


def check_structure(uploaded, content_type):
    """Raise ApplicationError naming the rule the file breaks when its whole content does not hold
    up to its kind (the first bytes alone decide nothing)."""
    name = uploaded.name
    try:
        if content_type == PDF:
            _check_pdf(uploaded, name)
        elif content_type in (JPEG, PNG):
            _check_image(uploaded, name, ACCEPTED[content_type])
        elif content_type in (DOCX, XLSX):
            _check_office(uploaded, name)
    finally:
        uploaded.seek(0)


def name_for(name, content_type):
    """``name`` with the ending its content calls for: a PNG sent as ``活动照片.pdf`` is kept as
    ``活动照片.png``, so whoever opens it later gets the right program."""
    stem, ext = os.path.splitext(name)
    endings = EXTENSIONS.get(content_type)
    if not endings or ext.lower() in endings:
        return name
    return (stem if ext.lower() in {e for es in EXTENSIONS.values() for e in es} else name) + endings[0]


def check_upload(uploaded, *, already_used=0):
    """Raise ApplicationError with a message naming the file if it may not be stored."""
    name = uploaded.name
    if not uploaded.size:
        raise ApplicationError(
            _("“%(name)s” is empty (0 bytes). Choose the file again; it may not have finished downloading to your phone.")
            % {"name": name},
            code="empty",
        )
    if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
        raise ApplicationError(
            _("“%(name)s” is %(size)s; each file may be at most %(max)s. Make it smaller (for example, scan at a lower resolution) and try again.")
            % {"name": name, "size": filesizeformat(uploaded.size), "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
            code="too_large",
        )
    if already_used + uploaded.size > settings.APPLICATION_ATTACHMENTS_MAX_BYTES:
        raise ApplicationError(
            _("“%(name)s” does not fit: the files of one application may total at most %(max)s and %(used)s are already used. Remove a file or make this one smaller.")
            % {
                "name": name,
                "max": filesizeformat(settings.APPLICATION_ATTACHMENTS_MAX_BYTES),
                "used": filesizeformat(already_used),
            },
            code="total_too_large",
        )
    content_type = sniff_content_type(uploaded)
    if content_type is None:
        raise ApplicationError(
            _("“%(name)s” is not a file of an accepted kind: its content is not %(types)s, whatever its name says. Save or export it as PDF and upload that.")
            % {"name": name, "types": accepted_types_text()},
            code="bad_type",
        )
    check_structure(uploaded, content_type)
    return content_type


def _sha256(uploaded):
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def attachment_create(*, actor, uploaded, kind, application=None, organization=None, identifying=False):
    """Store an uploaded file for an application (while editable) or an organization (members)."""
    if application is not None:
        verdict = perms.can_edit_application(actor, application)
        if not verdict:
            raise ApplicationError(verdict.reason, code="forbidden")
        organization_for_file = None
        used = Attachment.objects.filter(application=application).aggregate(total=Sum("size"))["total"] or 0
    else:
        if not perms.is_member(actor, organization):
            raise ApplicationError(_("Only members of the organization can add its files."), code="forbidden")
        organization_for_file = organization
        used = 0
    return store_attachment(
        uploaded=uploaded, already_used=used, application=application, organization=organization_for_file,
        kind=kind, identifying=identifying, uploaded_by=actor,
    )


def store_attachment(*, uploaded, already_used=0, content_type=None, **fields):
    """Check an upload (content sniffed, sizes), then store the file and its row together.

    ``content_type`` is given by callers that checked the file by rules of their own (an
    objection letter); otherwise ``check_upload`` decides. The file is written first; if the row
    cannot be saved the file is removed again, so no orphan is left and no row points at nothing.
    """
    if content_type is None:
        content_type = check_upload(uploaded, already_used=already_used)
    name = name_for(uploaded.name, content_type)
    attachment = Attachment(
        original_name=name[:255], content_type=content_type, size=uploaded.size,
        sha256=_sha256(uploaded), **fields,
    )
    attachment.file.save(name, uploaded, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_delete(*, actor, attachment):
    """Remove an application's file while the application can still be changed."""
    if attachment.application_id:
        verdict = perms.can_edit_application(actor, attachment.application)
        if not verdict:
            raise ApplicationError(verdict.reason, code="forbidden")
    elif not perms.is_member(actor, attachment.organization, owner=False):
        raise ApplicationError(_("Only members of the organization can remove its files."), code="forbidden")
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def can_download_attachment(user, attachment):
    """Members; bureau staff of the call; whoever a registered reader admits (review: assigned reviewers)."""
    from .hooks import attachment_readers

    if user is None or not user.is_authenticated or not user.is_active:
        return perms.deny(_("Sign in to see this file."))
    application = attachment.application
    if application is not None:
        if perms.is_member(user, application.organization):
            return perms.ALLOWED
        # Staff see an application once it is submitted: a draft is the organization's own.
        if application.status != Status.DRAFT and perms.is_bureau_staff_for(user, application.competition):
            return perms.ALLOWED
    else:
        organization = attachment.organization
        if organization is None:
            return _may_read_claim_evidence(user, attachment)
        if perms.is_member(user, organization):
            return perms.ALLOWED
        for competition in {a.competition for a in organization.applications.exclude(status=Status.DRAFT).select_related("competition")}:
            if perms.is_bureau_staff_for(user, competition):
                return perms.ALLOWED
        if attachment.kind == Attachment.Kind.CLAIM and _may_read_claim_evidence(user, attachment):
            return perms.ALLOWED  # an approved claim's evidence: the bureau that decided still reads it
    if any(reader(user, attachment) for reader in attachment_readers):
        return perms.ALLOWED
    return perms.deny(_("You do not have access to this file."))


def _may_read_claim_evidence(user, attachment):
    """The evidence of a claim (before approval it belongs to no organization): the claimant, and
    staff of a bureau whose region holds the claimed organization's community."""
    from .models import OrganizationClaim

    claim = OrganizationClaim.objects.filter(evidence=attachment).select_related("organization__community").first()
    if claim is not None and (claim.claimant_id == user.pk or perms.can_decide_claim(user, claim)):
        return perms.ALLOWED
    return perms.deny(_("You do not have access to this file."))
