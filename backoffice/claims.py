"""Back office: claims of registry organizations (申请认领), decided by the bureau that keeps them.

Staff see the claims of organizations whose community lies in their bureau's region (a site admin:
all); another bureau's claim is a 404. The decision page shows the organization, the claimant and
the evidence, and approves (the claimant becomes the owner) or refuses with a reason.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages

from applications import claims, selectors
from applications.chain import history_of_organization
from applications.errors import ApplicationError
from applications.forms import ClaimDecisionForm
from applications.models import OrganizationClaim
from competitions.permissions import is_back_office_user

from .scoping import StaffMenuItem

PAGE_SIZE = 50
STATE_LABELS = dict(OrganizationClaim.State.choices)


def _listing(user):
    if not is_back_office_user(user):
        raise PermissionDenied
    return selectors.staff_claim_listing(user=user)


def claim_index(request):
    """The claims of the bureau's registry, pending first by default (``?state=`` for the others)."""
    states = dict(OrganizationClaim.State.choices)
    state = request.GET.get("state", OrganizationClaim.State.PENDING)
    rows = _listing(request.user)
    if state in states:
        rows = rows.filter(state=state)
    return TemplateResponse(request, "backoffice/claim_index.html", {
        "page_title": _("Organization claims"), "header_icon": "user",
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "states": states.items(), "state": state,
    })


def claim_decide(request, pk):
    claim = _listing(request.user).select_related("evidence", "decided_by").filter(pk=pk).first()
    if claim is None:
        raise Http404
    form = ClaimDecisionForm(request.POST or None)
    if request.method == "POST" and ("approve" in request.POST or "refuse" in request.POST) and form.is_valid():
        try:
            if "approve" in request.POST:
                claims.claim_approve(claim=claim, actor=request.user)
                messages.success(request, _("%(who)s is now the owner of %(org)s.") % {
                    "who": claim.claimant.display_name, "org": claim.organization.name})
            else:
                claims.claim_refuse(claim=claim, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("The claim is refused; %(who)s is told the reason.") % {
                    "who": claim.claimant.display_name})
        except ApplicationError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
                return redirect("claim_decide", pk=claim.pk)
        else:
            return redirect("claim_index")
    return TemplateResponse(request, "backoffice/claim_decide.html", {
        "page_title": _("Claim of %(org)s") % {"org": claim.organization.name}, "header_icon": "user",
        "claim": claim, "form": form,
        "history": [(row, STATE_LABELS.get(row.to_state, row.to_state)) for row in history_of_organization(claim.organization)],
    }, status=400 if form.errors else 200)


@hooks.register("register_admin_urls")
def register_claim_urls():
    return [
        path("claims/", claim_index, name="claim_index"),
        path("claims/<int:pk>/", claim_decide, name="claim_decide"),
    ]


@hooks.register("register_admin_menu_item")
def register_claim_menu_item():
    return StaffMenuItem(gettext_lazy("Organization claims"), reverse("claim_index"), icon_name="user", order=331)
