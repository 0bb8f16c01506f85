"""Staff pages of the post-award half inside the Wagtail admin (under /admin/postaward/).

Every object is loaded from the staff member's bureau (site admins: all); another bureau's
project is a 404. Steps are taken through ``applications.postaward``; refusals show as messages.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks

from applications import confirm, postaward
from applications.models import Application, Disbursement, Report, Status
from applications.postaward_views import POST_AWARD
from applications.services import ApplicationError
from competitions.permissions import is_back_office_user
from competitions.selectors import staff_scope
from competitions.typography import inner_quotes

from .scoping import StaffMenuItem


def _scoped(user, queryset, path="competition__bureau"):
    if not is_back_office_user(user):
        raise PermissionDenied(_("Only bureau staff manage funded projects."))
    return staff_scope(queryset, user, bureau_path=path)


def _project(request, pk):
    qs = Application.objects.select_related("competition", "competition__bureau", "organization")
    return get_object_or_404(_scoped(request.user, qs), pk=pk, status__in=POST_AWARD)


def index(request):
    """Every tranche of the bureau's funded projects, with what is held and what waits."""
    tranches = _scoped(
        request.user,
        Disbursement.objects.select_related("application", "application__organization", "application__competition"),
        "application__competition__bureau",
    ).order_by("application__competition_id", "application__reference", "position")
    state = request.GET.get("state", "")
    if state in Disbursement.State.values:
        tranches = tranches.filter(state=state)
    awaiting = _scoped(request.user, Application.objects.filter(status=Status.AWARDED).select_related("organization", "agreement"))
    submitted = _scoped(
        request.user, Report.objects.filter(state=Report.State.SUBMITTED).select_related("application"),
        "application__competition__bureau",
    )
    return render(request, "postaward/admin/index.html", {
        "page": Paginator(tranches, 100).get_page(request.GET.get("page")),
        "awaiting": awaiting[:50], "submitted": submitted[:50], "states": Disbursement.State.choices, "state": state,
    })


def project(request, pk):
    app = _project(request, pk)
    return render(request, "postaward/admin/project.html", {
        "app": app, "agreement": getattr(app, "agreement", None),
        "tranches": app.disbursements.all(), "reports": app.reports.prefetch_related("indicators", "expenditures__budget_line", "attachments"),
        "grades": Report.Grade.choices, "disbursed": postaward.disbursed_total(app), "today": timezone.localdate(),
        "payments": postaward.payment_history(app),
    })


def agreement_scan(request, pk):
    app = _project(request, pk)
    agreement = getattr(app, "agreement", None)
    if agreement is None or agreement.signed_scan is None:
        raise Http404
    scan = agreement.signed_scan
    return FileResponse(scan.file.open("rb"), as_attachment=True, filename=scan.original_name, content_type=scan.content_type)


def _act(request, app, step, done):
    try:
        step()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("postaward_admin:project", pk=app.pk)


def _ask(request, app, *, title, summary, action_label, danger=False):
    """The confirmation page of a step that cannot be undone (the POST is acted on only with confirmed=1)."""
    return confirm.confirmation_page(
        request, title=title, summary=[str(line) for line in summary], action_label=action_label, admin=True,
        danger=danger, back_url=reverse("postaward_admin:project", args=[app.pk]),
    )


def _yuan(amount):
    return f"{amount or 0:,.2f}"


@require_POST
def agreement_confirm(request, pk):
    app = _project(request, pk)
    if app.status == Status.AWARDED and not confirm.confirmed(request):
        return _ask(request, app, title=_("Confirm the signed agreement?"), action_label=_("Yes, confirm the agreement"), summary=[
            _("%(org)s's signed agreement for “%(title)s” (%(amount)s yuan) is recorded as confirmed.") % {
                "org": app.organization.name, "title": inner_quotes(app.title), "amount": _yuan(app.awarded_amount)},
            _("The tranches and the reports of the agreement are planned from it; the project becomes “Agreement signed”."),
            _("This cannot be undone here."),
        ])
    return _act(request, app, lambda: postaward.agreement_confirm(application=app, actor=request.user),
                _("The agreement is confirmed; tranches and reports are planned."))


@require_POST
def tranche_action(request, pk, tranche_pk, action):
    app = _project(request, pk)
    tranche = get_object_or_404(Disbursement, pk=tranche_pk, application=app)
    if action == "approve":
        return _act(request, app, lambda: postaward.disbursement_approve(disbursement=tranche, actor=request.user),
                    _("The tranche is approved."))
    if action == "pay":
        try:
            paid_on = dt.date.fromisoformat(request.POST.get("paid_on", ""))
        except ValueError:
            messages.error(request, _("Give the payment date as YYYY-MM-DD."))
            return redirect("postaward_admin:project", pk=app.pk)
        if tranche.state == Disbursement.State.APPROVED and not confirm.confirmed(request):
            return _ask(request, app, title=_("Record this payment?"), action_label=_("Yes, record the payment"), summary=[
                _("Tranche %(n)s of “%(title)s”: %(amount)s yuan paid to %(org)s on %(date)s, voucher %(voucher)s.") % {
                    "n": tranche.position + 1, "title": inner_quotes(app.title), "amount": _yuan(tranche.amount),
                    "org": app.organization.name, "date": paid_on.isoformat(), "voucher": request.POST.get("voucher", "")},
                _("The payment enters the project's audit log and its public page; it cannot be changed or deleted afterwards."),
            ])
        return _act(request, app, lambda: postaward.disbursement_pay(
            disbursement=tranche, actor=request.user, paid_on=paid_on, voucher=request.POST.get("voucher", "")),
            _("The payment is recorded."))
    raise Http404


@require_POST
def report_action(request, pk, report_pk, action):
    app = _project(request, pk)
    report = get_object_or_404(Report, pk=report_pk, application=app)
    if action == "accept":
        return _act(request, app, lambda: postaward.report_accept(
            report=report, actor=request.user, grade=request.POST.get("grade", ""), note=request.POST.get("note", "")),
            _("The report is accepted."))
    if action == "return":
        return _act(request, app, lambda: postaward.report_return(report=report, actor=request.user, reason=request.POST.get("reason", "")),
                    _("The report is returned to the organization."))
    raise Http404


def terminate_summary(app, reason, return_amount):
    return [
        _("“%(title)s” of %(org)s ends now: no further tranche is paid and no report is due.") % {
            "title": inner_quotes(app.title), "org": app.organization.name},
        _("The organization must return %(amount)s yuan; it is told so, with your reason: “%(reason)s”.") % {
            "amount": return_amount, "reason": reason},
        _("A terminated project cannot be resumed."),
    ]


@require_POST
def terminate(request, pk):
    app = _project(request, pk)
    reason, amount = request.POST.get("reason", "").strip(), request.POST.get("return_amount", "") or "0"
    try:
        well_formed = bool(reason) and Decimal(amount) >= 0
    except InvalidOperation:
        well_formed = False
    if well_formed and not confirm.confirmed(request):  # a malformed one is refused by the service below
        return _ask(request, app, title=_("Terminate this project?"), action_label=_("Yes, terminate the project"),
                    danger=True, summary=terminate_summary(app, reason, _yuan(Decimal(amount))))
    return _act(request, app, lambda: postaward.project_terminate(
        application=app, actor=request.user, reason=request.POST.get("reason", ""),
        return_amount=request.POST.get("return_amount", "") or "0"), _("The project is terminated."))


# ----- registered in the Wagtail admin (imported from backoffice.wagtail_hooks) -----

app_name = "postaward_admin"
urlpatterns = [
    path("", index, name="index"),
    path("projects/<int:pk>/", project, name="project"),
    path("projects/<int:pk>/agreement-scan/", agreement_scan, name="agreement_scan"),
    path("projects/<int:pk>/agreement/confirm/", agreement_confirm, name="agreement_confirm"),
    path("projects/<int:pk>/tranches/<int:tranche_pk>/<slug:action>/", tranche_action, name="tranche_action"),
    path("projects/<int:pk>/reports/<int:report_pk>/<slug:action>/", report_action, name="report_action"),
    path("projects/<int:pk>/terminate/", terminate, name="terminate"),
]


@hooks.register("register_admin_urls")
def register_postaward_urls():
    return [path("postaward/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_postaward_menu_item():
    return StaffMenuItem(gettext_lazy("Funded projects"), reverse("postaward_admin:index"), icon_name="doc-full", order=320)
