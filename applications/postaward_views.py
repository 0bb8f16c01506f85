"""Applicant pages after the award: agreement, tranches, reports; and the public disclosure page.

Thin views: another organization's project or report is a 404; refusals from the services
(``ApplicationError``) are shown on the page.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import pdf, postaward
from .forms import EvidenceForm
from .models import Application, Attachment, Disbursement, Report, Status
from .services import ApplicationError
from .views import portal_view

POST_AWARD = (Status.AWARDED, Status.CONTRACTED, Status.COMPLETED, Status.TERMINATED)


def _my_project(request, pk):
    return get_object_or_404(
        Application.objects.select_related("competition", "competition__bureau", "organization"),
        pk=pk, status__in=POST_AWARD, organization__memberships__user=request.user,
    )


def _my_report(request, pk):
    return get_object_or_404(
        Report.objects.select_related("application", "application__competition", "application__organization"),
        pk=pk, application__organization__memberships__user=request.user,
    )


@portal_view
def project_list(request):
    projects = (
        Application.objects.filter(organization__memberships__user=request.user, status__in=POST_AWARD)
        .select_related("competition", "organization").order_by("-updated_at", "-id")
    )
    return render(request, "postaward/project_list.html", {"projects": projects})


@portal_view
def project_detail(request, pk):
    app = _my_project(request, pk)
    agreement = getattr(app, "agreement", None)
    return render(request, "postaward/project_detail.html", {
        "app": app,
        "notice": getattr(app, "award_notice", None),
        "documents": app.documents.order_by("-created_at", "-id")[:1],
        "agreement": agreement,
        "tranches": app.disbursements.all(),
        "reports": app.reports.all(),
        "disbursed": postaward.disbursed_total(app),
        "scan_form": EvidenceForm(),
    })


@portal_view
def agreement_download(request, pk):
    app = _my_project(request, pk)
    try:
        agreement = postaward.agreement_generate(application=app, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("applications:project_detail", pk=app.pk)
    if not agreement.file:
        raise Http404
    return FileResponse(agreement.file.open("rb"), as_attachment=True,
                        filename=f"{app.reference or app.pk}-资助协议书.pdf", content_type="application/pdf")


def award_notice_response(application):
    """The 立项通知书 PDF of ``application`` as a private download (the portal and the back office serve it)."""
    notice = pdf.notice_with_file(application)
    if notice is None:
        raise Http404
    response = FileResponse(notice.file.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=f"{application.reference or application.pk}-立项通知书.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view
def notice_download(request, pk):
    """立项通知书 of the member's awarded project."""
    return award_notice_response(_my_project(request, pk))


@portal_view
@require_POST
def agreement_upload(request, pk):
    app = _my_project(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the scan of the signed and stamped agreement."))
    else:
        try:
            postaward.agreement_upload_scan(application=app, actor=request.user, uploaded=form.cleaned_data["file"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The signed agreement is uploaded; the bureau will confirm it."))
    return redirect("applications:project_detail", pk=app.pk)


@portal_view
def report_list(request):
    reports = (
        Report.objects.filter(application__organization__memberships__user=request.user)
        .select_related("application", "application__organization").order_by("due_date", "id")
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "postaward/report_list.html", {"reports": page, "page": page})


def _rows(request):
    """What the person typed: indicator rows (empty ones left out) and spending per budget line id."""
    names = request.POST.getlist("ind-name")
    planned = request.POST.getlist("ind-planned")
    achieved = request.POST.getlist("ind-achieved")
    indicators = [
        {"name": n.strip(), "planned": p.strip(), "achieved": a.strip()}
        for n, p, a in zip(names, planned, achieved) if (n + p + a).strip()
    ]
    expenditures = [
        {"budget_line": key[4:-7], "amount": value, "explanation": request.POST.get(f"exp-{key[4:-7]}-explanation", "")}
        for key, value in request.POST.items() if key.startswith("exp-") and key.endswith("-amount")
    ]
    return indicators, expenditures


def _report_form_rows(report, app, posted=None):
    """Indicator rows and budget rows for the form: what was typed if ``posted``, else what is saved.

    Each budget row carries the line's awarded budget and the amount expected by now, the same
    figures the variance check quotes.
    """
    figures = postaward.budget_line_figures(app)
    if posted is not None:
        indicators, expenditures = posted
        typed = {str(e["budget_line"]): e for e in expenditures}
    else:
        indicators = [{"name": i.name, "planned": i.planned, "achieved": i.achieved} for i in report.indicators.all()]
        if not indicators:
            indicators = [{"name": name, "planned": target, "achieved": ""} for name, target in app.planned_indicators()]
        typed = {str(e.budget_line_id): {"amount": e.amount, "explanation": e.explanation} for e in report.expenditures.all()}
    lines = []
    for line in app.budget_lines.all():
        row = typed.get(str(line.pk), {})
        awarded, expected = figures.get(line.pk, (None, None))
        lines.append({"line": line, "amount": row.get("amount", ""), "explanation": row.get("explanation", ""),
                      "awarded": awarded, "expected": expected})
    return indicators, lines


@portal_view
def report_edit(request, pk):
    report = _my_report(request, pk)
    app = report.application
    errors, error_field, posted = [], None, None
    if request.method == "POST":
        posted = _rows(request)
        indicators, expenditures = posted
        try:
            postaward.report_save(
                report=report, actor=request.user, narrative=request.POST.get("narrative", ""),
                beneficiaries_reached=request.POST.get("beneficiaries_reached", ""),
                indicators=indicators, expenditures=expenditures,
            )
            if request.POST.get("action") == "submit":
                postaward.report_submit(report=report, actor=request.user)
                messages.success(request, _("The report is submitted; the bureau will review it."))
            else:
                messages.success(request, _("Saved."))
            return redirect("applications:report_edit", pk=report.pk)
        except ApplicationError as exc:
            errors.append(exc.message)
            error_field = exc.field
            report.refresh_from_db()
    indicators, lines = _report_form_rows(report, app, posted)
    for number, row in enumerate(indicators, start=1):
        row["invalid"] = error_field == f"ind-{number}"
    for row in lines:
        row["amount_invalid"] = error_field == f"exp-{row['line'].pk}-amount"
        row["explanation_invalid"] = error_field == f"exp-{row['line'].pk}-explanation"
    if posted is not None:
        # The page shows what was typed, never the saved copy: nothing is lost to an error.
        narrative = request.POST.get("narrative", "")
        beneficiaries = request.POST.get("beneficiaries_reached", "")
    else:
        narrative = report.narrative
        beneficiaries = "" if report.beneficiaries_reached is None else report.beneficiaries_reached
    editable = app.status == Status.CONTRACTED and report.state in (Report.State.DRAFT, Report.State.RETURNED)
    return render(request, "postaward/report_form.html", {
        "report": report, "app": app, "lines": lines, "indicators": indicators, "blank_rows": range(3),
        "narrative": narrative, "beneficiaries": beneficiaries,
        "errors": errors, "error_field": error_field, "editable": editable, "files": report.attachments.all(),
        "disbursed": postaward.disbursed_total(app), "share": postaward.variance_share(), "file_form": EvidenceForm(),
    }, status=400 if errors else 200)


@portal_view
@require_POST
def report_upload(request, pk):
    report = _my_report(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        kind = Attachment.Kind.PHOTO if request.POST.get("kind") == "photo" else Attachment.Kind.REPORT
        try:
            postaward.report_attach(report=report, actor=request.user, uploaded=form.cleaned_data["file"], kind=kind)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("“%(name)s” is uploaded.") % {"name": form.cleaned_data["file"].name})
    return redirect("applications:report_edit", pk=report.pk)


def disclosure(request, reference):
    """Public page of an awarded project: amounts, spending by category, report summaries, grade. No personal data."""
    app = get_object_or_404(
        Application.objects.select_related("competition", "competition__bureau", "organization")
        .prefetch_related(Prefetch("reports", Report.objects.filter(state=Report.State.ACCEPTED))),
        reference=reference, status__in=POST_AWARD,
    )
    payments = postaward.payment_history(app)  # what the audit chain vouches for
    disbursed = postaward.paid_total(payments)
    reports = list(app.reports.all())
    latest = reports[-1] if reports else None
    by_category = []
    if latest is not None:
        rows = (
            latest.expenditures.values("budget_line__category").annotate(total=Sum("amount")).order_by("budget_line__category")
        )
        from .models import BudgetLine

        labels = dict(BudgetLine.Category.choices)
        by_category = [(labels.get(r["budget_line__category"], r["budget_line__category"]), r["total"]) for r in rows]
    final = next((r for r in reports if r.kind == "final"), None)
    return render(request, "postaward/disclosure.html", {
        "app": app, "disbursed": disbursed, "payments": [p for p in payments if p.paid_on], "by_category": by_category,
        "spent": sum((t for _c, t in by_category), Decimal("0")), "reports": reports, "final": final,
    })
