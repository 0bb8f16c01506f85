"""Reviewer pages: my assignments, the score sheet, declining with a conflict, other sheets.

Thin: they load what the reviewer may see (404 for anything not assigned to them) and call
services. Every page needs an activated authenticator app (MFA) first.
"""

from decimal import Decimal
from functools import wraps
from urllib.parse import quote

from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications import confirm
from competitions.typography import inner_quotes

from . import permissions, selectors, services
from .aggregation import ROUND, CriterionSpec, plain, sheet_total
from .forms import AffiliationForm, DeclineForm, ScoreSheetForm
from .models import Assignment, ReviewerProfile, ScoreSheet


def reviewer_required(view):
    """Signed in, a reviewer, and with a second factor; else to login / 403 / its setup (then back)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.is_reviewer(user):
            raise PermissionDenied(_("This page is for reviewers."))
        if not permissions.has_second_factor(user):
            return redirect(reverse("second_factor_setup") + "?next=" + quote(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


def _assignment(request, pk):
    """The reviewer's own open assignment or 404: other people's assignments do not exist for them,
    and one they declined for a conflict (or that staff removed) closes every page of it at once."""
    return get_object_or_404(
        Assignment.objects.select_related(
            "application__competition", "application__organization__community", "sheet"
        ).exclude(state=Assignment.State.DECLINED),
        pk=pk, reviewer=request.user,
    )


def application_context(application, user):
    """What a reviewer may see of the application; identity hidden in a blind call."""
    competition = application.competition
    blind = permissions.is_blind_for(user, competition)
    attachments = [a for a in application.attachments.all() if not (blind and a.identifying)]
    return {
        "application": application,
        "competition": competition,
        "blind": blind,
        "organization": None if blind else application.organization,
        "attachments": attachments,
        "budget_lines": list(application.budget_lines.all()),
    }


@reviewer_required
def assignment_list(request):
    assignments = list(selectors.assignments_for_reviewer(request.user))
    return render(request, "review/assignment_list.html", {"assignments": assignments})


@reviewer_required
@require_http_methods(["GET", "POST"])
def sheet(request, pk):
    assignment = _assignment(request, pk)
    sheet_obj, _created = ScoreSheet.objects.get_or_create(assignment=assignment)
    criteria = services.sheet_criteria(sheet_obj)
    competition = assignment.application.competition
    form_kwargs = {"criteria": criteria, "half_points": competition.half_points}
    status = 200
    if request.method == "POST":
        form = ScoreSheetForm(request.POST, **form_kwargs)
        if sheet_obj.locked:
            form.is_valid()
            form.add_error(None, _("This score sheet was already submitted and is locked."))
            status = 400
        elif form.is_valid():
            submit = "submit" in request.POST
            if submit and not confirm.confirmed(request):
                # Locking cannot be undone: check the sheet, then ask again with what will be sent.
                try:
                    parsed = services.sheet_check(sheet=sheet_obj, scores=form.scores(),
                                                  recommendation=form.cleaned_data["recommendation"], submit=True)
                except services.ReviewError as exc:
                    form.add_service_errors(exc)
                    return _sheet_page(request, assignment, sheet_obj, form, criteria, status=400)
                return confirm.confirmation_page(
                    request, title=_("Submit and lock this score sheet?"),
                    summary=lock_summary(assignment, criteria, parsed, form.cleaned_data["recommendation"]),
                    action_label=_("Yes, submit and lock"), back_url=reverse("review:sheet", args=[assignment.pk]),
                )
            try:
                services.sheet_save(
                    sheet=sheet_obj, actor=request.user, scores=form.scores(),
                    overall_comment=form.cleaned_data["overall_comment"],
                    recommendation=form.cleaned_data["recommendation"], submit=submit,
                )
            except services.ReviewError as exc:
                form.add_service_errors(exc)
                status = 400
            else:
                messages.success(request, _("Your score sheet is submitted and locked.") if submit else _("Draft saved."))
                return redirect("review:sheet", pk=assignment.pk)
        else:
            status = 400
    else:
        form = ScoreSheetForm(initial=ScoreSheetForm.initial_for(sheet_obj), **form_kwargs)
    return _sheet_page(request, assignment, sheet_obj, form, criteria, status=status)


def _sheet_page(request, assignment, sheet_obj, form, criteria, status=200):
    if sheet_obj.locked:
        for field in form.fields.values():
            field.disabled = True
    saved = {s.criterion_id: s.points for s in sheet_obj.scores.all() if s.points is not None}
    context = application_context(assignment.application, request.user) | {
        "assignment": assignment, "sheet": sheet_obj, "form": form,
        "can_see_others": bool(permissions.can_view_other_sheets(request.user, assignment)),
        "comment_below": plain(services.COMMENT_REQUIRED_BELOW_PERCENT),
        "totals": sheet_totals(criteria, saved),
        "lock_summary": lock_summary(assignment, criteria, None, ""),
    }
    return render(request, "review/sheet.html", context, status=status)


def sheet_totals(criteria, points):
    """The sheet's sum of points, the maximum, and the 0–100 score that counts (the server's figures)."""
    rubric = [CriterionSpec(c.pk, c.max_points, c.weight) for c in criteria]
    return {
        "sum": plain(sum(points.values(), Decimal("0"))),
        "max": plain(sum((c.max_points for c in criteria), Decimal("0"))),
        "score": ROUND(sheet_total(points, rubric)),
        "scaled": any(c.weight != 1 for c in criteria) or sum((c.max_points for c in criteria), Decimal("0")) != 100,
        "filled": len(points), "count": len(criteria),
    }


def lock_summary(assignment, criteria, parsed, recommendation):
    """What submitting the sheet does; with the parsed points, the figures that will be locked."""
    lines = []
    if parsed is not None:
        points = {pk: p for pk, (p, _comment) in parsed.items() if p is not None}
        totals = sheet_totals(criteria, points)
        lines.append(_("Your total: %(sum)s of %(max)s points (%(score)s on the 0–100 scale).") % totals)
        label = dict(ScoreSheet.Recommendation.choices).get(recommendation, "")
        if label:
            lines.append(_("Your recommendation: %(label)s.") % {"label": label})
    lines.append(_("The sheet is locked: neither you nor the staff can change a score or a comment afterwards."))
    lines.append(_("It counts in the ranking of “%(title)s” at once.") % {"title": inner_quotes(assignment.application.title)})
    return lines


@reviewer_required
@require_http_methods(["GET", "POST"])
def decline(request, pk):
    assignment = _assignment(request, pk)
    form = DeclineForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            replacement = services.assignment_decline(
                assignment=assignment, actor=request.user, declaration=form.cleaned_data["declaration"]
            )
        except services.ReviewError as exc:
            form.add_error(None, exc.message)
            status = 400
        else:
            if replacement is None:
                messages.warning(request, _("Your conflict is recorded. Staff will find another reviewer."))
            else:
                messages.success(request, _("Your conflict is recorded and the application was given to another reviewer."))
            return redirect("review:assignments")
    elif request.method == "POST":
        status = 400
    context = application_context(assignment.application, request.user) | {"assignment": assignment, "form": form}
    return render(request, "review/decline.html", context, status=status)


@reviewer_required
def other_sheets(request, pk):
    assignment = _assignment(request, pk)
    verdict = permissions.can_view_other_sheets(request.user, assignment)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    others = list(
        ScoreSheet.objects.filter(
            assignment__application=assignment.application, assignment__stage=assignment.stage,
            submitted_at__isnull=False,
        ).exclude(assignment=assignment).select_related("assignment").prefetch_related("scores__criterion")
        .order_by("submitted_at", "pk")
    )
    context = application_context(assignment.application, request.user) | {"assignment": assignment, "others": others}
    return render(request, "review/other_sheets.html", context)


@reviewer_required
def attachment(request, pk, attachment_pk):
    assignment = _assignment(request, pk)
    app = assignment.application
    item = get_object_or_404(app.attachments.all(), pk=attachment_pk)
    if item.identifying and permissions.is_blind_for(request.user, app.competition):
        raise Http404(_("This file is hidden in a blind review."))
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                        content_type=item.content_type or "application/octet-stream")


@reviewer_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The reviewer's expertise and the ties they declared; adding a tie keeps them off its applications."""
    reviewer = get_object_or_404(ReviewerProfile.objects.select_related("home_community"), user=request.user)
    form = AffiliationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.affiliation_declare(
                    reviewer=reviewer, actor=request.user, organization=data["organization_obj"],
                    community=data["community"], description=data["description"], ended=data["ended"],
                )
            except services.ReviewError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, _("Your declaration is recorded."))
                return redirect("review:profile")
        else:
            status = 400
    affiliations = reviewer.affiliations.select_related("organization", "community").order_by("-pk")
    return render(request, "review/profile.html", {"reviewer": reviewer, "affiliations": affiliations, "form": form},
                  status=status)


@require_http_methods(["GET", "POST"])
def invitation(request, uidb64, token):
    """The one-time link an invited reviewer follows to set a password."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "review/invitation.html", {"invalid": True}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reviewer_accept_invitation(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # Setting the password through the mailed link is this session's sign-in: the second
        # factor's setup, next, does not ask for the password again.
        record_authentication(request, user, method="password", reauthenticated=True)
        messages.success(request, _("Your password is set. One more step: protect your account."))
        return redirect(reverse("second_factor_setup") + "?next=" + quote(reverse("review:assignments")))
    return render(request, "review/invitation.html", {"form": form, "invited": user},
                  status=400 if request.method == "POST" else 200)
