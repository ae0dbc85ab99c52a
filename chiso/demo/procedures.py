"""The procedure catalogue: the national list, and which procedures each unit handles.

The national list (codes, names, statutory days, fee, online eligibility, result kind,
subject) is the same for every seed, as the real national database is the same for
every province. Which procedures a department handles, how popular each is there, and
how far a province has integrated fee payment and online service depend on the seed
and on the province's standing.

Units that handle the same procedures with the same popularity share one *set*: every
commune of a province shares its province's commune set, each department has its own.
Sampling a dossier's procedure is one look-up in a 4,096-slot table per set (each
procedure gets slots in proportion to its popularity, at least one), which is exact
enough for demo data and much faster than a per-row binary search.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from chiso.demo.latent import interpolate
from chiso.demo.layout import UnitLayout
from chiso.demo.rng import stream
from chiso.demo.sectors import COMMUNE, SECTORS, STAR_POPULARITY, expand

CATALOGUE_SEED = 766  # the national list is fixed, whatever the user's seed
SLOTS = 4096
DEPARTMENT_SIZE = (40, 150)  # procedures per department (fewer when its sector has fewer)
POPULARITY_SPREAD = 0.5  # lognormal sd of a procedure's popularity in one set
# Share eligible for full online service: FULL_ONLINE_RATE, plus FULL_ONLINE_POPULAR per
# popularity star (×5), as high-volume services were put online first (Đề án 06).
FULL_ONLINE_RATE = 0.55
FULL_ONLINE_POPULAR = 0.1
OTHER_ONLINE_RATE = 0.7  # procedures not eligible for full online service that still offer some
PAPER_RESULT_RATE = 0.8
TYPICAL_DAYS = np.array([1, 2, 3, 5, 7, 10, 12, 15, 20, 25, 30])
TYPICAL_DAYS_WEIGHT = np.array([10, 8, 9, 12, 6, 8, 2, 6, 4, 1, 2], dtype=float)
QUICK = ("Chứng thực", "Cấp bản sao", "Đăng ký khai sinh", "Đăng ký khai tử", "Đăng ký kết hôn")
# Province-level integration, weak → strong province
FEE_INTEGRATED = (0.65, 0.985)
ONLINE_OFFERED = (0.85, 0.995)


@dataclass(frozen=True)
class Catalogue:
    """The national procedure list; arrays are indexed by procedure."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    popularity: np.ndarray
    statutory_days: np.ndarray  # int32
    has_fee: np.ndarray
    online_service: np.ndarray  # offered online somewhere (the province may not yet)
    full_online_eligible: np.ndarray
    paper_result: np.ndarray
    citizen_subject: np.ndarray
    members: dict[str, np.ndarray]  # sector key → procedure indices

    @property
    def size(self) -> int:
        return len(self.codes)


@functools.cache
def national_catalogue() -> Catalogue:
    rng = np.random.default_rng(CATALOGUE_SEED)
    index: dict[str, int] = {}
    names: list[str] = []
    popularity: list[float] = []
    fee_rate: list[float] = []
    citizen_rate: list[float] = []
    day_range: list[tuple[int, int]] = []
    members: dict[str, np.ndarray] = {}
    for s in (*SECTORS, COMMUNE):
        own = []
        for t in expand(s.templates):
            if t.name not in index:  # a procedure listed in two sectors keeps its first code
                index[t.name] = len(names)
                names.append(t.name)
                popularity.append(t.popularity)
                fee_rate.append(s.fee_rate)
                citizen_rate.append(s.citizen_rate)
                day_range.append(s.days)
            own.append(index[t.name])
        members[s.key] = np.array(own, dtype=np.int32)
    n = len(names)
    days = np.empty(n, dtype=np.int32)
    p_days = TYPICAL_DAYS_WEIGHT / TYPICAL_DAYS_WEIGHT.sum()
    for i, (lo, hi) in enumerate(day_range):
        hi = 2 if names[i].startswith(QUICK) else hi
        ok = (TYPICAL_DAYS >= lo) & (TYPICAL_DAYS <= hi)
        choices = TYPICAL_DAYS[ok] if ok.any() else np.array([lo])
        w = p_days[ok] if ok.any() else np.ones(1)
        days[i] = rng.choice(choices, p=w / w.sum())
    stars = np.maximum(np.log(np.array(popularity)) / np.log(STAR_POPULARITY), 0)
    eligible = rng.random(n) < np.minimum(FULL_ONLINE_RATE + FULL_ONLINE_POPULAR * stars, 0.95)
    # Codes shaped like the national database's (1.004227, 2.000305); numbers are unique.
    prefixes = rng.choice([1, 2, 3], size=n, p=[0.6, 0.33, 0.07])
    numbers = rng.choice(14000, size=n, replace=False)
    codes = tuple(f"{p}.{num:06d}" for p, num in zip(prefixes, numbers))
    return Catalogue(
        codes=codes,
        names=tuple(names),
        popularity=np.array(popularity),
        statutory_days=days,
        has_fee=rng.random(n) < np.array(fee_rate),
        online_service=eligible | (rng.random(n) < OTHER_ONLINE_RATE),
        full_online_eligible=eligible,
        paper_result=rng.random(n) < PAPER_RESULT_RATE,
        citizen_subject=rng.random(n) < np.array(citizen_rate),
        members=members,
    )


@dataclass(frozen=True)
class ProcedureSets:
    """Per-unit procedure lists, as sets shared between units; rows are (set, procedure)."""

    unit_set: np.ndarray  # int32 set per unit
    offsets: np.ndarray  # int64 (sets + 1): each set's rows
    procedure: np.ndarray  # int32 catalogue index per row
    online_service: np.ndarray  # bool per row: offered online in this province
    fee_integrated: np.ndarray  # bool per row: fee payment integrated on the portal
    slots: np.ndarray  # int32 (sets * SLOTS): row drawn for each slot

    def sample(self, units: np.ndarray, u16: np.ndarray) -> np.ndarray:
        """The row (set, procedure) of a dossier of each unit, from a 16-bit uniform."""
        return self.slots[self.unit_set[units].astype(np.int64) * SLOTS + (u16 >> 4)]

    def unit_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(unit, row) for every procedure every unit handles, units in layout order."""
        sizes = np.diff(self.offsets)[self.unit_set]
        units = np.repeat(np.arange(len(self.unit_set)), sizes)
        starts = self.offsets[self.unit_set]
        rows = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
        return units, rows


def _slot_table(popularity: np.ndarray) -> np.ndarray:
    """SLOTS local indices, each procedure at least once, the rest by largest remainder."""
    extra = SLOTS - len(popularity)
    if extra < 0:
        raise ValueError(f"a unit handles more than {SLOTS} procedures")
    share = popularity / popularity.sum() * extra
    slots = np.floor(share).astype(np.int64)
    left = extra - int(slots.sum())
    slots[np.argsort(-(share - slots), kind="stable")[:left]] += 1
    return np.repeat(np.arange(len(popularity)), slots + 1)


def build_sets(layout: UnitLayout, standing: np.ndarray, seed: int) -> ProcedureSets:
    """Which procedures each unit handles; ``standing`` is each province's position."""
    cat = national_catalogue()
    general = cat.members["general"]
    unit_set = np.empty(layout.size, dtype=np.int32)
    chosen: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    owners: list[int] = []  # province per set
    for p, rows in enumerate(layout.province_slices()):
        commune_set = -1
        for u in range(rows.start, rows.stop):
            if layout.sector[u] == COMMUNE.key:
                if commune_set < 0:
                    rng = stream(seed, "commune-set", layout.provinces[p])
                    commune_set = len(chosen)
                    procs = cat.members[COMMUNE.key]
                    chosen.append(procs)
                    weights.append(cat.popularity[procs] * rng.lognormal(0, POPULARITY_SPREAD, len(procs)))
                    owners.append(p)
                unit_set[u] = commune_set
                continue
            rng = stream(seed, "department-set", layout.codes[u])
            own = cat.members[layout.sector[u]]
            pool = np.concatenate([own, general[~np.isin(general, own)]])
            size = min(len(pool), int(rng.integers(DEPARTMENT_SIZE[0], DEPARTMENT_SIZE[1] + 1)))
            # Own-sector procedures first, the popular ones most surely; general ones fill up.
            priority = np.r_[np.full(len(own), 4.0), np.ones(len(pool) - len(own))] * cat.popularity[pool] ** 0.3
            procs = np.sort(rng.choice(pool, size=size, replace=False, p=priority / priority.sum()))
            unit_set[u] = len(chosen)
            chosen.append(procs)
            weights.append(cat.popularity[procs] * rng.lognormal(0, POPULARITY_SPREAD, len(procs)))
            owners.append(p)
    sizes = np.array([len(c) for c in chosen], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(sizes)]
    procedure = np.concatenate(chosen).astype(np.int32)
    slots = np.concatenate([_slot_table(w) + o for w, o in zip(weights, offsets[:-1])]).astype(np.int32)
    # Province integration: one draw per (province, procedure), shared by its units.
    online = np.empty(len(procedure), dtype=bool)
    integrated = np.empty(len(procedure), dtype=bool)
    for p, code in enumerate(layout.provinces):
        rng = stream(seed, "integration", code)
        draw_online, draw_fee = rng.random(cat.size), rng.random(cat.size)
        fee_rate = float(interpolate(*FEE_INTEGRATED, standing[p]))
        online_rate = float(interpolate(*ONLINE_OFFERED, standing[p]))
        for s in np.flatnonzero(np.array(owners) == p):
            r = slice(offsets[s], offsets[s + 1])
            pr = procedure[r]
            online[r] = cat.full_online_eligible[pr] | (cat.online_service[pr] & (draw_online[pr] < online_rate))
            integrated[r] = cat.has_fee[pr] & (draw_fee[pr] < fee_rate)
    return ProcedureSets(unit_set, offsets, procedure, online, integrated, slots)


def procedures_table(layout: UnitLayout, sets: ProcedureSets) -> pa.Table:
    """One row per (unit, procedure), columns as in ``records.PROCEDURES``."""
    cat = national_catalogue()
    units, rows = sets.unit_rows()
    procs = sets.procedure[rows]
    codes = pa.array(cat.codes, pa.string())
    return pa.table({
        "unit_code": pa.DictionaryArray.from_arrays(pa.array(units.astype(np.int32)), pa.array(layout.codes)),
        "province_code": pa.DictionaryArray.from_arrays(pa.array(layout.province[units]),
                                                        pa.array(layout.provinces)),
        "procedure_code": pa.DictionaryArray.from_arrays(pa.array(procs), codes),
        "name": pa.DictionaryArray.from_arrays(pa.array(procs), pa.array(cat.names, pa.string())),
        "statutory_days": pa.array(cat.statutory_days[procs]),
        "has_fee": pa.array(cat.has_fee[procs]),
        "fee_payment_integrated": pa.array(sets.fee_integrated[rows]),
        "online_service": pa.array(sets.online_service[rows]),
        "full_online_eligible": pa.array(cat.full_online_eligible[procs]),
        "paper_result": pa.array(cat.paper_result[procs]),
        "citizen_subject": pa.array(cat.citizen_subject[procs]),
    })
