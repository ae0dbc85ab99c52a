"""The hidden performance of each unit, week by week, that generated records reveal.

Every unit has a *position* per lever (on-time, synchronisation, online share, …) on a
scale where 0 is a weak province and 1 a leading one (Bắc Ninh, the nation's best in
seed 003, sits a little above). A lever's probability is interpolated in logit space
between its ``weak`` and ``strong`` values, so positions beyond 1 approach certainty
without reaching it. The constants below were calibrated by scoring generated data with
the index rules: Bắc Ninh ≈ 92 (seed: 92.28), its departments ≈ 85–96, communes ≈ 87–95,
other provinces ≈ 75–91. A position is the sum of

- the province's standing (anchored for the provinces the seed bulletin names, drawn
  for the others, plus a slow improvement trend over the period);
- the unit's own offset (departments spread widely, communes less, with a weaker tail,
  and populous communes — urban wards — somewhat ahead);
- a per-lever offset, so a unit can be good at digitisation and poor at deadlines;
- mean-reverting AR(1) drifts week to week (province-wide, unit-wide and per lever),
  which is what makes weekly rankings move;
- rare synchronisation outages (a week where a unit's system fails to sync).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chiso.demo.layout import DEPARTMENT, UnitLayout
from chiso.demo.rng import stream


@dataclass(frozen=True)
class Lever:
    name: str
    weak: float  # probability at position 0
    strong: float  # probability at position 1


LEVERS: tuple[Lever, ...] = (
    Lever("on_time", 0.80, 0.968),  # finished by the appointment date
    Lever("sync", 0.86, 0.985),  # status synced to the national portal
    Lever("online", 0.30, 0.62),  # submitted online (procedures offering online service)
    Lever("full_online", 0.32, 0.72),  # fully online (eligible procedures)
    Lever("pay_online", 0.55, 0.99),  # fee paid online (integrated procedures)
    Lever("digitized", 0.62, 0.965),
    Lever("e_result", 0.55, 0.965),  # electronic result for a paper-result procedure
    Lever("reuse", 0.40, 0.88),
    Lever("personal_store", 0.50, 0.95),
    Lever("population_db", 0.45, 0.93),
    Lever("rated", 0.08, 0.30),  # the citizen left a rating
    Lever("dissatisfied", 0.05, 0.006),  # among ratings
    Lever("complaint", 0.004, 0.0004),
    Lever("supplement", 0.13, 0.05),  # at least one request to supplement
    Lever("petition_on_time", 0.82, 0.99),
    Lever("petition_dissatisfied", 0.10, 0.01),
)
LEVER = {lever.name: i for i, lever in enumerate(LEVERS)}

# Province standing from seed 003: Bắc Ninh leads the nation; Hải Phòng (31) and Đồng Nai
# (75) follow at 91.65. Other provinces are drawn from OTHER_PROVINCES by seed.
ANCHORS: dict[str, float] = {"24": 1.08, "31": 0.98, "75": 0.98}
OTHER_PROVINCES = (0.35, 0.92)
TREND = (0.06, 0.04)  # improvement over the period, mean and spread across provinces

LEVEL_SHIFT = (-0.02, -0.14)  # department, commune
UNIT_SPREAD = (0.3, 0.08)  # department, commune: sd of the unit offset
WEAK_TAIL = (0.12, 0.22)  # communes: share in the weak tail, mean extra shortfall
POPULATION_EFFECT = 0.05  # position per sd of log population among a province's communes
LEVER_SPREAD = 0.12
# AR(1): (persistence, stationary sd) of the weekly drifts
PROVINCE_DRIFT = (0.8, 0.025)
UNIT_DRIFT = (0.7, 0.07)
LEVER_DRIFT = (0.55, 0.08)
OUTAGE = (0.005, -1.6)  # weekly probability of a sync outage, position shift while it lasts


def interpolate(weak: float, strong: float, position: np.ndarray | float) -> np.ndarray:
    """A probability ``weak`` at position 0 and ``strong`` at 1, linear in logit space."""
    lo, hi = np.log(weak / (1 - weak)), np.log(strong / (1 - strong))
    return 1.0 / (1.0 + np.exp(-(lo + (hi - lo) * np.asarray(position))))


def probability(lever: int, position: np.ndarray) -> np.ndarray:
    """Probability of ``lever`` at ``position``."""
    return interpolate(LEVERS[lever].weak, LEVERS[lever].strong, position)


def province_positions(provinces: tuple[str, ...], seed: int) -> np.ndarray:
    """Standing of each province (0 weak … 1 best)."""
    lo, hi = OTHER_PROVINCES
    return np.array([ANCHORS[p] if p in ANCHORS else stream(seed, "province", p).uniform(lo, hi)
                     for p in provinces])


def ar1(shocks: np.ndarray, persistence: float, sd: float) -> np.ndarray:
    """AR(1) paths along axis 1 from standard-normal ``shocks``, started in equilibrium."""
    out = np.empty_like(shocks)
    innovation = sd * np.sqrt(1 - persistence**2)
    out[:, 0] = sd * shocks[:, 0]
    for t in range(1, shocks.shape[1]):
        out[:, t] = persistence * out[:, t - 1] + innovation * shocks[:, t]
    return out


def _population_score(layout: UnitLayout) -> np.ndarray:
    """Standardised log population of each commune within its province (0 if unknown)."""
    z = np.zeros(layout.size)
    for rows in layout.province_slices():
        pop = layout.population[rows]
        known = (layout.level[rows] != DEPARTMENT) & (pop > 0)
        if known.sum() >= 2:
            logs = np.log(pop[known])
            if logs.std() > 0:
                z[np.flatnonzero(known) + rows.start] = (logs - logs.mean()) / logs.std()
    return z


@dataclass(frozen=True)
class Latent:
    position: np.ndarray  # float32 (units, weeks, levers)

    def probabilities(self) -> np.ndarray:
        p = np.empty_like(self.position)
        for j in range(len(LEVERS)):
            p[..., j] = probability(j, self.position[..., j])
        return p

    def thresholds(self) -> np.ndarray:
        """uint16 thresholds: ``u16 < threshold`` is a draw with the lever's probability."""
        return np.minimum(np.floor(self.probabilities() * 65536.0), 65535).astype(np.uint16)


def unit_positions(layout: UnitLayout, standing: np.ndarray, n_weeks: int, seed: int) -> Latent:
    """Weekly positions of every unit on every lever; ``standing`` from ``province_positions``."""
    n_units, n_levers = layout.size, len(LEVERS)
    # Province-wide: improvement trend and a shared weekly drift.
    prov_shocks = np.empty((len(layout.provinces), n_weeks))
    trend = np.empty(len(layout.provinces))
    for i, p in enumerate(layout.provinces):
        rng = stream(seed, "province-drift", p)
        trend[i] = rng.normal(*TREND)
        prov_shocks[i] = rng.standard_normal(n_weeks)
    weeks = np.arange(n_weeks) / max(n_weeks - 1, 1)
    province_path = standing[:, None] + trend[:, None] * weeks + ar1(prov_shocks, *PROVINCE_DRIFT)

    offset = np.empty(n_units)
    lever_offset = np.empty((n_units, n_levers))
    unit_shocks = np.empty((n_units, n_weeks))
    lever_shocks = np.empty((n_units * n_levers, n_weeks))
    outage = np.empty((n_units, n_weeks), dtype=bool)
    for u, code in enumerate(layout.codes):
        rng = stream(seed, "unit", code)
        level = int(layout.level[u])
        offset[u] = LEVEL_SHIFT[level] + rng.normal(0.0, UNIT_SPREAD[level])
        tail = rng.random() < WEAK_TAIL[0]
        if level != DEPARTMENT and tail:
            offset[u] -= rng.exponential(WEAK_TAIL[1])
        lever_offset[u] = rng.normal(0.0, LEVER_SPREAD, n_levers)
        unit_shocks[u] = rng.standard_normal(n_weeks)
        lever_shocks[u * n_levers:(u + 1) * n_levers] = rng.standard_normal((n_levers, n_weeks))
        outage[u] = rng.random(n_weeks) < OUTAGE[0]

    offset += POPULATION_EFFECT * _population_score(layout)
    common = province_path[layout.province] + offset[:, None] + ar1(unit_shocks, *UNIT_DRIFT)
    drift = ar1(lever_shocks, *LEVER_DRIFT).reshape(n_units, n_levers, n_weeks).transpose(0, 2, 1)
    position = common[:, :, None] + lever_offset[:, None, :] + drift
    position[:, :, LEVER["sync"]] += np.where(outage, OUTAGE[1], 0.0)
    return Latent(position.astype(np.float32))
