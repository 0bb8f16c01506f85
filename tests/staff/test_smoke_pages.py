import pytest

pytestmark = pytest.mark.django_db


def test_pages_render(client, staff, submitted):
    client.force_login(staff)
    for url in ["/admin/", "/admin/application/", f"/admin/application/inspect/{submitted.pk}/",
                "/admin/competition/", f"/admin/competition/edit/{submitted.competition_id}/",
                "/admin/competition/new/", "/admin/criterion/", "/admin/organization/"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
