"""Back office: the working-day calendar (official holidays and make-up working days).

Site admins keep it: one row a day in a listing they can filter by year, and a form that takes a
year's schedule as the State Council publishes it, one range a line. Every bureau's staff see a
warning on the dashboard while a year that windows can reach has no schedule.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.components import Component
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from competitions.models import DayKind, OfficialDay
from competitions.services import ScheduleError, enter_schedule, parse_schedule
from competitions.workdays import years_to_warn


class OfficialDayFilterSet(WagtailFilterSet):
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", label=gettext_lazy("Year"))

    class Meta:
        model = OfficialDay
        fields = ["year", "kind", "source"]


class OfficialDayForm(WagtailAdminModelForm):
    """A row edited by hand is the admin's entry from then on, whatever loaded it first."""

    class Meta:
        model = OfficialDay
        fields = ["date", "kind", "name", "reference"]

    def save(self, commit=True):
        self.instance.source = OfficialDay.Source.ADMIN
        return super().save(commit=commit)


class OfficialDayIndexView(generic.IndexView):
    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(HeaderButton(_("Enter a year's schedule"), url=reverse("official_day:enter"),
                                        icon_name="date"))
        return buttons


class ScheduleForm(forms.Form):
    schedule = forms.CharField(
        label=gettext_lazy("The schedule, one range a line"),
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "2027-02-05..2027-02-11 放假 春节\n2027-02-14 上班"}),
        help_text=gettext_lazy(
            "A date or a range (2027-02-05..2027-02-11), then 放假 (public holiday) or 上班 (make-up working day), "
            "then the holiday's name. A make-up day without a name takes the name of the holiday above it."
        ),
    )
    reference = forms.CharField(
        label=gettext_lazy("Published in"), max_length=200, required=False,
        help_text=gettext_lazy("The notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知"),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Replace the entries shown above with mine"), required=False,
    )


class OfficialDayViewSet(ModelViewSet):
    model = OfficialDay
    icon = "date"
    menu_label = gettext_lazy("Working-day calendar")
    add_to_settings_menu = True
    list_display = ["date", "name", "kind", "source", "reference"]
    filterset_class = OfficialDayFilterSet
    search_fields = ["name", "reference"]
    search_backend_name = None
    list_per_page = 60
    ordering = ["-date"]
    index_view_class = OfficialDayIndexView

    def get_form_class(self, for_update=False):
        return OfficialDayForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("enter/", self.enter_view, name="enter")]

    def enter_view(self, request):
        """Enter a year's schedule: refused line by line, or shown side by side before it replaces rows."""
        if not self.permission_policy.user_has_permission(request.user, "add"):
            raise PermissionDenied
        form = ScheduleForm(request.POST or None)
        errors, days = [], None
        if request.method == "POST" and form.is_valid():
            try:
                days = parse_schedule(form.cleaned_data["schedule"])
            except ScheduleError as exc:
                errors = exc.messages
            else:
                changed = [day for day in days if day.status == "changed"]
                if not changed or form.cleaned_data["confirm"]:
                    written = enter_schedule(days=days, actor=request.user, reference=form.cleaned_data["reference"])
                    messages.success(request, _("%(count)s days entered in the working-day calendar.")
                                     % {"count": len(written)})
                    return redirect(f"{reverse('official_day:index')}?year={days[0].date.year}")
                errors = [_("Some of these days already have another entry: compare them below, then tick the box "
                            "to replace them with yours.")]
        return TemplateResponse(request, "backoffice/calendar_enter.html", {
            "page_title": _("Enter a year's schedule"), "header_icon": "date", "form": form, "errors": errors,
            "days": days, "changed": [day for day in days or () if day.status == "changed"],
            "holiday": DayKind.HOLIDAY, "index_url": reverse("official_day:index"),
        }, status=400 if errors else 200)


class CalendarWarningPanel(Component):
    """On every staff dashboard while a year that windows can reach has no official schedule."""

    name = "working_day_calendar"
    order = 10
    template_name = "backoffice/calendar_warning_panel.html"

    def __init__(self, years, can_enter):
        self.years, self.can_enter = years, can_enter

    def get_context_data(self, parent_context):
        return {"years": self.years, "can_enter": self.can_enter, "enter_url": reverse("official_day:enter")}


official_days = OfficialDayViewSet("official_day")


@hooks.register("register_admin_viewset")
def register_calendar_viewset():
    return official_days


@hooks.register("construct_homepage_panels")
def add_calendar_warning(request, panels):
    years = years_to_warn()
    if years:
        can_enter = official_days.permission_policy.user_has_permission(request.user, "add")
        panels.append(CalendarWarningPanel(years, can_enter))
