"""The score summary sheet (评审汇总表) of a call, rendered with WeasyPrint.

The font is named explicitly ("Noto Sans CJK SC") so that Chinese glyphs are embedded; the
sheet hides organizations' names in a blind call, as every review document does.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import selectors
from .models import Assignment


def summary_context(competition):
    criteria, rows = selectors.ranking(competition)
    panel = list(
        selectors.active_assignments(competition)
        .filter(state=Assignment.State.SUBMITTED).select_related("reviewer").order_by("reviewer_id")
        .distinct().values_list("reviewer__full_name", "reviewer__username")
    )
    names = sorted({full or username for full, username in panel})
    return {
        "competition": competition,
        "criteria": criteria,
        "rows": rows,
        "blind": competition.blind_review,
        "panel": names,
        "generated_at": timezone.localtime(),
    }


def score_summary_html(competition, language=None):
    """In the site's language (Chinese) unless asked otherwise: it is an official record."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string("review/pdf/summary.html", summary_context(competition))


def score_summary_pdf(competition, language=None):
    from weasyprint import HTML

    return HTML(string=score_summary_html(competition, language)).write_pdf()


def score_summary_store(competition):
    """Render and store the sheet under a fixed name, replacing the previous one (idempotent)."""
    name = f"review/score-summaries/call-{competition.pk}.pdf"
    data = score_summary_pdf(competition)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))
