"""Kỳ như người ta nói (a period as people say it): the one period formatter.

``2026-W48`` → ``Tuần 48/2026`` / ``Week 48, 2026`` (with ``dates=True``: ``Tuần 48/2026 (23–29/11)`` /
``Week 48, 2026 (23–29 Nov)``); ``2026-11`` → ``Tháng 11/2026`` / ``November 2026``; ``2026-Q3`` →
``Quý III/2026`` / ``Q3 2026``; ``2026`` → ``Năm 2026`` / ``2026``; a day ``23/11/2026`` /
``23 Nov 2026``; a year to date or any other range as its first and last day. Anything that is not
a period label is returned as given. ``capital=False`` starts the Vietnamese forms in lower case,
for use inside a sentence (``chưa có số liệu tháng 11/2026``).

It lives here, in the lowest layer that knows periods, so that pages (``chiso.web.i18n.format_period``
and the ``period`` filter), warnings, reports and exports all write periods the same way.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from chiso.periods.windows import parse_window

ROMAN = ("I", "II", "III", "IV")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
MONTHS_EN_SHORT = tuple(m[:3] for m in MONTHS_EN)


def day_text(day: dt.date, lang: str) -> str:
    """``23/11/2026`` (vi) / ``23 Nov 2026`` (en)."""
    if lang == "en":
        return f"{day.day} {MONTHS_EN_SHORT[day.month - 1]} {day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def span_text(start: dt.date, end: dt.date, lang: str) -> str:
    """The days of a short span, the month and year said once where they are shared:
    ``23–29/11`` / ``23–29 Nov``; ``30/11–06/12`` / ``30 Nov – 6 Dec``; across a year
    ``29/12/2025–04/01/2026`` / ``29 Dec 2025 – 4 Jan 2026``."""
    if lang == "en":
        if start.year != end.year:
            return f"{day_text(start, lang)} – {day_text(end, lang)}"
        if start.month != end.month:
            return f"{start.day} {MONTHS_EN_SHORT[start.month - 1]} – {end.day} {MONTHS_EN_SHORT[end.month - 1]}"
        return f"{start.day}–{end.day} {MONTHS_EN_SHORT[end.month - 1]}"
    if start.year != end.year:
        return f"{day_text(start, lang)}–{day_text(end, lang)}"
    if start.month != end.month:
        return f"{start.day:02d}/{start.month:02d}–{end.day:02d}/{end.month:02d}"
    return f"{start.day:02d}–{end.day:02d}/{end.month:02d}"


@lru_cache(maxsize=8192)
def spoken_period(label, lang: str = "vi", dates: bool = False, capital: bool = True) -> str:
    """A period label as people of the language say it (see the module); ``—`` for none."""
    if label is None or label == "":
        return "—"
    try:
        w = parse_window(str(label))
    except Exception:  # noqa: BLE001 - not a period label: show it as given
        return str(label)
    en = lang == "en"
    if w.kind == "week":
        year, week, _ = w.start.isocalendar()
        text = f"Week {week}, {year}" if en else f"Tuần {week}/{year}"
        if dates:
            text += f" ({span_text(w.start, w.end, lang)})"
    elif w.kind == "month":
        text = f"{MONTHS_EN[w.start.month - 1]} {w.start.year}" if en else f"Tháng {w.start.month}/{w.start.year}"
    elif w.kind == "quarter":
        quarter = (w.start.month - 1) // 3 + 1
        text = f"Q{quarter} {w.start.year}" if en else f"Quý {ROMAN[quarter - 1]}/{w.start.year}"
    elif w.kind == "year":
        text = str(w.start.year) if en else f"Năm {w.start.year}"
    elif w.kind == "day":
        text = day_text(w.start, lang)
    elif w.kind == "ytd":
        text = f"Year to {day_text(w.end, lang)}" if en else f"Từ đầu năm đến {day_text(w.end, lang)}"
    else:
        text = f"{day_text(w.start, lang)}–{day_text(w.end, lang)}" if not en else \
            f"{day_text(w.start, lang)} – {day_text(w.end, lang)}"
    if not capital and not en and text[:1].isupper():
        text = text[0].lower() + text[1:]
    return text
