"""Registers the post-award staff pages in the Wagtail admin (imported from backoffice.wagtail_hooks)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from competitions.permissions import is_back_office_user

from . import postaward as views

app_name = "postaward_admin"
urlpatterns = [
    path("", views.index, name="index"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/agreement-scan/", views.agreement_scan, name="agreement_scan"),
    path("projects/<int:pk>/agreement/confirm/", views.agreement_confirm, name="agreement_confirm"),
    path("projects/<int:pk>/tranches/<int:tranche_pk>/<slug:action>/", views.tranche_action, name="tranche_action"),
    path("projects/<int:pk>/reports/<int:report_pk>/<slug:action>/", views.report_action, name="report_action"),
    path("projects/<int:pk>/terminate/", views.terminate, name="terminate"),
]


@hooks.register("register_admin_urls")
def register_postaward_urls():
    return [path("postaward/", include((urlpatterns, app_name), namespace=app_name))]


class BureauStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_back_office_user(request.user)


@hooks.register("register_admin_menu_item")
def register_postaward_menu_item():
    return BureauStaffMenuItem(_("Funded projects"), reverse("postaward_admin:index"), icon_name="doc-full", order=320)
