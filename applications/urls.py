from django.urls import include, path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/evidence/", views.organization_evidence, name="organization_evidence"),
    path("organizations/<int:pk>/invite/", views.organization_invite, name="organization_invite"),
    path("claims/new/", views.claim_create, name="claim_create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("calls/<int:call_id>/apply/", views.application_start, name="apply"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/<slug:section>/", views.application_section, name="section"),
    path("applications/<int:pk>/autosave/<slug:field>/", views.application_autosave, name="autosave"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("applications/<int:pk>/submit/", views.application_submit, name="submit"),
    path("applications/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("", include("applications.postaward_urls")),
]
