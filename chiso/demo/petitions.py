"""Petition records (phản ánh, kiến nghị): about one per 200 dossiers.

Petitions arrive where dossiers do (same cell weights, a separate draw). The deadline
is 15 working days and is written explicitly; most are handled within it, the unit's
``petition_on_time`` lever decides which are not, and whatever would be handled after
the period's end is still open. Late answers are more often marked dissatisfied, and
some dissatisfied petitioners complain again.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from chiso.demo.latent import LEVER
from chiso.demo.parquet import ascii_prefixes, date_array, fixed_width_ids
from chiso.demo.plan import Span
from chiso.demo.rng import stream, uniform16
from chiso.demo.world import World

DOSSIERS_PER_PETITION = 200
DUE_WORKING_DAYS = 15
ID_DIGITS = 7
U16 = 65536
LATE_DAYS = 6.0  # mean working days a late answer overruns
LATE_DISSATISFACTION = 3
RECOMPLAINED = (0.35, 0.004)  # share of dissatisfied petitioners who complain again; of the others

(R_ON_TIME, R_POS_A, R_POS_B, R_LATE, R_DISSATISFIED, R_RECOMPLAINED, N_DRAWS) = range(7)


def petition_count(dossiers: int) -> int:
    return int(round(dossiers / DOSSIERS_PER_PETITION))


def id_prefixes(world: World) -> np.ndarray:
    """``"PA-<province>-<year>-"`` per province: ids read ``PA-24-2026-0001234``."""
    return ascii_prefixes([f"PA-{p}-{world.year}-" for p in world.layout.provinces])


def petition_block(world: World, span: Span, prefixes: np.ndarray) -> pa.Table:
    """The petitions of ``span`` as an Arrow table with the PETITIONS columns."""
    cal, layout = world.calendar, world.layout
    cell_unit = (span.cells % layout.size).astype(np.int32)
    cell_day = span.cells // layout.size
    unit = span.per_row(cell_unit)
    received = span.per_row(world.days[cell_day])
    cell_thresholds = world.thresholds[cell_unit, world.week_of_day[cell_day]]

    def threshold(lever: str) -> np.ndarray:
        return span.per_row(cell_thresholds[:, LEVER[lever]]).astype(np.int64)

    r = uniform16(stream(world.seed, "petitions", span.index), span.rows, N_DRAWS).astype(np.int64)
    received_ord = cal.ordinal(received).astype(np.int64)
    due_ord = received_ord + DUE_WORKING_DAYS
    on_time = r[:, R_ON_TIME] < threshold("petition_on_time")
    early = received_ord + ((np.minimum(r[:, R_POS_A], r[:, R_POS_B]) * (DUE_WORKING_DAYS + 1)) >> 16)
    overrun = 1 + np.floor(-np.log((r[:, R_LATE] + 0.5) / U16) * LATE_DAYS).astype(np.int64)
    handled = cal.day_of(np.where(on_time, early, due_ord + overrun))
    done = handled <= world.end
    dissatisfied = done & (r[:, R_DISSATISFIED] < np.minimum(
        threshold("petition_dissatisfied") * np.where(on_time, 1, LATE_DISSATISFACTION), U16 - 1))
    recomplained = done & (r[:, R_RECOMPLAINED] < np.where(
        dissatisfied, int(RECOMPLAINED[0] * U16), int(RECOMPLAINED[1] * U16)))
    province = layout.province[unit]
    return pa.table({
        "id": fixed_width_ids(prefixes, province, span.sequence(), ID_DIGITS),
        "unit_code": pa.DictionaryArray.from_arrays(pa.array(unit), pa.array(layout.codes)),
        "province_code": pa.DictionaryArray.from_arrays(pa.array(province), pa.array(layout.provinces)),
        "received_date": date_array(received),
        "due_date": date_array(cal.day_of(due_ord)),
        "handled_date": date_array(handled, done),
        "dissatisfied": pa.array(dissatisfied),
        "recomplained": pa.array(recomplained),
    })
