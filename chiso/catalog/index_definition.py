"""Index definitions (phương pháp tính chỉ số) as validated, typed objects.

The Decision 766 methodology ships as ``definitions/index-766.yaml``; a province may copy
and change it. Loading checks everything a mistake could break — unknown record kinds,
fields and measures, predicates, maxima that do not add up, conversions out of range —
and names the file and the place of each error. Format: ``docs/definitions.md``.

Versions: a file may ``extends`` an earlier version (stating only what changes) or
``follows`` one (whole); the loaded definition is then the newest version, the earlier ones
on ``.versions`` with the days each is in force, checked not to overlap or leave a gap.
Which version scores a window: ``chiso.catalog.definition_versions``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlglot import exp

from chiso import settings
from chiso.catalog.predicates import parse_measure_expression, parse_predicate, uses_window
from chiso.catalog.records import RECORD_KINDS
from chiso.errors import DefinitionError

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
DEFAULT_INDEX = DEFINITIONS_DIR / "index-766.yaml"

WhenEmpty = Literal["zero", "full", "null"]
Status = Literal["determined", "undetermined"]

#: The keys that link a version file to the versions before it (docs/definitions.md,
#: "Versions"): ``extends`` — this file states only what changes; ``follows`` — this file
#: is whole, the earlier versions are in the file named.
LINK_KEYS = ("extends", "follows")
#: What a version states for itself and never inherits from the version it extends.
OWN_KEYS = ("version", "valid_from", "valid_to", "note")


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
    # `undetermined`: the rule is not settled yet (chưa xác định); its points are reserved
    # in the group's max but it scores None, never 0
    status: Status = "determined"
    note: str | None = None

    @field_validator("when_empty", mode="before")
    @classmethod
    def _yaml_null(cls, v):
        # `when_empty: null` unquoted is YAML's null; it means the `null` rule
        return "null" if v is None else v

    @model_validator(mode="after")
    def _ratio_or_attested(self):
        if self.status == "undetermined":
            if self.attested is not None:
                raise ValueError("an undetermined criterion has no attested ratio")
            if (self.numerator is None) != (self.denominator is None):
                raise ValueError("an undetermined criterion gives numerator and denominator together, or neither")
            return self
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
    note: str | None = None
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
    where_text: str | None = None  # ``where`` as the file writes it (settings by name): what a diff compares
    reasons_text: tuple[tuple[str | None, str | None, str, str], ...] = ()  # (when, value, vi, en) as written


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
    status: Status = "determined"
    note: str = ""

    @property
    def determined(self) -> bool:
        """False while the criterion's rule is not settled: it scores None (chưa xác định), not 0."""
        return self.status == "determined"

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

    @property
    def determined(self) -> bool:
        """False when none of its criteria is determined: the group itself is not yet determined."""
        return any(c.determined for c in self.criteria)

    @property
    def max_determined(self) -> float:
        return sum(c.max for c in self.criteria if c.determined)


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
    source: str  # the YAML text as loaded (a version stating only its changes: the whole version, written out)
    path: str
    sha256: str = field(default="")
    note: str = ""  # what the version changes, in the file's words
    # the versions before this one, oldest first (each with its own ``earlier``); valid_to of
    # each is its last day in force (declared, or the day before the next version's valid_from)
    earlier: tuple[IndexDefinition, ...] = ()

    @property
    def versions(self) -> tuple[IndexDefinition, ...]:
        """Every version of the set this definition closes, oldest first (itself last)."""
        return (*self.earlier, self)

    def in_force(self, day: dt.date) -> IndexDefinition | None:
        """The version of the set in force on ``day`` (None before the first or after the last)."""
        for v in self.versions:
            if v.valid_from <= day and (v.valid_to is None or day <= v.valid_to):
                return v
        return None

    def version_labelled(self, label: str) -> IndexDefinition:
        for v in self.versions:
            if v.version == label:
                return v
        raise KeyError(label)

    @property
    def max_total(self) -> float:
        return sum(g.max for g in self.groups)

    @property
    def max_determined(self) -> float:
        """The maximum of the criteria whose rule is settled (the total's scale while some are not)."""
        return sum(g.max_determined for g in self.groups)

    @property
    def undetermined(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if not c.determined)

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
    """Validate and compile a definition given as YAML text.

    A file that ``extends`` or ``follows`` another (docs/definitions.md, "Versions") is the
    newest version of a set: the versions before it are read from the files it names (paths
    relative to it), each compiled and checked, and the dates checked to follow each other
    without overlap or gap. The result is the newest version; ``.versions`` holds them all.
    """
    raw = settings.yaml_mapping(text, path)
    chain = _chain(raw, text, path, frozenset({_key(path)}))
    versions: list[IndexDefinition] = []
    for whole, source, where_from in chain:
        versions.append(_validated(whole, source, where_from))
    _check_dates(versions)
    out: list[IndexDefinition] = []
    for i, v in enumerate(versions):
        end = v.valid_to
        if i + 1 < len(versions) and end is None:
            end = versions[i + 1].valid_from - dt.timedelta(days=1)
        out.append(replace(v, valid_to=end, earlier=tuple(out)))
    return out[-1]


def _validated(raw: dict, text: str, path: str) -> IndexDefinition:
    try:
        spec = IndexSpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        more = len(err.errors()) - 1
        raise DefinitionError(first["msg"] + (f" (and {more} more problems)" if more else ""),
                              path=path, where=_where(first["loc"])) from None
    return _compile(spec, text, path)


def _key(path: str) -> str:
    return str(Path(path).resolve()) if path != "<text>" else path


def _chain(raw: dict, text: str, path: str, seen: frozenset[str]) -> list[tuple[dict, str, str]]:
    """The versions a file closes, oldest first: (the whole version's mapping, its YAML text, its file)."""
    links = [k for k in LINK_KEYS if k in raw]
    if len(links) > 1:
        raise DefinitionError("một phiên bản có `extends` (chỉ nêu thay đổi) hoặc `follows` (đầy đủ), không có cả hai "
                              "/ a version either extends or follows another file, not both", path=path, where="extends")
    if not links:
        return [(raw, text, path)]
    key = links[0]
    target = raw[key]
    if not isinstance(target, str) or not target.strip():
        raise DefinitionError(f"`{key}` phải là tên tệp phiên bản trước / `{key}` names the previous version's file",
                              path=path, where=key)
    base = Path(target) if Path(target).is_absolute() or path == "<text>" else Path(path).parent / target
    if _key(str(base)) in seen:
        raise DefinitionError(f"các phiên bản tham chiếu vòng tròn qua {target} / versions refer to each other in "
                              "a circle", path=path, where=key)
    try:
        base_text = base.read_text(encoding="utf-8")
    except OSError as err:
        raise DefinitionError(f"không đọc được tệp phiên bản trước {target}: {err.strerror} / cannot read the "
                              "previous version", path=path, where=key) from None
    base_raw = settings.yaml_mapping(base_text, str(base))
    earlier = _chain(base_raw, base_text, str(base), seen | {_key(str(base))})
    own = {k: v for k, v in raw.items() if k != key}
    for needed in ("version", "valid_from"):
        if needed not in own:
            raise DefinitionError(f"một phiên bản mới phải nêu `{needed}` / a new version states its {needed}",
                                  path=path, where=needed)
    if key == "follows":
        return [*earlier, (own, text, path)]
    previous = earlier[-1][0]
    whole = {k: v for k, v in previous.items() if k not in OWN_KEYS}
    whole = _merge(whole, {k: v for k, v in own.items() if k not in OWN_KEYS}, path, "")
    whole.update({k: own[k] for k in OWN_KEYS if k in own})
    if whole.get("code") != previous.get("code"):
        raise DefinitionError(f"một phiên bản không đổi mã bộ chỉ số ({previous.get('code')}) / a version keeps "
                              "the index code", path=path, where="code")
    written = yaml.safe_dump(whole, allow_unicode=True, sort_keys=False)
    return [*earlier, (whole, written, path)]


def _merge(base: dict, patch: dict, path: str, where: str) -> dict:
    """``patch`` over ``base``: mappings merge key by key (a key set to null is removed);
    ``groups`` and ``criteria`` are lists merged by ``code`` (an item with ``remove: true``
    is removed, one with a new code added at the end); any other value is replaced."""
    out = dict(base)
    for k, v in patch.items():
        here = f"{where}.{k}" if where else str(k)
        if v is None:
            out.pop(k, None)
        elif k in ("groups", "criteria"):
            if not isinstance(v, list):
                raise DefinitionError(f"`{k}` là một danh sách / `{k}` is a list", path=path, where=here)
            out[k] = _merge_coded(out.get(k) or [], v, path, here)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v, path, here)
        else:
            out[k] = v
    return out


def _merge_coded(base: list, patch: list, path: str, where: str) -> list:
    out = [dict(item) if isinstance(item, dict) else item for item in base]
    codes = [item.get("code") if isinstance(item, dict) else None for item in out]
    for i, item in enumerate(patch):
        here = f"{where}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise DefinitionError("mỗi mục thay đổi nêu `code` của nhóm hoặc tiêu chí / each changed item names "
                                  "its code", path=path, where=here)
        code = item["code"]
        remove = item.get("remove", False)
        if remove not in (True, False):
            raise DefinitionError("`remove` là true hoặc false / remove is true or false", path=path,
                                  where=here + ".remove")
        if code in codes:
            at = codes.index(code)
            if remove:
                del out[at], codes[at]
            else:
                out[at] = _merge(out[at], {k: v for k, v in item.items() if k != "remove"}, path, here)
        elif remove:
            raise DefinitionError(f"không có {code!r} để bỏ trong phiên bản trước / {code!r} is not in the previous "
                                  "version", path=path, where=here + ".code")
        else:
            out.append({k: v for k, v in item.items() if k != "remove"})
            codes.append(code)
    return out


def _check_dates(versions: list[IndexDefinition]) -> None:
    """Versions follow each other: each starts after the one before, with no overlap and no gap."""
    for i, v in enumerate(versions):
        if v.valid_to is not None and v.valid_to < v.valid_from:
            raise DefinitionError(f"valid_to {v.valid_to} trước valid_from {v.valid_from} / valid_to is before "
                                  "valid_from", path=v.path, where="valid_to")
        if i == 0:
            continue
        p = versions[i - 1]
        if v.code != p.code:
            raise DefinitionError(f"mã {v.code} khác mã {p.code} của phiên bản trước / a version keeps the index "
                                  "code", path=v.path, where="code")
        if v.version in {e.version for e in versions[:i]}:
            raise DefinitionError(f"phiên bản {v.version!r} đã có trong {p.path} / version label used twice",
                                  path=v.path, where="version")
        if v.valid_from <= p.valid_from:
            raise DefinitionError(f"phiên bản {v.version} bắt đầu {v.valid_from}, không sau phiên bản {p.version} "
                                  f"({p.valid_from}, {p.path}) / a version starts after the one before it",
                                  path=v.path, where="valid_from")
        if p.valid_to is not None and p.valid_to >= v.valid_from:
            raise DefinitionError(f"phiên bản {p.version} còn hiệu lực đến {p.valid_to} nhưng phiên bản {v.version} "
                                  f"bắt đầu {v.valid_from}: các phiên bản không được chồng lên nhau / versions "
                                  "overlap", path=p.path, where="valid_to")
        if p.valid_to is not None and p.valid_to + dt.timedelta(days=1) < v.valid_from:
            raise DefinitionError(f"phiên bản {p.version} hết hiệu lực {p.valid_to} nhưng phiên bản {v.version} chỉ "
                                  f"bắt đầu {v.valid_from}: các ngày giữa không có phương pháp tính / a gap between "
                                  "versions", path=v.path, where="valid_from")


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


def _spaced(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


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
        measures[name] = Measure(name, m.records, tree, m.distinct, dependent, m.vi or "", reasons,
                                 _spaced(m.where), tuple((_spaced(r.when), _spaced(r.value), r.vi, r.en)
                                                         for r in m.reasons))

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
            if c.attested is None and c.numerator is not None:
                try:
                    num = parse_measure_expression(c.numerator, measures, where=f"{cwhere}.numerator")
                    den = parse_measure_expression(c.denominator, measures, where=f"{cwhere}.denominator")
                except DefinitionError as e:
                    raise type(e)(e.reason, path=path, where=e.where) from None
            criteria.append(Criterion(c.code, g.code, c.name, c.name_en or "", c.max, num, den, c.full_at,
                                      c.when_empty, c.inherit, c.attested, c.scope, c.status, c.note or ""))
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
        source=text, path=path, sha256=hashlib.sha256(text.encode()).hexdigest(), note=spec.note or "",
    )


def load_index_definition(path: str | Path | None = None) -> IndexDefinition:
    """Load a definition file (the shipped Decision 766 methodology by default)."""
    return settings.load_definition("CHISO_INDEX_DEFINITION", DEFAULT_INDEX, parse_index_definition, path)
