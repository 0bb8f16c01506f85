"""The score summary sheet (评审汇总表) of a call, rendered with WeasyPrint.

The font is named explicitly ("Noto Sans CJK SC") so that Chinese glyphs are embedded; the
sheet hides organizations' names in a blind call, as every review document does.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors


def summary_context(competition):
    criteria, rows = selectors.ranking(competition)
    panel = list(
        selectors.active_assignments(competition)
        .filter(state="submitted").select_related("reviewer").order_by("reviewer_id")
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


def score_summary_html(competition):
    return render_to_string("review/pdf/summary.html", summary_context(competition))


def score_summary_pdf(competition):
    from weasyprint import HTML

    return HTML(string=score_summary_html(competition)).write_pdf()
