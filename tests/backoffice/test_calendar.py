"""The working-day calendar in the back office: site admins enter a year; every dashboard warns until then."""

import datetime as dt

import pytest
import time_machine

from competitions.models import DayKind, OfficialDay
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEC_3_2026 = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.timezone.utc)
ENTER = "/admin/official_day/enter/"
SCHEDULE_2027 = "2027-02-05..2027-02-11 放假 春节\n2027-02-14 上班"


@pytest.fixture
def site_admin():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def clock():
    with time_machine.travel(DEC_3_2026, tick=False):
        yield


def test_every_dashboard_names_the_year_without_a_schedule_until_an_admin_enters_it(client, site_admin, staff, clock):
    client.force_login(staff)
    page = client.get("/admin/").content.decode()
    assert "No official holiday schedule for 2027" in page
    assert "Ask a site admin" in page and ENTER not in page  # bureau staff cannot enter it themselves
    client.force_login(site_admin)
    assert ENTER in client.get("/admin/").content.decode()
    response = client.post(ENTER, {"schedule": SCHEDULE_2027, "reference": "国办发明电〔2026〕1号"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    assert OfficialDay.objects.filter(date__year=2027, source=OfficialDay.Source.ADMIN).count() == 8
    client.force_login(staff)
    assert "No official holiday schedule" not in client.get("/admin/").content.decode()


def test_a_wrong_line_is_refused_with_its_date_and_the_text_is_kept(client, site_admin):
    client.force_login(site_admin)
    text = "2027-02-05..2027-02-11 放假 春节\n2027-02-15 上班 春节"  # a Monday
    response = client.post(ENTER, {"schedule": text, "reference": "国办发明电"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 2: 2027-02-15 is a Monday, a working day already" in page
    assert "2027-02-05..2027-02-11 放假 春节" in page and 'value="国办发明电"' in page
    assert not OfficialDay.objects.filter(date__year=2027).exists()


def test_a_date_the_library_knows_differently_is_compared_before_it_is_replaced(client, site_admin):
    client.force_login(site_admin)
    response = client.post(ENTER, {"schedule": "2026-10-10 放假 国庆节"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "compare them below" in page
    assert "Make-up working day (chinese-calendar package)" in page  # now, beside the new entry
    assert OfficialDay.objects.get(date=dt.date(2026, 10, 10)).kind == DayKind.WORKDAY
    response = client.post(ENTER, {"schedule": "2026-10-10 放假 国庆节", "confirm": "on"})
    assert response.status_code == 302
    row = OfficialDay.objects.get(date=dt.date(2026, 10, 10))
    assert (row.kind, row.source) == (DayKind.HOLIDAY, OfficialDay.Source.ADMIN)


def test_only_site_admins_keep_the_calendar(client, staff):
    client.force_login(staff)
    assert client.get(ENTER).status_code in (302, 403)
    assert client.post(ENTER, {"schedule": SCHEDULE_2027}).status_code in (302, 403)
    assert client.get("/admin/official_day/").status_code in (302, 403)
    assert not OfficialDay.objects.filter(date__year=2027).exists()


def test_the_listing_filters_by_year_in_a_constant_number_of_queries(client, site_admin, django_assert_max_num_queries):
    client.force_login(site_admin)
    page = client.get("/admin/official_day/?year=2026").content.decode()
    assert "国庆节" in page and "Oct. 1, 2026" in page and "2025" not in page
    # One year or all twenty-three: the listing pages its rows.
    with django_assert_max_num_queries(25) as few:
        client.get("/admin/official_day/?year=2026")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/official_day/")


def test_editing_a_loaded_row_makes_it_the_admins(client, site_admin):
    client.force_login(site_admin)
    row = OfficialDay.objects.get(date=dt.date(2026, 10, 10))
    response = client.post(f"/admin/official_day/edit/{row.pk}/", {
        "date": "2026-10-10", "kind": DayKind.HOLIDAY, "name": "国庆节", "reference": "更正",
    })
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.kind, row.source) == (DayKind.HOLIDAY, OfficialDay.Source.ADMIN)


def test_a_make_up_day_on_a_weekday_is_refused_in_the_edit_form_too(client, site_admin):
    client.force_login(site_admin)
    response = client.post("/admin/official_day/new/", {"date": "2027-02-15", "kind": DayKind.WORKDAY, "name": "春节"})
    assert response.status_code == 200
    assert "is a weekday, so it is a working day already" in response.content.decode()
    assert not OfficialDay.objects.filter(date=dt.date(2027, 2, 15)).exists()
