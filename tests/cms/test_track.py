"""办件查询: anyone with the reference number and the query code on a receipt, or with an objection's
case number, sees the stage and its dates without signing in, and nothing personal."""

import pytest
from django.core import mail
from django.urls import reverse

from applications import publicity as app_publicity
from applications import services
from applications.models import Objection, Status
from tests.factories import application_in_state
from tests.portal.conftest import verified

from .conftest import objection_post

pytestmark = pytest.mark.django_db

TRACK = "/track/"


@pytest.fixture
def returned(db):
    return application_in_state(Status.RETURNED)


def test_the_receipt_numbers_show_the_stage_and_its_dates_and_nothing_personal(client, returned):
    member = returned.organization.memberships.get().user
    code = returned.tracking_code
    assert len(code) == 8 and code.isalnum() and code.upper() == code

    response = client.get(TRACK, {"reference": returned.reference, "code": code.lower()})  # typed in lower case
    text = response.content.decode()
    assert response.status_code == 200
    assert returned.reference in text and returned.title in text
    assert "Stage now: Returned for revision" in text
    assert text.count("<tr><td>") == returned.log.filter(subject="application").count() == 2  # submitted, returned
    assert "Revise and resubmit before" in text
    for private in (member.email, member.display_name, returned.staff_note, returned.organization.contact_phone or "no-phone"):
        assert private not in text


@pytest.mark.parametrize("reference, code", [("GZ-2099-XX-0001", "ABCDEFGH"), (None, "ABCDEFGH"), (None, "")])
def test_a_wrong_number_or_code_says_nothing_was_found_the_same_way(client, returned, reference, code):
    response = client.get(TRACK, {"reference": reference or returned.reference, "code": code})
    assert response.status_code in (400, 404)
    text = response.content.decode()
    assert returned.title not in text
    if code:
        assert "Nothing was found for these numbers" in text
    else:
        assert "Give the reference number and the query code" in text


def test_a_draft_has_no_code_and_cannot_be_followed(client):
    draft = application_in_state(Status.DRAFT)
    assert draft.tracking_code == ""
    assert client.get(TRACK, {"reference": draft.reference or "", "code": ""}).status_code == 400


def test_the_receipt_and_the_submission_mail_give_the_code(client, django_capture_on_commit_callbacks):
    app = application_in_state(Status.DRAFT)
    member = app.organization.memberships.get().user
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=app, actor=member)
    app.refresh_from_db()
    client.force_login(verified(member))
    receipt = client.get(reverse("applications:receipt", args=[app.pk])).content.decode()
    assert f'<strong id="query-code">{app.tracking_code}</strong>' in receipt
    assert "http://testserver/track/" in receipt
    assert any(app.tracking_code in m.body and "/track/" in m.body for m in mail.outbox)


def test_an_objector_gets_a_case_number_and_follows_the_objection(client, publicity):
    page, app, staff = publicity
    response = client.post(f"/publicity/{page.pk}/objection/", objection_post(app), follow=True)
    objection = Objection.objects.get()
    assert objection.case_number.startswith("YY") and len(objection.case_number) == 15
    assert objection.case_number in response.content.decode()  # told on filing

    text = client.get(TRACK, {"case": objection.case_number.lower()}).content.decode()
    assert "Received" in text and app.title in text
    assert "王五" not in text and "13912345678" not in text and objection.reason not in text

    app_publicity.objection_decide(objection=objection, actor=staff, upheld=False, investigation="经核实，已按期结项。")
    text = client.get(TRACK, {"case": objection.case_number}).content.decode()
    assert "Dismissed" in text and "Decided" in text
    assert "经核实" not in text  # the findings stay with the bureau


def test_lookups_are_rate_limited_per_network(client, returned, settings):
    settings.LOOKUP_RATE_LIMIT = (3, 3600)
    for _ in range(3):
        assert client.get(TRACK, {"reference": returned.reference, "code": "WRONG123"}).status_code == 404
    refused = client.get(TRACK, {"reference": returned.reference, "code": returned.tracking_code})
    assert refused.status_code == 429
    assert "Too many lookups" in refused.content.decode()
    assert client.get(TRACK).status_code == 200  # the empty form is not a lookup


def test_a_nul_byte_is_a_form_error_not_a_500(client):
    response = client.get(TRACK, {"case": "YY2026-\x00"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_the_site_menu_offers_the_lookup_in_chinese(client, home):
    text = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'<a href="{TRACK}">办件查询</a>' in text
