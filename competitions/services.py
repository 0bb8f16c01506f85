"""Writes of the competitions app: the working-day calendar (official holidays and make-up days)."""

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import workdays
from .models import DayKind, OfficialDay

logger = logging.getLogger(__name__)


# ----- loading what chinese-calendar knows ------------------------------------------------------------


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_admin: list = field(default_factory=list)  # dates where an admin's entry differs and wins


def load_library_days(model=OfficialDay):
    """Copy chinese-calendar's holidays and make-up days into the calendar. Safe to run again.

    Rows an admin entered are never overwritten: where they differ from the library, the admin's
    entry wins and the date is reported. ``model`` lets a data migration pass its historical model.
    """
    result = LoadResult()
    existing = {row.date: row for row in model.objects.all()}
    new_rows, touched_years = [], set()
    with transaction.atomic():
        for day, kind, name in workdays.library_days():
            row = existing.get(day)
            if row is None:
                new_rows.append(model(date=day, kind=kind, name=name, source="library",
                                      reference=workdays.LIBRARY_VERSION))
                touched_years.add(day.year)
            elif row.source != "library":
                if (row.kind, row.name) != (kind, name):
                    result.kept_admin.append(day)
                else:
                    result.unchanged += 1
            elif (row.kind, row.name, row.reference) != (kind, name, workdays.LIBRARY_VERSION):
                row.kind, row.name, row.reference = kind, name, workdays.LIBRARY_VERSION
                row.save(update_fields=["kind", "name", "reference", "updated_at"])
                result.updated += 1
                touched_years.add(day.year)
            else:
                result.unchanged += 1
        model.objects.bulk_create(new_rows, batch_size=500)
        result.created = len(new_rows)
    workdays.forget_years(touched_years)
    return result


# ----- a year's schedule entered by an admin ---------------------------------------------------------

_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_LINE = re.compile(
    rf"^(?P<start>{_DATE})(?:\s*(?:\.\.|~|～|至|到|–|—)\s*(?P<end>{_DATE}))?\s+"
    r"(?P<kind>holiday|public holiday|workday|working day|make-up working day|放假|休息|休|调休上班|上班|补班|班)"
    r"(?:\s+|$)(?P<name>.*)$",
    re.IGNORECASE,
)
_KINDS = {"holiday": DayKind.HOLIDAY, "public holiday": DayKind.HOLIDAY, "放假": DayKind.HOLIDAY,
          "休息": DayKind.HOLIDAY, "休": DayKind.HOLIDAY}


class ScheduleError(Exception):
    """The schedule text cannot be entered; ``messages`` says each reason with its line."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class ScheduleDay:
    date: dt.date
    kind: str
    name: str
    line: int
    current: OfficialDay | None = None  # the row this day already has, if any
    library_kind: str | None = None  # what chinese-calendar says of the date, if it knows it

    @property
    def status(self):
        if self.current is None:
            return "new"
        if (self.current.kind, self.current.name) == (self.kind, self.name):
            return "unchanged"
        return "changed"

    @property
    def differs_from_library(self):
        return self.library_kind is not None and self.library_kind != self.kind


def _date(text, line):
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise ScheduleError([_("Line %(line)s: %(text)s is not a date (write it as 2027-02-05).")
                             % {"line": line, "text": text}]) from None


def parse_schedule(text):
    """The days of a schedule written one range a line, as the State Council publishes it::

        2027-02-05..2027-02-11 放假 春节
        2027-02-14 上班 春节

    ``holiday``/``放假`` or ``workday``/``上班`` (make-up working day); the name may be left off a
    make-up day, which then takes the name of the holiday above it. Every mistake is reported with
    its line number; nothing is entered until all lines are right.
    """
    days, errors, seen, last_name = [], [], {}, ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            errors.append(_("Line %(line)s: write a date or a range, then 放假 or 上班, then the holiday's name "
                            "(e.g. 2027-02-05..2027-02-11 放假 春节).") % {"line": number})
            continue
        try:
            start = _date(match["start"], number)
            end = _date(match["end"], number) if match["end"] else start
        except ScheduleError as exc:
            errors.extend(exc.messages)
            continue
        if end < start:
            errors.append(_("Line %(line)s: the range ends on %(end)s, before it starts on %(start)s.")
                          % {"line": number, "end": end, "start": start})
            continue
        kind = _KINDS.get(match["kind"].lower(), DayKind.WORKDAY)
        name = match["name"].strip().strip("\"'“”") or (last_name if kind == DayKind.WORKDAY else "")
        if not name:
            errors.append(_("Line %(line)s: give the holiday's name (e.g. 春节).") % {"line": number})
            continue
        if kind == DayKind.HOLIDAY:
            last_name = name
        day = start
        while day <= end:
            if day in seen:
                errors.append(_("Line %(line)s: %(day)s is already given on line %(other)s.")
                              % {"line": number, "day": day, "other": seen[day]})
            elif kind == DayKind.WORKDAY and day.weekday() < 5:
                errors.append(
                    _("Line %(line)s: %(day)s is a %(weekday)s, a working day already: only a Saturday or Sunday "
                      "can be a make-up working day.")
                    % {"line": number, "day": day, "weekday": WEEKDAYS[day.weekday()]}
                )
            else:
                seen[day] = number
                days.append(ScheduleDay(date=day, kind=kind, name=name[:40], line=number))
            day += dt.timedelta(days=1)
    if errors:
        raise ScheduleError(errors)
    if not days:
        raise ScheduleError([_("Enter at least one line of the schedule.")])
    return _compare(days)


def _compare(days):
    """Attach each day's current row and what chinese-calendar says, for the side-by-side preview."""
    current = OfficialDay.objects.in_bulk([day.date for day in days], field_name="date")
    library = {day: kind for day, kind, _name in workdays.library_days()}
    for day in days:
        day.current = current.get(day.date)
        day.library_kind = library.get(day.date)
    return days


def enter_schedule(*, days, actor, reference=""):
    """Save the parsed ``days`` in one transaction: new rows created, changed rows replaced.

    The admin's entry wins over the library's and over an earlier entry; every change is logged
    (Wagtail's history, naming the old and the new value). Returns the rows written.
    """
    written = []
    with transaction.atomic():
        for day in days:
            if day.status == "unchanged":
                continue
            row = OfficialDay.objects.select_for_update().filter(date=day.date).first()
            before = f"{row.get_kind_display()} {row.name} ({row.get_source_display()})" if row else ""
            row = row or OfficialDay(date=day.date)
            row.kind, row.name, row.source, row.reference = day.kind, day.name, OfficialDay.Source.ADMIN, reference
            row.full_clean()
            row.save()
            written.append(row)
            log(row, "wagtail.edit" if before else "wagtail.create", user=actor,
                data={"before": before, "after": str(row)})
            if before or day.differs_from_library:
                logger.info("Working-day calendar: %s set to %s by %s (was: %s; chinese-calendar: %s)",
                            day.date, day.kind, actor, before or "-", day.library_kind or "-")
    workdays.forget_years(row.date.year for row in written)
    return written
