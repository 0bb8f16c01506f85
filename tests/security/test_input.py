"""Findings 5, 6, 8 and 9: input bounded and normalized at the model; NUL bytes are a 400."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Organization
from applications.services import ApplicationError
from competitions.models import OrganizationCategory, RegistrationStatus
from tests.factories import OrganizationFactory, RegionFactory, UserFactory, credit_code
from tests.portal.conftest import app_client, applicant, draft, organization  # noqa: F401 (fixtures)
from tests.postaward.conftest import contracted
from tests.postaward.test_pages import login

pytestmark = pytest.mark.django_db

HUGE = "9" * 20


def full_width(code):
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


def _org_fields(code):
    return dict(name="互助会", registration_status=RegistrationStatus.REGISTERED, credit_code=code,
                category=OrganizationCategory.choices[0][0], community=RegionFactory(), head_name="张三",
                contact_name="张三", contact_phone="13800000000")


# ----- 5: credit codes --------------------------------------------------------------------------


def test_a_full_width_credit_code_is_the_same_organization():
    code = credit_code(7)
    OrganizationFactory(credit_code=code)
    # The twin is found: an organization without members is offered for claiming instead.
    with pytest.raises(ApplicationError, match="is already in the bureau's registry"):
        services.organization_create(actor=UserFactory(), **_org_fields(full_width(code)))
    assert Organization.objects.filter(credit_code=code).count() == 1


@pytest.mark.parametrize("typed", ["{c}", "{f}", "{s}", "{l}"])
def test_a_credit_code_is_stored_in_its_canonical_form(typed):
    code = credit_code(8).replace("0", "0")
    raw = typed.format(c=code, f=full_width(code), s=f" {code[:6]} {code[6:]} ", l=code.lower())
    org = services.organization_create(actor=UserFactory(), **_org_fields(raw))
    assert Organization.objects.get(pk=org.pk).credit_code == code


def test_the_organization_form_refuses_the_full_width_twin(client):
    code = credit_code(9)
    OrganizationFactory(credit_code=code)
    from tests.portal.conftest import verified

    client.force_login(verified(UserFactory()))
    data = _org_fields(full_width(code))
    data["community"] = data["community"].pk
    response = client.post(reverse("applications:organization_create"), data)
    assert response.status_code == 200
    assert "ask to claim it instead of adding it again" in response.content.decode()
    assert Organization.objects.count() == 1


# ----- 6 and 8: numbers within the column, amounts not negative ----------------------------------


def test_twenty_digit_beneficiaries_is_a_form_error(app_client, draft):  # noqa: F811
    url = reverse("applications:section", args=[draft.pk, "area"])
    response = app_client.post(url, {"service_area": draft.service_area, "target_groups": "老人",
                                      "beneficiaries": HUGE, "version": draft.version})
    assert response.status_code in (200, 400)
    assert "less than or equal to" in response.content.decode()
    draft.refresh_from_db()
    assert draft.beneficiaries != int(HUGE)


def test_autosave_of_twenty_digit_beneficiaries_is_refused(app_client, draft):  # noqa: F811
    url = reverse("applications:autosave", args=[draft.pk, "beneficiaries"])
    response = app_client.post(url, {"beneficiaries": HUGE}, HTTP_HX_REQUEST="true")
    assert response.status_code < 500
    draft.refresh_from_db()
    assert draft.beneficiaries != int(HUGE)


@pytest.mark.parametrize("field", ["requested_amount", "co_funding"])
def test_negative_amounts_are_refused_by_form_and_service(app_client, draft, applicant, field):  # noqa: F811
    data = {"requested_amount": "50000", "co_funding": "0", "version": draft.version,
            "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000", field: "-100"}
    response = app_client.post(reverse("applications:section", args=[draft.pk, "budget"]), data)
    assert "greater than or equal to 0" in response.content.decode()
    with pytest.raises(ApplicationError, match="greater than or equal to 0"):
        services.application_update(application=draft, actor=applicant, **{field: -100})
    draft.refresh_from_db()
    assert getattr(draft, field) >= 0


def test_service_refuses_a_request_beyond_the_column(draft, applicant):  # noqa: F811
    with pytest.raises(ApplicationError, match="digits"):
        services.application_update(application=draft, actor=applicant, requested_amount=HUGE)
    with pytest.raises(ApplicationError, match="less than or equal to"):
        services.application_update(application=draft, actor=applicant, beneficiaries=int(HUGE))


@pytest.mark.parametrize("what", ["beneficiaries", "spending"])
def test_twenty_digit_numbers_in_a_report_are_refused(client, what):
    project = contracted()
    login(client, project.member)
    report = project.reports.get(kind="midterm")
    line = project.budget_lines.first()
    data = {"narrative": "开展活动", "beneficiaries_reached": "50", f"exp-{line.pk}-amount": "100"}
    data["beneficiaries_reached" if what == "beneficiaries" else f"exp-{line.pk}-amount"] = HUGE
    response = client.post(f"/portal/reports/{report.pk}/", data)
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.beneficiaries_reached is None and not report.expenditures.exists()


# ----- 9: NUL bytes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/search/?q=a%00b", "/projects/GZ%00/", "/verify/ab%00cd/",
                                 "/portal/?x=%00", "/accounts/login/?next=%00"])
def test_nul_bytes_are_a_400_for_anyone(client, url):
    assert client.get(url).status_code == 400


def test_nul_bytes_in_a_form_post_are_a_400(client):
    response = client.post("/accounts/login/", {"login": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400
