"""The registry screens in the back office: upload, preview, confirm, export, and who may use them."""

import pytest
from django.utils import translation

from applications.models import Organization
from tests.factories import UserFactory, staff_with_admin
from tests.registry.test_import import csv_upload, regions, row  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
URL = "/admin/registry/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_clerk_previews_then_confirms_and_a_second_upload_changes_nothing(client, regions):  # noqa: F811
    client.force_login(staff_with_admin(bureau=regions["bureau"]))
    page = client.post(URL, {"file": csv_upload([row(1), row(2, community="K002")])}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 new, 0 to update, 0 unchanged, 1 refused" in text
    assert "Row 3: the community “K002” belongs to another bureau" in text
    assert Organization.objects.count() == 0
    token = page.context["token"]
    done = client.post(URL, {"token": token}, follow=True)
    assert "Registry imported: 1 new, 0 updated, 0 unchanged, 1 refused." in done.content.decode()
    assert Organization.objects.get().name == "互助会1"
    again = client.post(URL, {"file": csv_upload([row(1)])}).content.decode()
    assert "0 new, 0 to update, 1 unchanged, 0 refused" in again


def test_a_token_is_bound_to_the_person_who_uploaded(client, regions):  # noqa: F811
    client.force_login(staff_with_admin(bureau=regions["bureau"]))
    token = client.post(URL, {"file": csv_upload([row(1)])}).context["token"]
    client.force_login(staff_with_admin(bureau=regions["bureau"]))
    response = client.post(URL, {"token": token})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert Organization.objects.count() == 0


def test_a_bad_file_is_refused_on_the_page(client, regions):  # noqa: F811
    client.force_login(staff_with_admin(bureau=regions["bureau"]))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(URL, {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert response.status_code == 400 and "XLSX or CSV" in response.content.decode()


def test_export_is_the_bureaus_own_registry(client, regions):  # noqa: F811
    client.force_login(staff_with_admin(bureau=regions["bureau"]))
    client.post(URL, {"token": client.post(URL, {"file": csv_upload([row(1)])}).context["token"]})
    data = client.get(URL + "export.csv").content.decode("utf-8-sig")
    assert data.splitlines()[0].startswith("名称,统一社会信用代码或备案号")
    assert "互助会1" in data


def test_people_who_are_not_staff_cannot_reach_it(client, regions):  # noqa: F811
    client.force_login(UserFactory())
    assert client.get(URL).status_code in (302, 403)
