"""The indicator catalogue (danh mục chỉ số): a file read into a validated ``Catalogue``.

A catalogue file (YAML, JSON, or the Excel workbook of ``chiso.catalog.workbook``) holds a
province's fields and indicators in the shape of ``CatalogueSpec``. Each entry is checked
on its own against the ``Indicator`` model, then the rules that need more than one entry:

- the owner (cơ quan chủ quản) is a unit of the catalogue's province;
- codes are unique; the field is one of the catalogue's fields;
- a formula, or an aggregation's weight / numerator / denominator, names known indicators;
- those references form no cycle (the cycle is named: ``A → B → A``);
- an indicator fed by the index engine names a known index definition and group;
- targets name a period chiso reads and a unit of the province, once each.

Every problem is reported at once, as a ``LoadError`` whose problems name the file, the
place (YAML: the line and ``indicators[12].owner``; workbook: the sheet row and column)
and the reason. Format and rules: ``docs/catalogue.md``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from chiso.catalog.entries import (  # noqa: F401  (the catalogue's names, also reachable from here)
    Catalogue,
    Loc,
    Place,
    RawCatalogue,
    SheetPlace,
    TextPlace,
    aggregation_references,
    formula_references,
    indicator_references,
    loc_text,
)
from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.indicator import (
    DEFAULT_FIELDS,
    GROUPS,
    LIFECYCLE,
    FieldSpec,
    Indicator,
)
from chiso.catalog.workbook import read_workbook
from chiso.errors import FormulaError, LoadError, Problem, UnknownUnitError
from chiso.files.documents import YAML_LOADER, parse_json, parse_yaml, read_document, yaml_error
from chiso.files.reasons import text as file_reason
from chiso.files.tables import table_format
from chiso.units.registry import load_units

#: Bắc Ninh's catalogue, shipped as the sample (docs/sample-catalogue.md).
DEFINITIONS_CATALOGUE = Path(__file__).parent / "definitions" / "catalogue-24.yaml"

#: File types a catalogue is read from, by suffix.
FORMATS: dict[str, str] = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}



def read_catalogue_file(path: str | Path) -> RawCatalogue:
    """Read a YAML, JSON or workbook catalogue file into values with places (not validated)."""
    p = Path(path)
    name = str(path)
    fmt = table_format(p, name, FORMATS, "a catalogue")
    if fmt == "xlsx":
        if not p.is_file():
            raise LoadError([Problem(name, None, None, file_reason("file.missing"))], total=1)
        return read_workbook(p)
    _data, text = read_document(p, fmt, name)
    return read_catalogue_text(text, name, fmt)


def read_catalogue_text(text: str, path: str = "<text>", fmt: str = "yaml") -> RawCatalogue:
    """Read catalogue text (``yaml`` or ``json``) into values with places (not validated); the
    text is read within the limits of every file sent to chiso (``chiso.files``), in NFC."""
    lines: _Lines | None = None
    text = unicodedata.normalize("NFC", text)
    if fmt == "json":
        data = parse_json(text, path)
    else:
        data = parse_yaml(text, path)
        try:
            lines = _Lines.of(yaml.compose(text, Loader=YAML_LOADER))
        except yaml.YAMLError as exc:  # pragma: no cover - parse_yaml read the same text
            raise yaml_error(exc, path) from None
    if not isinstance(data, dict):
        raise LoadError([Problem(path, None, None, "expected a mapping with province, version, "
                                 "fields and indicators at the top level")])
    lines = lines or _Lines()
    top = {k: v for k, v in data.items() if k not in ("fields", "indicators")}
    problems: list[Problem] = []
    fields = None
    if "fields" in data:
        fields = _entries(data["fields"], "fields", lines, path, problems)
    indicators = _entries(data.get("indicators"), "indicators", lines, path, problems)
    return RawCatalogue(path, top, TextPlace("", None, lines.keys(())), fields, indicators, problems)


def _entries(value: Any, key: str, lines: _Lines, path: str,
             problems: list[Problem]) -> list[tuple[Any, Place]]:
    if value is None:
        problems.append(Problem(path, lines.keys(()).get(key), key, f"{key}: a list is required"))
        return []
    if not isinstance(value, list):
        problems.append(Problem(path, lines.keys(()).get(key), key,
                                f"{key}: expected a list, found {type(value).__name__}"))
        return []
    return [(item, TextPlace(f"{key}[{i}]", lines.line((key, i)), lines.keys((key, i))))
            for i, item in enumerate(value)]


class _Lines:
    """Line numbers of the mappings and sequence items of a composed YAML document."""

    def __init__(self) -> None:
        self._line: dict[Loc, int] = {}
        self._keys: dict[Loc, dict[str, int]] = {}

    @classmethod
    def of(cls, node: yaml.Node | None) -> _Lines:
        lines = cls()
        if node is not None:
            lines._walk(node, ())
        return lines

    def _walk(self, node: yaml.Node, loc: Loc) -> None:
        self._line[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    keys[k.value] = k.start_mark.line + 1
                    if loc == ():
                        self._walk(v, (k.value,))
            self._keys[loc] = keys
        elif isinstance(node, yaml.SequenceNode) and len(loc) == 1:
            for i, item in enumerate(node.value):
                self._walk(item, loc + (i,))

    def line(self, loc: Loc) -> int | None:
        return self._line.get(loc)

    def keys(self, loc: Loc) -> dict[str, int]:
        return self._keys.get(loc, {})


# ---------------------------------------------------------------- validation
@dataclass
class _Problems:
    path: str
    items: list[Problem] = field(default_factory=list)

    def add(self, place: Place, loc: Loc, reason: str, value: Any = None) -> None:
        shown = None if value is None or isinstance(value, (dict, list, tuple)) else str(value)
        self.items.append(Problem(self.path, place.row(loc), place.column(loc), reason, shown))


def _pydantic_problems(problems: _Problems, place: Place, err: ValidationError, code: str | None) -> None:
    for e in err.errors():
        msg = str(e["msg"]).removeprefix("Value error, ")
        if code:
            msg = f"{code}: {msg}"
        problems.add(place, tuple(e["loc"]), msg, e.get("input"))


def load_catalogue(path: str | Path, **context: Any) -> Catalogue:
    """Read and validate a catalogue file; a ``LoadError`` lists every problem found.

    ``context`` goes to ``validate_catalogue`` (units, index definition, stored indicators).
    """
    return validate_catalogue(read_catalogue_file(path), **context)


def parse_catalogue(text: str, path: str = "<text>", fmt: str = "yaml", **context: Any) -> Catalogue:
    """Validate catalogue text (YAML or JSON)."""
    return validate_catalogue(read_catalogue_text(text, path, fmt), **context)


def validate_catalogue(raw: RawCatalogue, *, units: Any = None, index: Any = None,
                       known: Mapping[str, Indicator] | None = None,
                       province: str | None = None) -> Catalogue:
    """Check a read catalogue entry by entry, then across entries; all problems at once.

    ``units`` is a ``UnitTree`` (default: ``load_units()``); ``index`` an index definition
    (default: the one in use) or a mapping {definition code: group codes}; ``known`` are
    indicators kept in the store that the file does not list — references may name them
    and cycles may run through them. ``province`` (the one the caller imports for) must
    match the file's, and fills it in when the file names none.
    """
    problems = _Problems(raw.path, list(raw.problems))
    tree = units if units is not None else _default_units()
    groups_by_index = _index_groups(index)

    # -- the top level: province, version
    top = dict(raw.top)
    if province is not None:
        if top.get("province") in (None, ""):
            top["province"] = province
        elif str(top["province"]) != province:
            problems.add(raw.top_place, ("province",),
                         f"the file is the catalogue of province {top['province']!r}, not {province!r}",
                         top["province"])
    for key in sorted(set(top) - {"province", "version"}):
        problems.add(raw.top_place, (key,), f"unknown key {key!r}; the top level has province, "
                     "version, fields and indicators")
    prov = top.get("province")
    if not isinstance(prov, str) or not prov:
        problems.add(raw.top_place, ("province",), "province: a province code in quotes is required "
                     "(\"24\" for Bắc Ninh)", prov)
        prov = None
    elif not _is_province(tree, prov):
        problems.add(raw.top_place, ("province",), f"{prov!r} is not a province code", prov)
        prov = None
    version = top.get("version")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.strip():
        problems.add(raw.top_place, ("version",), "version: the catalogue's version label is required "
                     "(e.g. \"2025.1\")", version)
        version = ""

    # -- fields
    fields: dict[str, FieldSpec] = {}
    if raw.fields is None:
        fields = {c: FieldSpec(code=c, name=v, name_en=e) for c, (v, e) in DEFAULT_FIELDS.items()}
    else:
        for item, place in raw.fields:
            try:
                spec = FieldSpec.model_validate(item)
            except ValidationError as err:
                _pydantic_problems(problems, place, err, None)
                continue
            if spec.code in fields:
                problems.add(place, ("code",), f"duplicate field code {spec.code!r}", spec.code)
                continue
            fields[spec.code] = spec
        if not raw.fields:
            problems.add(raw.top_place, ("fields",), "fields: at least one field is required")

    # -- indicators, one by one
    indicators: dict[str, Indicator] = {}
    places: dict[str, Place] = {}
    named: set[str] = set()   # every code written, valid entry or not: no false "unknown"
    for item, place in raw.indicators:
        code = item.get("code") if isinstance(item, dict) else None
        if isinstance(code, str):
            named.add(code)
        try:
            ind = Indicator.model_validate(_friendly(item))
        except ValidationError as err:
            _pydantic_problems(problems, place, err, code if isinstance(code, str) else None)
            continue
        if ind.code in indicators:
            problems.add(place, ("code",), f"duplicate code {ind.code!r} (first at "
                         f"{_describe(places[ind.code])})", ind.code)
            continue
        indicators[ind.code] = ind
        places[ind.code] = place
    if not raw.indicators and not any(p.column == "indicators" for p in problems.items):
        problems.add(raw.top_place, ("indicators",), "indicators: the catalogue lists no indicator")

    # -- across entries
    others = {c: i for c, i in (known or {}).items() if c not in named}
    codes = named | set(others)
    for code, ind in indicators.items():
        place = places[code]
        if fields and ind.field not in fields:
            problems.add(place, ("field",), f"{code}: unknown field {ind.field!r}; the catalogue's "
                         f"fields are {', '.join(fields)}", ind.field)
        if prov is not None:
            _check_owner(problems, place, ind, prov, tree)
            _check_targets(problems, place, ind, prov, tree)
        _check_range(problems, place, ind)
        _check_index(problems, place, ind, groups_by_index)
        for key, ref in aggregation_references(ind).items():
            if ref not in codes:
                problems.add(place, ("aggregation", key), f"{code}: aggregation {key} names unknown "
                             f"indicator {ref!r}", ref)
        if ind.formula:
            try:
                refs = formula_references(ind.formula)
            except FormulaError as exc:
                problems.add(place, ("formula",), f"{code}: {exc}", None)
                continue
            for ref in sorted(refs - codes):
                problems.add(place, ("formula",), f"{code}: the formula names unknown indicator "
                             f"{ref!r}", ind.formula)
    for loc_place, loc, reason in _cycles(indicators, places, others):
        problems.add(loc_place, loc, reason)
    for code, ind in others.items():
        if fields and ind.field not in fields:
            problems.add(raw.top_place, ("fields",), f"field {ind.field!r} is still used by stored "
                         f"indicator {code}, which this file does not list")

    if problems.items:
        raise LoadError(sorted(problems.items, key=lambda p: p.row if p.row is not None else 1 << 30))
    return Catalogue(province=prov or "", version=version, fields=fields, indicators=indicators,
                     path=raw.path, places=places)


def _friendly(item: Any) -> Any:
    """Target periods written without quotes in YAML (``2026``, ``2026-08-17``) read as text."""
    if not isinstance(item, dict) or not isinstance(item.get("targets"), list):
        return item
    targets = [{**t, "period": t["period"].isoformat() if isinstance(t["period"], dt.date)
                else str(t["period"])}
               if isinstance(t, dict) and isinstance(t.get("period"), (int, dt.date))
               and not isinstance(t.get("period"), bool) else t
               for t in item["targets"]]
    return {**item, "targets": targets}


def _describe(place: Place) -> str:
    row, column = place.row(()), place.column(())
    if isinstance(place, SheetPlace):
        return f"row {row}"
    return f"{column}" + (f", line {row}" if row else "")


def _default_units() -> Any:
    return load_units()


def _is_province(tree: Any, code: str) -> bool:
    try:
        return tree.get(code).level == "province"
    except UnknownUnitError:
        return False


def _index_groups(index: Any) -> dict[str, frozenset[str]]:
    """{index definition code: its group codes}."""
    if index is None:
        index = load_index_definition()
    if isinstance(index, Mapping):
        return {k: frozenset(v) for k, v in index.items()}
    return {index.code: frozenset(g.code for g in index.groups)}


def _check_owner(problems: _Problems, place: Place, ind: Indicator, province: str, tree: Any) -> None:
    try:
        unit = tree.get(ind.owner)
    except UnknownUnitError as exc:
        problems.add(place, ("owner",), f"{ind.code}: unknown owner: {exc}", ind.owner)
        return
    if unit.province_code != province:
        problems.add(place, ("owner",), f"{ind.code}: the owner {unit.code} ({unit.name}) is not a unit "
                     f"of province {province}", ind.owner)


#: Period labels a target may name, as ``chiso.periods.windows.parse_window`` writes them.
_PERIOD = re.compile(r"^(?P<y>\d{4})(?:-(?:Q(?P<q>[1-4])|W(?P<w>\d{2})|(?P<m>\d{2})(?:-(?P<d>\d{2}))?))?$")


def period_problem(label: str) -> str | None:
    """Why ``label`` is not a period (2026, 2026-Q3, 2026-08, 2026-W34, 2026-08-17), or None."""
    m = _PERIOD.match(label)
    if m is None:
        return "a period is written 2026, 2026-Q3, 2026-08, 2026-W34 or 2026-08-17"
    y = int(m["y"])
    if m["w"] is not None:
        weeks = dt.date(y, 12, 28).isocalendar().week
        if not 1 <= int(m["w"]) <= weeks:
            return f"{y} has ISO weeks 01–{weeks}"
    elif m["m"] is not None:
        try:
            dt.date(y, int(m["m"]), int(m["d"] or 1))
        except ValueError:
            return "no such month or day"
    return None


def _check_targets(problems: _Problems, place: Place, ind: Indicator, province: str, tree: Any) -> None:
    seen: set[tuple[str, str | None]] = set()
    for i, t in enumerate(ind.targets):
        why = period_problem(t.period)
        if why:
            problems.add(place, ("targets", i, "period"), f"{ind.code}: target period {t.period!r}: {why}",
                         t.period)
        if t.unit is not None:
            try:
                unit = tree.get(t.unit)
            except UnknownUnitError as exc:
                problems.add(place, ("targets", i, "unit"), f"{ind.code}: target unit: {exc}", t.unit)
            else:
                if unit.province_code != province:
                    problems.add(place, ("targets", i, "unit"), f"{ind.code}: target unit {t.unit} is not "
                                 f"a unit of province {province}", t.unit)
        if (t.period, t.unit) in seen:
            problems.add(place, ("targets", i), f"{ind.code}: a second target for {t.period}"
                         + (f" and unit {t.unit}" if t.unit else ""), t.period)
        seen.add((t.period, t.unit))


def _check_range(problems: _Problems, place: Place, ind: Indicator) -> None:
    r = ind.range
    if r.min is not None and r.max is not None and r.min > r.max:
        problems.add(place, ("range",), f"{ind.code}: range min {r.min:g} exceeds max {r.max:g}")


def _check_index(problems: _Problems, place: Place, ind: Indicator,
                 groups_by_index: Mapping[str, frozenset[str]]) -> None:
    if ind.index is None:
        return
    groups = groups_by_index.get(ind.index.definition)
    if groups is None:
        problems.add(place, ("index", "definition"), f"{ind.code}: unknown index definition "
                     f"{ind.index.definition!r}; known: {', '.join(sorted(groups_by_index))}",
                     ind.index.definition)
    elif ind.index.group is not None and ind.index.group not in groups:
        problems.add(place, ("index", "group"), f"{ind.code}: {ind.index.definition} has no group "
                     f"{ind.index.group!r}; its groups are {', '.join(sorted(groups))}", ind.index.group)


# ---------------------------------------------------------------- cycles
def _cycles(indicators: Mapping[str, Indicator], places: Mapping[str, Place],
            others: Mapping[str, Indicator]) -> list[tuple[Place, Loc, str]]:
    """One problem per cycle of references, at the first of its indicators in the file."""
    every = {**others, **indicators}
    edges: dict[str, list[tuple[str, Loc]]] = {}
    for code, ind in every.items():
        out: list[tuple[str, Loc]] = []
        if ind.formula:
            try:
                out += [(r, ("formula",)) for r in sorted(formula_references(ind.formula)) if r in every]
            except FormulaError:
                pass  # reported with the entry
        out += [(r, ("aggregation", k)) for k, r in aggregation_references(ind).items() if r in every]
        edges[code] = out
    order = {c: n for n, c in enumerate(every)}
    found = []
    for component in _strongly_connected(list(every), edges):
        members = set(component)
        if len(component) == 1 and not any(r == component[0] for r, _ in edges[component[0]]):
            continue
        in_file = [c for c in sorted(members, key=order.__getitem__) if c in indicators]
        if not in_file:
            continue
        start = in_file[0]
        path = _cycle_path(start, edges, members)
        loc = next(loc for r, loc in edges[start] if r == path[1])
        found.append((places[start], loc, f"{start}: a cycle of references: {' → '.join(path)}"))
    return found


def _strongly_connected(nodes: Sequence[str], edges: Mapping[str, list[tuple[str, Loc]]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (catalogues may be long chains)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Iterator[tuple[str, Loc]]]] = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child, _ in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                components.append(component)
    return components


def _cycle_path(start: str, edges: Mapping[str, list[tuple[str, Loc]]], members: set[str]) -> list[str]:
    """A shortest cycle from ``start`` back to itself within one component (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child, _ in edges[node]:
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return path[::-1] + [start]
                if child not in previous:
                    previous[child] = node
                    nxt.append(child)
        frontier = nxt
    raise AssertionError("a strongly connected component always has a cycle")  # pragma: no cover


# ---------------------------------------------------------------- writing files
def indicator_document(ind: Indicator, *, full: bool = False) -> dict[str, Any]:
    """One indicator as plain data; ``full=False`` leaves out attributes at their default
    (status and version are always written)."""
    doc = ind.model_dump(mode="json", exclude_defaults=not full)
    if full:
        # left out of model_dump at their defaults (Indicator.public, Indicator.composite: stored
        # content hashes stay as they were before the attributes existed)
        doc["public"] = ind.public
        doc.setdefault("composite", None)
    else:
        doc.setdefault("status", ind.status)
        doc.setdefault("version", ind.version)
    return doc


def catalogue_document(catalogue: Catalogue, *, full: bool = False) -> dict[str, Any]:
    """The catalogue in the file's shape, as plain data (YAML and JSON export)."""
    return {
        "province": catalogue.province,
        "version": catalogue.version,
        "fields": [f.model_dump(mode="json") for f in catalogue.fields.values()],
        "indicators": [indicator_document(i, full=full) for i in catalogue],
    }


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as ``|`` blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def catalogue_yaml(catalogue: Catalogue) -> str:
    """The catalogue as a YAML file (``load_catalogue`` reads it back to the same catalogue)."""
    head = (f"# Danh mục chỉ số chỉ đạo, điều hành — tỉnh {catalogue.province}, phiên bản "
            f"{catalogue.version}\n# Indicator catalogue; format: docs/catalogue.md\n")
    return head + yaml.dump(catalogue_document(catalogue), Dumper=_Dumper, allow_unicode=True,
                            sort_keys=False, width=100)


def catalogue_json(catalogue: Catalogue) -> str:
    """The catalogue as JSON, every attribute written."""
    return json.dumps(catalogue_document(catalogue, full=True), ensure_ascii=False, indent=2)


def list_rows(indicators: Iterable[Indicator]) -> list[dict[str, Any]]:
    """Flat rows for tables and CSV."""
    return [{"code": i.code, "name": i.name, "group": i.group, "field": i.field, "unit": i.unit,
             "frequency": i.frequency, "owner": i.owner, "status": i.status, "version": i.version,
             "live": i.live} for i in indicators]


__all__ = [
    "DEFINITIONS_CATALOGUE", "FORMATS", "GROUPS", "LIFECYCLE", "Catalogue", "Place", "RawCatalogue",
    "SheetPlace", "TextPlace", "aggregation_references", "catalogue_document", "catalogue_json",
    "catalogue_yaml", "formula_references", "indicator_document", "indicator_references", "list_rows",
    "load_catalogue", "loc_text", "parse_catalogue", "period_problem", "read_catalogue_file",
    "read_catalogue_text", "validate_catalogue",
]
