"""Index definitions (phương pháp tính chỉ số) as validated, typed objects.

The Decision 766 methodology ships as ``definitions/index-766.yaml``; a province may copy
and change it. Loading checks everything a mistake could break — unknown record kinds,
fields and measures, predicates, maxima that do not add up, conversions out of range —
and names the file and the place of each error. Format: ``docs/definitions.md``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlglot import exp

from chiso import settings
from chiso.catalog.predicates import parse_measure_expression, parse_predicate, uses_window
from chiso.catalog.records import RECORD_KINDS
from chiso.errors import DefinitionError

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
DEFAULT_INDEX = DEFINITIONS_DIR / "index-766.yaml"

WhenEmpty = Literal["zero", "full", "null"]


# ---------------------------------------------------------------- the file's shape
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReasonSpec(_Strict):
    """Why a record fails a measure (lý do mất điểm), shown beside the records behind lost points."""

    when: str | None = None
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)
    value: str | None = None


class MeasureSpec(_Strict):
    records: str
    where: str | None = None
    distinct: str | None = None
    vi: str | None = None
    name_en: str | None = None
    reasons: list[ReasonSpec] = Field(default_factory=list)


class CriterionSpec(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    name_en: str | None = None
    max: float = Field(gt=0)
    numerator: str | None = None
    denominator: str | None = None
    full_at: float = Field(default=1.0, gt=0, le=1)
    when_empty: WhenEmpty = "zero"
    inherit: Literal["province"] | None = None
    attested: float | None = Field(default=None, ge=0, le=1)
    scope: Literal["all", "province"] = "all"

    @field_validator("when_empty", mode="before")
    @classmethod
    def _yaml_null(cls, v):
        # `when_empty: null` unquoted is YAML's null; it means the `null` rule
        return "null" if v is None else v

    @model_validator(mode="after")
    def _ratio_or_attested(self):
        if self.attested is None and (self.numerator is None or self.denominator is None):
            raise ValueError("a criterion needs numerator and denominator, or an attested ratio")
        if self.attested is not None and (self.numerator or self.denominator):
            raise ValueError("an attested criterion has no numerator or denominator")
        return self


class GroupSpec(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    name_en: str | None = None
    max: float = Field(gt=0)
    criteria: list[CriterionSpec] = Field(min_length=1)


class BandLevelSpec(_Strict):
    code: str
    label: str
    label_en: str | None = None
    gt: float | None = None
    gte: float | None = None

    @model_validator(mode="after")
    def _one_bound(self):
        if self.gt is not None and self.gte is not None:
            raise ValueError("a band level has either gt or gte, not both")
        return self


class BandSetSpec(_Strict):
    name: str
    levels: list[BandLevelSpec] = Field(min_length=1)

    @field_validator("levels")
    @classmethod
    def _ordered(cls, levels: list[BandLevelSpec]):
        bounds = [lv.gt if lv.gt is not None else lv.gte for lv in levels]
        if bounds[-1] is not None:
            raise ValueError("the last band level must have no bound (it holds otherwise)")
        if any(b is None for b in bounds[:-1]):
            raise ValueError("only the last band level may have no bound")
        if any(a < b for a, b in zip(bounds[:-2], bounds[1:-1])):
            raise ValueError("band levels must go from the highest bound down")
        return levels


class BandsSpec(_Strict):
    national: BandSetSpec
    provinces: dict[str, BandSetSpec] = Field(default_factory=dict)


class RoundingSpec(_Strict):
    digits: int = Field(default=2, ge=0, le=6)
    mode: Literal["half_up"] = "half_up"


class IndexSpec(_Strict):
    code: str
    name: str
    name_en: str | None = None
    version: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    rounding: RoundingSpec = RoundingSpec()
    settings: dict[str, float] = Field(default_factory=dict)
    measures: dict[str, MeasureSpec]
    groups: list[GroupSpec] = Field(min_length=1)
    bands: BandsSpec


# ---------------------------------------------------------------- compiled objects
@dataclass(frozen=True)
class Reason:
    """One declared reason of a measure (docs/definitions.md, "Reasons").

    ``when``: the checked predicate over the measure's record kind under which the reason
    holds (None for a distinct measure: the reason of every value it does not count);
    ``vi``/``en``: the text, settings already written in, ``{value}`` standing for
    ``value``, a checked whole-number expression over the same record.
    """

    when: exp.Expression | None
    vi: str
    en: str
    value: exp.Expression | None = None

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Measure:
    """A count of records: ``COUNT(*)`` or ``COUNT(DISTINCT col)`` of those matching ``where``."""

    name: str
    records: str
    where: exp.Expression | None
    distinct: str | None
    window_dependent: bool
    label: str = ""
    # why a record is not counted by it (or, for a measure subtracted in a numerator, why it
    # is): the reasons the drill-down writes (chiso.engine.records)
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Criterion:
    code: str
    group: str
    name: str
    name_en: str
    max: float
    numerator: tuple[tuple[int, str], ...]  # signed measure terms
    denominator: tuple[tuple[int, str], ...]
    full_at: float
    when_empty: WhenEmpty
    inherit: str | None
    attested: float | None
    scope: str

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for _, m in self.numerator + self.denominator))


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    name_en: str
    max: float
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class BandLevel:
    code: str
    label: str
    label_en: str
    gt: float | None
    gte: float | None

    def holds(self, score: float) -> bool:
        if self.gt is not None:
            return score > self.gt
        if self.gte is not None:
            return score >= self.gte
        return True


@dataclass(frozen=True)
class BandSet:
    name: str
    levels: tuple[BandLevel, ...]

    def band(self, score: float | None) -> BandLevel | None:
        if score is None:
            return None
        for level in self.levels:
            if level.holds(score):
                return level
        return None  # pragma: no cover - the last level always holds


@dataclass(frozen=True)
class IndexDefinition:
    code: str
    name: str
    name_en: str
    version: str
    valid_from: dt.date
    valid_to: dt.date | None
    digits: int
    settings: dict[str, float]
    measures: dict[str, Measure]
    groups: tuple[Group, ...]
    national_bands: BandSet
    province_bands: dict[str, BandSet]
    source: str  # the YAML text as loaded
    path: str
    sha256: str = field(default="")

    @property
    def max_total(self) -> float:
        return sum(g.max for g in self.groups)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def group(self, code: str) -> Group:
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)

    def bands_for(self, level: str, province_code: str | None) -> BandSet:
        """Provinces are banded nationally; a province's units by its own bands when it set some."""
        if level in ("department", "commune") and province_code in self.province_bands:
            return self.province_bands[province_code]
        return self.national_bands

    def measures_of(self, records: str) -> list[Measure]:
        return [m for m in self.measures.values() if m.records == records]


# ---------------------------------------------------------------- loading
def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_index_definition(text: str, path: str = "<text>") -> IndexDefinition:
    """Validate and compile a definition given as YAML text."""
    raw = settings.yaml_mapping(text, path)
    try:
        spec = IndexSpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        more = len(err.errors()) - 1
        raise DefinitionError(first["msg"] + (f" (and {more} more problems)" if more else ""),
                              path=path, where=_where(first["loc"])) from None
    return _compile(spec, text, path)


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _reason_text(text: str, settings_: dict[str, float], has_value: bool, path: str, where: str) -> str:
    """The text with the definition's settings written in; ``{value}`` kept for the engine."""
    def put(match: re.Match) -> str:
        name = match.group(1)
        if name == "value":
            if not has_value:
                raise DefinitionError("{value} needs a `value` expression", path=path, where=where)
            return "{value}"
        if name in settings_:
            v = settings_[name]
            return str(int(v)) if float(v).is_integer() else str(v)
        raise DefinitionError(f"unknown placeholder {{{name}}}; use {{value}} or a setting: "
                              + ", ".join(sorted(settings_)), path=path, where=where)

    out = _PLACEHOLDER.sub(put, text)
    if "{" in out.replace("{value}", "") or "}" in out.replace("{value}", ""):
        raise DefinitionError(f"unbalanced brace in {text!r}", path=path, where=where)
    return out


def _reason(r: ReasonSpec, m: MeasureSpec, kind, settings_: dict[str, float], path: str, where: str) -> Reason:
    if m.distinct is not None and (r.when is not None or r.value is not None):
        raise DefinitionError("a reason of a distinct measure is the reason of every value it does not "
                              "count: it has no `when` or `value`", path=path, where=where)
    if m.distinct is None and r.when is None:
        raise DefinitionError("a reason of a record measure needs `when`", path=path, where=where)
    if m.distinct is None and m.where is None:
        raise DefinitionError("a measure counting every record has no reasons", path=path, where=where)
    trees = []
    for part, text in (("when", r.when), ("value", r.value)):
        if text is None:
            trees.append(None)
            continue
        try:
            tree = parse_predicate(text, kind, settings=settings_, where=f"{where}.{part}")
        except DefinitionError as e:
            raise type(e)(e.reason, path=path, where=e.where) from None
        if uses_window(tree) and kind.window_field is None:
            raise DefinitionError(f"{kind.name} records are not windowed; window_start/window_end cannot be used",
                                  path=path, where=f"{where}.{part}")
        trees.append(tree)
    if trees[1] is not None and isinstance(trees[1], (exp.And, exp.Or, exp.Not, exp.EQ, exp.NEQ, exp.LT,
                                                      exp.LTE, exp.GT, exp.GTE, exp.Is, exp.In, exp.Between)):
        raise DefinitionError("`value` is a number (days, times), not a condition", path=path,
                              where=f"{where}.value")
    if trees[1] is not None and "{value}" not in r.vi + r.en:
        raise DefinitionError("`value` is given but neither text says {value}", path=path, where=where)
    return Reason(trees[0], _reason_text(r.vi, settings_, trees[1] is not None, path, where + ".vi"),
                  _reason_text(r.en, settings_, trees[1] is not None, path, where + ".en"), trees[1])


def _compile(spec: IndexSpec, text: str, path: str) -> IndexDefinition:
    measures: dict[str, Measure] = {}
    for name, m in spec.measures.items():
        where = f"measures.{name}"
        if m.records not in RECORD_KINDS:
            raise DefinitionError(f"unknown record kind {m.records!r}; known: {', '.join(RECORD_KINDS)}",
                                  path=path, where=where + ".records")
        kind = RECORD_KINDS[m.records]
        if m.distinct is not None and not kind.has(m.distinct):
            raise DefinitionError(f"{m.records} has no field {m.distinct!r}", path=path, where=where + ".distinct")
        tree = None
        if m.where is not None:
            try:
                tree = parse_predicate(m.where, kind, settings=spec.settings, where=f"{where}.where")
            except DefinitionError as e:
                raise type(e)(e.reason, path=path, where=e.where) from None
        dependent = tree is not None and uses_window(tree)
        if dependent and kind.window_field is None:
            raise DefinitionError(f"{m.records} records are not windowed; window_start/window_end cannot be used",
                                  path=path, where=where + ".where")
        reasons = tuple(_reason(r, m, kind, spec.settings, path, f"{where}.reasons[{i}]")
                        for i, r in enumerate(m.reasons))
        measures[name] = Measure(name, m.records, tree, m.distinct, dependent, m.vi or "", reasons)

    groups = []
    codes: set[str] = set()
    for gi, g in enumerate(spec.groups):
        gwhere = f"groups[{gi}]"
        if g.code in codes:
            raise DefinitionError(f"duplicate code {g.code!r}", path=path, where=gwhere + ".code")
        codes.add(g.code)
        criteria = []
        for ci, c in enumerate(g.criteria):
            cwhere = f"{gwhere}.criteria[{ci}]"
            if c.code in codes:
                raise DefinitionError(f"duplicate code {c.code!r}", path=path, where=cwhere + ".code")
            codes.add(c.code)
            num = den = ()
            if c.attested is None:
                try:
                    num = parse_measure_expression(c.numerator, measures, where=f"{cwhere}.numerator")
                    den = parse_measure_expression(c.denominator, measures, where=f"{cwhere}.denominator")
                except DefinitionError as e:
                    raise type(e)(e.reason, path=path, where=e.where) from None
            criteria.append(Criterion(c.code, g.code, c.name, c.name_en or "", c.max, num, den, c.full_at,
                                      c.when_empty, c.inherit, c.attested, c.scope))
        total = round(sum(c.max for c in criteria), 6)
        if abs(total - g.max) > 1e-9:
            raise DefinitionError(f"group max {g.max:g} but its criteria add up to {total:g}",
                                  path=path, where=gwhere + ".max")
        groups.append(Group(g.code, g.name, g.name_en or "", g.max, tuple(criteria)))

    def bandset(b: BandSetSpec) -> BandSet:
        return BandSet(b.name, tuple(BandLevel(lv.code, lv.label, lv.label_en or lv.label, lv.gt, lv.gte)
                                     for lv in b.levels))

    return IndexDefinition(
        code=spec.code, name=spec.name, name_en=spec.name_en or "", version=spec.version,
        valid_from=spec.valid_from, valid_to=spec.valid_to, digits=spec.rounding.digits,
        settings=dict(spec.settings), measures=measures, groups=tuple(groups),
        national_bands=bandset(spec.bands.national),
        province_bands={k: bandset(v) for k, v in spec.bands.provinces.items()},
        source=text, path=path, sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def load_index_definition(path: str | Path | None = None) -> IndexDefinition:
    """Load a definition file (the shipped Decision 766 methodology by default)."""
    return settings.load_definition("CHISO_INDEX_DEFINITION", DEFAULT_INDEX, parse_index_definition, path)
