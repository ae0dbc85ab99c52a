"""How many records each unit receives on each day.

A province's share of the national total follows its population (with some spread in
dossiers per inhabitant); inside a province, departments take about 30% unevenly by
sector and communes the rest by population. Each unit's volume also drifts from week
to week. The counts per (day, unit) cell are one multinomial draw, so the total is
exactly what was asked for.
"""
from __future__ import annotations

import numpy as np

from chiso.demo.calendar import WorkCalendar, day_weights
from chiso.demo.latent import ar1
from chiso.demo.layout import COMMUNE_LEVEL, DEPARTMENT, LEVEL_NAMES, UnitLayout
from chiso.demo.rng import stream
from chiso.demo.sectors import sector

DEPARTMENT_SHARE = 0.30
PER_CAPITA_SPREAD = 0.15  # lognormal sd of a province's dossiers per inhabitant
DEPARTMENT_SPREAD = 0.35  # lognormal sd around the sector's volume
COMMUNE_SPREAD = 0.25  # lognormal sd around population
WEEKLY_DRIFT = (0.6, 0.08)  # AR(1) persistence and sd of log volume, per unit-week


def unit_weights(layout: UnitLayout, seed: int) -> np.ndarray:
    """Expected share of all records per unit (sums to 1)."""
    weights = np.zeros(layout.size)
    pop = layout.population
    for p, rows in zip(layout.provinces, layout.province_slices()):
        rng = stream(seed, "volume-province", p)
        level = layout.level[rows]
        communes = level == COMMUNE_LEVEL
        departments = level == DEPARTMENT
        province_pop = layout.province_population[layout.province[rows.start]]
        if province_pop <= 0:
            province_pop = pop[rows][communes].sum() if communes.any() else 0.0
        if province_pop <= 0:
            province_pop = float(rows.stop - rows.start)  # nothing known: size by unit count
        w = np.zeros(rows.stop - rows.start)
        for i in range(len(w)):
            unit_rng = stream(seed, "volume-unit", layout.codes[rows.start + i])
            if departments[i]:
                w[i] = sector(layout.sector[rows.start + i]).volume * unit_rng.lognormal(0, DEPARTMENT_SPREAD)
            else:
                w[i] = unit_rng.lognormal(0, COMMUNE_SPREAD)
        if communes.any():
            cp = pop[rows][communes]
            known = cp > 0
            fill = np.median(cp[known]) if known.any() else 1.0
            w[communes] *= np.where(known, cp, fill)
        share = {DEPARTMENT: DEPARTMENT_SHARE, COMMUNE_LEVEL: 1 - DEPARTMENT_SHARE}
        if not departments.any() or not communes.any():
            share = {DEPARTMENT: 1.0, COMMUNE_LEVEL: 1.0}
        for level_code, mask in ((DEPARTMENT, departments), (COMMUNE_LEVEL, communes)):
            if mask.any():
                w[mask] *= share[level_code] / w[mask].sum()
        weights[rows] = w * province_pop * rng.lognormal(0, PER_CAPITA_SPREAD)
    return weights / weights.sum()


def weekly_multipliers(layout: UnitLayout, n_weeks: int, seed: int) -> np.ndarray:
    """(units, weeks) volume multipliers around 1."""
    shocks = np.stack([stream(seed, "volume-weeks", c).standard_normal(n_weeks) for c in layout.codes])
    return np.exp(ar1(shocks, *WEEKLY_DRIFT))


def cell_weights(layout: UnitLayout, days: np.ndarray, week_of_day: np.ndarray,
                 calendar: WorkCalendar, seed: int) -> np.ndarray:
    """(days, units) expected share of records per cell, summing to 1."""
    per_level = np.stack([day_weights(days, calendar, name) for name in LEVEL_NAMES])  # (2, days)
    n_weeks = int(week_of_day.max()) + 1
    w = per_level[layout.level].T * unit_weights(layout, seed)[None, :]  # (days, units)
    w *= weekly_multipliers(layout, n_weeks, seed)[:, week_of_day].T
    return w / w.sum()


def cell_counts(total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Exactly ``total`` records spread over the cells of ``weights`` (same shape)."""
    flat = weights.ravel()
    return rng.multinomial(total, flat / flat.sum()).reshape(weights.shape)
