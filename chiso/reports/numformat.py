"""Numbers, shares and periods as each language writes them.

Vietnamese writes a decimal comma and groups thousands with a dot (92,28 điểm; 70,7%;
47.026 hồ sơ); English the other way round (92.28; 70.7%; 47,026). The numbers themselves
are written by ``chiso.text`` — one rounding rule everywhere: half up on the decimal value
(92.285 → 92,29); this module adds the bulletins' conventions (points with two decimals,
signed changes, band bounds) and periods in words.

>>> VI.points(92.28), EN.points(92.28), VI.pct(8.48 / 12), EN.pct(8.48 / 12)
('92,28', '92.28', '70,7%', '70.7%')
>>> VI.count(47026), EN.count(47026), VI.signed(0.2), EN.signed(-1.5)
('47.026', '47,026', '+0,20', '-1.50')
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chiso.errors import WindowError
from chiso.periods.windows import parse_window
from chiso.text import SEPARATORS, format_number, format_percent

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class NumberFormat:
    lang: str
    decimal: str
    thousands: str

    def number(self, x: float, digits: int = 2) -> str:
        """``x`` with ``digits`` decimals (``chiso.text.format_number``): 1.234,50 / 1,234.50."""
        return format_number(x, digits, self.lang)

    def points(self, x: float) -> str:
        """Points, always with two decimals: 92,28 / 92.28."""
        return self.number(x, 2)

    def signed(self, x: float, digits: int = 2) -> str:
        text = self.number(x, digits)
        return text if text.startswith("-") else "+" + text

    def pct(self, share: float, digits: int = 1) -> str:
        """A share (0.707) as a percentage: 70,7% / 70.7%."""
        return format_percent(share, digits, self.lang)

    def count(self, n: float) -> str:
        return self.number(n, 0)

    def bound(self, x: float) -> str:
        """A band bound, without needless decimals: 94, 90,5."""
        return format_number(x, 2, self.lang, trim=True)

    # ------------------------------------------------------------ periods
    def _day(self, d: dt.date, with_year: bool) -> str:
        if self.lang == "vi":
            return f"{d.day:02d}/{d.month:02d}" + (f"/{d.year}" if with_year else "")
        return f"{d.day} {MONTHS_EN[d.month - 1][:3]}" + (f" {d.year}" if with_year else "")

    def span(self, start: dt.date, end: dt.date) -> str:
        same_year = start.year == end.year
        return f"{self._day(start, not same_year)}–{self._day(end, True)}"

    def period(self, label: str) -> str:
        """A window in words: tuần 46/2025 (10/11–16/11/2025); week 46 of 2025 (10 Nov–16 Nov 2025)."""
        try:
            w = parse_window(label)
        except WindowError:
            return label
        vi = self.lang == "vi"
        if w.kind == "week":
            y, n = label.split("-W")
            head = f"tuần {int(n)}/{y}" if vi else f"week {int(n)} of {y}"
            return f"{head} ({self.span(w.start, w.end)})"
        if w.kind == "month":
            return f"tháng {w.start.month}/{w.start.year}" if vi else f"{MONTHS_EN[w.start.month - 1]} {w.start.year}"
        if w.kind == "quarter":
            q = (w.start.month - 1) // 3 + 1
            return f"quý {ROMAN[q]}/{w.start.year}" if vi else f"Q{q} {w.start.year}"
        if w.kind == "year":
            return f"năm {w.start.year}" if vi else str(w.start.year)
        if w.kind == "day":
            return ("ngày " if vi else "") + self._day(w.start, True)
        return self.span(w.start, w.end)


VI = NumberFormat("vi", *SEPARATORS["vi"])
EN = NumberFormat("en", *SEPARATORS["en"])
FORMATS = {"vi": VI, "en": EN}
