"""Staff pages of the review inside the Wagtail admin: assignment, ranking, funding, documents.

Every page loads the call through ``_call`` which gives 404 to staff of another bureau.
Writes are POST only and go through ``review.services``; refusals become messages.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks

from applications import confirm
from applications.models import Application, Status
from applications.permissions import is_bureau_staff_for
from competitions.models import Competition
from competitions.permissions import is_back_office_user
from competitions.selectors import staff_bureaus, staff_competitions
from review import exports, pdf, selectors, services
from review.aggregation import plain
from review.forms import FundingForm, InviteReviewerForm
from review.funding import FundingItem, FundingRow, suggest_funding
from review.models import Assignment, ReviewLog

from .scoping import StaffMenuItem


def _call(request, pk):
    competition = get_object_or_404(Competition.objects.select_related("bureau"), pk=pk)
    if not is_bureau_staff_for(request.user, competition):
        raise Http404(_("No such call in your bureau."))
    return competition


def _calls_for(user):
    return staff_competitions(user).select_related("bureau").order_by("-opens_at")


def index(request):
    if not is_back_office_user(request.user):
        raise PermissionDenied(_("Only bureau staff run reviews."))
    return render(request, "review/admin/index.html", {"calls": list(_calls_for(request.user))})


def call_overview(request, pk):
    competition = _call(request, pk)
    assignments = list(selectors.call_assignments(competition))
    applications = list(
        competition.applications.filter(status__in=(Status.ELIGIBLE,) + selectors.REVIEWED_STATUSES)
        .select_related("organization").order_by("pk")
    )
    by_app = {}
    for a in assignments:
        by_app.setdefault(a.application_id, []).append(a)
    pool = selectors.reviewer_pool(competition)
    loads = selectors.reviewer_loads(competition)
    pool_loads = [(p, loads.get(p.user_id, 0)) for p in pool]
    # Each row offers the pool minus whoever is already on it at that stage, least loaded first.
    by_load = sorted(pool_loads, key=lambda pair: pair[1])
    rows = []
    for app in applications:
        stage = Assignment.Stage.PITCH if app.status == Status.SHORTLISTED else Assignment.Stage.REVIEW
        taken = {a.reviewer_id for a in by_app.get(app.pk, []) if a.stage == stage}
        rows.append((app, by_app.get(app.pk, []), stage, [pair for pair in by_load if pair[0].user_id not in taken]))
    context = {
        "competition": competition,
        "rows": rows,
        "pool": pool_loads,
        "log": list(ReviewLog.objects.filter(competition=competition).select_related("application", "actor")[:30]),
        "eligible_count": sum(1 for app in applications if app.status == Status.ELIGIBLE),
        Status.SHORTLISTED: [app for app in applications if app.status == Status.SHORTLISTED],
    }
    if loads and pool:  # reviewers may hold assignments after leaving the pool
        context["load_spread"] = by_load[-1][1] - by_load[0][1]
    return render(request, "review/admin/call.html", context)


@require_POST
def assign(request, pk):
    competition = _call(request, pk)
    try:
        outcome = services.assignments_generate(competition=competition, actor=request.user)
    except services.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        loads = sorted(outcome.loads.values())
        text = _("%(n)d assignments made; %(opened)d applications opened for review; loads %(low)d–%(high)d.") % {
            "n": outcome.created, "opened": len(outcome.opened), "low": loads[0] if loads else 0,
            "high": loads[-1] if loads else 0,
        }
        messages.success(request, text)
        if not outcome.balanced:
            messages.warning(request, _("Conflicts or earlier assignments made a perfectly even load impossible; adjust by hand if needed."))
        for app, reason in outcome.refused.items():
            messages.error(request, f"{app}: {reason}")
    return redirect("review_admin:call", pk=competition.pk)


@require_POST
def assignment_add(request, pk):
    competition = _call(request, pk)
    app = get_object_or_404(Application, pk=request.POST.get("application") or 0, competition=competition)
    reviewer = get_object_or_404(get_user_model(), pk=request.POST.get("reviewer") or 0)
    stage = request.POST.get("stage") or Assignment.Stage.REVIEW
    if stage not in Assignment.Stage.values:
        stage = Assignment.Stage.REVIEW
    try:
        services.assignment_add(application=app, reviewer=reviewer, actor=request.user, stage=stage)
    except services.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s now reviews %(app)s.") % {"name": reviewer, "app": app})
    return redirect("review_admin:call", pk=competition.pk)


@require_POST
def assignment_remove(request, pk, assignment_pk):
    competition = _call(request, pk)
    assignment = get_object_or_404(
        Assignment.objects.select_related("application__competition", "reviewer"),
        pk=assignment_pk, application__competition=competition,
    )
    try:
        services.assignment_remove(assignment=assignment, actor=request.user, discard_draft=confirm.confirmed(request))
    except services.ReviewError as exc:
        if exc.code == "draft":  # the reviewer's saved work would go: ask first, saying what
            return confirm.confirmation_page(
                request, title=_("Unassign the reviewer and discard the draft?"), admin=True, danger=True,
                summary=[exc.message, _("The reviewer is told that the application was taken off their list.")],
                action_label=_("Yes, unassign and discard the draft"),
                back_url=reverse("review_admin:call", args=[competition.pk]),
            )
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reviewer removed."))
    return redirect("review_admin:call", pk=competition.pk)


@require_POST
def pitch_panel(request, pk):
    competition = _call(request, pk)
    ids = [i for i in request.POST.getlist("reviewers") if i.isdigit()]
    reviewers = list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))
    try:
        created, skipped = services.pitch_panel_assign(competition=competition, actor=request.user, reviewers=reviewers)
    except services.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d pitch assignments made.") % {"n": created})
        for app, reviewer in skipped:
            messages.warning(request, _("%(name)s has a conflict with %(app)s and was left out.") % {"name": reviewer, "app": app})
    return redirect("review_admin:call", pk=competition.pk)


def ranking(request, pk):
    """The ranking; by default the columns that decide (the project stays readable), ?columns=all for every one."""
    competition = _call(request, pk)
    criteria, rows = selectors.ranking(competition)
    all_columns = request.GET.get("columns") == "all"
    return render(request, "review/admin/ranking.html", {
        "competition": competition, "criteria": criteria, "rows": rows,
        "table": [(row, list(zip(criteria, row.criterion_means))) for row in rows],
        "can_shortlist": competition.pitch_round, "all_columns": all_columns,
        "hidden_count": len(criteria) + 2,  # the criteria, the sheet count, urban or rural
    })


@require_POST
def shortlist(request, pk):
    competition = _call(request, pk)
    ids = [i for i in request.POST.getlist("applications") if i.isdigit()]
    apps = list(competition.applications.filter(pk__in=ids).order_by("pk"))
    try:
        done, refused = services.applications_shortlist(competition=competition, actor=request.user, applications=apps)
    except services.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d applications shortlisted for the pitch.") % {"n": len(done)})
        for app, reason in refused.items():
            messages.error(request, f"{app}: {reason}")
    return redirect("review_admin:ranking", pk=competition.pk)


def funding_plan(competition):
    """The suggestion for the call's reviewed (or, with a pitch round, shortlisted) applications."""
    _criteria, rows = selectors.ranking(competition, statuses=(Status.REVIEWED, Status.SHORTLISTED))
    candidates, others = [], []
    for row in rows:
        app = row.application
        item = FundingItem(key=app, score=row.final, requested=app.requested_amount, is_rural=row.is_rural,
                           label=app.reference or app.title)
        if competition.pitch_round and app.status != Status.SHORTLISTED:
            others.append(FundingRow(item, Decimal("0"), False, _("Not funded: not shortlisted for the pitch round.")))
        elif competition.pitch_round and row.pitch is None:
            others.append(FundingRow(item, Decimal("0"), False, _(
                "Not funded yet: its pitch is not scored (the pitch counts for %(weight)s%% of the final score); "
                "funding cannot be confirmed before it is.") % {"weight": plain(competition.pitch_weight)}))
        else:
            candidates.append(item)
    # Money already recommended in an earlier confirmation is no longer available.
    plan = suggest_funding(
        candidates, budget=competition.total_budget - selectors.committed_amount(competition), cap=competition.max_amount,
        rural_min_share=competition.rural_min_share, min_amount=competition.min_amount,
    )
    plan.rows.extend(others)
    scores = {row.application.pk: row for row in rows}
    return plan, scores


def funding(request, pk):
    competition = _call(request, pk)
    plan, ranked = funding_plan(competition)
    form = FundingForm(request.POST or None, rows=plan.rows)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen = form.decisions()
            instances = Application.objects.select_related("competition").in_bulk([s.pk for s, _a in chosen])
            try:
                recommended, declined, refused = services.funding_confirm(
                    competition=competition, actor=request.user,
                    decisions=[(instances[s.pk], amount) for s, amount in chosen if s.pk in instances],
                    decline_reason=form.cleaned_data.get("decline_reason", ""),
                )
            except services.ReviewError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, _("%(r)d applications recommended, %(d)d declined.") % {
                    "r": len(recommended), "d": len(declined)})
                for app, reason in refused.items():
                    messages.error(request, f"{app}: {reason}")
                return redirect("review_admin:ranking", pk=competition.pk)
        else:
            status = 400
    return render(request, "review/admin/funding.html", {
        "competition": competition, "plan": plan, "form": form, "ranked": ranked,
        "committed": competition.total_budget - plan.budget,
    }, status=status)


def summary_pdf(request, pk):
    competition = _call(request, pk)
    response = HttpResponse(pdf.score_summary_pdf(competition), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="score-summary-{competition.pk}.pdf"'
    return response


def scores_xlsx(request, pk):
    competition = _call(request, pk)
    response = HttpResponse(
        exports.scores_workbook(competition),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="scores-{competition.pk}.xlsx"'
    return response


def reviewer_invite(request):
    user = request.user
    bureaus = staff_bureaus(user)
    bureau = bureaus.filter(pk=request.POST.get("bureau") or request.GET.get("bureau") or user.bureau_id or 0).first()
    if bureau is None:
        bureau = bureaus.first()
    if bureau is None:
        raise PermissionDenied(_("Only bureau staff invite reviewers."))
    form = InviteReviewerForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reviewer_invite(
                email=data["email"], full_name=data["full_name"], bureau=bureau, actor=user,
                expertise=form.expertise_list(), title=data["title"], employer=data["employer"],
                home_community=data["home_community"],
            )
        except services.ReviewError as exc:
            form.add_error(None, exc.message)
            status = 400
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
            return redirect("review_admin:index")
    elif request.method == "POST":
        status = 400
    return render(request, "review/admin/invite.html", {"form": form, "bureau": bureau, "bureaus": bureaus}, status=status)


# ----- registered in the Wagtail admin (imported from backoffice.wagtail_hooks) -----

app_name = "review_admin"
urlpatterns = [
    path("", index, name="index"),
    path("reviewers/invite/", reviewer_invite, name="invite"),
    path("calls/<int:pk>/", call_overview, name="call"),
    path("calls/<int:pk>/assign/", assign, name="assign"),
    path("calls/<int:pk>/assignments/add/", assignment_add, name="assignment_add"),
    path("calls/<int:pk>/assignments/<int:assignment_pk>/remove/", assignment_remove, name="assignment_remove"),
    path("calls/<int:pk>/pitch-panel/", pitch_panel, name="pitch_panel"),
    path("calls/<int:pk>/ranking/", ranking, name="ranking"),
    path("calls/<int:pk>/shortlist/", shortlist, name="shortlist"),
    path("calls/<int:pk>/funding/", funding, name="funding"),
    path("calls/<int:pk>/summary.pdf", summary_pdf, name="summary_pdf"),
    path("calls/<int:pk>/scores.xlsx", scores_xlsx, name="scores_xlsx"),
]


@hooks.register("register_admin_urls")
def register_review_urls():
    return [path("review/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return StaffMenuItem(gettext_lazy("Expert review"), reverse("review_admin:index"), icon_name="tasks", order=310)
