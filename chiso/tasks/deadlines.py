"""Deadlines: read from the source's words, rolled to a working day, and a recurring task's instances.

A deadline is written as a date ("30/11/2026", "2026-11-30"), as a number of days from the
day the task was assigned ("15 ngày", "trong 10 ngày làm việc" — working days skip weekends
and the days off of ``chiso.periods.holidays`` and count make-up Saturdays), as a recurring
day ("hằng tháng ngày 20", "hằng quý ngày 15") or not at all ("", "không thời hạn").

Bộ luật Dân sự 2015, Điều 148 khoản 5: when the last day of a time limit is a weekend day or
a public holiday, the limit ends at the end of the next working day. ``roll`` applies that
rule (setting ``CHISO_TASK_DEADLINE_ROLL``: ``next_working_day``, the default, or ``none``);
a make-up Saturday is a working day, so a deadline on it stays.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from chiso import settings
from chiso.errors import SettingsError
from chiso.periods.holidays import HolidayCalendar
from chiso.tasks.model import Deadline, Instance, Task

ROLLS = ("next_working_day", "none")

_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DAYS = re.compile(r"^(?:trong\s+(?:vòng\s+)?)?(\d{1,4})\s+ngày(\s+làm\s+việc)?$")
_RECURRING = re.compile(r"^(?:định\s+kỳ\s+)?hằng\s+(tháng|quý)(?:,?\s*(?:trước\s+)?ngày\s+(\d{1,2}))?$")
_NONE = ("", "không", "không thời hạn", "không có thời hạn", "không xác định")


def roll_setting(env: dict[str, str] | None = None) -> str:
    value = (settings.get("CHISO_TASK_DEADLINE_ROLL", env) or "next_working_day").strip()
    if value not in ROLLS:
        raise SettingsError(f"CHISO_TASK_DEADLINE_ROLL must be one of {', '.join(ROLLS)}, not {value!r}")
    return value


_YEARS: dict[tuple[str, str, int], tuple[frozenset[dt.date], frozenset[dt.date]]] = {}


def _year(cal: HolidayCalendar, year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    key = (cal.path, cal.sha256, year)
    if key not in _YEARS:
        hy = cal.year(year, estimate=True)
        _YEARS[key] = frozenset(hy.off()), frozenset(m.day for m in hy.make_up_days)
    return _YEARS[key]


def is_working_day(day: dt.date, cal: HolidayCalendar) -> bool:
    """Monday to Friday except the days off, and the make-up Saturdays (years the calendar does
    not list are estimated by its rule)."""
    off, make_up = _year(cal, day.year)
    if day in make_up:
        return True
    return day.weekday() < 5 and day not in off


def roll(day: dt.date, cal: HolidayCalendar, how: str | None = None) -> dt.date:
    """``day``, or the next working day when ``day`` is a weekend day or a day off (Điều 148)."""
    if (how or roll_setting()) == "none":
        return day
    out = day
    while not is_working_day(out, cal):
        out += dt.timedelta(days=1)
    return out


def add_days(start: dt.date, n: int, cal: HolidayCalendar, *, working: bool) -> dt.date:
    """``n`` days after ``start``: calendar days, or working days (the day after ``start`` is the first)."""
    if not working:
        return start + dt.timedelta(days=n)
    out, left = start, n
    while left > 0:
        out += dt.timedelta(days=1)
        if is_working_day(out, cal):
            left -= 1
    return out


def parse_deadline(text: str | dt.date | None, assigned_on: dt.date, cal: HolidayCalendar, *,
                   until: dt.date | None = None, how: str | None = None) -> Deadline:
    """The deadline the words say, or ``ValueError`` saying what is wrong with them (in Vietnamese
    and English; the caller adds the file, row and column)."""
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):
        return Deadline("date", day=roll(text, cal, how), text=text.strftime("%d/%m/%Y"))
    raw = " ".join(str(text or "").split())
    words = raw.lower()
    if words in _NONE:
        return Deadline("none", text=raw)
    day = _date(raw)
    if day is not None:
        return Deadline("date", day=roll(day, cal, how), text=raw)
    m = _DAYS.match(words)
    if m:
        n, working = int(m.group(1)), bool(m.group(2))
        if n < 1:
            raise ValueError("số ngày của thời hạn phải từ 1 trở lên / the number of days must be at least 1")
        return Deadline("date", day=roll(add_days(assigned_on, n, cal, working=working), cal, how), text=raw)
    m = _RECURRING.match(words)
    if m:
        kind = "monthly" if m.group(1) == "tháng" else "quarterly"
        due = int(m.group(2)) if m.group(2) else 31   # no day given: the period's last day
        if not 1 <= due <= 31:
            raise ValueError(f"ngày {due} không có trong tháng / day {due} is not a day of a month")
        return Deadline(kind, due_day=due, until=until, text=raw)
    raise ValueError(f"không hiểu thời hạn “{raw}”: ghi một ngày (30/11/2026), số ngày (15 ngày, 10 ngày làm "
                     f"việc), “hằng tháng ngày 20”, “hằng quý ngày 15” hoặc để trống / cannot read the deadline "
                     f"“{raw}”: write a date, a number of days, a recurring day or leave it empty")


def _date(raw: str) -> dt.date | None:
    m = _DATE_DMY.match(raw)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _DATE_ISO.match(raw)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"ngày “{raw}” không có trong lịch / “{raw}” is not a date of the calendar") from None
    return None


def _month_day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def instances(task: Task, through: dt.date, cal: HolidayCalendar, how: str | None = None) -> Iterator[Instance]:
    """The task's instances that exist by ``through``: one for a dated or open-ended task, one per
    month or quarter for a recurring one (from the period it was assigned in, to ``until``)."""
    d = task.deadline
    if d.kind in ("date", "none"):
        if task.assigned_on <= through:
            yield Instance(task.code, "", task.lead_unit, task.assigned_on, d.day, task.starred)
        return
    step = 1 if d.kind == "monthly" else 3
    year, month = task.assigned_on.year, task.assigned_on.month
    if step == 3:
        month = 3 * ((month - 1) // 3) + 1
    last = min(through, d.until) if d.until else through
    while True:
        start = dt.date(year, month, 1)
        if max(start, task.assigned_on) > last:  # not open yet by ``through`` (or after ``until``)
            return
        due_month = month + step - 1
        due = roll(_month_day(year, due_month, d.due_day), cal, how)
        key = f"{year}-{month:02d}" if step == 1 else f"{year}-Q{(month - 1) // 3 + 1}"
        yield Instance(task.code, key, task.lead_unit, max(start, task.assigned_on), due, task.starred)
        month += step
        if month > 12:
            year, month = year + 1, month - 12
