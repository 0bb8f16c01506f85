"""XLSX export of every submitted score sheet of a call: one row per sheet (openpyxl).

Blind calls leave the organization column out, like every review document.
"""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from applications.spreadsheets import safe_row

from . import aggregation
from .aggregation import plain
from .models import Assignment, ScoreSheet


def scores_workbook(competition):
    criteria = list(competition.criteria.all())
    stages = {c.stage for c in criteria}
    sheets = (
        ScoreSheet.objects.filter(assignment__application__competition=competition, submitted_at__isnull=False)
        .exclude(assignment__state=Assignment.State.DECLINED)
        .select_related("assignment__application__organization", "assignment__reviewer")
        .prefetch_related("scores")
        .order_by("assignment__application_id", "assignment__stage", "assignment__reviewer_id")
    )
    blind = competition.blind_review
    wb = Workbook()
    ws = wb.active
    ws.title = _("Scores")[:31]
    header = [_("Reference"), _("Project")]
    if not blind:
        header.append(_("Organization"))
    header += [_("Stage"), _("Reviewer")]
    header += [f"{c.name} ({c.get_stage_display()}, max {plain(c.max_points)})" for c in criteria]
    header += [_("Weighted total (0-100)"), _("Recommendation"), _("Overall comment"), _("Submitted")]
    ws.append(safe_row(header))
    specs = {stage: [aggregation.CriterionSpec(c.pk, c.max_points, c.weight) for c in criteria if c.stage == stage]
             for stage in stages}
    for sheet in sheets:
        a = sheet.assignment
        app = a.application
        points = {s.criterion_id: s.points for s in sheet.scores.all()}
        row = [app.reference or "", app.title]
        if not blind:
            row.append(app.organization.name)
        row += [a.get_stage_display(), a.reviewer.display_name]
        row += [float(points[c.pk]) if c.pk in points else None for c in criteria]
        total = aggregation.ROUND(aggregation.sheet_total(points, specs.get(a.stage, [])))
        row += [float(total), sheet.get_recommendation_display(), sheet.overall_comment,
                timezone.localtime(sheet.submitted_at).strftime("%Y-%m-%d %H:%M")]
        ws.append(safe_row(row))
    for i in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
