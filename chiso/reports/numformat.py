"""Numbers, shares and periods as each language writes them.

Vietnamese writes a decimal comma and groups thousands with a dot (92,28 điểm; 70,7%;
47.026 hồ sơ); English the other way round (92.28; 70.7%; 47,026). The numbers themselves
are written by ``chiso.text`` — one rounding rule everywhere: half up on the decimal value
(92.285 → 92,29); this module adds the bulletins' conventions (points with two decimals,
signed changes, band bounds), the minus sign (U+2212 "−", never the hyphen-minus: every
negative number a bulletin writes goes through ``number``) and periods in words, as people
say them (``tuần 48 (23–29/11)``, ``quý III/2026``, ``tháng 11/2026``).

>>> VI.points(92.28), EN.points(92.28), VI.pct(8.48 / 12), EN.pct(8.48 / 12)
('92,28', '92.28', '70,7%', '70.7%')
>>> VI.count(47026), EN.count(47026), VI.signed(0.2), EN.signed(-1.5), VI.points(-0.25)
('47.026', '47,026', '+0,20', '−1.50', '−0,25')
>>> VI.period("2026-W48"), VI.period("2026-W48", year=True), VI.period("2026-Q3"), EN.period("2026-W48")
('tuần 48 (23–29/11)', 'tuần 48/2026 (23–29/11)', 'quý III/2026', 'week 48 (23–29 Nov)')
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chiso.errors import WindowError
from chiso.periods.spoken import MONTHS_EN, span_text, spoken_period
from chiso.periods.windows import parse_window
from chiso.text import SEPARATORS, format_number, format_percent

MINUS = "\u2212"  # − : the minus sign of typeset text (the hyphen-minus "-" is not one)


def _minus(text: str) -> str:
    """``-1,50`` → ``−1,50``; ``-0,00`` (a tiny negative rounded to zero) → ``0,00``."""
    if not text.startswith("-"):
        return text
    if not any(ch in "123456789" for ch in text):
        return text[1:]
    return MINUS + text[1:]


@dataclass(frozen=True)
class NumberFormat:
    lang: str
    decimal: str
    thousands: str

    def number(self, x: float, digits: int = 2) -> str:
        """``x`` with ``digits`` decimals (``chiso.text.format_number``): 1.234,50 / 1,234.50;
        a negative number with the minus sign: −1,50."""
        return _minus(format_number(x, digits, self.lang))

    def points(self, x: float) -> str:
        """Points, always with two decimals: 92,28 / 92.28."""
        return self.number(x, 2)

    def signed(self, x: float, digits: int = 2) -> str:
        """A change with its sign: +0,20 / −1,50 / 0,00."""
        text = self.number(x, digits)
        if text.startswith(MINUS) or not any(ch in "123456789" for ch in text):
            return text
        return "+" + text

    def pct(self, share: float, digits: int = 1) -> str:
        """A share (0.707) as a percentage: 70,7% / 70.7%."""
        return _minus(format_percent(share, digits, self.lang))

    def count(self, n: float) -> str:
        return self.number(n, 0)

    def bound(self, x: float) -> str:
        """A band bound, without needless decimals: 94, 90,5."""
        return _minus(format_number(x, 2, self.lang, trim=True))

    # ------------------------------------------------------------ periods
    def _day(self, d: dt.date, with_year: bool) -> str:
        if self.lang == "vi":
            return f"{d.day:02d}/{d.month:02d}" + (f"/{d.year}" if with_year else "")
        return f"{d.day} {MONTHS_EN[d.month - 1][:3]}" + (f" {d.year}" if with_year else "")

    def span(self, start: dt.date, end: dt.date) -> str:
        """The days of a span, the month and year said once: 23–29/11/2026; 30/11–06/12/2026."""
        text = span_text(start, end, self.lang)
        if start.year != end.year:
            return text
        return f"{text}/{end.year}" if self.lang == "vi" else f"{text} {end.year}"

    def period(self, label: str | None, *, year: bool = False, dates: bool = True) -> str:
        """A window as people say it inside a sentence (lower case in Vietnamese).

        A week: ``tuần 48 (23–29/11)`` — with ``year``: ``tuần 48/2026 (23–29/11)``, without
        ``dates``: ``tuần 48``; ``week 48 (23–29 Nov)``. A month ``tháng 11/2026``, a quarter
        ``quý III/2026``, a year ``năm 2026``, a day ``ngày 23/11/2026``; any other range as
        its first and last day. Not a window: as given.
        """
        if not label:
            return ""
        try:
            w = parse_window(label)
        except WindowError:
            return label
        vi = self.lang == "vi"
        if w.kind == "week":
            y, n, _ = w.start.isocalendar()
            head = (f"tuần {n}" if vi else f"week {n}") + ((f"/{y}" if vi else f" of {y}") if year else "")
            if not dates:
                return head
            days = span_text(w.start, w.end, self.lang)
            if w.start.year != w.end.year and not year:
                days = self.span(w.start, w.end)
            return f"{head} ({days})"
        if w.kind == "day":
            return ("ngày " if vi else "") + self._day(w.start, True)
        return spoken_period(w.label, self.lang, capital=False)

    def period_title(self, label: str | None) -> str:
        """A window as a title says it: ``Tuần 48/2026``, ``Quý III/2026``; ``Week 48, 2026``."""
        return spoken_period(label, self.lang)

    def period_dated(self, label: str | None) -> str:
        """A window with its whole dates, as a document's trích yếu says it:
        ``tuần 48 (23–29/11/2026)``; other windows as ``period``."""
        try:
            w = parse_window(label or "")
        except WindowError:
            return label or ""
        if w.kind != "week":
            return self.period(label)
        return f"{self.period(label, dates=False)} ({self.span(w.start, w.end)})"


VI = NumberFormat("vi", *SEPARATORS["vi"])
EN = NumberFormat("en", *SEPARATORS["en"])
FORMATS = {"vi": VI, "en": EN}
