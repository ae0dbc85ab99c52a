"""The organisation-unit hierarchy: nation → province → {departments, communes}.

Provinces and communes are the official 2025 list shipped by the ``vietnam-provinces``
package (34 provinces, 3,321 communes/wards/special zones, official codes); departments
come from ``data/departments.yaml`` (chiso/units/departments.py); populations from
``data/populations.yaml``, split over communes here. ``load_units()`` builds the whole
nation once per process and hands out the same immutable ``UnitTree``; a counts file
that defines its own units builds one with ``UnitTree.from_units``.
"""
from __future__ import annotations

import difflib
import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from statistics import NormalDist
from typing import Any, NamedTuple

from chiso.errors import ChisoError, DefinitionError, UnknownUnitError
from chiso.text import fold  # the search key (re-exported: ``chiso.units.fold``)
from chiso.units.departments import department_units, load_department_plan, read_yaml
from chiso.units.model import LEVELS, NATION_CODE, Unit

NATION_NAME = "Việt Nam"
POPULATIONS_PATH = Path(__file__).parent / "data" / "populations.yaml"

# --------------------------------------------------------------------------- names

# Prefixes a province's or commune's official name may carry; short_name drops them.
_NAME_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "province": ("Thành phố ", "Tỉnh "),
    "commune": ("Phường ", "Xã ", "Đặc khu "),
}
_PROVINCE_PREFIX = {"thành phố trung ương": "Thành phố ", "tỉnh": "Tỉnh "}
_COMMUNE_EN = {"phường": "Ward", "xã": "Commune", "đặc khu": "Special Zone"}
_COMMUNE_PREFIXES = _NAME_PREFIXES["commune"]


def ascii_name(text: str) -> str:
    """The text without Vietnamese diacritics, case kept: "Bắc Ninh" -> "Bac Ninh".

    >>> ascii_name("Đặc khu Phú Quốc")
    'Dac khu Phu Quoc'
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def short_name(unit: Unit) -> str:
    """A province's or commune's name without its kind; other names unchanged.

    The package writes "Thành phố Hà Nội" but plain "Bắc Ninh", and "Phường Kinh Bắc":
    tables and charts want "Hà Nội", "Bắc Ninh", "Kinh Bắc".

    >>> short_name(Unit("24", "Bắc Ninh", "province", "tỉnh", "VN", "24"))
    'Bắc Ninh'
    >>> short_name(Unit("01", "Thành phố Hà Nội", "province", "thành phố trung ương", "VN", "01"))
    'Hà Nội'
    >>> short_name(Unit("07210", "Phường Bắc Giang", "commune", "phường", "24", "24"))
    'Bắc Giang'
    """
    return _strip_prefix(unit.name, _NAME_PREFIXES.get(unit.level, ()))


def _strip_prefix(name: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def full_name(unit: Unit) -> str:
    """A province's name with its kind always written ("Tỉnh Bắc Ninh", "Thành phố Hà Nội").

    >>> full_name(Unit("24", "Bắc Ninh", "province", "tỉnh", "VN", "24"))
    'Tỉnh Bắc Ninh'
    """
    if unit.level == "province" and unit.type in _PROVINCE_PREFIX:
        return _PROVINCE_PREFIX[unit.type] + short_name(unit)
    return unit.name


def unit_to_dict(unit: Unit) -> dict[str, Any]:
    """The unit as plain data, in the shape ``chiso units --format json`` prints."""
    return {
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "level": unit.level,
        "type": unit.type,
        "parent": unit.parent_code,
        "province": unit.province_code,
        "population": unit.population,
    }


# --------------------------------------------------------------------------- populations

# A ward (phường) is urban and on average denser than a commune (xã); the spread within
# a type is log-normal, as settlement sizes are. Values only need to look plausible.
_TYPE_WEIGHT = {"phường": 1.8, "xã": 1.0, "đặc khu": 0.5}
_SPREAD = 0.45  # sigma of the log-normal factor
_NORMAL = NormalDist()


def _stable_normal(code: str) -> float:
    """A standard-normal draw fixed by the code, the same on every machine and run."""
    digest = hashlib.blake2b(code.encode("utf-8"), digest_size=8, person=b"chiso-pop").digest()
    u = (int.from_bytes(digest, "big") + 0.5) / 2**64
    return max(-3.0, min(3.0, _NORMAL.inv_cdf(u)))


def split_population(total: int, communes: Iterable[Unit], fixed: Mapping[str, int] | None = None) -> dict[str, int]:
    """Share a province's population over its communes, deterministically.

    ``communes`` are Units, or anything with ``code`` and ``type`` attributes.

    Communes named in ``fixed`` get that figure; the rest get the remainder in
    proportion to a weight (by type, times a log-normal factor drawn from a hash of
    the code). Rounding uses largest remainders, so the shares sum to ``total`` exactly.
    """
    communes = list(communes)
    fixed = {c.code: int(fixed[c.code]) for c in communes if fixed and c.code in fixed}
    free = [c for c in communes if c.code not in fixed]
    remaining = total - sum(fixed.values())
    if remaining < 0:
        raise ValueError(f"fixed populations ({sum(fixed.values())}) exceed the total ({total})")
    shares = dict(fixed)
    if not free:
        return shares
    weights = [_TYPE_WEIGHT.get(c.type, 1.0) * math.exp(_SPREAD * _stable_normal(c.code)) for c in free]
    scale = remaining / sum(weights)
    exact = [w * scale for w in weights]
    floors = [math.floor(x) for x in exact]
    left = remaining - sum(floors)
    by_fraction = sorted(range(len(free)), key=lambda i: (floors[i] - exact[i], free[i].code))
    for i in by_fraction[:left]:
        floors[i] += 1
    shares.update((c.code, n) for c, n in zip(free, floors))
    return shares


@dataclass(frozen=True)
class PopulationTable:
    """The validated populations file."""

    provinces: Mapping[str, int]
    communes: Mapping[str, int]  # fixed figures; other communes are split


def _population_entries(data: dict, key: str, known: Mapping[str, str], digits: int, path: str) -> dict[str, int]:
    raw = data.get(key) or {}
    if not isinstance(raw, dict):
        raise DefinitionError(f"expected a mapping of code to population, found {type(raw).__name__}", path=path, where=key)
    out: dict[str, int] = {}
    for code, value in raw.items():
        where = f'{key}["{code}"]'
        if not isinstance(code, str) or not (code.isdigit() and len(code) == digits):
            raise DefinitionError(f"code {code!r} must be a quoted {digits}-digit text", path=path, where=where)
        if code not in known:
            raise DefinitionError(f"unknown {key[:-1]} code {code!r}", path=path, where=where)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DefinitionError(f"population must be a whole number ≥ 0, found {value!r}", path=path, where=where)
        out[code] = value
    return out


def load_populations(
    provinces: Mapping[str, str], communes: Mapping[str, str], path: str | Path | None = None
) -> PopulationTable:
    """Read and validate a populations file.

    ``provinces`` maps each known province code to its name (every one must have a
    figure); ``communes`` maps each known commune code to its province code.
    """
    path = str(path or POPULATIONS_PATH)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DefinitionError("expected a mapping with 'provinces' and 'communes'", path=path, where="(top level)")
    for key in data:
        if key not in ("provinces", "communes"):
            raise DefinitionError("unknown field; expected provinces, communes", path=path, where=str(key))
    by_province = _population_entries(data, "provinces", provinces, 2, path)
    missing = [f"{c} ({n})" for c, n in provinces.items() if c not in by_province]
    if missing:
        raise DefinitionError(f"no population for {', '.join(missing)}", path=path, where="provinces")
    by_commune = _population_entries(data, "communes", communes, 5, path)
    for code in provinces:
        fixed = sum(n for c, n in by_commune.items() if communes[c] == code)
        if fixed > by_province[code]:
            raise DefinitionError(
                f"fixed commune populations of province {code} ({fixed}) exceed the province's ({by_province[code]})",
                path=path, where="communes",
            )
    return PopulationTable(provinces=by_province, communes=by_commune)


# --------------------------------------------------------------------------- the official list


class _Commune(NamedTuple):
    """A commune as the package lists it, before its population is known."""

    code: str
    name: str
    type: str


def _build_national_units() -> list[Unit]:
    """Every unit of the nation, from the package list and the two YAML files."""
    from vietnam_provinces import Province, Ward  # ~50 ms; only when the nation is built

    provinces: list[Unit] = []
    for p in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        code = f"{int(p.code):02d}"
        unit = Unit(code, p.name, "province", p.division_type.value, NATION_CODE, code)
        kind = "City" if unit.type == "thành phố trung ương" else "Province"
        provinces.append(replace(unit, name_en=f"{ascii_name(short_name(unit))} {kind}"))

    communes: dict[str, list[_Commune]] = {p.code: [] for p in provinces}
    for w in Ward.iter_all():
        communes[f"{int(w.province_code):02d}"].append(_Commune(f"{int(w.code):05d}", w.name, w.division_type.value))

    populations = load_populations(
        {p.code: p.name for p in provinces},
        {c.code: province for province, items in communes.items() for c in items},
    )
    plan = load_department_plan({p.code for p in provinces})

    nation = Unit(NATION_CODE, NATION_NAME, "nation", "quốc gia", None, None, "Viet Nam",
                  sum(populations.provinces.values()))
    units = [nation]
    for province in provinces:
        total = populations.provinces[province.code]
        province = replace(province, population=total)
        short = short_name(province)
        units.append(province)
        units.extend(department_units(province, plan, short=short, short_en=ascii_name(short)))
        ordered = sorted(communes[province.code])
        shares = split_population(total, ordered, populations.communes)
        for c in ordered:
            bare = ascii_name(_strip_prefix(c.name, _COMMUNE_PREFIXES))
            name_en = f"{bare} {_COMMUNE_EN.get(c.type, '')}".strip()
            units.append(Unit(c.code, c.name, "commune", c.type, province.code, province.code,
                              name_en, shares[c.code]))
    return units


# --------------------------------------------------------------------------- the tree

_LEVEL_OF_PARENT = {"province": "nation", "department": "province", "commune": "province"}


def _check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise ChisoError(f"unknown level {level!r}; levels are {', '.join(LEVELS)}")


def _describe(unit: Unit, tree: UnitTree) -> str:
    where = ""
    if unit.level in ("department", "commune") and unit.province_code in tree:
        where = f", {short_name(tree.get(unit.province_code))}"
    return f"{unit.code!r} ({unit.name}{where})"


class UnitTree:
    """All units of one scope, with lookups by code, level, province and name.

    Order is stable everywhere: the nation, then provinces by code, each followed by its
    departments (in the order given: the YAML's) and its communes by code. The tree and
    its units are immutable; every method returns a new list.
    """

    def __init__(self, units: Iterable[Unit], *, source: str | None = None):
        units = list(units)
        by_code = self._validate(units, source)
        nations = [u for u in units if u.level == "nation"]
        provinces = sorted((u for u in units if u.level == "province"), key=lambda u: u.code)
        blocks: dict[str, list[Unit]] = {p.code: [p] for p in provinces}
        for u in units:  # departments keep their given order
            if u.level == "department":
                blocks[u.parent_code].append(u)
        for u in sorted((u for u in units if u.level == "commune"), key=lambda u: u.code):
            blocks[u.parent_code].append(u)

        self._by_code: dict[str, Unit] = by_code
        self._provinces: tuple[Unit, ...] = tuple(provinces)
        self._blocks: dict[str, tuple[Unit, ...]] = {code: tuple(b) for code, b in blocks.items()}
        self._order: tuple[Unit, ...] = tuple(nations) + tuple(u for b in self._blocks.values() for u in b)
        self._children: dict[str, list[Unit]] = {}
        for u in self._order:
            if u.parent_code is not None:
                self._children.setdefault(u.parent_code, []).append(u)
        self._folded: list[tuple[str, str, Unit]] | None = None

    @classmethod
    def from_units(cls, units: Iterable[Unit], *, source: str | None = None) -> UnitTree:
        """A tree of the given units; codes must be unique and every parent present.

        ``source`` (a file name) is put in the errors, for units read from a file.
        """
        return cls(units, source=source)

    @staticmethod
    def _validate(units: Sequence[Unit], source: str | None) -> dict[str, Unit]:
        def fail(unit: Any, message: str) -> DefinitionError:
            code = getattr(unit, "code", None)
            return DefinitionError(message, path=source, where=f"unit {code!r}")

        by_code: dict[str, Unit] = {}
        for u in units:
            if not isinstance(u, Unit):
                raise fail(u, f"expected a Unit, found {type(u).__name__}")
            if not isinstance(u.code, str) or not u.code.strip() or u.code != u.code.strip():
                raise fail(u, "a unit code must be a non-empty text without surrounding spaces")
            if u.level not in LEVELS:
                raise fail(u, f"unknown level {u.level!r}; levels are {', '.join(LEVELS)}")
            if u.code in by_code:
                raise fail(u, f"duplicate code (first: {by_code[u.code].name})")
            by_code[u.code] = u
        if sum(u.level == "nation" for u in units) > 1:
            raise fail(next(u for u in units if u.level == "nation"), "more than one nation")

        for u in units:
            if u.level == "nation":
                if u.parent_code is not None or u.province_code is not None:
                    raise fail(u, "the nation has no parent and no province")
                continue
            expected = u.code if u.level == "province" else u.parent_code
            if u.parent_code is None and u.level != "province":
                raise fail(u, f"a {u.level} needs a parent province")
            if u.parent_code is not None:
                parent = by_code.get(u.parent_code)
                if parent is None:
                    raise fail(u, f"parent {u.parent_code!r} is not among the units")
                if parent.level != _LEVEL_OF_PARENT[u.level]:
                    raise fail(u, f"a {u.level}'s parent must be a {_LEVEL_OF_PARENT[u.level]}, "
                                  f"but {u.parent_code!r} is a {parent.level}")
            if u.province_code != expected:
                raise fail(u, f"province_code is {u.province_code!r}, expected {expected!r}")
        return by_code

    # -- lookups ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._order)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __repr__(self) -> str:
        return f"<UnitTree {len(self)} units, {len(self._provinces)} provinces>"

    def get(self, code: str) -> Unit:
        """The unit with this code; UnknownUnitError, with suggestions, if there is none."""
        if isinstance(code, str) and code in self._by_code:
            return self._by_code[code]
        raise UnknownUnitError(self._unknown_message(code))

    def _unknown_message(self, code: object) -> str:
        text = str(code).strip()
        candidates: list[str] = []
        if text.isdigit():
            candidates += [text.zfill(2), text.zfill(5)]
        candidates += [text, text.upper()]
        candidates += difflib.get_close_matches(text.upper(), self._by_code, n=3, cutoff=0.8)
        if re.search(r"[^\W\d_]", text):
            candidates += [u.code for u in self.find(text)[:3]]
        hints = list(dict.fromkeys(c for c in candidates if c in self._by_code))[:5]
        message = f"unknown unit code {code!r}"
        if hints:
            message += "; did you mean " + ", ".join(_describe(self._by_code[c], self) for c in hints) + "?"
        if 0 < len(self._provinces) <= 5:
            message += f" (these units cover only province {', '.join(p.code for p in self._provinces)})"
        return message

    def children(self, code: str, level: str | None = None) -> list[Unit]:
        """The units directly under ``code`` (a province's: departments, then communes)."""
        _check_level(level)
        self.get(code)
        return [u for u in self._children.get(code, ()) if level is None or u.level == level]

    def province_of(self, code: str) -> Unit:
        """The province a unit belongs to (a province belongs to itself)."""
        unit = self.get(code)
        if unit.province_code is None:
            raise ChisoError(f"{unit.code!r} ({unit.name}) is the nation; it belongs to no province")
        return self.get(unit.province_code)

    def provinces(self) -> list[Unit]:
        """The provinces, by code."""
        return list(self._provinces)

    def units(self, province: str | None = None, level: str | None = None) -> list[Unit]:
        """Units in the stable order, optionally of one province and/or one level.

        With ``province``, the province itself is included (at level "province").
        """
        _check_level(level)
        if province is None:
            pool: Iterable[Unit] = self._order
        else:
            unit = self.get(province)
            if unit.level != "province":
                raise UnknownUnitError(f"{_describe(unit, self)} is a {unit.level}, not a province")
            pool = self._blocks[unit.code]
        return [u for u in pool if level is None or u.level == level]

    def find(self, text: str, *, level: str | None = None, province: str | None = None) -> list[Unit]:
        """Units whose name matches ``text``, accents and case ignored ("viet yen").

        Best first: the exact name (with or without its kind), then whole words, then
        the start of a word, then anywhere; ties in the stable order. A unit code
        matches itself.
        """
        _check_level(level)
        query = fold(text)
        if not query:
            return []
        pool = self.units(province=province) if province is not None else self._order
        allowed = {u.code for u in pool}
        if self._folded is None:
            self._folded = [(f" {fold(u.name)} ", fold(short_name(u)), u) for u in self._order]
        ranked: list[tuple[int, int, Unit]] = []
        for index, (name, short, unit) in enumerate(self._folded):
            if unit.code not in allowed or (level is not None and unit.level != level):
                continue
            if unit.code == text.strip() or short == query or name.strip() == query:
                rank = 0
            elif f" {query} " in name:
                rank = 1
            elif f" {query}" in name:
                rank = 2
            elif query in name:
                rank = 3
            else:
                continue
            ranked.append((rank, index, unit))
        return [unit for _, _, unit in sorted(ranked, key=lambda r: (r[0], r[1]))]


# --------------------------------------------------------------------------- loading


@cache
def _national_tree() -> UnitTree:
    return UnitTree(_build_national_units())


@cache
def _province_tree(codes: tuple[str, ...]) -> UnitTree:
    nation = _national_tree()
    units = [nation.get(NATION_CODE)]
    for code in codes:
        units.extend(nation.units(province=code))
    return UnitTree(units)


def load_units(provinces: Iterable[str] | None = None) -> UnitTree:
    """The official hierarchy: the whole nation, or only the given provinces (+ the nation).

    Built once per process and shared (it is immutable). Unknown or non-province codes
    raise UnknownUnitError with suggestions.
    """
    nation = _national_tree()
    if provinces is None:
        return nation
    if isinstance(provinces, str):
        provinces = [provinces]
    codes = tuple(sorted(set(provinces)))
    for code in codes:
        unit = nation.get(code)
        if unit.level != "province":
            raise UnknownUnitError(f"{_describe(unit, nation)} is a {unit.level}, not a province")
    return _province_tree(codes)


__all__ = [
    "NATION_NAME",
    "POPULATIONS_PATH",
    "PopulationTable",
    "UnitTree",
    "ascii_name",
    "fold",
    "full_name",
    "load_populations",
    "load_units",
    "short_name",
    "split_population",
    "unit_to_dict",
]
