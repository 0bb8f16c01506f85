"""Chinese working days (public holidays and make-up workdays) from the chinese-calendar package."""

import datetime as dt
import logging
from dataclasses import dataclass

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkdayWindow:
    ends_at: dt.datetime  # exclusive: the first moment after the window
    last_day: dt.date
    approximate: bool  # True when some day lay beyond the years chinese-calendar knows


def is_workday(day):
    """(is it a working day, was the answer known). Unknown years fall back to Monday-Friday."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def publicity_window(start, working_days):
    """The 公示 window opened at ``start``: it ends at midnight after the N-th working day.

    As with legal periods in Chinese law, the day of publication itself is not counted.
    """
    local_start = timezone.localtime(start)
    day = local_start.date()
    counted, approximate = 0, False
    while counted < working_days:
        day += dt.timedelta(days=1)
        workday, known = is_workday(day)
        approximate = approximate or not known
        if workday:
            counted += 1
    if approximate:
        logger.warning(
            "chinese-calendar has no holiday data for %s; the window counts weekends only.", day.year
        )
    ends_at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return WorkdayWindow(ends_at=ends_at, last_day=day, approximate=approximate)
