"""Everything generated records share: units, period, calendar, latent performance,
procedure lists and the expected volume of every (day, unit) cell.

Built once per run (a fraction of a second even for the nation); the record generators
only read it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from chiso.demo.calendar import WorkCalendar, to_day
from chiso.demo.latent import province_positions, unit_positions
from chiso.demo.layout import UnitLayout
from chiso.demo.procedures import ProcedureSets, build_sets
from chiso.demo.volume import cell_weights
from chiso.units.model import Unit

# Appointments, late results and petition deadlines run past the period's end; the
# calendar must cover them (the longest: 30 statutory + extension + lateness + supplement).
CALENDAR_TAIL_DAYS = 400


@dataclass(frozen=True)
class World:
    seed: int
    year: int
    start: int  # first day of the period (days since 1970-01-01)
    end: int  # last day of the period
    layout: UnitLayout
    calendar: WorkCalendar
    days: np.ndarray  # int32 days of the period
    week_of_day: np.ndarray  # int32 week number (weeks start on Monday) of each day
    standing: np.ndarray  # province positions
    thresholds: np.ndarray  # uint16 (units, weeks, levers)
    sets: ProcedureSets
    weights: np.ndarray  # (days, units) expected share of records, sums to 1

    @property
    def n_weeks(self) -> int:
        return int(self.week_of_day[-1]) + 1

    @classmethod
    def build(cls, units: Sequence[Unit], *, year: int, seed: int,
              start: date | None = None, end: date | None = None) -> World:
        start = start or date(year, 1, 1)
        end = end or date(year, 12, 31)
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        layout = UnitLayout.from_units(units)
        # From 1 January (minus a margin) so the Tết seasonality of the year is known.
        calendar = WorkCalendar.spanning(date(start.year, 1, 1) - timedelta(days=31),
                                         end + timedelta(days=CALENDAR_TAIL_DAYS))
        days = np.arange(to_day(start), to_day(end) + 1, dtype=np.int32)
        monday = to_day(start) - start.weekday()
        week_of_day = ((days - monday) // 7).astype(np.int32)
        n_weeks = int(week_of_day[-1]) + 1
        standing = province_positions(layout.provinces, seed)
        return cls(
            seed=seed, year=year, start=to_day(start), end=to_day(end), layout=layout,
            calendar=calendar, days=days, week_of_day=week_of_day, standing=standing,
            thresholds=unit_positions(layout, standing, n_weeks, seed).thresholds(),
            sets=build_sets(layout, standing, seed),
            weights=cell_weights(layout, days, week_of_day, calendar, seed),
        )
