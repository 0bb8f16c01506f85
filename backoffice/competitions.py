"""Staff back office: calls (with their rubric, tranche plan and report schedule), bureaus, regions.

The viewsets are registered in the '资助与创投' menu group by ``backoffice.applications``.
Policies are registered here first, before any viewset asks Wagtail for a fallback policy.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.permissions import policy_registry, register_permission_policy

from competitions.models import (
    Bureau,
    Competition,
    Criterion,
    OrganizationCategory,
    Region,
    RegistrationStatus,
    ReportKind,
    ReportRequirement,
    ServiceArea,
    TranchePlanItem,
    TrancheTrigger,
)
from competitions.permissions import is_site_admin, staff_bureau_id
from competitions.selectors import staff_bureaus

from .scoping import BureauScopedPolicy, ScopedIndexView, ScopedModelViewSet

register_permission_policy(
    Competition,
    BureauScopedPolicy(Competition, competition_path="", staff_actions={"add", "change", "view"}),
)
register_permission_policy(Criterion, BureauScopedPolicy(Criterion, competition_path="competition"))


def staff_calls(user):
    """The calls ``user`` may work on (their bureau's; all for site admins)."""
    return policy_registry.get_by_type(Competition).instances_user_has_any_permission_for(
        user, ["add", "change", "view"]
    )


# ----- the call form -------------------------------------------------------------------------------

TRANCHE_FIELDS = {
    "tranche_contract": TrancheTrigger.ON_CONTRACT,
    "tranche_midterm": TrancheTrigger.ON_MIDTERM,
    "tranche_final": TrancheTrigger.ON_FINAL,
}
REPORT_FIELDS = {"report_midterm_days": ReportKind.MIDTERM, "report_final_days": ReportKind.FINAL}
DEFAULT_TRANCHES = {"tranche_contract": Decimal("50"), "tranche_midterm": Decimal("30"), "tranche_final": Decimal("20")}
DEFAULT_REPORTS = {"report_midterm_days": 180, "report_final_days": 365}


def _percent_field(label):
    return forms.DecimalField(label=label, min_value=Decimal("0"), max_value=Decimal("100"), max_digits=5,
                              decimal_places=2, required=False)


def _choices_field(label, choices):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.CheckboxSelectMultiple,
                                     help_text=_("Leave all unticked to allow any."))


class CompetitionForm(WagtailAdminModelForm):
    """The call, its tranche plan and its report schedule in one form.

    Competition.clean() checks the call itself; this form also refuses a tranche plan that does
    not add up to 100%, naming the sum.
    """

    allowed_categories = _choices_field(_("eligible organization categories"), OrganizationCategory.choices)
    allowed_service_areas = _choices_field(_("eligible service areas"), ServiceArea.choices)
    allowed_registration_statuses = _choices_field(_("eligible registration statuses"), RegistrationStatus.choices)
    tranche_contract = _percent_field(_("% paid on signing the agreement"))
    tranche_midterm = _percent_field(_("% paid when the mid-term report is accepted"))
    tranche_final = _percent_field(_("% paid when the final report is accepted"))
    report_midterm_days = forms.IntegerField(
        label=_("Mid-term report due, days after the agreement"), min_value=1, required=False,
        help_text=_("Leave empty when the call asks for no mid-term report."),
    )
    report_final_days = forms.IntegerField(label=_("Final report due, days after the agreement"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is not None and not is_site_admin(user):
            self.fields["bureau"].queryset = staff_bureaus(user)
            self.fields["bureau"].initial = staff_bureau_id(user)
        if self.instance.pk:
            for name, trigger in TRANCHE_FIELDS.items():
                self.initial[name] = sum(
                    (t.percent for t in self.instance.tranches.all() if t.trigger == trigger), Decimal("0")
                )
            reports = {r.kind: r.days_after_contract for r in self.instance.report_requirements.all()}
            for name, kind in REPORT_FIELDS.items():
                self.initial[name] = reports.get(kind)
        else:
            self.initial.update({**DEFAULT_TRANCHES, **DEFAULT_REPORTS, **self.initial})

    def clean(self):
        cleaned = super().clean()
        total = sum((cleaned.get(name) or Decimal("0") for name in TRANCHE_FIELDS), Decimal("0"))
        if total != Decimal("100"):
            shown = f"{total:.2f}".rstrip("0").rstrip(".")
            self.add_error(
                None,
                _("The tranche plan adds up to %(total)s%%; the percentages paid must add up to 100%%.")
                % {"total": shown},
            )
        return cleaned

    def save(self, commit=True):
        competition = super().save(commit=commit)
        if commit:
            self.save_plan(competition)
        return competition

    def save_plan(self, competition):
        competition.tranches.all().delete()
        TranchePlanItem.objects.bulk_create(
            TranchePlanItem(competition=competition, position=position, trigger=trigger,
                            percent=self.cleaned_data[name])
            for position, (name, trigger) in enumerate(TRANCHE_FIELDS.items())
            if self.cleaned_data.get(name)
        )
        competition.report_requirements.all().delete()
        ReportRequirement.objects.bulk_create(
            ReportRequirement(competition=competition, kind=kind, days_after_contract=self.cleaned_data[name])
            for name, kind in REPORT_FIELDS.items()
            if self.cleaned_data.get(name)
        )


competition_edit_handler = ObjectList(
    [
        MultiFieldPanel(
            [FieldPanel("bureau"), FieldPanel("fund_source"), FieldPanel("title"), FieldPanel("year"),
             FieldPanel("summary")],
            heading=_("The call"),
        ),
        MultiFieldPanel(
            [FieldPanel("total_budget"), FieldPanel("min_amount"), FieldPanel("max_amount"),
             FieldPanel("admin_cost_cap")],
            heading=_("Money"),
        ),
        MultiFieldPanel(
            [FieldPanel("opens_at"), FieldPanel("closes_at"), FieldPanel("revision_days")],
            heading=_("Window (Beijing time)"),
        ),
        MultiFieldPanel(
            [FieldPanel("allowed_categories"), FieldPanel("allowed_service_areas"),
             FieldPanel("allowed_registration_statuses"), FieldPanel("eligible_region")],
            heading=_("Eligibility"),
        ),
        MultiFieldPanel(
            [FieldPanel("reviewers_per_application"), FieldPanel("blind_review"), FieldPanel("aggregation_method"),
             FieldPanel("half_points"), FieldPanel("spread_threshold"), FieldPanel("review_deadline"),
             FieldPanel("show_other_sheets"), FieldPanel("community_bonus"), FieldPanel("pitch_round"),
             FieldPanel("pitch_weight"), FieldPanel("rural_min_share")],
            heading=_("Review and award"),
        ),
        MultiFieldPanel(
            [FieldPanel("publicity_working_days"), FieldPanel("show_panel_names")],
            heading=_("Public notice (公示)"),
        ),
        MultiFieldPanel(
            [FieldPanel("tranche_contract"), FieldPanel("tranche_midterm"), FieldPanel("tranche_final")],
            heading=_("Tranche plan (must add up to 100%)"),
        ),
        MultiFieldPanel(
            [FieldPanel("report_midterm_days"), FieldPanel("report_final_days")],
            heading=_("Report schedule"),
        ),
    ],
    base_form_class=CompetitionForm,
)


class CompetitionIndexView(ScopedIndexView):
    list_select_related = ["bureau"]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(MenuItem(
            _("Applications"), url=reverse("application:index") + f"?competition={instance.pk}",
            icon_name="doc-full", priority=5,
        ))
        buttons.append(MenuItem(
            _("Rubric"), url=reverse("criterion:index") + f"?competition={instance.pk}",
            icon_name="list-ol", priority=6,
        ))
        return buttons


class CompetitionViewSet(ScopedModelViewSet):
    model = Competition
    icon = "calendar-alt"
    menu_label = _("Calls")
    menu_order = 100
    index_view_class = CompetitionIndexView
    edit_handler = competition_edit_handler
    list_display = ["title", "bureau", "fund_source", "year", "opens_at", "closes_at"]
    list_filter = ["fund_source", "year"]
    search_fields = ["title"]
    search_backend_name = None
    ordering = "-opens_at"


# ----- rubric criteria -------------------------------------------------------------------------------


class CriterionForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["competition"].queryset = staff_calls(self.for_user)


class CriterionFilterSet(WagtailFilterSet):
    competition = django_filters.ModelChoiceFilter(
        label=_("Call"), queryset=lambda request: staff_calls(request.user) if request else Competition.objects.none()
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Criterion.Stage.choices)

    class Meta:
        model = Criterion
        fields = []


class CriterionIndexView(ScopedIndexView):
    list_select_related = ["competition"]


class CriterionViewSet(ScopedModelViewSet):
    """A call's rubric: one listing per call through the call filter."""

    model = Criterion
    icon = "list-ol"
    menu_label = _("Rubric criteria")
    menu_order = 130
    index_view_class = CriterionIndexView
    filterset_class = CriterionFilterSet
    list_display = ["name", "competition", "stage", "position", "max_points", "weight"]
    ordering = ["competition", "stage", "position"]
    edit_handler = ObjectList(
        [FieldPanel("competition"), FieldPanel("stage"), FieldPanel("position"), FieldPanel("name"),
         FieldPanel("description"), FieldPanel("max_points"), FieldPanel("weight")],
        base_form_class=CriterionForm,
    )


# ----- site admins only: bureaus and regions --------------------------------------------------------


class BureauViewSet(ScopedModelViewSet):
    model = Bureau
    icon = "home"
    menu_label = _("Bureaus")
    menu_order = 140
    list_display = ["name", "level", "region"]
    form_fields = ["name", "short_name", "level", "region", "contact_phone", "address"]

    @cached_property
    def index_view_class(self):
        return type("BureauIndexView", (ScopedIndexView,), {"list_select_related": ["region"]})


class RegionViewSet(ScopedModelViewSet):
    model = Region
    icon = "site"
    menu_label = _("Regions")
    menu_order = 150
    list_display = ["name", "code", "level", "parent", "is_rural"]
    list_filter = ["level", "is_rural"]
    search_fields = ["name", "code"]
    search_backend_name = None
    list_per_page = 50
    form_fields = ["code", "name", "level", "parent", "is_rural"]

    @cached_property
    def index_view_class(self):
        return type("RegionIndexView", (ScopedIndexView,), {"list_select_related": ["parent"]})
