"""Staff back office: applications and organizations in the Wagtail admin, and the menu group.

Policies are registered first, before any viewset asks Wagtail for a (fallback) policy.
"""

from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy

from .competitions import (
    BureauViewSet,
    CompetitionViewSet,
    CriterionViewSet,
    RegionViewSet,
)

from applications.models import Application, Organization
from competitions.permissions import is_back_office_user

from .applications import (
    AcceptEligibleBulkAction,
    ApplicationDocumentView,
    ApplicationNoticeView,
    ApplicationIndexView,
    ApplicationInspectView,
    ApplicationTransitionView,
    BureauCallsPanel,
    OpenReviewBulkAction,
)
from .scoping import ApplicationPolicy, OrganizationPolicy, ScopedModelViewSet

register_permission_policy(Application, ApplicationPolicy())
register_permission_policy(Organization, OrganizationPolicy())


class ApplicationViewSet(ScopedModelViewSet):
    """Listing (per call through the call filter) and inspect page; applicant data is not edited here."""

    model = Application
    icon = "doc-full"
    menu_label = _("Applications")
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
        "reference": _("Reference"), "competition.title": _("Call"), "title": _("Project title"),
        "organization.name": _("Organization"), "organization.get_category_display": _("Category"),
        "get_status_display": _("Status"), "requested_amount": _("Requested (yuan)"),
        "organization.community.is_rural": _("Rural"), "submitted_at": _("Submitted"),
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
    menu_label = _("Organizations")
    menu_order = 120
    inspect_view_enabled = True
    list_per_page = 50
    list_display = ["name", "category", "registration_status", "community", "contact_name", "contact_phone"]
    list_filter = ["category", "registration_status"]
    search_fields = ["name", "credit_code"]
    search_backend_name = None
    form_fields = []
    inspect_view_fields_exclude = ["members"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(list_select_related=["community"], **kwargs)


class GrantsViewSetGroup(ViewSetGroup):
    """资助与创投: everything a bureau runs, in one admin menu."""

    menu_label = _("Grants and venture contests")
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
