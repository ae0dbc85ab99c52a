"""Where a bulletin's scores come from: the record store, or portal counts files.

A bulletin needs the scores of its window (with the changes against the window before)
and the scores of the windows before it, for the trend chart. Both sources give that as
``Scores``:

- ``RecordsSource`` — the province's own records (``chiso.evaluate``); one scan covers the
  whole weekly series;
- ``CountsSource`` — a portal counts CSV (one window, no previous), or a folder of them named
  by window (``2025-W45.csv``, ``2025-W46.csv``…): the window's file, the previous window's
  file for the changes, and the earlier files for the trend.

The default window is the latest *complete* week: a bulletin speaks of a week that ended.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from chiso.catalog.definition_versions import version_for
from chiso.catalog.index_definition import IndexDefinition
from chiso.collect.portal_counts import read_portal_counts
from chiso.errors import ChisoError, WindowError
from chiso.evaluate.comparisons import first_record_day, last_year_window
from chiso.evaluate.scores import ScoreTable, score_window
from chiso.evaluate.service import latest_day, score_consecutive, score_series
from chiso.periods.windows import Window, parse_window, week_of
from chiso.units.crosswalk import Crosswalk

#: How many windows the trend chart shows (the bulletin's window included).
TREND_WINDOWS = 8


@dataclass(frozen=True)
class Scores:
    """The scores a bulletin is written from.

    ``table`` is the bulletin's window, its changes measured against the window before;
    ``series`` holds the windows of the trend, oldest first, ending with ``table``.
    """

    table: ScoreTable
    series: tuple[ScoreTable, ...]
    source: str  # "records" | "counts"
    last_year: ScoreTable | None = None  # the same window a year before, when the data reach back to it
    first_day: dt.date | None = None  # the first day the data cover (why there is no last year)

    @property
    def window(self) -> str:
        return self.table.window


class ScoreSource(Protocol):
    """Anything that scores a window for a bulletin (records, counts files)."""

    definition: IndexDefinition

    def scores(self, window: str | None = None, *, weeks: int = TREND_WINDOWS) -> Scores: ...


def latest_complete_week(day: dt.date) -> Window:
    """The last ISO week that has ended by the end of ``day``.

    >>> latest_complete_week(dt.date(2025, 11, 16)).label  # a Sunday: its week is complete
    '2025-W46'
    >>> latest_complete_week(dt.date(2025, 11, 17)).label  # Monday: the week before
    '2025-W46'
    """
    w = week_of(day)
    return w if day >= w.end else w.previous()


def _windows_back(window: Window, n: int) -> list[Window]:
    """``n`` windows ending with ``window``, oldest first."""
    out = [window]
    while len(out) < n:
        out.append(out[-1].previous())
    return list(reversed(out))


# ---------------------------------------------------------------- records
@dataclass
class RecordsSource:
    """Scores from the record store (DuckDB or PostgreSQL), all units of every province."""

    definition: IndexDefinition
    store: object
    tree: object
    lock: threading.Lock | None = field(default=None, repr=False)

    def default_window(self) -> Window:
        day = latest_day(self.store)
        if day is None:
            raise ChisoError("the store has no dossiers yet: load records (chiso load) or run chiso init --demo")
        return latest_complete_week(day)

    def scores(self, window: str | None = None, *, weeks: int = TREND_WINDOWS) -> Scores:
        if self.lock is not None:
            with self.lock:
                return self._scores(window, weeks)
        return self._scores(window, weeks)

    def _scores(self, window: str | None, weeks: int) -> Scores:
        w = parse_window(window) if window else self.default_window()
        wanted = _windows_back(w, max(2, weeks))  # at least the window before, for changes
        if w.kind == "week":  # consecutive weeks: one scan, scored together
            series = score_series(self.definition, self.store, self.tree, wanted[0].start, w.end,
                                  weeks_only=True).scores
            tables = [series.table(x.label) for x in wanted]
        else:
            tables = self._windows(wanted)
        first = first_record_day(self.store)
        earlier = last_year_window(w, first)
        last_year = self._windows([earlier])[-1] if earlier is not None else None
        return Scores(tables[-1], tuple(tables[-weeks:]), "records", last_year, first)

    def _windows(self, wanted: list[Window]) -> list[ScoreTable]:
        """Score ``wanted`` windows (each against the one before it in the list), each by the
        version of the method in force for it."""
        return score_consecutive(self.definition, self.store, self.tree, wanted)


# ---------------------------------------------------------------- counts files
@dataclass
class CountsSource:
    """Scores from a portal counts file, or from a folder of them named by window."""

    definition: IndexDefinition
    path: Path
    crosswalk: Crosswalk | None = None  # the store's crosswalk (portal ids); None: the shipped one

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.exists():
            raise ChisoError(f"{self.path}: no such counts file or folder")

    def files(self) -> dict[str, Path]:
        """The folder's counts files by window label (``2025-W46.csv`` → ``2025-W46``), in time order."""
        if not self.path.is_dir():
            return {}
        found: dict[Window, Path] = {}
        for p in self.path.glob("*.csv"):
            try:
                found[parse_window(p.stem)] = p
            except WindowError:
                continue  # not a window's file (a README, a note): not ours to read
        if not found:
            raise ChisoError(f"{self.path}: no counts files named by window (e.g. 2025-W46.csv)")
        return {w.label: found[w] for w in sorted(found)}

    def _table(self, label: str, path: Path, previous: ScoreTable | None) -> ScoreTable:
        """Read and score one file; a window's file by the version of the method in force for
        that window (a file not named by a window — one counts file — by the definition given)."""
        try:
            choice = version_for(self.definition, parse_window(label))
        except WindowError:
            choice = None
        definition = choice.definition if choice is not None else self.definition
        pc = read_portal_counts(path, definition, crosswalk=self.crosswalk)
        table = score_window(definition, label, pc.inputs, pc.units, group_overrides=pc.group_scores,
                             previous=previous)
        table.method = choice
        return table

    def scores(self, window: str | None = None, *, weeks: int = TREND_WINDOWS) -> Scores:
        if not self.path.is_dir():
            label = parse_window(window).label if window else "counts-file"
            table = self._table(label, self.path, None)
            return Scores(table, (table,), "counts")
        files = self.files()
        if window is None:
            label = list(files)[-1]  # the latest file's window
        else:
            label = parse_window(window).label
            if label not in files:
                raise ChisoError(f"{self.path}: no counts file for {label} (have: {', '.join(files)})")
        wanted = [w.label for w in _windows_back(parse_window(label), max(2, weeks))]
        tables: list[ScoreTable] = []
        previous = None
        for lb in wanted:
            if lb not in files:
                previous = None  # a gap in the files: the next window has no changes to show
                continue
            previous = self._table(lb, files[lb], previous)
            tables.append(previous)
        # the same window a year before: its file when the folder has one; the folder's first
        # window says how far back the files reach
        first = parse_window(next(iter(files))).start
        earlier = last_year_window(label, first)
        last_year = self._table(earlier.label, files[earlier.label], None) \
            if earlier is not None and earlier.label in files else None
        return Scores(tables[-1], tuple(tables[-weeks:]), "counts", last_year, first)
