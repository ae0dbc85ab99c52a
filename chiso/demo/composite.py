"""The demo's composite indicators: Bắc Ninh's department-performance index, month by month.

After the sample values are submitted and the task register imported, every composite whose
target is a live indicator of the province (the shipped ``CHI_SO_SO_NGANH`` →
``HC.CHI_SO_SO_NGANH``) is computed for each month from the first of ``start``'s year through the
last whole month before ``end``, and kept as its target's values — through the same path as
``chiso composite compute`` (``chiso.evaluate.composite_run``), recorded by ``ACTOR``. A month
whose components give no department a value is skipped; a month computed before and unchanged
writes nothing, so running it again is harmless.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from chiso.catalog.composite import load_composites
from chiso.evaluate.composite import compute
from chiso.evaluate.composite_run import inputs, store_composite
from chiso.evaluate.dm.service import current_values, live_indicators
from chiso.periods.reporting import window_containing
from chiso.store import repo_setup

#: Who the demo's composite values are recorded by.
ACTOR = "demo-composite"


def demo_months(start: dt.date, end: dt.date) -> list[str]:
    """The months from ``start``'s month through the last whole month before ``end``."""
    last = window_containing("month", end)
    if last.end > end:
        last = last.previous()
    out = []
    w = window_containing("month", start)
    while w.start <= last.start:
        out.append(w.label)
        w = window_containing("month", w.end + dt.timedelta(days=1))
    return out


def build_demo_composites(db, *, province: str, start: dt.date, end: dt.date,
                          say: Callable[[str], None] = lambda _: None) -> dict:
    """Compute and keep every composite of the province for the demo's months; a summary."""
    book = load_composites()
    with db.session() as s:
        catalogue = live_indicators(s, province)
        relation = current_values(s, province, catalogue)
    codes = [c for c in book.codes() if book.get(c)[0].target in catalogue]
    months = demo_months(start, end)
    written = computed = 0
    for code in codes:
        before = computed
        for month in months:
            with db.session() as s:
                got = inputs(s, province, code, month, book=book, indicators=catalogue, values=relation)
                result = compute(got.composite, got.units, got.raw)
                if all(r["value"] is None for r in result.rows()):
                    continue
                stored = store_composite(s, got, result, actor=ACTOR)
            computed += 1
            written += stored.inserted + stored.corrected
        say(f"composite {code}: {computed - before} months computed")
    with db.session() as s:
        batches, values = repo_setup.submitted_values(s, ACTOR)
    return {"composites": codes, "months": computed, "written": written, "batches": batches, "values": values}


def demo_composite_values(session) -> int:
    """How many values the demo's composites hold (a step's check that its output is there)."""
    return repo_setup.submitted_values(session, ACTOR)[1]
