from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.assignment_list, name="assignments"),
    path("assignments/<int:pk>/", views.sheet, name="sheet"),
    path("assignments/<int:pk>/decline/", views.decline, name="decline"),
    path("assignments/<int:pk>/sheets/", views.other_sheets, name="other_sheets"),
    path("assignments/<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("profile/", views.profile, name="profile"),
    path("invitation/<uidb64>/<token>/", views.invitation, name="invitation"),
]
