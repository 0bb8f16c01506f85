"""The review's staff pages, registered inside the Wagtail admin (under /admin/review/)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from competitions.permissions import is_back_office_user

from . import review as views

app_name = "review_admin"
urlpatterns = [
    path("", views.index, name="index"),
    path("reviewers/invite/", views.reviewer_invite, name="invite"),
    path("calls/<int:pk>/", views.call_overview, name="call"),
    path("calls/<int:pk>/assign/", views.assign, name="assign"),
    path("calls/<int:pk>/assignments/add/", views.assignment_add, name="assignment_add"),
    path("calls/<int:pk>/assignments/<int:assignment_pk>/remove/", views.assignment_remove, name="assignment_remove"),
    path("calls/<int:pk>/pitch-panel/", views.pitch_panel, name="pitch_panel"),
    path("calls/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("calls/<int:pk>/shortlist/", views.shortlist, name="shortlist"),
    path("calls/<int:pk>/funding/", views.funding, name="funding"),
    path("calls/<int:pk>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("calls/<int:pk>/scores.xlsx", views.scores_xlsx, name="scores_xlsx"),
]


@hooks.register("register_admin_urls")
def register_review_urls():
    return [path("review/", include((urlpatterns, app_name), namespace=app_name))]


class BureauStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_back_office_user(request.user)


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return BureauStaffMenuItem(_("Expert review"), reverse("review_admin:index"), icon_name="tasks", order=310)
