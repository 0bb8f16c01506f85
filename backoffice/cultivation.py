"""Back office: the cultivation dashboard (培育发展情况) and the annual report PDF.

Every figure comes from ``applications.figures`` (grouped queries); staff see their bureau's
region, the province (and site admins) everything; a region filter narrows to a city or county
inside that scope. Each table downloads as XLSX; the annual report is rendered by the worker,
kept, and downloadable by the bureau it belongs to only (another bureau's report is a 404).
"""

from urllib.parse import urlencode

from django import forms
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages

from applications import figures as figures_module
from applications.errors import ApplicationError
from applications.models import AnnualReport
from applications.tasks import request_annual_report
from competitions.models import Bureau

from .scoping import StaffMenuItem, staff_bureau

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request, bureau):
    """(region, year, choices) from the query string, kept inside the person's scope."""
    scope = bureau.region if bureau else None
    regions = figures_module.region_choices(scope)
    years = figures_module.year_choices()
    code = request.GET.get("region", "")
    region = next((r for r in regions if r.code == code), scope)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year not in years:
        year = None
    return region, year, regions, years


def _query(region, year, scope):
    params = {}
    if region is not None and region != scope:
        params["region"] = region.code
    if year:
        params["year"] = year
    return urlencode(params)


class AnnualReportForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    bureau = forms.ModelChoiceField(label=gettext_lazy("Bureau"), queryset=Bureau.objects.all(), required=False)

    def __init__(self, *args, years=(), bureau=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
        if bureau is not None:
            del self.fields["bureau"]
        else:
            self.fields["bureau"].required = True


def cultivation_view(request):
    bureau = staff_bureau(request.user)
    region, year, regions, years = _filters(request, bureau)
    figures = figures_module.cultivation_figures(region=region, year=year)
    reports = AnnualReport.objects.select_related("bureau", "requested_by")
    if bureau is not None:
        reports = reports.filter(bureau=bureau)
    scope = bureau.region if bureau else None
    return TemplateResponse(request, "backoffice/cultivation/dashboard.html", {
        "page_title": _("Cultivation dashboard"), "header_icon": "doc-full", "bureau": bureau,
        "figures": figures, "totals": figures.totals, "region": region, "year": year, "regions": regions,
        "years": years, "query": _query(region, year, scope), "reports": reports[:10],
        "report_form": AnnualReportForm(years=years, bureau=bureau, initial={"year": year or (years[0] if years else None)}),
        "yes_word": _("yes"), "export_url": reverse("cultivation_export"),
        "urban_target": figures_module.URBAN_TARGET, "rural_target": figures_module.RURAL_TARGET,
    })


def cultivation_export_view(request):
    bureau = staff_bureau(request.user)
    region, year, _regions, _years = _filters(request, bureau)
    figures = figures_module.cultivation_figures(region=region, year=year)
    key = request.GET.get("table") or None
    if key is not None and key not in {t.key for t in figures.tables}:
        raise Http404
    response = HttpResponse(figures_module.figures_xlsx(figures, key=key), content_type=XLSX)
    name = f"cultivation-{key or 'all'}-{year or 'all'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def annual_report_request_view(request):
    bureau = staff_bureau(request.user)
    form = AnnualReportForm(request.POST, years=figures_module.year_choices(), bureau=bureau)
    if not form.is_valid():
        messages.error(request, _("Choose a year (and, for the whole province, a bureau) for the report."))
        return redirect("cultivation")
    try:
        report = request_annual_report(bureau=bureau or form.cleaned_data["bureau"], year=form.cleaned_data["year"],
                                       actor=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("cultivation")
    messages.success(request, _("The %(year)d annual report is being prepared; it appears below in a minute.")
                     % {"year": report.year})
    return redirect(reverse("cultivation") + "#annual-reports")


def annual_report_download_view(request, pk):
    bureau = staff_bureau(request.user)
    reports = AnnualReport.objects.exclude(file="")
    if bureau is not None:
        reports = reports.filter(bureau=bureau)
    report = get_object_or_404(reports, pk=pk)
    name = f"{report.year}年度社区社会组织培育发展情况报告-{report.bureau.short_name or report.bureau.name}.pdf"
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@hooks.register("register_admin_urls")
def register_cultivation_urls():
    return [
        path("cultivation/", cultivation_view, name="cultivation"),
        path("cultivation/export.xlsx", cultivation_export_view, name="cultivation_export"),
        path("cultivation/reports/", annual_report_request_view, name="annual_report_request"),
        path("cultivation/reports/<int:pk>.pdf", annual_report_download_view, name="annual_report_download"),
    ]


@hooks.register("register_admin_menu_item")
def register_cultivation_menu_item():
    return StaffMenuItem(gettext_lazy("Cultivation dashboard"), reverse("cultivation"), icon_name="doc-full",
                         order=335)
