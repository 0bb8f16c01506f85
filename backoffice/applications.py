"""The staff back office's application pages: the listing, the inspect page and the workflow actions.

Objects are loaded only through the bureau-scoped policies and views of ``backoffice.scoping``.
Workflow steps are taken only through ``applications.services``; a refusal (``ApplicationError``)
is shown on the page as a form error, never as a server error.
"""

from dataclasses import dataclass
from decimal import Decimal
from html import escape

import django_filters
from django import forms
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy
from django.views.generic import View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    DateColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy

from competitions.models import Competition, FundSource, OrganizationCategory
from competitions.permissions import is_back_office_user
from competitions.selectors import staff_competitions
from competitions.templatetags.money import yuan
from competitions.workdays import working_days_after

from applications.postaward_views import award_notice_response
from applications import org_services, selectors, services
from applications.models import Application, Organization, Status, SubmittedDocument
from review import aggregation
from review import selectors as review_selectors

from . import quick_widgets
from .competitions import BureauViewSet, CompetitionViewSet, CriterionViewSet, RegionViewSet
from .scoping import ApplicationPolicy, OrganizationPolicy, ScopedIndexView, ScopedInspectView, ScopedModelViewSet

# ----- the application listing --------------------------------------------------------------------


def _staff_calls(request):
    """The calls the user runs (all for site admins): the choices of the listing's call filter."""
    if request is None:
        return Competition.objects.none()
    return staff_competitions(request.user).order_by("-opens_at")


def application_policy():
    from wagtail.permissions import policy_registry

    return policy_registry.get_by_type(Application)


SEARCH_FIELDS = ("title", "organization__name", "reference")


def search_applications(queryset, text):
    """The listing's search: title, organization name or reference number containing ``text``."""
    if not text:
        return queryset
    query = Q()
    for field in SEARCH_FIELDS:
        query |= Q(**{f"{field}__icontains": text})
    return queryset.filter(query)


def spread_flagged_ids(competitions):
    """Ids of the applications whose review sheets disagree beyond their call's threshold.

    One pass over each call's submitted scores.
    """
    flagged = set()
    for call in competitions:
        results = aggregation.aggregate(
            review_selectors.submitted_scores(call, "review"),
            review_selectors.criterion_specs(review_selectors.rubric(call)),
            method=call.aggregation_method, spread_threshold=call.spread_threshold,
        )
        flagged.update(app_id for app_id, result in results.items() if result.spread_flag)
    return flagged


class ApplicationFilterSet(WagtailFilterSet):
    competition = django_filters.ModelChoiceFilter(label=gettext_lazy("Call"), queryset=_staff_calls,
                                                   widget=quick_widgets.Select)
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=Status.choices, widget=quick_widgets.Select)
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("Organization category"), field_name="organization__category",
        choices=OrganizationCategory.choices, widget=quick_widgets.Select,
    )
    fund_source = django_filters.ChoiceFilter(
        label=gettext_lazy("Fund source"), field_name="competition__fund_source", choices=FundSource.choices,
        widget=quick_widgets.Select,
    )
    area = django_filters.ChoiceFilter(
        label=gettext_lazy("Urban or rural"),
        choices=[("urban", gettext_lazy("Urban")), ("rural", gettext_lazy("Rural"))],
        method="filter_area", widget=quick_widgets.Select,
    )
    spread = django_filters.BooleanFilter(label=gettext_lazy("Reviewers disagree (spread flag)"), method="filter_spread",
                                          widget=quick_widgets.NullBooleanSelect)

    class Meta:
        model = Application
        fields = []

    def filter_area(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(organization__community__is_rural=(value == "rural"))

    def filter_spread(self, queryset, name, value):
        if value is None:
            return queryset
        call = self.form.cleaned_data.get("competition")
        calls = [call] if call else list(_staff_calls(self.request).prefetch_related("criteria"))
        flagged = spread_flagged_ids(calls)
        return queryset.filter(pk__in=flagged) if value else queryset.exclude(pk__in=flagged)


def _area_label(application):
    return _("Rural") if application.organization.community.is_rural else _("Urban")


class PageByIdsPaginator(WagtailPaginator):
    """Cuts a page out of the ordered ids first, then joins what the page's rows show.

    PostgreSQL cannot stop early when it sorts joined rows: ordering a bureau's 10,000
    applications with their organizations and communities joined read and joined all 10,000
    (35–40 ms a page). Sorting the bare application rows (joining only what a filter or the
    sort needs) and joining the organization and community of the page's 50 is one query still.
    """

    def __init__(self, object_list, per_page, *, rows, **kwargs):
        self.rows = rows  # the row queryset: what a row shows joined in
        super().__init__(object_list, per_page, **kwargs)

    def _get_page(self, object_list, number, paginator):
        if isinstance(object_list, QuerySet):
            ordering = object_list.query.order_by or object_list.model._meta.ordering
            object_list = self.rows.filter(pk__in=object_list.values("pk")).order_by(*ordering)
        return super()._get_page(object_list, number, paginator)


class ApplicationIndexView(ScopedIndexView):
    filterset_class = ApplicationFilterSet
    search_fields = list(SEARCH_FIELDS)
    search_backend_name = None
    default_ordering = "-submitted_at"
    paginate_by = 50

    def get_base_queryset(self):
        if not self.permission_policy.user_has_permission(self.request.user, "view"):
            return Application.objects.none()
        return selectors.staff_application_listing(user=self.request.user, full=self.is_export)

    def get_paginator(self, queryset, per_page, **kwargs):
        return PageByIdsPaginator(queryset, per_page, rows=self.get_base_queryset(), **kwargs)

    def order_queryset(self, queryset):
        # A stable order for pagination: ties broken by id.
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="application"),
            TitleColumn(
                "reference", label=_("Reference"), sort_key="reference",
                get_url=lambda app: reverse(self.inspect_url_name, args=(quote(app.pk),)),
                get_title_id=lambda app: f"application_{app.pk}_title",
            ),
            Column("title", label=_("Project title"), sort_key="title"),
            Column("organization", label=_("Organization"), accessor=lambda a: a.organization.name,
                   sort_key="organization__name"),
            Column("category", label=_("Category"), accessor=lambda a: a.organization.get_category_display()),
            StatusTagColumn("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
            Column("requested_amount", label=_("Requested (yuan)"), sort_key="requested_amount"),
            Column("area", label=_("Urban/rural"), accessor=_area_label),
            DateColumn("submitted_at", label=_("Submitted"), sort_key="submitted_at"),
        ]

    def header_cells(self):
        """Column headings with their sort links (the rows are rendered in one template loop)."""
        cells = []
        for column in self.columns[1:]:
            cell = {"label": column.label, "url": None}
            if column.sort_key:
                query = self.request.GET.copy()
                query.pop(self.page_kwarg, None)
                query.pop("_w_filter_fragment", None)
                ascending = self.ordering == column.sort_key
                query["ordering"] = f"-{column.sort_key}" if ascending else column.sort_key
                cell.update(
                    url=f"{self.index_url}?{query.urlencode()}",
                    active=self.ordering in (column.sort_key, f"-{column.sort_key}"),
                    icon="icon-arrow-up-after" if ascending else "icon-arrow-down-after",
                )
            cells.append(cell)
        return cells

    def rows_html(self, applications):
        """The table body, written here rather than by the template engine.

        The busiest page of the back office: 50 rows of 10 cells cost ~5 ms through a template
        loop and ~0.5 ms as escaped strings. Every value from the database goes through
        ``escape``; choice labels are translated once a page, not once a row
        (``get_FOO_display`` rebuilds and hashes the whole choice list on every call).
        """
        statuses = {value: str(label) for value, label in Status.choices}
        categories = {value: str(label) for value, label in OrganizationCategory.choices}
        rural, urban, select = escape(_("Rural")), escape(_("Urban")), escape(_("Select"))
        prefix = reverse(self.inspect_url_name, args=(0,))[: -len("0/")]
        lines = []
        for app in applications:
            organization = app.organization
            pk = int(app.pk)
            submitted = timezone.localtime(app.submitted_at).strftime("%Y-%m-%d %H:%M") if app.submitted_at else ""
            lines.append(
                f'<tr><td class="bulk-action-checkbox-cell"><input type="checkbox" data-object-id="{pk}" '
                f'data-bulk-action-checkbox class="bulk-action-checkbox" aria-label="{select}" '
                f'aria-describedby="application_{pk}_title"></td>'
                f'<td class="title"><div class="title-wrapper"><a href="{prefix}{pk}/">'
                f'<span id="application_{pk}_title">{escape(app.reference or "—")}</span></a></div></td>'
                f"<td>{escape(app.title)}</td>"
                f"<td>{escape(organization.name)}</td>"
                f"<td>{escape(categories.get(organization.category, organization.category))}</td>"
                f'<td><span class="w-status">{escape(statuses.get(app.status, app.status))}</span></td>'
                f"<td>{app.requested_amount:,.2f}</td>"  # thousands separated, as everywhere (a Decimal)
                f"<td>{rural if organization.community.is_rural else urban}</td>"
                f"<td>{submitted}</td></tr>"
            )
        return mark_safe("\n".join(lines))  # noqa: S308 - every interpolated value is escaped above

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["header_cells"] = self.header_cells()
        context["rows_html"] = self.rows_html(context["object_list"])
        return context

    @cached_property
    def current_call(self):
        if self.filters and self.filters.is_valid():
            return self.filters.form.cleaned_data.get("competition")
        return None

    def get_page_subtitle(self):
        return self.current_call.title if self.current_call else super().get_page_subtitle()


# ----- the workflow actions --------------------------------------------------------------------------


class TransitionForm(forms.Form):
    """What every action sends: the version of the application the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, application, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", application.version)
        self.application = application
        super().__init__(*args, **kwargs)

    def service_kwargs(self):
        return {name: value for name, value in self.cleaned_data.items() if name not in ("version", "confirmed")}


class NoteForm(TransitionForm):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(TransitionForm):
    reason = forms.CharField(label=gettext_lazy("Reason (the applicant will read it)"),
                             widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmedReasonForm(ReasonForm):
    """A step that cannot be undone: the server takes it only with the box ticked under its consequences."""

    confirmed = forms.BooleanField(
        label=gettext_lazy("I have read what this step does and that it cannot be undone"),
        error_messages={"required": gettext_lazy("Tick the box to confirm: this step cannot be undone.")},
    )


class ReturnForm(ReasonForm):
    deadline = forms.DateTimeField(
        label=gettext_lazy("Revise and resubmit before (Beijing time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, application, **kwargs):
        deadline = timezone.localtime(working_days_after(timezone.now(), application.competition.revision_days).ends_at)
        kwargs.setdefault("initial", {}).setdefault("deadline", deadline.replace(second=0, microsecond=0))
        super().__init__(*args, application=application, **kwargs)


class RecommendForm(TransitionForm):
    amount = forms.DecimalField(label=gettext_lazy("Amount to fund (yuan)"), max_digits=12, decimal_places=2,
                                min_value=Decimal("0.01"))
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, application, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("amount", application.requested_amount)
        super().__init__(*args, application=application, **kwargs)


class TerminateForm(ConfirmedReasonForm):
    return_amount = forms.DecimalField(label=gettext_lazy("Amount to be returned (yuan)"), max_digits=12,
                                       decimal_places=2, min_value=Decimal("0"), initial=Decimal("0"))


@dataclass(frozen=True)
class StaffAction:
    name: str  # the transition's name on Application
    label: str
    form_class: type
    service: object
    serious: bool = False
    consequence: str = ""  # said beside the form of a step that cannot be undone


STAFF_ACTIONS = {
    action.name: action
    for action in [
        StaffAction("accept_eligible", gettext_lazy("Accept as eligible"), NoteForm,
                    services.application_accept_eligible),
        StaffAction("reject_ineligible", gettext_lazy("Reject as ineligible"), ConfirmedReasonForm,
                    services.application_reject_ineligible, serious=True, consequence=gettext_lazy(
                        "The application leaves the call for good: it is not reviewed, the applicant is told "
                        "with your reason, and it cannot be resubmitted.")),
        StaffAction("return_for_revision", gettext_lazy("Return for revision"), ReturnForm,
                    services.application_return_for_revision),
        StaffAction("open_review", gettext_lazy("Open expert review"), TransitionForm,
                    services.application_open_review),
        StaffAction("shortlist", gettext_lazy("Shortlist for the pitch"), NoteForm, services.application_shortlist),
        StaffAction("recommend", gettext_lazy("Recommend for funding"), RecommendForm,
                    services.application_recommend),
        StaffAction("decline", gettext_lazy("Decline"), ConfirmedReasonForm, services.application_decline, serious=True,
                    consequence=gettext_lazy("The application is not funded: the applicant is told with your reason, "
                                             "and this call's decision on it is final.")),
        StaffAction("sign_agreement", gettext_lazy("Record the signed agreement"), NoteForm,
                    services.application_sign_agreement),
        StaffAction("complete", gettext_lazy("Complete the project"), NoteForm, services.application_complete),
        StaffAction("terminate", gettext_lazy("Terminate the project"), TerminateForm,
                    services.application_terminate, serious=True, consequence=gettext_lazy(
                        "The project ends now: no further tranche is paid, no report is due, the organization "
                        "is told to return the amount below with your reason, and a terminated project cannot "
                        "be resumed.")),
    ]
}

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this application after you opened the page; reload it to see the "
    "current state, then try again."
)


def staff_action_run(action, *, application, actor, form):
    """Take ``action`` through its service; raises ApplicationError when refused or stale."""
    if application.version != form.cleaned_data["version"]:
        raise services.ApplicationError(STALE_MESSAGE, code="stale")
    return action.service(application=application, actor=actor, **form.service_kwargs())


def transition_label(name):
    """Plain words for a logged transition name such as ``application.accept_eligible``."""
    short = name.split(".", 1)[-1]
    if short in STAFF_ACTIONS:
        return STAFF_ACTIONS[short].label
    return {
        "submit": _("Submitted"),
        "resubmit": _("Resubmitted after revision"),
        "complete_review": _("All score sheets in"),
        "publicize": _("Put into public notice (公示)"),
        "cancel_after_objection": _("Cancelled after an objection"),
        "award": _("Awarded"),
        "withdraw": _("Withdrawn"),
    }.get(short, short.replace("_", " "))


def status_label(value):
    try:
        return Status(value).label
    except ValueError:
        return value


class ApplicationObjectMixin:
    """Loads the application from the user's scope (404 outside it)."""

    def load_application(self, pk):
        try:
            return selectors.application_for_staff_page(user=self.request.user, pk=pk)
        except (Application.DoesNotExist, ValueError):
            raise Http404 from None


def attachment_download_url(attachment):
    """The applicant portal's download link (it checks who may read the file)."""
    return reverse("applications:attachment_download", kwargs={"pk": attachment.pk})


# The review pages of a call, linked from the application's inspect page and the calls panel.
REVIEW_CALL_PAGES = [
    ("review_admin:call", gettext_lazy("Review overview and assignment")),
    ("review_admin:ranking", gettext_lazy("Ranking")),
    ("review_admin:funding", gettext_lazy("Funding decision")),
    ("review_admin:summary_pdf", gettext_lazy("Score summary sheet (PDF)")),
]


def review_call_links(competition):
    return [{"url": reverse(name, kwargs={"pk": competition.pk}), "label": label} for name, label in REVIEW_CALL_PAGES]


class ApplicationInspectView(ApplicationObjectMixin, ScopedInspectView):
    template_name = "staff/application_inspect.html"
    transition_url_name = None
    document_url_name = None
    notice_url_name = None

    def get_object(self, queryset=None):
        return self.load_application(unquote(str(self.pk)))

    def get_page_subtitle(self):
        return f"{self.object.reference or ''} {self.object.title}".strip()

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is None or value == "":
            return "—"
        # Every decimal of an application is an amount of yuan: written as money (50,000.00).
        return yuan(value) if isinstance(field, models.DecimalField) else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        app, user = self.object, self.request.user
        available = set(services.available_transitions(app, user))
        from_here = {t.name for t in app.get_all_status_transitions() if t.source in (app.status, "*")}
        actions, unavailable = [], []
        for name, action in STAFF_ACTIONS.items():
            if name in available:
                actions.append({
                    "action": action,
                    "form": action.form_class(application=app, prefix=name),
                    "url": reverse(self.transition_url_name, args=(app.pk, name)),
                })
            elif name in from_here:
                # The step exists from this state but is blocked: say why (like Hypha does).
                unavailable.append({"action": action, "reason": services.explain(app, name, user)})
        context.update({
            "application": app,
            "budget_lines": list(app.budget_lines.all()),
            "attachments": [
                {"attachment": a, "url": attachment_download_url(a)} for a in app.attachments.all()
            ],
            "timeline": [
                {
                    "entry": entry,
                    "label": transition_label(entry.transition),
                    "from_label": status_label(entry.from_state),
                    "to_label": status_label(entry.to_state),
                    "actor": entry.actor.display_name if entry.actor else _("the system"),
                }
                for entry in selectors.application_timeline(application=app)
            ],
            "score_sheets": review_selectors.application_score_sheets(application=app),
            "notice": getattr(app, "award_notice", None),
            "notice_url": reverse(self.notice_url_name, args=(app.pk,)) if self.notice_url_name else "",
            "agreement": getattr(app, "agreement", None),
            "documents": [
                {"document": doc, "url": reverse(self.document_url_name, args=(app.pk, doc.pk))}
                for doc in app.documents.order_by("-created_at", "-id")
            ],
            "actions": actions,
            "unavailable_actions": unavailable,
            "review_links": review_call_links(app.competition),
            "is_rural": app.organization.community.is_rural,
        })
        return context


class ApplicationTransitionView(ApplicationObjectMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, View):
    """One workflow step on one application: GET shows its small form, POST takes it."""

    model = Application
    any_permission_required = ["view"]
    template_name = "staff/application_transition.html"
    inspect_url_name = None
    index_url_name = None
    header_icon = "form"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.application = self.load_application(kwargs["pk"])
        self.action = STAFF_ACTIONS.get(kwargs["name"])
        if self.action is None:
            raise Http404

    def get_page_title(self):
        return str(self.action.label)

    def get_page_subtitle(self):
        return f"{self.application.reference or ''} {self.application.title}".strip()

    def inspect_url(self):
        return reverse(self.inspect_url_name, args=(self.application.pk,))

    def render(self, form, status=200):
        context = self.get_context_data(
            form=form, application=self.application, action=self.action, inspect_url=self.inspect_url(),
            reason=services.explain(self.application, self.action.name, self.request.user),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(self.action.form_class(application=self.application, prefix=self.action.name))

    def post(self, request, *args, **kwargs):
        form = self.action.form_class(request.POST, application=self.application, prefix=self.action.name)
        if form.is_valid():
            try:
                staff_action_run(self.action, application=self.application, actor=request.user, form=form)
            except services.ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(action)s: done. The application is now “%(status)s”.")
                    % {"action": self.action.label, "status": self.application.get_status_display()},
                )
                return redirect(self.inspect_url())
        messages.error(request, " ".join(form.non_field_errors()) or _("Check the form below."))
        return self.render(form)


class ApplicationNoticeView(ApplicationObjectMixin, PermissionCheckedMixin, View):
    """The award notice (立项通知书 PDF), for the staff of the call."""

    model = Application
    any_permission_required = ["view"]

    def get(self, request, pk):
        return award_notice_response(self.load_application(pk))


class ApplicationDocumentView(ApplicationObjectMixin, PermissionCheckedMixin, View):
    """The application form as submitted (申报书 PDF), for the staff of the call."""

    model = Application
    any_permission_required = ["view"]

    def get(self, request, pk, document_pk):
        application = self.load_application(pk)
        document = get_object_or_404(SubmittedDocument, pk=document_pk, application=application)
        response = FileResponse(
            document.file.open("rb"), as_attachment=True, content_type="application/pdf",
            filename=f"{application.reference or application.pk}-{document.log_entry_id}.pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


# ----- the dashboard ------------------------------------------------------------------------------


class BureauCallsPanel(Component):
    """On the admin's home page: the bureau's calls and how many applications wait at each stage."""

    name = "bureau_calls"
    order = 50
    template_name = "staff/home_calls_panel.html"

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        index = reverse("application:index")
        labels = {status: Status(status).label for status in selectors.DASHBOARD_STAGES}
        rows = []
        for call, counts, total in selectors.staff_call_overview(user=request.user):
            rows.append({
                "call": call,
                "url": f"{index}?competition={call.pk}",
                # Only the stages where something waits, in workflow order.
                "cells": [
                    {"label": label, "count": counts[status],
                     "url": f"{index}?competition={call.pk}&status={status}"}
                    for status, label in labels.items() if counts.get(status)
                ],
                "total": total,
                "review_links": review_call_links(call),
            })
        return {"rows": rows, "request": request}


# ----- bulk actions on the listing -----------------------------------------------------------------


class ApplicationBulkTransition(BulkAction):
    """Take one workflow step on many applications, each through its service; report refusals."""

    models = [Application]
    template_name = "staff/bulk_transition.html"
    transition = None
    source_status = None
    done_message = None  # ngettext_lazy(..., "count")

    def dispatch(self, request, *args, **kwargs):
        if not application_policy().user_has_permission(request.user, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def scope(self):
        return selectors.staff_applications(user=self.request.user).select_related(
            "organization", "organization__community", "competition"
        )

    def listing_selection(self):
        """'All in the listing': the listing's filters and search as they were, in the source state."""
        queryset = self.scope
        filters = ApplicationFilterSet(data=self.request.GET, queryset=queryset, request=self.request)
        if not filters.is_valid():
            raise Http404  # a listing that could not be shown cannot be acted on
        queryset = search_applications(filters.qs, self.request.GET.get("q", "").strip())
        return queryset.filter(status=self.source_status)

    def get_all_objects_in_listing_query(self, parent_id):
        return self.listing_selection().values_list("pk", flat=True)

    @cached_property
    def _objects(self):
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            return list(self.listing_selection().order_by("pk"))
        try:
            wanted = {int(i) for i in ids}
        except ValueError:
            raise Http404 from None
        objects = list(self.scope.filter(pk__in=wanted).order_by("pk"))
        if not wanted or len(objects) != len(wanted):
            # Unknown ids and other bureaus' applications look the same: not found.
            raise Http404
        return objects

    def get_actionable_objects(self):
        return self._objects, {"items_with_no_access": []}

    def object_context(self, application):
        return {"item": application, "reason": services.explain(application, self.transition, self.request.user)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_label"] = self.display_name
        context["header_icon"] = "tasks"
        return context

    def run(self, application):
        STAFF_ACTIONS[self.transition].service(application=application, actor=self.request.user)

    def form_valid(self, form):
        # Not in one transaction: each application is its own step (the services are durable).
        done, refused = 0, []
        for application in self._objects:
            try:
                self.run(application)
                done += 1
            except services.ApplicationError as exc:
                refused.append(f"{application.reference or application.title}: {exc.message}")
        messages.success(self.request, self.done_message % {"count": done})
        if refused:
            messages.warning(
                self.request,
                ngettext("%(count)d refused: %(list)s", "%(count)d refused: %(list)s", len(refused))
                % {"count": len(refused), "list": "; ".join(refused)},
            )
        return redirect(self.next_url)


class AcceptEligibleBulkAction(ApplicationBulkTransition):
    display_name = gettext_lazy("Accept as eligible")
    action_type = "accept_eligible"
    aria_label = gettext_lazy("Accept the selected applications as eligible")
    transition = "accept_eligible"
    source_status = Status.SUBMITTED
    action_priority = 10
    done_message = ngettext_lazy(
        "%(count)d application accepted as eligible.", "%(count)d applications accepted as eligible.", "count"
    )


class OpenReviewBulkAction(ApplicationBulkTransition):
    display_name = gettext_lazy("Open expert review")
    action_type = "open_review"
    aria_label = gettext_lazy("Open expert review for the selected applications")
    transition = "open_review"
    source_status = Status.ELIGIBLE
    action_priority = 20
    done_message = ngettext_lazy(
        "%(count)d application opened for review.", "%(count)d applications opened for review.", "count"
    )


# ----- registered in the Wagtail admin (imported from backoffice.wagtail_hooks) -----
# Policies first, before any viewset asks Wagtail for a (fallback) policy.

register_permission_policy(Application, ApplicationPolicy())
register_permission_policy(Organization, OrganizationPolicy())


class ApplicationViewSet(ScopedModelViewSet):
    """Listing (per call through the call filter) and inspect page; applicant data is not edited here."""

    model = Application
    icon = "doc-full"
    menu_label = gettext_lazy("Applications")
    menu_order = 110
    index_view_class = ApplicationIndexView
    inspect_view_class = ApplicationInspectView
    inspect_view_enabled = True
    list_per_page = 50
    form_fields = []  # staff never add or edit applications (the policy refuses it)
    # CSV/XLSX of the filtered listing (the same scoped, joined queryset as the page).
    list_export = [
        "reference", "competition.title", "title", "organization.name", "organization.get_category_display",
        "get_status_display", "requested_amount", "organization.community.is_rural", "submitted_at",
    ]
    export_headings = {
        "reference": gettext_lazy("Reference"), "competition.title": gettext_lazy("Call"), "title": gettext_lazy("Project title"),
        "organization.name": gettext_lazy("Organization"), "organization.get_category_display": gettext_lazy("Category"),
        "get_status_display": gettext_lazy("Status"), "requested_amount": gettext_lazy("Requested (yuan)"),
        "organization.community.is_rural": gettext_lazy("Rural"), "submitted_at": gettext_lazy("Submitted"),
    }
    export_filename = "applications"
    inspect_view_fields = [
        "reference", "status", "competition", "organization", "title", "summary", "service_area",
        "target_groups", "beneficiaries", "place", "start_date", "end_date", "requested_amount",
        "co_funding", "goals", "team", "submitted_at", "revision_deadline", "staff_note",
        "awarded_amount", "return_amount",
    ]

    @cached_property
    def index_template_name(self):
        return "staff/application_index.html"

    @cached_property
    def index_results_template_name(self):
        return "staff/application_index_results.html"

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            transition_url_name=self.get_url_name("transition"),
            document_url_name=self.get_url_name("document"),
            notice_url_name=self.get_url_name("notice"),
            **kwargs,
        )

    @property
    def transition_view(self):
        return self.construct_view(
            ApplicationTransitionView,
            inspect_url_name=self.get_url_name("inspect"),
            index_url_name=self.get_url_name("index"),
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("transition/<int:pk>/<str:name>/", self.transition_view, name="transition"),
            path("document/<int:pk>/<int:document_pk>/", self.construct_view(ApplicationDocumentView),
                 name="document"),
            path("notice/<int:pk>/", self.construct_view(ApplicationNoticeView), name="notice"),
        ]


class OrganizationViewSet(ScopedModelViewSet):
    """Organizations that applied to the staff member's calls, read only."""

    model = Organization
    icon = "group"
    menu_label = gettext_lazy("Organizations")
    menu_order = 120
    inspect_view_enabled = True
    list_per_page = 50
    list_display = ["name", "category", "registration_status", "community", "contact_name", "contact_phone",
                    Column("verified_at", label=gettext_lazy("Verified"), accessor=lambda o: _verified_cell(o))]
    list_filter = ["category", "registration_status"]
    search_fields = ["name", "credit_code"]
    search_backend_name = None
    form_fields = []
    inspect_view_fields_exclude = ["members"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(list_select_related=["community"], **kwargs)


def _verified_cell(organization):
    if organization.verified_at:
        return timezone.localtime(organization.verified_at).strftime("%Y-%m-%d")
    return format_html('<a class="button button-small button-secondary" href="{}">{} · {}</a>',
                       reverse("organization_verify", args=[organization.pk]), _("Unverified"), _("Check"))


def organization_verify_view(request, pk):
    """Check an organization's registration evidence and vouch for it (a confirmation page, then a POST)."""
    organization = selectors.staff_organizations(user=request.user).filter(pk=pk).select_related("community").first()
    if organization is None:
        raise Http404
    if request.method == "POST":
        try:
            org_services.organization_verify(organization=organization, actor=request.user)
        except services.ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(name)s is verified: it is now listed in the public directory.") % {"name": organization.name})
        return redirect("organization:index")
    return TemplateResponse(request, "backoffice/organization_verify.html", {
        "organization": organization, "evidence": list(organization.attachments.all()),
        "page_title": _("Verify an organization"), "header_icon": "group",
    })


@hooks.register("register_admin_urls")
def register_organization_verify_url():
    return [path("organization-verify/<int:pk>/", organization_verify_view, name="organization_verify")]


class GrantsViewSetGroup(ViewSetGroup):
    """资助与创投: everything a bureau runs, in one admin menu."""

    menu_label = gettext_lazy("Grants and venture contests")
    menu_icon = "tasks"
    menu_order = 150
    items = (
        CompetitionViewSet("competition"),
        ApplicationViewSet("application"),
        OrganizationViewSet("organization"),
        CriterionViewSet("criterion"),
        BureauViewSet("bureau"),
        RegionViewSet("region"),
    )


@hooks.register("register_admin_viewset")
def register_grants_viewsets():
    return GrantsViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_bureau_calls_panel(request, panels):
    if is_back_office_user(request.user):
        panels.append(BureauCallsPanel())


hooks.register("register_bulk_action", AcceptEligibleBulkAction)
hooks.register("register_bulk_action", OpenReviewBulkAction)
