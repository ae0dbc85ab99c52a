"""Windows (kỳ đánh giá): the periods a score is computed over.

Written forms:

=====================  =========================================
``2026-W34``           ISO week (Monday to Sunday)
``2026-08``            month
``2026-Q3``            quarter
``2026``               year
``ytd:2026-08-17``     year to date, as of a day
``2026-08-17``         one day
``2026-08-01..2026-08-17``  any date range (both days included)
=====================  =========================================

A record belongs to a window when its window date (a dossier's received date) falls in
it; a dossier still open is judged at the window's last day.

>>> w = parse_window("2026-W34")
>>> (w.start.isoformat(), w.end.isoformat(), w.previous().label)
('2026-08-17', '2026-08-23', '2026-W33')
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from chiso.errors import WindowError, WindowYearsError

Kind = Literal["week", "month", "quarter", "year", "ytd", "day", "range"]


@dataclass(frozen=True, order=True)
class Window:
    start: dt.date
    end: dt.date
    kind: Kind
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise WindowError(f"window {self.label!r} ends before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Window:
        """The window a change is measured against: the week before, the month before, …"""
        if self.kind == "week":
            return week_of(self.start - dt.timedelta(days=7))
        if self.kind == "month":
            return month(*_add_months(self.start.year, self.start.month, -1))
        if self.kind == "quarter":
            y, m = _add_months(self.start.year, self.start.month, -3)
            return quarter(y, (m - 1) // 3 + 1)
        if self.kind == "year":
            return year(self.start.year - 1)
        if self.kind == "ytd":
            return ytd(self.end - dt.timedelta(days=7))
        if self.kind == "day":
            return day(self.start - dt.timedelta(days=1))
        length = dt.timedelta(days=self.days)
        return date_range(self.start - length, self.end - length)

    def __str__(self) -> str:
        return self.label


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _last_day(y: int, m: int) -> dt.date:
    ny, nm = _add_months(y, m, 1)
    return dt.date(ny, nm, 1) - dt.timedelta(days=1)


def week(y: int, w: int) -> Window:
    try:
        start = dt.date.fromisocalendar(y, w, 1)
    except ValueError:
        raise WindowError(f"{y} has no ISO week {w}") from None
    return Window(start, start + dt.timedelta(days=6), "week", f"{y}-W{w:02d}")


def week_of(d: dt.date) -> Window:
    y, w, _ = d.isocalendar()
    return week(y, w)


def month(y: int, m: int) -> Window:
    if not 1 <= m <= 12:
        raise WindowError(f"no month {m}")
    return Window(dt.date(y, m, 1), _last_day(y, m), "month", f"{y}-{m:02d}")


def quarter(y: int, q: int) -> Window:
    if not 1 <= q <= 4:
        raise WindowError(f"no quarter {q}")
    first = 3 * (q - 1) + 1
    return Window(dt.date(y, first, 1), _last_day(y, first + 2), "quarter", f"{y}-Q{q}")


def year(y: int) -> Window:
    return Window(dt.date(y, 1, 1), dt.date(y, 12, 31), "year", f"{y}")


def ytd(as_of: dt.date) -> Window:
    return Window(dt.date(as_of.year, 1, 1), as_of, "ytd", f"ytd:{as_of.isoformat()}")


def day(d: dt.date) -> Window:
    return Window(d, d, "day", d.isoformat())


def date_range(start: dt.date, end: dt.date) -> Window:
    return Window(start, end, "range", f"{start.isoformat()}..{end.isoformat()}")


def _date(text: str, whole: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise WindowError(f"{whole!r}: {text!r} is not a date (YYYY-MM-DD)") from None


_FORMS = (
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.I), lambda m, t: week(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.I), lambda m, t: quarter(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), lambda m, t: month(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})$"), lambda m, t: year(int(m[1]))),
    (re.compile(r"^ytd:(.+)$", re.I), lambda m, t: ytd(_date(m[1], t))),
    (re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$"),
     lambda m, t: date_range(_date(m[1], t), _date(m[2], t))),
    (re.compile(r"^(\d{4}-\d{2}-\d{2})$"), lambda m, t: day(_date(m[1], t))),
)


#: The years a window may lie in: wide enough for any real period, narrow enough that the
#: window before and after (``previous``, a year's weeks) are still dates — ``9999-W52`` or
#: ``0001-01`` would otherwise overflow inside the calendar arithmetic.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_window(text: str) -> Window:
    """Read a window written in one of the forms above.

    >>> parse_window("9999-W52")
    Traceback (most recent call last):
    ...
    chiso.errors.WindowYearsError: window '9999-W52' lies outside the years 1900–2999 chiso reads
    """
    t = str(text).strip()
    for pattern, build in _FORMS:
        m = pattern.match(t)
        if m:
            years = [int(y) for y in re.findall(r"(?<!\d)\d{4}(?=-|$)", t)]
            if any(not FIRST_YEAR <= y <= LAST_YEAR for y in years):
                raise WindowYearsError(f"window {text!r} lies outside the years {FIRST_YEAR}–{LAST_YEAR} chiso reads")
            return build(m, t)
    raise WindowError(
        f"cannot read window {text!r}; write 2026-W34, 2026-08, 2026-Q3, 2026, ytd:2026-08-17, "
        "2026-08-17 or 2026-08-01..2026-08-17")


def _year_earlier(d: dt.date) -> dt.date:
    """The same day a year earlier; 29 February becomes 28 February."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def same_window_last_year(window: Window | str) -> Window:
    """The same period a year earlier (cùng kỳ năm trước): the same ISO week, month, quarter.

    A week is the week of the same number in the ISO year before; week 53 of a year whose
    predecessor has 52 weeks is compared with that year's last week (52). A year to date,
    a day and a date range move by a year (29 February to 28 February).

    >>> [same_window_last_year(w).label for w in ("2026-W01", "2026-W48", "2026-W53", "2026-11", "2026-Q4", "2026")]
    ['2025-W01', '2025-W48', '2025-W52', '2025-11', '2025-Q4', '2025']
    >>> same_window_last_year("ytd:2024-02-29").label, same_window_last_year("2026-08-01..2026-08-17").label
    ('ytd:2023-02-28', '2025-08-01..2025-08-17')
    """
    w = parse_window(window) if isinstance(window, str) else window
    if w.kind == "week":
        iso_year, number, _ = w.start.isocalendar()
        last_week = dt.date(iso_year - 1, 12, 28).isocalendar()[1]  # 28 December is always in the last week
        return week(iso_year - 1, min(number, last_week))
    if w.kind == "month":
        return month(w.start.year - 1, w.start.month)
    if w.kind == "quarter":
        return quarter(w.start.year - 1, (w.start.month - 1) // 3 + 1)
    if w.kind == "year":
        return year(w.start.year - 1)
    if w.kind == "ytd":
        return ytd(_year_earlier(w.end))
    if w.kind == "day":
        return day(_year_earlier(w.start))
    return date_range(_year_earlier(w.start), _year_earlier(w.end))


def weeks_between(start: dt.date, end: dt.date) -> list[Window]:
    """The ISO weeks that end within [start, end] — a weekly series, one snapshot per week end."""
    out = []
    w = week_of(start)  # the week holding `start` ends on or after it
    while w.end <= end:
        out.append(w)
        w = week_of(w.start + dt.timedelta(days=7))
    return out
