"""A catalogue as read from a file, and as validated.

``RawCatalogue`` holds a file's entries with the place each came from (a YAML line, a
workbook row: ``Place``), so that every problem names the file, the row and the field;
``Catalogue`` is the validated result. Readers (``catalogue.py`` for YAML and JSON,
``workbook.py`` for Excel) produce the first; ``validate_catalogue`` the second.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from chiso.catalog.indicator import CatalogueSpec, FieldSpec, Indicator
from chiso.errors import Problem
from chiso.formula import references

Loc = tuple[str | int, ...]


# ---------------------------------------------------------------- places in a file
class Place(ABC):
    """Where an entry sits in its file, so that a problem can name row and field."""

    @abstractmethod
    def row(self, loc: Loc) -> int | None:
        """The row (YAML: line; workbook: sheet row) of the attribute at ``loc``."""

    @abstractmethod
    def column(self, loc: Loc) -> str | None:
        """The field: ``indicators[12].owner`` or ``Chỉ số!W owner``."""


def loc_text(loc: Loc) -> str:
    """``("targets", 0, "period")`` -> ``targets[0].period``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class TextPlace(Place):
    """An entry of a YAML or JSON file: ``indicators[12]``, with line numbers where known."""

    prefix: str                                  # "indicators[12]", "fields[0]", ""
    line: int | None = None                      # 1-based line of the entry
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def row(self, loc: Loc) -> int | None:
        if loc and isinstance(loc[0], str) and loc[0] in self.key_lines:
            return self.key_lines[loc[0]]
        return self.line

    def column(self, loc: Loc) -> str | None:
        inner = loc_text(loc)
        if not self.prefix:
            return inner or None
        return f"{self.prefix}.{inner}" if inner and not inner.startswith("[") else self.prefix + inner


@dataclass(frozen=True)
class SheetPlace(Place):
    """A row of a worksheet: the row number Excel shows, and the column of each attribute."""

    sheet: str
    sheet_row: int
    letters: Mapping[str, str]                   # attribute key ("aggregation.weight") -> "L"

    def key(self, loc: Loc) -> str | None:
        if not loc:
            return None
        head = str(loc[0])
        if len(loc) > 1 and isinstance(loc[1], str) and f"{head}.{loc[1]}" in self.letters:
            return f"{head}.{loc[1]}"
        return head

    def row(self, loc: Loc) -> int | None:
        return self.sheet_row

    def column(self, loc: Loc) -> str | None:
        key = self.key(loc)
        if key is None:
            return f"{self.sheet}"
        letter = self.letters.get(key)
        return f"{self.sheet}!{letter} {key}" if letter else f"{self.sheet}: {key}"


@dataclass
class RawCatalogue:
    """A catalogue file as read, before validation: values with their places."""

    path: str
    top: dict[str, Any]                          # province, version (and anything unknown)
    top_place: Place
    fields: list[tuple[Any, Place]] | None       # None: the file gives none (the defaults)
    indicators: list[tuple[Any, Place]]
    problems: list[Problem] = field(default_factory=list)  # found while reading cells


# ---------------------------------------------------------------- the catalogue
@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue: the province's fields and indicators by code, in file order."""

    province: str
    version: str
    fields: Mapping[str, FieldSpec]
    indicators: Mapping[str, Indicator]
    path: str = field(default="", compare=False)
    #: where each indicator was read from (for problems found later, e.g. on import)
    places: Mapping[str, Place] = field(default_factory=dict, compare=False, repr=False)

    def __contains__(self, code: object) -> bool:
        return code in self.indicators

    def __getitem__(self, code: str) -> Indicator:
        return self.indicators[code]

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def live(self) -> dict[str, Indicator]:
        """The approved and operating indicators: those that feed dashboards and rankings."""
        return {c: i for c, i in self.indicators.items() if i.live}

    def select(self, *, field: str | None = None, group: str | None = None,
               status: str | None = None, live: bool = False) -> list[Indicator]:
        """Indicators of one field, group and/or status (``live``: approved or operating)."""
        return [i for i in self.indicators.values()
                if (field is None or i.field == field) and (group is None or i.group == group)
                and (status is None or i.status == status) and (not live or i.live)]

    def references(self, code: str) -> frozenset[str]:
        """The indicators ``code`` is computed or aggregated from."""
        return indicator_references(self.indicators[code])

    def spec(self) -> CatalogueSpec:
        """The catalogue in the file's shape."""
        return CatalogueSpec(province=self.province, version=self.version,
                             fields=tuple(self.fields.values()),
                             indicators=tuple(self.indicators.values()))


def formula_references(formula: str) -> frozenset[str]:
    """The indicator codes a formula names (the formula language's own parser)."""
    return frozenset(references(formula))


def aggregation_references(indicator: Indicator) -> dict[str, str]:
    """Indicators named by the aggregation rule: ``{"weight": code, ...}``."""
    a = indicator.aggregation
    return {k: v for k, v in (("weight", a.weight), ("numerator", a.numerator),
                              ("denominator", a.denominator)) if v}


def indicator_references(indicator: Indicator) -> frozenset[str]:
    """Everything an indicator depends on: its formula's and its aggregation's references."""
    refs = set(aggregation_references(indicator).values())
    if indicator.formula:
        refs |= formula_references(indicator.formula)
    return frozenset(refs)


# ---------------------------------------------------------------- reading files
