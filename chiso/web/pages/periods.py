"""Chọn kỳ (the period picker): the periods a page offers in its period box, not a box to type codes in.

The header's period box (base.html, on the pages that show scores of a window: the overview,
rankings, unit pages, the wall) is a ``<select>`` of the periods that exist: the latest scored
week and the weeks before it, then the months, quarters and years they fall in; each shown as
people say it (``Tuần 48/2026 (23–29/11)``, ``Tháng 11/2026``, ``Quý IV/2026``, ``Năm 2026``).
The chosen period is always among them (an older week asked for in the address is added).
"""
from __future__ import annotations

from functools import lru_cache

from chiso.periods.windows import month, parse_window, quarter, week_of, year

WEEKS = 12
MONTHS = 6
QUARTERS = 4
YEARS = 2


def latest_window(request) -> str | None:
    """The latest scored week, if the scores of the default window were computed already (no work
    here: the page that needs them computes them)."""
    ctx = getattr(request.app.state, "ctx", None)
    table = ctx.cached_scores(None) if ctx is not None else None
    return getattr(table, "window", None)


def window_choices(chosen: str | None, latest: str | None) -> list[tuple[str, tuple[str, ...]]]:
    """``[(kind, labels)]`` — kind ``week``, ``month``, ``quarter``, ``year``, newest first — the
    periods the picker offers around ``latest`` (else ``chosen``); ``chosen`` is among them."""
    anchor = latest or chosen
    if not anchor:
        return []
    return [(kind, labels) for kind, labels in _choices(chosen or "", anchor) if labels]


@lru_cache(maxsize=256)
def _choices(chosen: str, anchor: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    try:
        last = parse_window(anchor)
    except Exception:  # noqa: BLE001 - a label the picker cannot read offers itself only
        return (("other", (anchor,)),)
    end = last.end
    weeks, w = [], week_of(end)
    for _ in range(WEEKS):
        weeks.append(w.label)
        w = w.previous()
    months, m = [], month(end.year, end.month)
    for _ in range(MONTHS):
        months.append(m.label)
        m = m.previous()
    quarters, q = [], quarter(end.year, (end.month - 1) // 3 + 1)
    for _ in range(QUARTERS):
        quarters.append(q.label)
        q = q.previous()
    years = [year(end.year - k).label for k in range(YEARS)]
    groups = {"week": weeks, "month": months, "quarter": quarters, "year": years}
    if chosen:
        try:
            asked = parse_window(chosen)
        except Exception:  # noqa: BLE001 - the page answers a wrong label itself
            asked = None
        if asked is not None:
            kind = asked.kind if asked.kind in groups else "other"
            found = groups.setdefault(kind, [])
            if asked.label not in found:
                found.append(asked.label)
                found.sort(key=lambda label: parse_window(label).start, reverse=True)
    return tuple((kind, tuple(labels)) for kind, labels in groups.items())
