"""Open data: 360Giving JSON (validated against the schema), CSV, the calls feed and RSS."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings

from applications.models import Status
from tests.factories import CompetitionFactory, OrganizationFactory, RegionFactory, application_in_state

from .conftest import add_call_page

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "data" / "360-giving-schema-1.4.3.json").read_text())


@pytest.fixture
def grants():
    filed = OrganizationFactory(registration_status="filed", credit_code=None, filing_record="某街道办 备2026-01",
                                community=RegionFactory(is_rural=True))
    return [
        application_in_state(Status.AWARDED),
        application_in_state(Status.COMPLETED, organization=filed),
        application_in_state(Status.PUBLICIZING),  # not a grant yet
    ]


def test_grants_json_validates_against_the_360giving_schema(client, grants):
    response = client.get("/open-data/grants.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert len(data["grants"]) == 2
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for grant in data["grants"]:
        errors = sorted(validator.iter_errors(grant), key=str)
        assert errors == [], [e.message for e in errors]
        assert grant["currency"] == "CNY"
        assert grant["id"].startswith(settings.OPEN_DATA_ID_PREFIX + "-")
        assert grant["recipientOrganization"][0]["id"].startswith(settings.OPEN_DATA_ID_PREFIX + "-org-")
        assert grant["amountAwarded"] == 50000
    ids = {g["id"] for g in data["grants"]}
    assert ids == {f"{settings.OPEN_DATA_ID_PREFIX}-{a.reference}" for a in grants[:2]}


def test_grants_csv_has_a_header_and_one_row_per_grant(client, grants):
    response = client.get("/open-data/grants.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Identifier", "Title", "Description"]
    assert len(rows) == 1 + 2
    assert {r[0] for r in rows[1:]} == {f"{settings.OPEN_DATA_ID_PREFIX}-{a.reference}" for a in grants[:2]}
    assert all(r[3] == "CNY" for r in rows[1:])


def test_calls_json_and_rss_list_open_calls_only(client, call_index):
    import datetime as dt

    from django.utils import timezone

    open_call = CompetitionFactory(title="开放的项目")
    add_call_page(call_index, open_call)
    CompetitionFactory(title="已截止的项目", opens_at=timezone.now() - dt.timedelta(days=9),
                       closes_at=timezone.now() - dt.timedelta(days=1))

    feed = client.get("/open-data/calls.json").json()
    assert [c["title"] for c in feed["calls"]] == ["开放的项目"]
    assert feed["calls"][0]["currency"] == "CNY"
    assert feed["calls"][0]["url"].endswith(f"/call-{open_call.pk}/")

    rss = client.get("/feeds/calls.rss")
    assert rss.status_code == 200
    root = ET.fromstring(rss.content)
    titles = [item.findtext("title") for item in root.iter("item")]
    assert titles == ["开放的项目"]
    assert root.find("channel/item/link").text.endswith(f"/call-{open_call.pk}/")
