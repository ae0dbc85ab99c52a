"""Provincial departments (sở, ban, ngành) from ``data/departments.yaml``.

The official list of provinces and communes comes from a package, but no public list of
each province's departments does, so the package ships one: a ``default`` list every
province starts from, plus per-province ``rename`` / ``remove`` / ``add`` changes (see the
YAML's header). The file is validated when loaded, and every mistake names the file and
the place inside it, because a province edits this file by hand.

Department units get ``population = 0``: a department serves the whole province, and
counting the province's people again under each department would double them in any
sum over units. Generated volumes for departments are sized separately (chiso/demo).
"""
from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from chiso.errors import DefinitionError
from chiso.units.model import Unit

DEPARTMENTS_PATH = Path(__file__).parent / "data" / "departments.yaml"

#: Kinds of department a province lists; "trung tâm" is the one-stop service centre.
DEPARTMENT_TYPES: tuple[str, ...] = ("văn phòng", "sở", "ban", "thanh tra", "ngành", "trung tâm")

#: Placeholders a department's name / name_en may use, filled per province.
PLACEHOLDERS: tuple[str, ...] = ("tier", "province", "tier_en", "province_en")

_FIELDS = ("abbreviation", "name", "name_en", "type")
_OVERRIDE_KEYS = ("rename", "remove", "add")
_ABBREVIATION = re.compile(r"^[A-Z][A-Z0-9]*$")
_PROVINCE_CODE = re.compile(r"^\d\d$")


@dataclass(frozen=True)
class DepartmentSpec:
    """One department as the YAML writes it, placeholders not yet filled."""

    abbreviation: str
    name: str
    name_en: str
    type: str


@dataclass(frozen=True)
class DepartmentPlan:
    """The validated file: the default list and each province's resulting list."""

    path: str
    default: tuple[DepartmentSpec, ...]
    by_province: Mapping[str, tuple[DepartmentSpec, ...]]  # only provinces with overrides

    def specs_for(self, province_code: str) -> tuple[DepartmentSpec, ...]:
        """The departments of one province, in display order."""
        return self.by_province.get(province_code, self.default)


# --------------------------------------------------------------------------- YAML reading


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: ~5x faster
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: str | Path) -> Any:
    """Read one of the units package's YAML files strictly, as a DefinitionError on failure.

    Shared with chiso/units/registry.py (populations) so both files fail the same way.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(f"cannot read the file ({exc.strerror})", path=str(path)) from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise DefinitionError(f"not valid YAML: {exc.problem}", path=str(path), where=where) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(f"not valid YAML: {exc}", path=str(path)) from exc


# --------------------------------------------------------------------------- validation


class _Checker:
    """Carries the file path so every error says where it is."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, message: str) -> DefinitionError:
        return DefinitionError(message, path=self.path, where=where)

    def mapping(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, found {_kind(value)}")
        return value

    def sequence(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, found {_kind(value)}")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected a non-empty text, found {_kind(value)}")
        return value.strip()

    def only_keys(self, value: dict, allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", f"unknown field; expected one of {', '.join(allowed)}")

    def field(self, value: dict, key: str, where: str) -> Any:
        if key not in value:
            raise self.fail(where, f"missing field {key!r}")
        return value[key]

    def abbreviation(self, value: Any, where: str) -> str:
        text = self.text(value, where)
        if not _ABBREVIATION.match(text):
            raise self.fail(where, f"abbreviation {text!r} must be capital ASCII letters and digits (SYT, SGDDT)")
        return text

    def template(self, value: Any, where: str) -> str:
        text = self.text(value, where)
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise self.fail(where, f"bad placeholder in {text!r}: {exc}") from exc
        unknown = sorted(n for n in names if n not in PLACEHOLDERS)
        if unknown:
            raise self.fail(where, f"unknown placeholder {{{unknown[0]}}}; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
        return text

    def dept_type(self, value: Any, where: str) -> str:
        text = self.text(value, where)
        if text not in DEPARTMENT_TYPES:
            raise self.fail(where, f"unknown type {text!r}; expected one of {', '.join(DEPARTMENT_TYPES)}")
        return text

    def spec(self, value: Any, where: str, extra: tuple[str, ...] = ()) -> DepartmentSpec:
        item = self.mapping(value, where)
        self.only_keys(item, _FIELDS + extra, where)
        return DepartmentSpec(
            abbreviation=self.abbreviation(self.field(item, "abbreviation", where), f"{where}.abbreviation"),
            name=self.template(self.field(item, "name", where), f"{where}.name"),
            name_en=self.template(self.field(item, "name_en", where), f"{where}.name_en"),
            type=self.dept_type(self.field(item, "type", where), f"{where}.type"),
        )

    def unique(self, specs: Iterable[DepartmentSpec], where: str) -> None:
        seen: set[str] = set()
        for i, spec in enumerate(specs):
            if spec.abbreviation in seen:
                raise self.fail(f"{where}[{i}]", f"duplicate abbreviation {spec.abbreviation!r}")
            seen.add(spec.abbreviation)


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"[:80]


def _apply_overrides(
    check: _Checker, default: tuple[DepartmentSpec, ...], raw: dict, where: str
) -> tuple[DepartmentSpec, ...]:
    """One province's list: default, then rename, remove, add (in that order)."""
    check.only_keys(raw, _OVERRIDE_KEYS, where)
    specs = list(default)

    def position(abbreviation: str, at: str) -> int:
        for i, spec in enumerate(specs):
            if spec.abbreviation == abbreviation:
                return i
        have = ", ".join(s.abbreviation for s in specs)
        raise check.fail(at, f"no department {abbreviation!r} to refer to; this province has {have}")

    renames = check.mapping(raw.get("rename", {}), f"{where}.rename")
    for old, changes in renames.items():
        at = f"{where}.rename.{old}"
        i = position(check.abbreviation(old, at), at)
        changes = check.mapping(changes, at)
        if not changes:
            raise check.fail(at, "a rename must change at least one field")
        check.only_keys(changes, _FIELDS, at)
        merged = {f: changes.get(f, getattr(specs[i], f)) for f in _FIELDS}
        specs[i] = check.spec(merged, at)

    removals = check.sequence(raw.get("remove", []), f"{where}.remove")
    for j, abbreviation in enumerate(removals):
        at = f"{where}.remove[{j}]"
        del specs[position(check.abbreviation(abbreviation, at), at)]

    additions = check.sequence(raw.get("add", []), f"{where}.add")
    for j, item in enumerate(additions):
        at = f"{where}.add[{j}]"
        spec = check.spec(item, at, extra=("after",))
        after = item.get("after")
        index = len(specs) if after is None else position(check.abbreviation(after, f"{at}.after"), f"{at}.after") + 1
        specs.insert(index, spec)

    check.unique(specs, f"{where} (resulting list)")
    return tuple(specs)


def parse_department_plan(data: Any, path: str, province_codes: Collection[str]) -> DepartmentPlan:
    """Validate the parsed YAML of a departments file against the known provinces."""
    check = _Checker(path)
    top = check.mapping(data, "(top level)")
    check.only_keys(top, ("default", "provinces"), "(top level)")
    raw_default = check.sequence(check.field(top, "default", "(top level)"), "default")
    if not raw_default:
        raise check.fail("default", "the default list is empty")
    default = tuple(check.spec(item, f"default[{i}]") for i, item in enumerate(raw_default))
    check.unique(default, "default")

    by_province: dict[str, tuple[DepartmentSpec, ...]] = {}
    overrides = check.mapping(top.get("provinces") or {}, "provinces")
    for code, raw in overrides.items():
        where = f'provinces["{code}"]'
        if not isinstance(code, str) or not _PROVINCE_CODE.match(code):
            raise check.fail(where, f"province code {code!r} must be a quoted two-digit text such as \"01\"")
        if code not in province_codes:
            raise check.fail(where, f"unknown province code {code!r}; known: {', '.join(sorted(province_codes))}")
        by_province[code] = _apply_overrides(check, default, check.mapping(raw, where), where)
    return DepartmentPlan(path=path, default=default, by_province=by_province)


def load_department_plan(province_codes: Collection[str], path: str | Path | None = None) -> DepartmentPlan:
    """Read and validate a departments file (the shipped one unless ``path`` is given)."""
    path = Path(path) if path is not None else DEPARTMENTS_PATH
    if path == DEPARTMENTS_PATH:
        return _shipped_plan(frozenset(province_codes))
    return parse_department_plan(read_yaml(path), str(path), province_codes)


@cache
def _shipped_plan(province_codes: frozenset[str]) -> DepartmentPlan:
    return parse_department_plan(read_yaml(DEPARTMENTS_PATH), str(DEPARTMENTS_PATH), province_codes)


# --------------------------------------------------------------------------- units


def _fill(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(values)


def department_units(province: Unit, plan: DepartmentPlan, *, short: str, short_en: str) -> list[Unit]:
    """The department units of one province, placeholders filled.

    ``short`` / ``short_en`` are the province's names without "Tỉnh"/"Thành phố"
    ("Bắc Ninh" / "Bac Ninh"); the caller owns that rule (registry.short_name).
    """
    city = province.type == "thành phố trung ương"
    values = {
        "tier": "thành phố" if city else "tỉnh",
        "tier_en": "City" if city else "Provincial",
        "province": short,
        "province_en": short_en,
    }
    return [
        Unit(
            code=f"{province.code}-{spec.abbreviation}",
            name=_fill(spec.name, values),
            level="department",
            type=spec.type,
            parent_code=province.code,
            province_code=province.code,
            name_en=_fill(spec.name_en, values),
            population=0,
        )
        for spec in plan.specs_for(province.code)
    ]


__all__ = [
    "DEPARTMENTS_PATH",
    "DEPARTMENT_TYPES",
    "PLACEHOLDERS",
    "DepartmentPlan",
    "DepartmentSpec",
    "department_units",
    "load_department_plan",
    "parse_department_plan",
    "read_yaml",
]
