"""Documents of applications rendered to PDF with WeasyPrint and a CJK font: the 申报书 as
submitted, and the 立项通知书 (award notice) with its verification QR code."""

import hashlib

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.links import absolute_url
from competitions.models import ServiceArea

from .models import AwardNotice


def application_pdf_context(application, *, submitted_at=None):
    lines = list(application.budget_lines.all())
    return {
        "app": application,
        "org": application.organization,
        "call": application.competition,
        "lines": lines,
        "total": sum((line.amount for line in lines), 0),
        "service_area": ServiceArea(application.service_area).label if application.service_area else "",
        "submitted_at": timezone.localtime(submitted_at or application.submitted_at or timezone.now()),
        "attachments": list(application.attachments.all()),
    }


def render_application_pdf(application, *, submitted_at=None, language=None):
    """The PDF bytes of ``application`` as it is now (the caller keeps them as the record)."""
    from weasyprint import HTML

    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string("pdf/application.html", application_pdf_context(application, submitted_at=submitted_at))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# ----- 立项通知书 (award notice) -----------------------------------------------------------------


def verification_url(code):
    return absolute_url(reverse("cms:verify", args=[code]))


def qr_data_uri(url):
    """The QR code of ``url`` as a PNG data URI (embedded in the PDF: no file, no network)."""
    return segno.make(url, error="m").png_data_uri(scale=6, border=2)


def notice_html(notice, *, language=None):
    """The HTML the award notice's PDF is made from. Its verification address and QR code come
    from ``SITE_URL``: the notice is rendered by a worker, outside any request."""
    app = notice.application
    url = verification_url(notice.code)
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string(
            "cms/pdf/award_notice.html",
            {
                "notice": notice, "app": app, "org": app.organization, "call": app.competition,
                "bureau": app.competition.bureau, "issued": timezone.localtime(notice.issued_at),
                "verify_url": url, "qr": qr_data_uri(url),
            },
        )


def notice_pdf(notice, *, language=None):
    """The PDF bytes of ``notice`` (WeasyPrint, Noto Sans CJK SC)."""
    from weasyprint import HTML

    return HTML(string=notice_html(notice, language=language), base_url=str(settings.BASE_DIR)).write_pdf()


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


def notice_with_file(application):
    """The award notice of ``application`` with its PDF stored (rendered now if the task has not yet), or None."""
    notice = AwardNotice.objects.filter(application=application).first()
    if notice is not None and not notice.file:
        notice = notice_render(notice_id=notice.pk)
    return notice


# ----- 年度社区社会组织培育发展情况报告 (annual report) ----------------------------------------------


def annual_report_pdf(report, *, language=None):
    """The PDF bytes of ``report``: the bureau's figures for its region and year (WeasyPrint, Noto Sans CJK SC)."""
    from weasyprint import HTML

    from .cultivation import RURAL_TARGET, URBAN_TARGET
    from .figures import awarded_projects, cultivation_figures

    bureau = report.bureau
    with translation.override(language or settings.LANGUAGE_CODE):
        figures = cultivation_figures(region=bureau.region, year=report.year)
        html = render_to_string("pdf/annual_report.html", {
            "report": report, "bureau": bureau, "figures": figures, "totals": figures.totals,
            "projects": awarded_projects(region=bureau.region, year=report.year),
            "generated": timezone.localtime(), "yes_word": translation.gettext("yes"),
            "urban_target": URBAN_TARGET, "rural_target": RURAL_TARGET,
        })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def annual_report_render(*, report_id):
    """Render and store the report's PDF once; a second run finds the file and does nothing."""
    from .models import AnnualReport

    report = AnnualReport.objects.select_related("bureau", "bureau__region").get(pk=report_id)
    if report.file:
        return report
    data = annual_report_pdf(report)
    name = f"annual-report-{report.bureau_id}-{report.year}-{report.pk}.pdf"
    report.file.save(name, ContentFile(data), save=False)
    report.sha256 = hashlib.sha256(data).hexdigest()
    report.generated_at = timezone.now()
    updated = AnnualReport.objects.filter(pk=report.pk, file="").update(
        file=report.file.name, sha256=report.sha256, generated_at=report.generated_at)
    if not updated:  # another worker stored it first; theirs is the record
        report.file.storage.delete(report.file.name)
        return AnnualReport.objects.get(pk=report.pk)
    return report
