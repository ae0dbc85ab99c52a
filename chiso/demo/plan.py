"""Record counts per (day, unit) cell, walked in fixed-size blocks of rows.

Rows are ordered by day, then unit, so a Parquet file's row groups cover short date
ranges (window queries skip the rest). Blocks have a fixed size that does not depend on
the output chunk size: each block draws from its own random stream, so the generated
values are the same whatever ``chunk_rows`` is, and blocks could be built in parallel.
Each row also gets its sequence number within its province, from which dossier ids are
made, without any state carried from block to block.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

BLOCK_ROWS = 1 << 18


@dataclass(frozen=True)
class Span:
    """Rows ``start``…``stop - 1`` of a plan: the cells they fall in and how many each."""

    index: int
    start: int
    stop: int
    cells: np.ndarray  # int64 cell numbers (day * n_units + unit)
    reps: np.ndarray  # int64 rows of this span in each cell
    first_seq: np.ndarray  # int64 sequence number (1-based, per province) of each cell's first row here

    @property
    def rows(self) -> int:
        return self.stop - self.start

    def per_row(self, values: np.ndarray) -> np.ndarray:
        """Spread one value per cell to the cell's rows."""
        return np.repeat(values, self.reps)

    def sequence(self) -> np.ndarray:
        """Per-province sequence number of each row."""
        starts = np.cumsum(self.reps) - self.reps
        return self.per_row(self.first_seq - starts) + np.arange(self.rows, dtype=np.int64)


@dataclass(frozen=True)
class CellPlan:
    counts: np.ndarray  # int64 (days * units), day-major
    n_units: int
    ends: np.ndarray  # int64 cumulative counts
    first_seq: np.ndarray  # int64 per cell

    @property
    def total(self) -> int:
        return int(self.ends[-1]) if len(self.ends) else 0

    @classmethod
    def build(cls, counts: np.ndarray, unit_province: np.ndarray) -> CellPlan:
        """``counts`` is (days, units); units of a province must be contiguous."""
        counts = counts.astype(np.int64)
        n_days, n_units = counts.shape
        starts = np.flatnonzero(np.r_[True, unit_province[1:] != unit_province[:-1]])
        group = np.cumsum(np.r_[False, unit_province[1:] != unit_province[:-1]])  # province ordinal per unit
        per_day = np.add.reduceat(counts, starts, axis=1)  # (days, provinces)
        before_day = np.cumsum(per_day, axis=0) - per_day
        within = np.cumsum(counts, axis=1) - counts
        within -= within[:, starts][:, group]
        first_seq = (before_day[:, group] + within + 1).ravel()
        flat = counts.ravel()
        return cls(flat, n_units, np.cumsum(flat), first_seq)

    def spans(self, block_rows: int = BLOCK_ROWS) -> Iterator[Span]:
        cell_start = self.ends - self.counts
        for index, start in enumerate(range(0, self.total, block_rows)):
            stop = min(start + block_rows, self.total)
            c0 = int(np.searchsorted(self.ends, start, side="right"))
            c1 = int(np.searchsorted(self.ends, stop - 1, side="right"))
            cells = np.arange(c0, c1 + 1, dtype=np.int64)
            lo = np.maximum(cell_start[cells], start)
            reps = np.minimum(self.ends[cells], stop) - lo
            first_seq = self.first_seq[cells] + (lo - cell_start[cells])
            yield Span(index, start, stop, cells, reps, first_seq)
