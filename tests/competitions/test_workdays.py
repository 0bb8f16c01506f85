"""The working-day calendar: kept in the database, entered by admins for a new year, one function."""

import datetime as dt

import chinese_calendar
import pytest
import time_machine
from django.core.management import call_command
from wagtail.models import ModelLogEntry

from competitions import workdays
from competitions.models import DayKind, OfficialDay
from competitions.services import ScheduleError, enter_schedule, load_library_days, parse_schedule

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))
JAN_28_2027 = dt.datetime(2027, 1, 28, 10, 0, tzinfo=BEIJING)  # a Thursday
# A Spring Festival schedule as an admin would type it from the State Council's notice (invented
# for the test: the real 2027 schedule is not published yet).
SPRING_FESTIVAL_2027 = """
2027-02-01..2027-02-07 放假 春节
2027-01-31 上班
"""


def test_a_window_into_a_year_without_a_schedule_counts_weekends_only_and_says_so():
    window = workdays.publicity_window(JAN_28_2027, 5)
    # Fri 29 Jan, Mon 1 - Thu 4 Feb: weekends skipped, nothing else known.
    assert window.last_day == dt.date(2027, 2, 4)
    assert window.ends_at == dt.datetime(2027, 2, 5, 0, 0, tzinfo=BEIJING)
    assert window.unknown_years == (2027,)
    assert "2027" in window.warning and "only weekends were skipped" in window.warning


def test_the_same_window_after_the_spring_festival_is_entered_skips_it_and_counts_the_make_up_day(admin_user):
    enter_schedule(days=parse_schedule(SPRING_FESTIVAL_2027), actor=admin_user, reference="国办发明电〔2026〕1号")
    window = workdays.publicity_window(JAN_28_2027, 5)
    # Fri 29 Jan (1), Sun 31 Jan make-up day (2), 1-7 Feb holiday, Mon 8 (3), Tue 9 (4), Wed 10 Feb (5).
    assert window.last_day == dt.date(2027, 2, 10)
    assert not window.approximate and window.warning == ""


def test_a_window_in_a_known_year_matches_chinese_calendars_official_schedule():
    start = dt.datetime(2026, 9, 28, 10, 0, tzinfo=BEIJING)  # National Day and Mid-Autumn follow
    window = workdays.publicity_window(start, 5)
    day, counted = start.date(), 0
    while counted < 5:
        day += dt.timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    assert window.last_day == day == dt.date(2026, 10, 10)  # the make-up Saturday 10 October counts
    assert not window.approximate


def test_the_database_is_what_counts_an_admin_change_moves_the_window(admin_user):
    start = dt.datetime(2026, 9, 28, 10, 0, tzinfo=BEIJING)
    assert workdays.publicity_window(start, 5).last_day == dt.date(2026, 10, 10)
    # The admin records that Friday 9 October was also given off (hypothetical): the window grows.
    enter_schedule(days=parse_schedule("2026-10-09 放假 国庆节"), actor=admin_user)
    assert workdays.publicity_window(start, 5).last_day == dt.date(2026, 10, 12)


def test_a_year_is_read_once_and_then_from_the_cache(django_assert_num_queries):
    workdays.is_workday(dt.date(2026, 5, 1))
    with django_assert_num_queries(0):
        for offset in range(365):
            workdays.is_workday(dt.date(2026, 1, 1) + dt.timedelta(days=offset))


def test_editing_one_row_forgets_the_cached_year():
    assert workdays.is_workday(dt.date(2026, 10, 12)) == (True, True)
    OfficialDay.objects.create(date=dt.date(2026, 10, 12), kind=DayKind.HOLIDAY, name="国庆节")
    assert workdays.is_workday(dt.date(2026, 10, 12)) == (False, True)
    OfficialDay.objects.get(date=dt.date(2026, 10, 12)).delete()
    assert workdays.is_workday(dt.date(2026, 10, 12)) == (True, True)


def test_the_library_years_are_loaded_by_the_migration_and_loading_again_changes_nothing(capsys):
    known = OfficialDay.objects.filter(source=OfficialDay.Source.LIBRARY)
    assert known.filter(date=dt.date(2026, 10, 1), kind=DayKind.HOLIDAY, name="国庆节").exists()
    assert known.filter(date=dt.date(2026, 10, 10), kind=DayKind.WORKDAY).exists()
    count = known.count()
    assert count == len(chinese_calendar.constants.holidays) + len(chinese_calendar.constants.workdays)
    call_command("load_holidays")
    output = capsys.readouterr().out
    assert "0 days added, 0 updated" in output
    assert known.count() == count


def test_loading_keeps_an_admins_entry_that_differs_from_the_library(admin_user):
    # chinese-calendar has 10 October 2026 (a Saturday) as a make-up working day; the admin says holiday.
    enter_schedule(days=parse_schedule("2026-10-10 放假 国庆节"), actor=admin_user)
    result = load_library_days()
    assert result.kept_admin == [dt.date(2026, 10, 10)]
    row = OfficialDay.objects.get(date=dt.date(2026, 10, 10))
    assert (row.kind, row.source) == (DayKind.HOLIDAY, OfficialDay.Source.ADMIN)
    assert workdays.is_workday(dt.date(2026, 10, 10)) == (False, True)


def test_a_year_with_no_rows_falls_back_to_the_library_where_it_knows_it():
    OfficialDay.objects.filter(date__year=2026).delete()
    workdays.forget_years([2026])
    assert workdays.is_workday(dt.date(2026, 10, 1)) == (False, True)
    assert workdays.is_workday(dt.date(2027, 10, 1)) == (True, False)


# ----- the schedule as the State Council publishes it ------------------------------------------------


def test_ranges_and_single_days_are_parsed_with_their_names():
    days = parse_schedule("2027-02-05..2027-02-11 holiday 春节\n2027-02-14 working day\n2027-04-05 放假 清明节")
    assert [(d.date.isoformat(), d.kind, d.name) for d in days] == [
        *[(f"2027-02-{n:02d}", DayKind.HOLIDAY, "春节") for n in range(5, 12)],
        ("2027-02-14", DayKind.WORKDAY, "春节"),  # a make-up day takes the name of the holiday above it
        ("2027-04-05", DayKind.HOLIDAY, "清明节"),
    ]
    assert all(d.status == "new" for d in days)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-02-05..2027-02-11 放假 春节\n2027-02-10..2027-02-12 放假 春节", "Line 2: 2027-02-10 is already given on line 1."),
        ("2027-02-05 放假 春节\n2027-02-05 放假 春节", "Line 2: 2027-02-05 is already given on line 1."),
        ("2027-02-11..2027-02-05 放假 春节", "Line 1: the range ends on 2027-02-05, before it starts on 2027-02-11."),
        ("2027-02-15 上班 春节", "Line 1: 2027-02-15 is a Monday, a working day already"),
        ("2027-02-30 放假 春节", "Line 1: 2027-02-30 is not a date"),
        ("春节放七天", "Line 1: write a date or a range"),
        ("2027-02-05 放假", "Line 1: give the holiday's name"),
        ("", "Enter at least one line"),
    ],
)
def test_a_wrong_schedule_is_refused_with_the_line_and_date(text, message):
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert not OfficialDay.objects.filter(date__year=2027).exists()


def test_a_day_the_library_knows_differently_is_shown_side_by_side_and_the_admins_entry_wins(admin_user):
    days = parse_schedule("2026-10-10 放假 国庆节")  # chinese-calendar: a make-up working day
    (day,) = days
    assert day.status == "changed" and day.differs_from_library
    assert (day.current.kind, day.library_kind) == (DayKind.WORKDAY, DayKind.WORKDAY)
    enter_schedule(days=days, actor=admin_user, reference="更正通知")
    row = OfficialDay.objects.get(date=dt.date(2026, 10, 10))
    assert (row.kind, row.source, row.reference) == (DayKind.HOLIDAY, OfficialDay.Source.ADMIN, "更正通知")
    entry = ModelLogEntry.objects.get(object_id=str(row.pk), action="wagtail.edit")
    assert entry.user == admin_user
    assert "Make-up working day" in entry.data["before"] and "Public holiday" in entry.data["after"]


def test_entering_the_same_schedule_twice_writes_nothing_the_second_time(admin_user):
    first = enter_schedule(days=parse_schedule(SPRING_FESTIVAL_2027), actor=admin_user)
    assert len(first) == 8
    again = parse_schedule(SPRING_FESTIVAL_2027)
    assert {d.status for d in again} == {"unchanged"}
    assert enter_schedule(days=again, actor=admin_user) == []


# ----- where people read it --------------------------------------------------------------------------


def test_years_to_warn_names_next_year_from_december_until_it_is_entered(admin_user):
    with time_machine.travel(dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.timezone.utc), tick=False):
        assert workdays.years_to_warn() == [2027]
        enter_schedule(days=parse_schedule(SPRING_FESTIVAL_2027), actor=admin_user)
        assert workdays.years_to_warn() == []
    with time_machine.travel(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.timezone.utc), tick=False):
        OfficialDay.objects.filter(date__year=2027).delete()
        assert workdays.years_to_warn() == []  # too early to expect next year's schedule
