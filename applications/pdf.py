"""申报书: the application as submitted, rendered to PDF with WeasyPrint and a CJK font."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from competitions.models import ServiceArea


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
