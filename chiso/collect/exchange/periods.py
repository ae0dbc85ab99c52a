"""Periods as SDMX and DHIS2 write them, and back to chiso's own labels.

chiso's reporting periods (``chiso.periods.reporting.period``) are a day, an ISO week, a
month, a quarter or a year. Each has one spelling in each exchange format:

============  ============  ==============  ==========
chiso          SDMX 2.1      DHIS2           kind
============  ============  ==============  ==========
2026-08-17     2026-08-17    20260817        day
2026-W48       2026-W48      2026W48         week
2026-08        2026-M08      202608          month
2026-Q3        2026-Q3       2026Q3          quarter
2026           2026          2026            year
============  ============  ==============  ==========

SDMX writes a month in the reporting-period syntax (``2026-M08``, SDMX 2.1 Section 6
"ReportingMonthType"); on import the Gregorian forms (``2026-08``, a year ``2026``) and the
reporting year ``2026-A1`` are read too. Half-years (``2026-S1``, ``2026S1``), DHIS2's
bi-weekly, bi-monthly, financial-year and week-starting-on-another-day periods and SDMX time
ranges have no chiso period: they are refused with the reason, never guessed.
"""
from __future__ import annotations

import re

from chiso.errors import WindowError
from chiso.periods.reporting import period

__all__ = ["PeriodError", "from_dhis2", "from_sdmx", "to_dhis2", "to_sdmx"]


class PeriodError(ValueError):
    """A period an exchange file writes that chiso has no period for (the message is Vietnamese)."""


def _label(text: str) -> str:
    """A chiso period label checked (a real week, month…); PeriodError otherwise."""
    try:
        return period(text).label
    except WindowError:
        raise PeriodError(f"kỳ {text!r} không tồn tại (không có ngày, tuần, tháng hay quý này)") from None


def to_sdmx(label: str) -> str:
    """A chiso period label in SDMX 2.1's syntax (a month as ``2026-M08``)."""
    w = period(label)
    if w.kind == "month":
        return f"{w.label[:4]}-M{w.label[5:7]}"
    return w.label


def to_dhis2(label: str) -> str:
    """A chiso period label in DHIS2's period format (``202608``, ``2026Q3``, ``2026W48``)."""
    w = period(label)
    if w.kind == "day":
        return w.label.replace("-", "")
    if w.kind == "month":
        return w.label[:4] + w.label[5:7]
    if w.kind in ("week", "quarter"):
        return w.label.replace("-", "")
    return w.label


_SDMX_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})-M(\d{2})$"), "{0}-{1}"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "{0}-{1}"),
    (re.compile(r"^(\d{4})-Q([1-4])$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})-W(\d{2})$"), "{0}-W{1}"),
    (re.compile(r"^(\d{4})-A1$"), "{0}"),
    (re.compile(r"^(\d{4})$"), "{0}"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "{0}-{1}-{2}"),
)

_SDMX_UNSUPPORTED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\d{4}-S[12]$"), "nửa năm (S)"),
    (re.compile(r"^\d{4}-T[1-3]$"), "bốn tháng (T)"),
    (re.compile(r"^\d{4}-D\d{3}$"), "ngày thứ n trong năm (D)"),
    (re.compile(r"/"), "khoảng thời gian (time range)"),
    (re.compile(r"T\d{2}"), "thời điểm trong ngày"),
)


def from_sdmx(text: str) -> str:
    """The chiso period an SDMX ``TIME_PERIOD`` value names; PeriodError (in Vietnamese) otherwise."""
    t = str(text).strip()
    for pattern, form in _SDMX_FORMS:
        m = pattern.match(t)
        if m:
            return _label(form.format(*m.groups()))
    for pattern, what in _SDMX_UNSUPPORTED:
        if pattern.search(t):
            raise PeriodError(f"kỳ {t!r} là kỳ {what}: chiso chỉ có kỳ ngày, tuần, tháng, quý và năm")
    raise PeriodError(f"không đọc được kỳ {t!r}; SDMX ghi kỳ như 2026-M08, 2026-Q3, 2026-W48, 2026 "
                      "hoặc 2026-08-17")


_DHIS2_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "{0}-{1}-{2}"),
    (re.compile(r"^(\d{4})W(\d{1,2})$"), "{0}-W{1:0>2}"),
    (re.compile(r"^(\d{4})(\d{2})$"), "{0}-{1}"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})$"), "{0}"),
)

_DHIS2_UNSUPPORTED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\d{4}BiW\d{1,2}$"), "hai tuần (BiWeekly)"),
    (re.compile(r"^\d{4}(Wed|Thu|Sat|Sun)W\d{1,2}$"), "tuần không bắt đầu từ thứ Hai"),
    (re.compile(r"^\d{6}B$"), "hai tháng (BiMonthly)"),
    (re.compile(r"^\d{4}(April|July|Oct|Nov)?S[12]$"), "nửa năm (SixMonthly)"),
    (re.compile(r"^\d{4}(April|July|Oct|Nov|Sep)$"), "năm tài chính (Financial year)"),
    (re.compile(r"^\d{4}NovQ[1-4]$"), "quý tài chính"),
)


def from_dhis2(text: str) -> str:
    """The chiso period a DHIS2 ``period`` value names; PeriodError (in Vietnamese) otherwise."""
    t = str(text).strip()
    for pattern, form in _DHIS2_FORMS:
        m = pattern.match(t)
        if m:
            return _label(form.format(*m.groups()))
    for pattern, what in _DHIS2_UNSUPPORTED:
        if pattern.match(t):
            raise PeriodError(f"kỳ {t!r} là kỳ {what}: chiso chỉ có kỳ ngày, tuần, tháng, quý và năm")
    raise PeriodError(f"không đọc được kỳ {t!r}; DHIS2 ghi kỳ như 202608, 2026Q3, 2026W48, 2026 "
                      "hoặc 20260817")
