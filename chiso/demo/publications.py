"""Procedure publication records (công bố TTHC), a few hundred per province a year.

Each is one procedure published by a decision of the province (``unit_code`` is the
province itself). The TRANSPARENCY criteria judge them: the decision should be dated at
least 5 working days before the legal basis takes effect, the procedure made public on
the national database within 5 working days of the decision, with every required part.
How often a province manages each follows its standing.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from chiso.demo.latent import interpolate
from chiso.demo.parquet import date_array
from chiso.demo.procedures import national_catalogue
from chiso.demo.rng import stream
from chiso.demo.world import World

PER_YEAR = (200, 400)
LEAD_WORKING_DAYS = 5
PUBLIC_WORKING_DAYS = 5
# (weak, strong) shares by province standing
ON_TIME = (0.5, 0.75)
PUBLIC_ON_TIME = (0.65, 0.88)
CONTENT_COMPLETE = (0.85, 0.975)
EXTRA_LEAD = 8.0  # mean working days beyond the minimum lead of an on-time decision
PUBLIC_LATE = (6, 25)  # working days to make public when late


def publications_table(world: World) -> pa.Table:
    """Publications of every province in the period, columns as in ``records.PUBLICATIONS``."""
    cat, cal, layout = national_catalogue(), world.calendar, world.layout
    first = int(cal.ordinal(np.array([world.start]))[0])
    last = int(cal.ordinal(np.array([world.end + 1]))[0]) - 1  # last working day in the period
    share_of_year = len(world.days) / 365.0
    columns: dict[str, list] = {k: [] for k in (
        "id", "unit_code", "province_code", "procedure_code", "legal_effective_date", "decision_date",
        "public_date", "content_complete")}
    for p, (code, rows) in enumerate(zip(layout.provinces, layout.province_slices())):
        rng = stream(world.seed, "publications", code)
        n = int(round(rng.integers(*PER_YEAR) * share_of_year))
        if n == 0 or last < first:
            continue
        sets = np.unique(world.sets.unit_set[rows])
        handled = np.unique(np.concatenate([world.sets.procedure[world.sets.offsets[s]:world.sets.offsets[s + 1]]
                                            for s in sets]))
        procs = rng.choice(handled, size=n, replace=n > len(handled))
        decision = np.sort(rng.integers(first, last + 1, n))
        standing = world.standing[p]
        on_time = rng.random(n) < interpolate(*ON_TIME, standing)
        lead = np.where(on_time, LEAD_WORKING_DAYS + np.floor(rng.exponential(EXTRA_LEAD, n)),
                        rng.integers(-20, LEAD_WORKING_DAYS, n))  # late: too close or already in force
        public_ok = rng.random(n) < interpolate(*PUBLIC_ON_TIME, standing)
        delay = np.where(public_ok, rng.integers(0, PUBLIC_WORKING_DAYS + 1, n), rng.integers(*PUBLIC_LATE, n))
        public = cal.day_of(decision + delay)
        columns["id"] += [f"CB-{code}-{world.year}-{k:05d}" for k in range(1, n + 1)]
        columns["unit_code"] += [code] * n
        columns["province_code"] += [code] * n
        columns["procedure_code"] += [cat.codes[i] for i in procs]
        columns["legal_effective_date"].append(cal.day_of(np.maximum(decision + lead.astype(np.int64), 0)))
        columns["decision_date"].append(cal.day_of(decision))
        columns["public_date"].append(np.where(public <= world.end, public, -1))
        columns["content_complete"].append(rng.random(n) < interpolate(*CONTENT_COMPLETE, standing))
    dates = {k: np.concatenate(columns[k]) if columns[k] else np.zeros(0, np.int32)
             for k in ("legal_effective_date", "decision_date", "public_date")}
    public = dates["public_date"]
    return pa.table({
        "id": pa.array(columns["id"], pa.string()),
        "unit_code": pa.array(columns["unit_code"], pa.string()),
        "province_code": pa.array(columns["province_code"], pa.string()),
        "procedure_code": pa.array(columns["procedure_code"], pa.string()),
        "legal_effective_date": date_array(dates["legal_effective_date"]),
        "decision_date": date_array(dates["decision_date"]),
        "public_date": date_array(np.maximum(public, 0), public >= 0),
        "content_complete": pa.array(np.concatenate(columns["content_complete"]) if columns["content_complete"]
                                     else np.zeros(0, bool)),
    })
