"""The units records are generated for, in one fixed order with their numeric attributes.

Generation works on arrays indexed by unit; this puts departments and communes in a
canonical order (province, then departments before communes, then code) so that the
result does not depend on the order the caller listed the units in, and each province's
units are contiguous (per-province dossier numbering relies on it).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chiso.demo.sectors import COMMUNE, sector_of_department
from chiso.units.model import Unit

DEPARTMENT, COMMUNE_LEVEL = 0, 1
LEVEL_NAMES = ("department", "commune")


@dataclass(frozen=True)
class UnitLayout:
    codes: tuple[str, ...]  # departments and communes
    level: np.ndarray  # int8: DEPARTMENT or COMMUNE_LEVEL
    province: np.ndarray  # int32 index into ``provinces``
    provinces: tuple[str, ...]  # province codes, sorted
    population: np.ndarray  # float64, 0 when unknown
    province_population: np.ndarray  # float64 per province, 0 when unknown
    sector: tuple[str, ...]  # sector key per unit ("commune" for communes)

    @property
    def size(self) -> int:
        return len(self.codes)

    def province_slices(self) -> list[slice]:
        """Each province's contiguous range of units."""
        bounds = np.searchsorted(self.province, np.arange(len(self.provinces) + 1))
        return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    @classmethod
    def from_units(cls, units: Sequence[Unit]) -> UnitLayout:
        workers = [u for u in units if u.level in LEVEL_NAMES]
        if not workers:
            raise ValueError("no departments or communes to generate records for")
        for u in workers:
            if not u.province_code:
                raise ValueError(f"unit {u.code} has no province_code")
        workers.sort(key=lambda u: (u.province_code, LEVEL_NAMES.index(u.level), u.code))
        codes = [u.code for u in workers]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate unit codes")
        provinces = tuple(sorted({u.province_code for u in workers}))
        index = {p: i for i, p in enumerate(provinces)}
        pop_of = {u.code: u.population for u in units if u.level == "province"}
        return cls(
            codes=tuple(codes),
            level=np.array([LEVEL_NAMES.index(u.level) for u in workers], dtype=np.int8),
            province=np.array([index[u.province_code] for u in workers], dtype=np.int32),
            provinces=provinces,
            population=np.array([max(u.population, 0) for u in workers], dtype=np.float64),
            province_population=np.array([max(pop_of.get(p, 0), 0) for p in provinces], dtype=np.float64),
            sector=tuple(COMMUNE.key if u.level == "commune" else sector_of_department(u.name, u.code).key
                         for u in workers),
        )
