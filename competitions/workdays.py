"""Chinese working days: the one place that says whether a day is worked.

A day is a working day when the official calendar (``OfficialDay`` rows: public holidays and
make-up working days from the State Council's yearly 放假安排) says so, and otherwise when it falls
Monday to Friday. The rows of a year are read once and cached per year; saving or deleting a row
forgets that year. A year with no rows falls back to the chinese-calendar package where it knows the
year (so a database whose rows were never loaded still counts correctly); a year neither knows is
*unknown*: windows that reach into it count weekends only and say so, naming the year.
"""

import datetime as dt
import logging
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar import constants as library
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

LIBRARY_VERSION = f"chinese-calendar {chinese_calendar.__version__}"
_CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in library.Holiday}


@dataclass(frozen=True)
class WorkdayWindow:
    ends_at: dt.datetime  # exclusive: the first moment after the window (midnight, Beijing time)
    last_day: dt.date
    unknown_years: tuple = ()  # years the window counted with weekends only

    @property
    def approximate(self):
        return bool(self.unknown_years)

    @property
    def warning(self):
        """What a person reads beside a window counted without the holiday schedule, or ''."""
        if not self.unknown_years:
            return ""
        years = "、".join(str(year) for year in self.unknown_years)
        return ngettext(
            "The official holiday schedule for %(years)s has not been entered yet: only weekends were "
            "skipped in counting working days. Check the State Council's schedule and extend the period "
            "if its holidays require it.",
            "The official holiday schedules for %(years)s have not been entered yet: only weekends were "
            "skipped in counting working days. Check the State Council's schedule and extend the period "
            "if its holidays require it.",
            len(self.unknown_years),
        ) % {"years": years}


def library_days():
    """Every holiday and make-up working day chinese-calendar knows: (date, kind, Chinese name)."""
    for table, kind in ((library.holidays, "holiday"), (library.workdays, "workday")):
        for day, name in table.items():
            yield day, kind, _CHINESE_NAMES.get(name, name)


def library_years():
    return {day.year for day in library.holidays} | {day.year for day in library.workdays}


def _cache_key(year):
    return f"workdays:{year}"


def _load_year(year):
    """(known, {iso date: is working day}) for ``year``: the database's rows, else the library's."""
    from .models import DayKind, OfficialDay

    rows = OfficialDay.objects.filter(date__year=year).values_list("date", "kind")
    overrides = {day.isoformat(): kind == DayKind.WORKDAY for day, kind in rows}
    if overrides:
        return True, overrides
    if year in library_years():
        return True, {day.isoformat(): kind == "workday" for day, kind, _name in library_days() if day.year == year}
    return False, {}


def year_calendar(year):
    """(known, overrides) for ``year``, cached until a row of that year changes."""
    key = _cache_key(year)
    cached = cache.get(key)
    if cached is None:
        cached = _load_year(year)
        cache.set(key, cached, timeout=None)
    return cached


def forget_years(years):
    """Drop the cached calendar of ``years`` (called whenever their rows change)."""
    cache.delete_many([_cache_key(year) for year in set(years)])


def is_workday(day):
    """(is ``day`` a working day, was its year's schedule known)."""
    known, overrides = year_calendar(day.year)
    worked = overrides.get(day.isoformat())
    if worked is None:
        worked = day.weekday() < 5
    return worked, known


def unknown_years(years):
    """Those of ``years`` that have no official schedule (neither entered nor in the library)."""
    return [year for year in sorted(set(years)) if not year_calendar(year)[0]]


def working_days_after(start, working_days):
    """The window opened at ``start``: it ends at midnight after the N-th working day.

    As with legal periods in Chinese law, the day of ``start`` itself is not counted.
    """
    day = timezone.localtime(start).date()
    counted, unknown = 0, set()
    while counted < working_days:
        day += dt.timedelta(days=1)
        worked, known = is_workday(day)
        if not known:
            unknown.add(day.year)
        if worked:
            counted += 1
    if unknown:
        logger.warning("No official holiday schedule for %s: the window counts weekends only.", sorted(unknown))
    ends_at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return WorkdayWindow(ends_at=ends_at, last_day=day, unknown_years=tuple(sorted(unknown)))


# The 公示 window and the revision deadline are both N working days after their start.
publicity_window = working_days_after


def years_to_warn(today=None, horizon_days=60):
    """Years a window opened now could reach that have no schedule: the admin dashboard names them."""
    today = today or timezone.localdate()
    return unknown_years({today.year, (today + dt.timedelta(days=horizon_days)).year})
