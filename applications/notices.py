"""立项通知书 (award notice): issued once per awarded application, with a QR code to the public
verification page so that anyone holding the paper can check it is genuine.
"""

import hashlib
import secrets

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import AwardNotice, Status


def verification_url(code):
    return settings.SITE_URL + reverse("cms:verify", args=[code])


def qr_data_uri(url):
    """The QR code of ``url`` as a PNG data URI (embedded in the PDF: no file, no network)."""
    return segno.make(url, error="m").png_data_uri(scale=6, border=2)


def notice_issue(*, application):
    """Create the notice of an awarded application unless it exists; render its PDF after commit.

    Returns (notice, created). Two workers issuing together create one notice: the second
    insert hits the one-notice-per-application constraint and returns the first.
    """
    from .publicity_tasks import render_award_notice

    if application.status != Status.AWARDED and not AwardNotice.objects.filter(application=application).exists():
        raise ValueError("only an awarded application gets an award notice")
    try:
        with transaction.atomic():
            notice = AwardNotice.objects.create(
                application=application,
                code=secrets.token_urlsafe(18),
                amount=application.awarded_amount or 0,
                issued_at=timezone.now(),
            )
    except IntegrityError:
        return AwardNotice.objects.get(application=application), False
    render_award_notice.delay_on_commit(notice.pk)
    return notice, True


def notice_pdf(notice, *, language=None):
    """The PDF bytes of ``notice`` (WeasyPrint, Noto Sans CJK SC)."""
    from weasyprint import HTML

    app = notice.application
    url = verification_url(notice.code)
    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(
            "cms/pdf/award_notice.html",
            {
                "notice": notice, "app": app, "org": app.organization, "call": app.competition,
                "bureau": app.competition.bureau, "issued": timezone.localtime(notice.issued_at),
                "verify_url": url, "qr": qr_data_uri(url),
            },
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def notice_render(*, notice_id):
    """(Re)generate and store the PDF; running it again replaces the file with an equal one."""
    notice = AwardNotice.objects.select_related(
        "application", "application__organization", "application__competition", "application__competition__bureau"
    ).get(pk=notice_id)
    data = notice_pdf(notice)
    old = notice.file.name if notice.file else ""
    notice.file.save(f"{notice.application.reference or notice.application_id}-notice.pdf", ContentFile(data), save=False)
    notice.sha256 = hashlib.sha256(data).hexdigest()
    AwardNotice.objects.filter(pk=notice.pk).update(file=notice.file.name, sha256=notice.sha256)
    if old and old != notice.file.name:
        notice.file.storage.delete(old)
    return notice


def notice_for_code(code):
    """The notice a verification code belongs to, or None (unknown, altered or malformed)."""
    if not code or len(code) > 40:
        return None
    return (
        AwardNotice.objects.select_related(
            "application", "application__organization", "application__competition",
            "application__competition__bureau",
        )
        .filter(code=code)
        .first()
    )

