"""The staff to-do panel on the admin's home page: what waits for the bureau, each a count with a link.

One count query per kind of work, scoped by the one rule (``competitions.selectors.staff_scope``),
so the panel costs the same with ten applications or ten thousand.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from applications.models import Application, Disbursement, Objection, OrganizationClaim, Report, Status
from applications.selectors import staff_claims
from competitions.permissions import is_back_office_user
from competitions.selectors import staff_scope
from review.models import Assignment


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str


def staff_todo(user, *, now=None):
    """What waits for ``user``'s bureau (every bureau for a site admin), in the order work flows."""
    now = now or timezone.now()
    applications = staff_scope(Application.objects.all(), user, bureau_path="competition__bureau")
    by_call = "application__competition__bureau"
    index = reverse("application:index")
    postaward = reverse("postaward_admin:index")
    return [
        Todo("eligibility", _("Applications waiting for the eligibility check"),
             applications.filter(status=Status.SUBMITTED).count(), f"{index}?status={Status.SUBMITTED}"),
        Todo("revisions", _("Returned for revision, due back"),
             applications.filter(status=Status.RETURNED).count(), f"{index}?status={Status.RETURNED}"),
        Todo("sheets", _("Score sheets past the review deadline"),
             staff_scope(Assignment.objects.filter(state=Assignment.State.ASSIGNED,
                                                   application__competition__review_deadline__lt=now), user,
                         bureau_path=by_call).count(),
             reverse("review_admin:index")),
        Todo("objections", _("Objections under investigation"),
             staff_scope(Objection.objects.filter(state__in=Objection.UNDECIDED), user, bureau_path=by_call).count(),
             reverse("cms_publicity_index")),
        Todo("agreements", _("Signed agreements to confirm"),
             applications.filter(status=Status.AWARDED, agreement__scan_uploaded_at__isnull=False,
                                 agreement__confirmed_at__isnull=True).count(), postaward),
        Todo("reports", _("Reports to review"),
             staff_scope(Report.objects.filter(state=Report.State.SUBMITTED), user, bureau_path=by_call).count(),
             postaward),
        Todo("tranches", _("Approved tranches to pay"),
             staff_scope(Disbursement.objects.filter(state=Disbursement.State.APPROVED), user, bureau_path=by_call).count(),
             f"{postaward}?state={Disbursement.State.APPROVED}"),
        Todo("claims", _("Claims of registry organizations to decide"),
             staff_claims(user=user).filter(state=OrganizationClaim.State.PENDING).count(), reverse("claim_index")),
    ]


class StaffTodoPanel(Component):
    name = "staff_todo"
    order = 40  # above the bureau's calls
    template_name = "backoffice/todo_panel.html"

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        items = staff_todo(request.user)
        return {"items": items, "waiting": sum(item.count for item in items), "request": request}


@hooks.register("construct_homepage_panels")
def add_staff_todo_panel(request, panels):
    if is_back_office_user(request.user):
        panels.append(StaffTodoPanel())
