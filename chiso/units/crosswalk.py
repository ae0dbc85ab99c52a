"""Bảng chuyển đổi mã đơn vị (the unit-code crosswalk): a foreign code → today's code(s).

Today's codes are those of Quyết định 19/2025/QĐ-TTg (the unit registry: 34 provinces, two
digits; 3,321 communes, wards and special zones, five digits; departments ``<province>-<abbr>``).
Other systems code units otherwise, in **schemes**:

- ``decision19`` — today's codes (a code translates to itself);
- ``portal`` — the national public-service portal's own ids (Phú Thọ is ``H44`` there, its
  departments ``H44.23`` …); no published source lists them, so none ship: a province imports
  them (``chiso units crosswalk import``) and passes them in as ``imported`` rows;
- ``before_2025`` — the units before 1 July 2025: the 63 provinces (two digits, which today's
  codes reuse for other provinces: ``24`` was Bắc Giang and is Bắc Ninh), shipped, built from
  the merger list; their districts (three digits) and communes (five digits), imported by a
  province from the official conversion table as published (``conversion_rows``) — no copy of
  that table ships.

A row says how one foreign unit relates to one of today's (``RELATIONS``): ``same``,
``renamed``, ``merged_into`` (the whole foreign unit went into today's), ``part_of`` (a foreign
unit of a level that no longer exists lies wholly inside today's: a district in its province),
``split_from`` (today's unit took a part of the foreign one). A code's rows of one **version**
(a label and its ``valid_from`` date) are its mapping; a mapping that changes is a new version,
never an overwrite, and ``at`` picks the version in force on a date.

``translate`` never guesses: a foreign unit split across several of today's units is
``ambiguous`` (its targets listed, nothing summed), one the table does not know is ``unknown``.
``regroup`` re-aggregates an old series into today's units where the relation allows it.

Pure (units layer): rows imported into the store are read there
(``chiso.store.repo_crosswalk``) and passed in.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from chiso.errors import ChisoError, DefinitionError, LoadError, Problem
from chiso.text import fold
from chiso.units.boundaries import MERGERS_PATH, load_mergers
from chiso.units.departments import read_yaml
from chiso.units.registry import load_units

DATA = Path(__file__).parent / "data"
CROSSWALK_PATH = DATA / "crosswalk.yaml"

SCHEMES: tuple[str, ...] = ("decision19", "portal", "before_2025")
#: The schemes a row maps from (today's codes need no row).
FOREIGN: tuple[str, ...] = ("portal", "before_2025")
RELATIONS: tuple[str, ...] = ("same", "renamed", "merged_into", "part_of", "split_from")
#: Relations whose foreign unit lies wholly in its one target: its counts add up there.
WHOLE: frozenset[str] = frozenset({"same", "renamed", "merged_into", "part_of"})
LEVELS: tuple[str, ...] = ("province", "department", "district", "commune")
#: The day the 2025 units took effect (Nghị quyết 202/2025/QH15; Quyết định 19/2025/QĐ-TTg).
EFFECTIVE_2025 = dt.date(2025, 7, 1)

SCHEME_NAMES = {"decision19": "mã theo Quyết định 19/2025/QĐ-TTg", "portal": "mã của Cổng Dịch vụ công quốc gia",
                "before_2025": "mã trước ngày 01/7/2025"}
RELATION_NAMES = {"same": "giữ nguyên", "renamed": "đổi tên, đổi mã", "merged_into": "nhập toàn bộ vào",
                  "part_of": "nằm trọn trong", "split_from": "một phần nhập vào"}
#: What a portal id looks like (``H44``, ``H44.23``, ``H44.23.7``): such a code is never today's.
PORTAL_ID = re.compile(r"^H\d+(\.\d+)*$")
_CODE = re.compile(r"\((\d+)\)\s*$")


# --------------------------------------------------------------------------- the model

@dataclass(frozen=True)
class CrosswalkRow:
    """One mapping row: the foreign unit ``code`` of ``scheme`` → today's unit ``target``."""

    scheme: str          # portal | before_2025
    code: str            # the foreign code: "H44", "H44.23", "26", "001", "00004"
    target: str          # today's code (Decision 19 / the unit registry): "25", "25-SYT", "07210"
    relation: str        # one of RELATIONS
    version: str         # the version's label: "2025-07-01", "cong-dvcqg-2026-09"
    valid_from: dt.date  # when this version of the mapping takes effect
    level: str = ""      # the foreign unit's level: province | department | district | commune
    name: str = ""       # the foreign unit's name
    source: str = ""     # where the row comes from: a citation, or the imported file's name

    @property
    def key(self) -> tuple[str, str, str]:
        """The mapping this row belongs to: (scheme, code, version)."""
        return (self.scheme, self.code, self.version)


@dataclass(frozen=True)
class Translation:
    """What a foreign code is today: ``found`` (one target), ``ambiguous`` (split: several
    targets or a part only — listed, never chosen) or ``unknown``."""

    code: str
    scheme: str
    status: str                    # found | ambiguous | unknown
    targets: tuple[str, ...]       # today's code(s); () when unknown
    relation: str | None
    version: str | None
    rows: tuple[CrosswalkRow, ...]
    reason: str                    # in Vietnamese: what the translation is, or why there is none

    @property
    def ok(self) -> bool:
        return self.status == "found"

    @property
    def target(self) -> str | None:
        """Today's code when there is exactly one, else None."""
        return self.targets[0] if self.ok else None


@dataclass(frozen=True)
class Regrouped:
    """An old series in today's units: ``totals`` by today's code; what could not be added up."""

    totals: dict[str, float]
    flagged: tuple[Translation, ...]   # split units: not summed into any of today's units
    unknown: tuple[str, ...]           # codes the crosswalk does not know
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # today's code → the old codes summed


def _mapping_text(rows: Iterable[CrosswalkRow]) -> str:
    return ", ".join(f"{r.target} ({r.relation})" for r in sorted(rows, key=lambda r: r.target))


def _mapping(rows: Iterable[CrosswalkRow]) -> frozenset[tuple[str, str]]:
    return frozenset((r.target, r.relation) for r in rows)


class Crosswalk:
    """The crosswalk: shipped rows and imported ones, indexed by (scheme, code), each code's
    versions in time order."""

    def __init__(self, rows: Iterable[CrosswalkRow]):
        self._rows: tuple[CrosswalkRow, ...] = tuple(rows)
        grouped: dict[tuple[str, str], dict[str, list[CrosswalkRow]]] = defaultdict(lambda: defaultdict(list))
        for r in self._rows:
            if r.scheme not in FOREIGN:
                raise DefinitionError(f"bảng chuyển đổi: hệ mã {r.scheme!r} không phải hệ mã ngoài "
                                      f"({', '.join(FOREIGN)})")
            grouped[(r.scheme, r.code)][r.version].append(r)
        self._index: dict[tuple[str, str], list[tuple[dt.date, str, tuple[CrosswalkRow, ...]]]] = {}
        for key, versions in grouped.items():
            ordered = []
            for version, rows_ in versions.items():
                dates = {r.valid_from for r in rows_}
                if len(dates) > 1:
                    raise DefinitionError(f"bảng chuyển đổi: mã {key[1]} ({key[0]}), phiên bản {version} có "
                                          f"nhiều ngày hiệu lực: {', '.join(sorted(map(str, dates)))}")
                ordered.append((rows_[0].valid_from, version, tuple(sorted(rows_, key=lambda r: r.target))))
            self._index[key] = sorted(ordered)

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self, scheme: str | None = None) -> list[CrosswalkRow]:
        return [r for r in self._rows if scheme is None or r.scheme == scheme]

    def knows(self, code: str, scheme: str) -> bool:
        return (scheme, code) in self._index

    def versions(self, code: str, scheme: str) -> list[tuple[dt.date, str, tuple[CrosswalkRow, ...]]]:
        """A code's versions, oldest first: (valid_from, version, rows)."""
        return list(self._index.get((scheme, code), ()))

    def mapping(self, code: str, scheme: str, version: str) -> tuple[CrosswalkRow, ...]:
        """The rows of one version of a code's mapping (empty when there is none)."""
        for _, v, rows in self._index.get((scheme, code), ()):
            if v == version:
                return rows
        return ()

    def translate(self, code: str, scheme: str, at: dt.date | None = None) -> Translation:
        """Today's code(s) for ``code`` of ``scheme``, by the version in force on ``at`` (the
        newest when ``at`` is None; the oldest when ``at`` precedes every version)."""
        code = unicodedata.normalize("NFC", str(code)).strip()
        check_scheme(scheme)
        if scheme == "decision19":
            return Translation(code, scheme, "found", (code,), "same", None, (),
                               f"{code} là mã theo Quyết định 19/2025/QĐ-TTg")
        versions = self._index.get((scheme, code))
        if not versions:
            return Translation(code, scheme, "unknown", (), None, None, (),
                               f"mã {code} ({SCHEME_NAMES[scheme]}) không có trong bảng chuyển đổi"
                               + ("; nhập mã của Cổng bằng lệnh chiso units crosswalk import"
                                  if scheme == "portal" else ""))
        chosen = versions[-1]
        if at is not None:
            in_force = [v for v in versions if v[0] <= at]
            chosen = in_force[-1] if in_force else versions[0]
        _, version, rows = chosen
        targets = tuple(dict.fromkeys(r.target for r in rows))
        relations = {r.relation for r in rows}
        name = rows[0].name
        label = f"{code} ({name})" if name else code
        if len(targets) > 1 or "split_from" in relations:
            return Translation(code, scheme, "ambiguous", targets, "split_from", version, rows,
                               f"{label} đã bị chia, một phần nhập vào {', '.join(targets)}: không quy đổi "
                               "tự động (số liệu không cộng vào đơn vị nào)")
        relation = rows[0].relation
        return Translation(code, scheme, "found", targets, relation, version, rows,
                           f"{label}: {RELATION_NAMES[relation]} {targets[0]} (phiên bản {version})")

    def with_rows(self, rows: Iterable[CrosswalkRow]) -> Crosswalk:
        """This crosswalk and more rows (imported ones)."""
        return Crosswalk((*self._rows, *rows))


def check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ChisoError(f"hệ mã {scheme!r} không có; các hệ mã: {', '.join(SCHEMES)}")


def scheme_at(day: dt.date) -> str:
    """The scheme a province or commune code dated ``day`` is written in: ``before_2025`` before
    1 July 2025, ``decision19`` from then on.

    >>> scheme_at(dt.date(2025, 6, 30)), scheme_at(dt.date(2025, 7, 1))
    ('before_2025', 'decision19')
    """
    return "before_2025" if day < EFFECTIVE_2025 else "decision19"


# --------------------------------------------------------------------------- shipped rows: the provinces

def _code_in(text: str) -> str | None:
    m = _CODE.search(text or "")
    return m[1] if m else None


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def province_rows(version: str, valid_from: dt.date, path: str | Path = MERGERS_PATH) -> list[CrosswalkRow]:
    """The 63 → 34 provinces as crosswalk rows, from the merger list (``province_mergers.yaml``)."""
    mergers = load_mergers(path)
    rows = []
    for new, olds in mergers.after.items():
        for old in olds:
            relation = "merged_into" if len(olds) > 1 else ("same" if old == new else "renamed")
            rows.append(CrosswalkRow("before_2025", old, new, relation, version, valid_from, "province",
                                     mergers.before[old], mergers.source))
    return rows


def _name_key(name: str) -> str:
    """A commune's name as the table and the registry are compared: NFC, case and spaces ignored,
    diacritics kept (Xã Văn Lang is not Xã Văn Lăng)."""
    return _clean(name).casefold()


def _whole(note: str) -> str | None:
    """What a note of the conversion table says: kept, renamed, whole, or None (a part only)."""
    n = fold(note)
    if "mot phan" in n or "mot  phan" in n:
        return None
    if n.startswith("giu nguyen"):
        return "same"
    if n.startswith("doi ten") or n.startswith("doi loai hinh"):
        return "renamed"
    if "toan bo" in n:
        return "merged_into"
    return None


# --------------------------------------------------------------------------- the official conversion table

#: The columns of the official conversion table (*Bảng chuyển đổi đơn vị hành chính mới – cũ*),
#: by their folded header: the key each is read as. "Tỉnh cũ" is read but not needed.
CONVERSION_COLUMNS: dict[str, str] = {
    "tinh thanh pho": "province", "ten xa moi": "new_name", "ma xa moi": "new_code", "ten xa cu": "old_name",
    "ma xa cu": "old_code", "ghi chu": "note", "quan huyen": "district", "tinh cu": "old_province",
}
#: The columns as the table writes them (a problem with a missing one names it so).
CONVERSION_HEADERS: dict[str, str] = {
    "province": "Tỉnh, thành phố", "new_name": "Tên Xã mới", "new_code": "Mã Xã mới", "old_name": "Tên Xã cũ",
    "old_code": "Mã Xã cũ", "note": "Ghi chú", "district": "Quận/huyện", "old_province": "Tỉnh cũ",
}
CONVERSION_REQUIRED: tuple[str, ...] = ("province", "new_name", "new_code", "old_name", "old_code", "note",
                                        "district")
#: The default version of the rows read from the conversion table: the day the units took effect.
CONVERSION_VERSION = EFFECTIVE_2025.isoformat()
_HEADER_WITHIN = 30  # the table's header row is looked for in its first rows (a title may come first)

Cells = Sequence[Any]


@dataclass(frozen=True)
class ConversionLayout:
    """Where the conversion table's columns are: the header row's number, each key's position
    and its header as the file writes it (problems name the column so)."""

    header_row: int
    position: dict[str, int]
    header: dict[str, str]


def _cell(cells: Cells, i: int | None) -> str:
    if i is None or i >= len(cells) or cells[i] is None:
        return ""
    return _clean(str(cells[i]))


def conversion_layout(records: Iterable[tuple[int, Cells]]) -> ConversionLayout | None:
    """The layout of the official conversion table when ``records`` (a file's rows as read, each
    with its number) are in it — a header row naming "Tên Xã mới" and "Mã Xã cũ" among the
    first rows — else None (another kind of file)."""
    for k, (number, cells) in enumerate(records):
        if k >= _HEADER_WITHIN:
            return None
        folded = [fold(None if c is None else str(c)) for c in cells]
        if "ten xa moi" in folded and "ma xa cu" in folded:
            position = {CONVERSION_COLUMNS[f]: i for i, f in reversed(list(enumerate(folded)))
                        if f in CONVERSION_COLUMNS}
            return ConversionLayout(number, position, {k_: _cell(cells, i) for k_, i in position.items()})
    return None


def _registry_communes() -> tuple[dict[str, dict[str, list[str]]], set[str]]:
    """Today's communes (the unit registry's) by province and name — the exact name, and the
    folded one where it differs — and today's provinces."""
    tree = load_units()
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for u in tree.units(level="commune"):
        found[u.province_code][_name_key(u.name)].append(u.code)
        if _name_key(u.name) != fold(u.name):
            found[u.province_code][fold(u.name)].append(u.code)
    return found, {p.code for p in tree.provinces()}


def conversion_rows(records: Iterable[tuple[int, Cells]], *, file: str, version: str = CONVERSION_VERSION,
                    valid_from: dt.date = EFFECTIVE_2025, source: str = "",
                    communes: Mapping[str, Mapping[str, list[str]]] | None = None,
                    provinces: Container[str] | None = None) -> list[CrosswalkRow]:
    """Old communes → today's communes and old districts → today's provinces, from the official
    conversion table as published (``records``: its rows as read, each with the number the
    user's program shows; the layout of ``conversion_layout``): one row per (new commune, old
    commune) — new province ``Tỉnh Phú Thọ (25)``, new name, new code, old name, old code,
    note, old district ``Huyện … (227)``, old province — under the header rows, with a banner
    row before each province's rows; a row whose new commune's cells are empty continues the
    one above (a workbook's merged cells).

    A new commune is found among today's (``communes``: province → name → codes; the unit
    registry's by default) by its province and name, not by the table's code (the table was
    published with the draft, whose codes are not all the final list's). The note decides the
    relation (decision 206): *Nhập toàn bộ* → merged_into, *Giữ nguyên* → same (renamed when
    the code changed), *Đổi tên*, *Đổi loại hình* → renamed, anything *một phần* (or no note)
    → split_from on every row of that old commune. An old district is part_of its new province.

    Any problem refuses the table (``LoadError``: file, row, column as the file writes it, reason).
    """
    if communes is None or provinces is None:
        found, known = _registry_communes()
        communes = found if communes is None else communes
        provinces = known if provinces is None else provinces
    records = list(records)
    layout = conversion_layout(records)
    if layout is None:
        raise LoadError([CrosswalkProblem(file, None, None, "không thấy dòng tiêu đề của bảng chuyển đổi (các cột "
                                          + ", ".join(repr(CONVERSION_HEADERS[k]) for k in CONVERSION_REQUIRED)
                                          + ")")])
    missing = [k for k in CONVERSION_REQUIRED if k not in layout.position]
    if missing:
        raise LoadError([CrosswalkProblem(file, layout.header_row, None, "dòng tiêu đề thiếu cột "
                                          + ", ".join(repr(CONVERSION_HEADERS[k]) for k in missing))])
    pos, header = layout.position, layout.header
    problems: list[Problem] = []
    drafts: dict[tuple[str, str], tuple[str, int]] = {}  # (province, the table's code) → (today's code, row)
    by_old: dict[str, list[tuple[str, str | None, str, int]]] = defaultdict(list)  # → (target, kind, name, row)
    districts: dict[str, dict[str, Any]] = {}
    last: dict[str, str] | None = None  # the new commune of the row above (merged cells continue it)
    for number, cells in records:
        if number <= layout.header_row:
            continue
        cell = {k: _cell(cells, i) for k, i in pos.items()}

        def bad(key: str, reason: str) -> None:
            problems.append(CrosswalkProblem(file, number, header[key], reason, cell[key] or None))

        old_part = cell["old_name"] or cell["old_code"] or cell["district"]
        if not any(cell.values()):
            continue  # a blank row
        if cell["province"] and not (old_part or cell["new_name"] or cell["new_code"]):
            last = None
            continue  # a province's banner row ("THÀNH PHỐ HÀ NỘI")
        if last is not None:  # a workbook's merged cells: the row above's province, new commune
            if not cell["province"]:
                cell["province"] = last["province"]
            if not (cell["new_name"] or cell["new_code"]):
                cell["new_name"], cell["new_code"] = last["new_name"], last["new_code"]
        province = _code_in(cell["province"])
        if province is None:
            bad("province", "trống" if not cell["province"] else "phải ghi mã tỉnh trong ngoặc, như 'Tỉnh Phú "
                "Thọ (25)'")
            continue
        if province not in provinces:
            bad("province", f"tỉnh {province} không phải tỉnh hiện nay (Nghị quyết 202/2025/QH15)")
            continue
        last = {"province": cell["province"], "new_name": cell["new_name"], "new_code": cell["new_code"]}
        new_name = cell["new_name"]
        if not new_name:
            bad("new_name", "trống")
            continue
        named = communes.get(province, {})
        codes = named.get(_name_key(new_name)) or named.get(fold(new_name), [])
        if len(codes) != 1:
            bad("new_name", f"không tìm thấy xã, phường {new_name!r} của tỉnh {province} trong danh mục hiện nay "
                "(Quyết định 19/2025/QĐ-TTg)" if not codes else
                f"tên {new_name!r} ứng với {len(codes)} đơn vị của tỉnh {province} ({', '.join(codes)}): không "
                "biết là đơn vị nào")
            continue
        target = codes[0]
        if cell["new_code"]:
            first = drafts.setdefault((province, cell["new_code"]), (target, number))
            if first[0] != target:
                bad("new_code", f"mã {cell['new_code']} đã ghi cho {first[0]} ở dòng {first[1]}, ở đây cho "
                    f"{target} ({new_name})")
                continue
        old_code = cell["old_code"]
        if old_code and not old_code.isdigit():
            bad("old_code", "mã xã cũ phải là dãy chữ số (định dạng cột là văn bản để giữ số 0 đầu)")
            continue
        if cell["district"]:
            district = _code_in(cell["district"])
            if district is None:
                bad("district", "phải ghi mã quận, huyện trong ngoặc, như 'Huyện Tam Nông (227)'")
                continue
            d = districts.setdefault(district, {"name": _clean(_CODE.sub("", cell["district"])), "provinces": {},
                                                "row": number})
            d["provinces"].setdefault(province, number)
        if old_code:  # an old area with no code (a district's coastal land) codes no figure: no row
            by_old[old_code].append((target, _whole(cell["note"]), cell["old_name"], number))
    if problems:
        raise LoadError(problems[:1000], total=len(problems))
    source = source or file
    rows: list[CrosswalkRow] = []
    for old, parts in by_old.items():
        targets = sorted({t for t, _, _, _ in parts})
        kinds = {k for _, k, _, _ in parts}
        old_name = parts[0][2]
        if len(targets) == 1 and len(kinds) == 1 and None not in kinds:
            kind = kinds.pop()
            relation = "renamed" if kind == "same" and targets[0] != old else kind
            rows.append(CrosswalkRow("before_2025", old, targets[0], relation, version, valid_from, "commune",
                                     old_name, source))
        else:
            rows.extend(CrosswalkRow("before_2025", old, t, "split_from", version, valid_from, "commune",
                                     old_name, source) for t in targets)
    for code, d in districts.items():
        targets = sorted(d["provinces"])
        relation = "part_of" if len(targets) == 1 else "split_from"
        rows.extend(CrosswalkRow("before_2025", code, t, relation, version, valid_from, "district", d["name"], source)
                    for t in targets)
    if not rows:
        raise LoadError([CrosswalkProblem(file, None, None, "bảng chuyển đổi không có dòng nào")])
    return rows


def conversion_row_numbers(records: Iterable[tuple[int, Cells]]) -> dict[str, int]:
    """The first row of each old commune and district in a conversion table (problems found
    against the crosswalk already there point to it)."""
    layout = conversion_layout(records := list(records))
    if layout is None:
        return {}
    first: dict[str, int] = {}
    for number, cells in records:
        if number <= layout.header_row:
            continue
        for key in ("old_code", "district"):
            value = _cell(cells, layout.position.get(key))
            code = value if key == "old_code" else _code_in(value)
            if code:
                first.setdefault(code, number)
    return first


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DefinitionError(f"valid_from phải là một ngày (YYYY-MM-DD), không phải {value!r}",
                              path=str(CROSSWALK_PATH), where=where) from None


@cache
def shipped(path: str = str(CROSSWALK_PATH)) -> Crosswalk:
    """The crosswalk chiso ships (``data/crosswalk.yaml``: the provinces, and portal ids with a
    published source), read once per process. No commune table ships: a province imports the
    official one (``conversion_rows``; decision 205)."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DefinitionError("bảng chuyển đổi cần các mục before_2025, portal", path=path)
    unknown = set(data) - set(FOREIGN)
    if unknown:
        raise DefinitionError(f"mục không có: {', '.join(sorted(unknown))} (có: {', '.join(FOREIGN)})", path=path)
    rows: list[CrosswalkRow] = []
    before = data.get("before_2025") or {}
    if before:
        extra = set(before) - {"version", "valid_from", "provinces"}
        if extra:
            raise DefinitionError(f"before_2025: mục không có: {', '.join(sorted(extra))} (bảng xã, phường cũ "
                                  "không gửi kèm: nhập bằng chiso units crosswalk import)", path=path,
                                  where="before_2025")
        version, valid_from = str(before["version"]), _date(before["valid_from"], "before_2025.valid_from")
        merged = (before.get("provinces") or {}).get("from")
        if merged:
            rows += province_rows(version, valid_from, Path(path).parent / merged)
    listed = data.get("portal") or []
    if not isinstance(listed, list):
        raise DefinitionError("portal: một danh sách các dòng", path=path, where="portal")
    for i, item in enumerate(listed):
        where = f"portal[{i}]"
        if not isinstance(item, dict) or not str(item.get("source", "")).strip():
            # an id no source publishes is not shipped: a province imports it (decision 208)
            raise DefinitionError("mỗi mã của Cổng gửi kèm phải ghi nguồn công bố (source); mã không có nguồn "
                                  "thì nhập bằng chiso units crosswalk import", path=path, where=where)
        missing = [k for k in ("code", "target", "relation", "valid_from") if not item.get(k)]
        if missing or item["relation"] not in RELATIONS:
            raise DefinitionError(f"cần code, target, relation ({', '.join(RELATIONS)}), valid_from", path=path,
                                  where=where)
        valid_from = _date(item["valid_from"], where + ".valid_from")
        rows.append(CrosswalkRow("portal", str(item["code"]), str(item["target"]), str(item["relation"]),
                                 str(item.get("version") or valid_from.isoformat()), valid_from,
                                 str(item.get("level", "")), str(item.get("name", "")), str(item["source"])))
    return Crosswalk(rows)


#: The levels of pre-2025 rows a counts file or a portal id never needs.
LOCAL_LEVELS: frozenset[str] = frozenset({"commune", "district"})


def local(row: CrosswalkRow) -> bool:
    """Whether a row maps a pre-2025 commune or district (``communes=False`` leaves them out)."""
    return row.scheme == "before_2025" and row.level in LOCAL_LEVELS


def load_crosswalk(imported: Iterable[CrosswalkRow] = (), *, communes: bool = True) -> Crosswalk:
    """The shipped crosswalk and the ``imported`` rows (``chiso.store.repo_crosswalk.crosswalk_rows``:
    the portal's ids and the pre-2025 communes and districts a province imported from the official
    conversion table). ``communes=False`` leaves out the imported communes and districts (some
    11,000 rows for the whole country; not needed to translate provinces or portal ids)."""
    base = shipped(str(CROSSWALK_PATH))
    imported = tuple(r for r in imported if communes or not local(r))
    return base.with_rows(imported) if imported else base


def translate(code: str, scheme: str, *, rows: Iterable[CrosswalkRow] = (), at: dt.date | None = None,
              crosswalk: Crosswalk | None = None) -> Translation:
    """Today's code(s) for a foreign ``code`` of ``scheme`` — for any importer carrying foreign codes
    (portal counts, connectors, SDMX, DHIS2). ``rows``: the rows imported into the store."""
    cw = crosswalk.with_rows(rows) if crosswalk is not None and rows else (crosswalk or load_crosswalk(rows))
    return cw.translate(code, scheme, at)


def dated_translate(code: str, day: dt.date, crosswalk: Crosswalk) -> Translation:
    """A province or commune code as written on ``day``: read in the scheme of its date
    (``scheme_at``) — a figure before 1 July 2025 coded ``24`` is Bắc Giang's, today Bắc Ninh's."""
    return crosswalk.translate(code, scheme_at(day), at=day if day >= EFFECTIVE_2025 else None)


# --------------------------------------------------------------------------- re-aggregation

def regroup(values: Iterable[tuple[str, float]] | Mapping[str, float], scheme: str, crosswalk: Crosswalk,
            at: dt.date | None = None) -> Regrouped:
    """Old units' counts in today's units: a code wholly inside one of today's units (same,
    renamed, merged, part of) adds to it; a split one is flagged, not summed; an unknown one is
    listed. Counts only: a ratio or a score does not add up (re-aggregate its numerator and
    denominator); and codes of one level (an old district is part of its province: its counts
    and its communes' would be counted twice)."""
    check_scheme(scheme)
    items = values.items() if isinstance(values, Mapping) else values
    totals: dict[str, float] = defaultdict(float)
    sources: dict[str, list[str]] = defaultdict(list)
    flagged: dict[str, Translation] = {}
    unknown: list[str] = []
    for code, value in items:
        t = crosswalk.translate(code, scheme, at)
        if t.status == "found":
            totals[t.targets[0]] += float(value)
            sources[t.targets[0]].append(t.code)
        elif t.status == "ambiguous":
            flagged.setdefault(t.code, t)
        elif t.code not in unknown:
            unknown.append(t.code)
    return Regrouped(dict(totals), tuple(flagged.values()), tuple(unknown),
                     {k: tuple(dict.fromkeys(v)) for k, v in sources.items()})


# --------------------------------------------------------------------------- imported rows

#: The columns of a crosswalk file (``chiso units crosswalk import``), the required first.
COLUMNS: tuple[str, ...] = ("scheme", "code", "target", "relation", "valid_from", "version", "level", "name", "source")
REQUIRED: tuple[str, ...] = ("scheme", "code", "target", "relation", "valid_from")


class CrosswalkProblem(Problem):
    """A problem in a crosswalk file, in the words the file's users read."""

    ROW_WORD: ClassVar[str] = "dòng"
    COLUMN_WORD: ClassVar[str] = "cột"
    VALUE_WORD: ClassVar[str] = "giá trị"


def check_existing(rows: Sequence[CrosswalkRow], existing: Crosswalk, *, file: str, row: int | None,
                   columns: tuple[str | None, str | None] = ("version", "valid_from")) -> list[Problem]:
    """The problems of one code's rows of one version (``rows``) against the crosswalk already
    there: a different mapping for that code and version, or another date for the version — a
    changed mapping needs a new version (decision 203). ``columns``: how the file names the
    version and the date (the conversion table has no such column: None)."""
    scheme, code, version = rows[0].key
    old = existing.mapping(code, scheme, version)
    if old and _mapping(old) != _mapping(rows):
        how = ("cột version và valid_from" if columns[0] else "lệnh nhập với --version và --valid-from")
        return [CrosswalkProblem(file, row, columns[0], f"mã {code} ({scheme}) phiên bản {version} đã có ánh xạ "
                                 f"khác: {_mapping_text(old)}; một ánh xạ thay đổi cần một phiên bản mới ({how})",
                                 _mapping_text(rows))]
    if old and old[0].valid_from != rows[0].valid_from:
        return [CrosswalkProblem(file, row, columns[1], f"phiên bản {version} của mã {code} đã có ngày hiệu lực "
                                 f"{old[0].valid_from}", str(rows[0].valid_from))]
    return []


def check_rows(records: Iterable[Mapping[str, Any]], *, file: str, existing: Crosswalk,
               is_unit: Callable[[str], bool]) -> list[CrosswalkRow]:
    """The rows of a crosswalk file, checked against each other and ``existing`` (shipped and
    already imported); a ``LoadError`` naming every problem (file, row, column, reason) when any.

    ``records``: the file's rows as read (``_row``: the row as the user's program numbers it).
    ``is_unit``: whether a code is one of today's units. A mapping already there unchanged is
    returned again (the caller keeps it once); a different one for the same code and version is
    refused: a changed mapping needs a new version.
    """
    problems: list[Problem] = []
    out: list[CrosswalkRow] = []
    first_row: dict[tuple[str, str, str, str], int] = {}
    version_dates: dict[str, tuple[dt.date, int]] = {}
    for record in records:
        n = record.get("_row")

        def bad(column: str | None, reason: str, value: Any = None) -> None:
            problems.append(CrosswalkProblem(file, n, column, reason, None if value is None else str(value)))

        cell = {c: _clean("" if record.get(c) is None else str(record.get(c))) for c in COLUMNS}
        for c in REQUIRED:
            if not cell[c]:
                bad(c, "trống")
        scheme, code, target, relation = cell["scheme"], cell["code"], cell["target"], cell["relation"]
        if scheme and scheme not in FOREIGN:
            bad("scheme", f"phải là một trong {', '.join(FOREIGN)} (mã hiện nay không cần dòng chuyển đổi)", scheme)
        if relation and relation not in RELATIONS:
            bad("relation", f"phải là một trong {', '.join(RELATIONS)}", relation)
        if cell["level"] and cell["level"] not in LEVELS:
            bad("level", f"phải là một trong {', '.join(LEVELS)}", cell["level"])
        if target and not is_unit(target):
            padded = [t for t in (target.zfill(2), target.zfill(5)) if t != target and target.isdigit() and is_unit(t)]
            bad("target", "không phải mã một đơn vị hiện nay (Quyết định 19/2025/QĐ-TTg)"
                + (f"; có phải {padded[0]}? (định dạng cột là văn bản để giữ số 0 đầu)" if padded else ""), target)
        if scheme == "portal" and code and is_unit(code):
            bad("code", "là mã một đơn vị hiện nay: mã của Cổng (H44, H44.23 …) phải khác mã theo Quyết định 19", code)
        valid_from = None
        if cell["valid_from"]:
            try:
                valid_from = dt.date.fromisoformat(cell["valid_from"][:10])
            except ValueError:
                bad("valid_from", "không phải một ngày (YYYY-MM-DD)", cell["valid_from"])
        if not all(cell[c] for c in REQUIRED) or valid_from is None or scheme not in FOREIGN \
                or relation not in RELATIONS or (target and not is_unit(target)):
            continue
        version = cell["version"] or valid_from.isoformat()
        if version in version_dates and version_dates[version][0] != valid_from:
            bad("valid_from", f"phiên bản {version} đã có ngày hiệu lực {version_dates[version][0]} "
                f"(dòng {version_dates[version][1]})", cell["valid_from"])
            continue
        version_dates.setdefault(version, (valid_from, n))
        key = (scheme, code, version, target)
        if key in first_row:
            bad("target", f"{code} → {target} phiên bản {version} đã có ở dòng {first_row[key]}", target)
            continue
        first_row[key] = n
        out.append(CrosswalkRow(scheme, code, target, relation, version, valid_from, cell["level"], cell["name"],
                                cell["source"] or file))
    # a code's rows of one version: one target, or every row a split
    grouped: dict[tuple[str, str, str], list[CrosswalkRow]] = defaultdict(list)
    for r in out:
        grouped[r.key].append(r)
    rows_of = {(r.scheme, r.code, r.version, r.target): first_row[(r.scheme, r.code, r.version, r.target)]
               for r in out}
    for key, rows in grouped.items():
        scheme, code, version = key
        at = rows_of[(scheme, code, version, rows[0].target)]
        if len(rows) > 1 and any(r.relation != "split_from" for r in rows):
            problems.append(CrosswalkProblem(file, at, "relation", f"mã {code} phiên bản {version} có "
                                             f"{len(rows)} đơn vị đích: chỉ một đơn vị bị chia (split_from) mới "
                                             "có nhiều đích", _mapping_text(rows)))
            continue
        problems += check_existing(rows, existing, file=file, row=at)
    if not out and not problems:
        problems.append(CrosswalkProblem(file, None, None, "tệp không có dòng nào"))
    if problems:
        raise LoadError(problems[:1000], total=len(problems))
    return out
