"""Applicant post-award pages (under /portal/) and the public disclosure page of a project."""

from django.urls import path

from . import postaward_views as views

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("applications/<int:pk>/project/", views.project_detail, name="project_detail"),
    path("applications/<int:pk>/award-notice.pdf", views.notice_download, name="notice_download"),
    path("applications/<int:pk>/agreement.pdf", views.agreement_download, name="agreement_download"),
    path("applications/<int:pk>/agreement/upload/", views.agreement_upload, name="agreement_upload"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/files/", views.report_upload, name="report_upload"),
]
