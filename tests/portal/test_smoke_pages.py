import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_render(app_client, draft):
    for url in [
        reverse("applications:home"),
        reverse("applications:application_list"),
        reverse("applications:organization_list"),
        reverse("applications:notification_list"),
        reverse("applications:organization_detail", args=[draft.organization_id]),
        reverse("applications:organization_edit", args=[draft.organization_id]),
        reverse("applications:organization_create"),
        reverse("applications:apply", args=[draft.competition_id]),
        reverse("applications:application_detail", args=[draft.pk]),
        reverse("applications:withdraw", args=[draft.pk]),
    ] + [reverse("applications:section", args=[draft.pk, s]) for s in ["project", "area", "place", "budget", "goals", "team", "attachments"]]:
        response = app_client.get(url)
        assert response.status_code == 200, url
