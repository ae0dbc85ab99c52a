"""Reporting regimes (chế độ báo cáo): what a province owes upward, as versioned YAML.

Nghị định 09/2019/NĐ-CP (the reporting regime of state administrative agencies) has every
periodic report state its name, who reports and to whom, how it is sent, the data cut-off
(thời gian chốt số liệu), the deadline, the frequency, the outline (mẫu đề cương) and the
data form (biểu mẫu số liệu). A regime file says the same, and maps each row of the form to
an indicator of the province's catalogue, the unit whose value it reports and how the value
is taken from the stored periods (``aggregation``):

- ``latest`` — the indicator's own period (its frequency) that ends last on or before the
  cut-off day: a monthly figure in a monthly report cut off on 14 November is October's;
- ``window`` — the indicator's periods lying wholly inside the data window, combined by the
  indicator's own rule across periods (``aggregation.periods``: sum, mean, last,
  ratio_of_sums, weighted_mean; ``none`` cannot be combined): weekly dossier counts from
  15 October to 14 November are the weeks 19 October – 8 November;
- ``year_to_date`` — the same over the periods of the year up to the latest one (lũy kế).

**The data window** (Điều 12 of the decree, as the shipped regime cites it): with a cut-off day
``d``, a report period covering the calendar months ``m1…m2`` of its year holds the data from
the day after day ``d`` of the month before ``m1`` to day ``d`` of ``m2`` — a monthly report of
November 2026 with ``d = 14``: 15/10/2026–14/11/2026; the first half of 2026: 15/12/2025–
14/06/2026; the year 2026: 15/12/2025–14/12/2026. ``rule: calendar`` keeps the calendar period
itself (statistical reports are outside the decree's scope and follow their own regime).

The cut-off rule, the deadline and the mapping are data, not code: a province that confirms
other rules writes them in its own file (``CHISO_REGIMES_DIR`` or ``--file``). Several files may
hold versions of one regime; the version in force for a report period is the one whose
``valid_from``/``valid_to`` hold the period's first day.

Every problem of a file is reported at once (``LoadError``), each naming the file, the line,
the field (``sections[1].rows[3].indicator``) and the reason, in Vietnamese.
``docs/regimes.md`` describes the format.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chiso import settings
from chiso.catalog.indicator import LIVE_STATES, Indicator
from chiso.errors import LoadError, NotFoundError, Problem, WindowError
from chiso.files.documents import YAML_LOADER, parse_yaml, read_document, yaml_error
from chiso.periods.reporting import FREQUENCY_KIND

#: The regimes chiso ships (the monthly socio-economic report of Bắc Ninh, as the example).
SHIPPED_DIR = Path(__file__).parent / "definitions" / "regimes"

#: Regime frequency → the calendar months one report period covers.
FREQUENCY_MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
#: Regime frequency → how it is said ("hằng tháng"…).
FREQUENCY_WORDS: dict[str, str] = {"monthly": "hằng tháng", "quarterly": "hằng quý",
                                   "half_yearly": "6 tháng", "yearly": "hằng năm"}
#: Regime frequency → how a period label is written, for messages.
PERIOD_EXAMPLES: dict[str, str] = {"monthly": "2026-11", "quarterly": "2026-Q3", "half_yearly": "2026-H1",
                                   "yearly": "2026"}
AGGREGATIONS = ("latest", "window", "year_to_date")
COMPARISONS = ("ratio", "difference", "none")
ROMAN = ("I", "II", "III", "IV")


# ---------------------------------------------------------------- the file's shape
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class LegalBasis(_Strict):
    """One document the regime rests on, and the article it uses."""

    document: str = Field(min_length=1)       # Nghị định 09/2019/NĐ-CP
    article: str | None = None                # Điều 12, khoản 1
    says: str | None = None                   # what the regime takes from it


class Cutoff(_Strict):
    """The data cut-off (thời gian chốt số liệu)."""

    rule: Literal["day_of_month", "calendar"] = "day_of_month"
    day: int | None = Field(default=None, ge=1, le=28)
    basis: str = Field(min_length=1)

    @model_validator(mode="after")
    def _day(self):
        if self.rule == "day_of_month" and self.day is None:
            raise ValueError("quy tắc day_of_month cần ngày chốt `day` (1–28)")
        if self.rule == "calendar" and self.day is not None:
            raise ValueError("quy tắc calendar (theo kỳ lịch) không có ngày chốt `day`")
        return self


class Deadline(_Strict):
    """When the report is due: days after the cut-off day (thời hạn gửi báo cáo)."""

    days_after_cutoff: int = Field(ge=0, le=366)
    basis: str = Field(min_length=1)


class Template(_Strict):
    """Which outline and which data form the regime uses."""

    outline: str = Field(min_length=1)        # the outline's title: "Tình hình kinh tế – xã hội"
    form: str = Field(min_length=1)           # the form's number: "Biểu số 01"
    form_title: str = Field(min_length=1)     # the form's title


class DocumentSpec(_Strict):
    """The administrative document's parts (Nghị định 30/2020/NĐ-CP) for this regime."""

    doc_type: str = "BÁO CÁO"
    authority: str | None = None              # cơ quan chủ quản; none for the People's Committee itself
    issuer: str = Field(min_length=1)         # cơ quan ban hành: "UBND TỈNH BẮC NINH"
    symbol: str = Field(min_length=1)         # "BC-UBND"
    place: str | None = None                  # default: the province's short name
    signer_authority: str | None = None       # "TM. ỦY BAN NHÂN DÂN"
    signer_title: str = Field(min_length=1)   # "CHỦ TỊCH"
    recipients: tuple[str, ...] = Field(min_length=1)


class RowSpec(_Strict):
    """One row of the data form: which indicator, for which unit, taken how."""

    number: str = Field(min_length=1)         # the row's number on the form (STT): "1", "1.1"
    label: str = Field(min_length=1)
    indicator: str = Field(min_length=1)
    unit: str = "province"                    # "province" or a unit code of the province
    aggregation: Literal["latest", "window", "year_to_date"] = "latest"
    compare: Literal["ratio", "difference", "none"] = "ratio"
    note: str | None = None


class SectionSpec(_Strict):
    """One part of the outline: its heading, what the office writes there, its rows."""

    number: str = Field(min_length=1)         # the part's number in the outline: "I", "II"
    title: str = Field(min_length=1)
    guidance: str | None = None
    rows: tuple[RowSpec, ...] = Field(min_length=1)


class RegimeSpec(_Strict):
    """A reporting regime file (``docs/regimes.md``)."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_.-]{1,63}$")
    version: str = Field(min_length=1)
    valid_from: dt.date
    valid_to: dt.date | None = None
    name: str = Field(min_length=1)
    name_en: str | None = None
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)
    frequency: Literal["monthly", "quarterly", "half_yearly", "yearly"]
    cutoff: Cutoff
    deadline: Deadline | None = None
    reporter: str = Field(min_length=1)       # đối tượng thực hiện báo cáo
    recipient: str = Field(min_length=1)      # cơ quan nhận báo cáo
    method: str | None = None                 # phương thức gửi, nhận báo cáo
    province: str | None = None               # the province whose catalogue the rows map to
    template: Template
    document: DocumentSpec
    sections: tuple[SectionSpec, ...] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v):
        return str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    @field_validator("province", mode="before")
    @classmethod
    def _province_text(cls, v):
        if isinstance(v, int) and not isinstance(v, bool):
            raise ValueError("mã tỉnh viết trong ngoặc kép (\"24\"), vì mã tỉnh là chữ")
        return v

    @model_validator(mode="after")
    def _dates(self):
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} trước valid_from {self.valid_from}")
        return self


# ---------------------------------------------------------------- problems
@dataclass(frozen=True)
class RegimeProblem(Problem):
    """One problem of a regime file: ``row`` is the file's line, ``column`` the field's path."""

    ROW_WORD: ClassVar[str] = "dòng"
    COLUMN_WORD: ClassVar[str] = "trường"
    VALUE_WORD: ClassVar[str] = "giá trị"


Loc = tuple[Any, ...]


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Lines:
    """The line of every mapping key and sequence item of a YAML document, by path."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.lines: dict[Loc, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, loc: Loc) -> None:
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    self.lines[loc + (k.value,)] = k.start_mark.line + 1
                    self._walk(v, loc + (k.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, loc + (i,))

    def line(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of the nearest enclosing place the file has."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get(())


#: pydantic's error types → the reason in Vietnamese.
def _reason(e: dict) -> str:
    kind, ctx = e.get("type", ""), e.get("ctx") or {}
    if kind == "missing":
        return "bắt buộc nhưng chưa có"
    if kind == "extra_forbidden":
        return "trường không có trong mẫu chế độ báo cáo (docs/regimes.md)"
    if kind in ("literal_error", "enum"):
        return f"phải là một trong: {ctx.get('expected', '')}".replace("'", "")
    if kind in ("string_type",):
        return "phải là chữ"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "phải là số nguyên"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        sign = {"greater_than_equal": "≥", "less_than_equal": "≤", "greater_than": ">", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"phải {sign} {bound}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "phải là một ngày viết YYYY-MM-DD"
    if kind == "string_pattern_mismatch":
        return "mã viết hoa, bắt đầu bằng chữ cái, chỉ gồm chữ, số, '_', '.', '-' (2–64 ký tự)"
    if kind in ("too_short",):
        return f"cần ít nhất {ctx.get('min_length', 1)} mục" if "min_length" in ctx else "không được để trống"
    if kind == "string_too_short":
        return "không được để trống"
    if kind in ("tuple_type", "list_type"):
        return "phải là một danh sách"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "phải là một nhóm trường (mapping)"
    if kind == "string_type" or kind == "str_type":
        return "phải là chữ"
    if kind == "value_error":
        return str(e.get("msg", "")).removeprefix("Value error, ")
    return str(e.get("msg", kind))


@dataclass
class _Problems:
    path: str
    lines: _Lines
    items: list[Problem] = field(default_factory=list)

    def add(self, loc: Loc, reason: str, value: Any = None) -> None:
        shown = None if value is None or isinstance(value, (dict, list, tuple)) else str(value)
        self.items.append(RegimeProblem(self.path, self.lines.line(loc), _path(loc) or None, reason, shown))

    def raise_if_any(self) -> None:
        if self.items:
            raise LoadError(sorted(self.items, key=lambda p: p.row if p.row is not None else 0))


# ---------------------------------------------------------------- the regime
@dataclass(frozen=True)
class Regime:
    """A validated regime file: its spec, where it came from, and its lines (for later checks)."""

    spec: RegimeSpec
    path: str
    lines: _Lines = field(repr=False, compare=False)

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def version(self) -> str:
        return self.spec.version

    def rows(self) -> Iterable[tuple[int, int, SectionSpec, RowSpec]]:
        """(section index, row index, section, row) in the order of the form."""
        for i, section in enumerate(self.spec.sections):
            for j, row in enumerate(section.rows):
                yield i, j, section, row

    def in_force(self, day: dt.date) -> bool:
        return self.spec.valid_from <= day and (self.spec.valid_to is None or day <= self.spec.valid_to)

    def check(self, indicators: Mapping[str, Indicator], *, province: str, units: Any) -> None:
        """Check the mapping against a catalogue (``{code: Indicator}``, every state) and the unit
        tree; a ``LoadError`` names each row that cannot be filled and why."""
        problems = _Problems(self.path, self.lines)
        if self.spec.province is not None and self.spec.province != province:
            problems.add(("province",), f"chế độ báo cáo này của tỉnh {self.spec.province}, không phải "
                         f"tỉnh {province}", self.spec.province)
        regime_months = FREQUENCY_MONTHS[self.spec.frequency]
        for i, j, _section, row in self.rows():
            loc = ("sections", i, "rows", j)
            ind = indicators.get(row.indicator)
            if ind is None:
                problems.add(loc + ("indicator",), "không có chỉ số này trong danh mục của tỉnh", row.indicator)
                continue
            if row.unit != "province":
                if row.unit not in units:
                    problems.add(loc + ("unit",), "không có đơn vị này trong danh sách đơn vị", row.unit)
                else:
                    unit = units.get(row.unit)
                    owner = units.province_of(row.unit)
                    if owner.code != province:
                        problems.add(loc + ("unit",), f"không phải đơn vị của tỉnh {province}", row.unit)
                    elif unit.level != "province" and unit.level not in ind.levels:
                        problems.add(loc + ("unit",), f"{ind.code} không được báo cáo ở cấp {unit.level} "
                                     f"(chỉ ở: {', '.join(ind.levels)})", row.unit)
            if row.aggregation == "latest":
                continue
            kind = FREQUENCY_KIND[ind.frequency]
            rule = ind.aggregation.periods
            if rule == "none":
                problems.add(loc + ("aggregation",), f"{ind.code} không cộng dồn được qua các kỳ "
                             "(aggregation.periods: none trong danh mục); dùng aggregation: latest",
                             row.aggregation)
            if row.aggregation == "window" and _months_of_kind(kind) >= regime_months:
                problems.add(loc + ("aggregation",), f"{ind.code} có kỳ {kind}, không nhỏ hơn kỳ báo cáo: "
                             "không có kỳ nào nằm trong khoảng chốt số liệu; dùng aggregation: latest",
                             row.aggregation)
            if row.aggregation == "year_to_date" and kind == "year":
                problems.add(loc + ("aggregation",), f"{ind.code} có kỳ năm: không có lũy kế trong năm; "
                             "dùng aggregation: latest", row.aggregation)
        problems.raise_if_any()


def _months_of_kind(kind: str) -> float:
    return {"day": 1 / 30, "week": 7 / 30, "month": 1, "quarter": 3, "year": 12}[kind]


def parse_regime(text: str, path: str = "<text>") -> Regime:
    """Read and validate regime YAML text; every problem at once (``LoadError``)."""
    text = unicodedata.normalize("NFC", text)
    data = parse_yaml(text, path)
    return _validate(data, text, path)


def _validate(data: Any, text: str, path: str) -> Regime:
    try:
        node = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:  # pragma: no cover - parse_yaml read the same text
        raise yaml_error(exc, path) from None
    problems = _Problems(path, _Lines(node))
    if not isinstance(data, dict):
        problems.add((), "cần một nhóm trường ở cấp cao nhất (code, version, name, …)")
        problems.raise_if_any()
    try:
        spec = RegimeSpec.model_validate(data)
    except ValidationError as err:
        errors = err.errors()
        deeper = [tuple(e["loc"]) for e in errors if e["type"] != "too_short"]
        for e in errors:
            loc = tuple(e["loc"])
            # a list whose items failed is also "too short" to pydantic: only the items' problems count
            if e["type"] == "too_short" and any(d[:len(loc)] == loc and len(d) > len(loc) for d in deeper):
                continue
            problems.add(loc, _reason(e), e.get("input"))
        problems.raise_if_any()
        raise  # pragma: no cover - every error was added above
    seen: dict[str, Loc] = {}
    for i, section in enumerate(spec.sections):
        for j, row in enumerate(section.rows):
            loc = ("sections", i, "rows", j, "number")
            if row.number in seen:
                problems.add(loc, f"số thứ tự {row.number!r} trùng với {_path(seen[row.number])}", row.number)
            else:
                seen[row.number] = loc
    sections: dict[str, int] = {}
    for i, section in enumerate(spec.sections):
        if section.number in sections:
            problems.add(("sections", i, "number"), f"phần {section.number!r} trùng với "
                         f"sections[{sections[section.number]}]", section.number)
        sections.setdefault(section.number, i)
    problems.raise_if_any()
    return Regime(spec, path, problems.lines)


def load_regime(path: str | Path) -> Regime:
    """Read and validate one regime file (YAML)."""
    name = str(path)
    _data, text = read_document(Path(path), "yaml", name)
    return _validate(_data, text, name)


def regime_folders(extra: Iterable[str | Path] = ()) -> list[Path]:
    """Where regimes are read from: the shipped folder, ``CHISO_REGIMES_DIR`` when set, then ``extra``."""
    folders = [SHIPPED_DIR]
    own = settings.get("CHISO_REGIMES_DIR")
    if own:
        folders.append(Path(own))
    folders.extend(Path(p) for p in extra)
    return folders


def load_regimes(folders: Iterable[str | Path] | None = None, files: Iterable[str | Path] = ()) -> list[Regime]:
    """Every regime file of the folders (``*.yaml``, ``*.yml``) and the files named, validated;
    versions of one code must not overlap in time, and a code and version appear once. A code that
    a file outside the shipped folder defines replaces the shipped versions of that code."""
    paths: list[Path] = []
    for folder in (regime_folders() if folders is None else [Path(f) for f in folders]):
        if not folder.is_dir():
            raise LoadError([RegimeProblem(str(folder), None, None, "không có thư mục này")])
        paths.extend(sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
    paths.extend(Path(f) for f in files)
    regimes: list[Regime] = []
    problems: list[Problem] = []
    for p in paths:
        try:
            regimes.append(load_regime(p))
        except LoadError as exc:
            problems.extend(exc.problems)
    # a province's own file of a shipped code replaces the shipped versions of it (its deadline,
    # recipients, rows): the shipped example is a starting point, not a version to continue
    own = {r.code for r in regimes if not _shipped(r)}
    regimes = [r for r in regimes if not (_shipped(r) and r.code in own)]
    by_code: dict[str, list[Regime]] = {}
    for r in regimes:
        by_code.setdefault(r.code, []).append(r)
    for code, versions in by_code.items():
        versions.sort(key=lambda r: r.spec.valid_from)
        for a, b in zip(versions, versions[1:]):
            if a.version == b.version:
                problems.append(RegimeProblem(b.path, b.lines.line(("version",)), "version",
                                              f"{code} phiên bản {b.version} đã có ở {a.path}", b.version))
            elif a.spec.valid_to is None or a.spec.valid_to >= b.spec.valid_from:
                problems.append(RegimeProblem(b.path, b.lines.line(("valid_from",)), "valid_from",
                                              f"{code} phiên bản {b.version} bắt đầu khi phiên bản {a.version} "
                                              f"({a.path}) còn hiệu lực; đặt valid_to của phiên bản trước",
                                              str(b.spec.valid_from)))
    if problems:
        raise LoadError(problems)
    return sorted(regimes, key=lambda r: (r.code, r.spec.valid_from))


def _shipped(regime: Regime) -> bool:
    return Path(regime.path).resolve().parent == SHIPPED_DIR.resolve()


def find_regime(regimes: Iterable[Regime], code: str, period: str | None = None) -> Regime:
    """The version of ``code`` in force for the report ``period`` (its first day), or its newest."""
    versions = [r for r in regimes if r.code == code]
    if not versions:
        known = sorted({r.code for r in regimes})
        raise NotFoundError(f"không có chế độ báo cáo {code!r}; hiện có: {', '.join(known) or 'không có'}")
    if period is None:
        return max(versions, key=lambda r: r.spec.valid_from)
    first = report_period(versions[0].spec.frequency, period).first_day
    for r in versions:
        if r.in_force(first):
            return r
    spans = "; ".join(f"{r.version}: {r.spec.valid_from}–{r.spec.valid_to or '…'}" for r in versions)
    raise WindowError(f"không có phiên bản nào của {code} có hiệu lực cho kỳ {period} ({spans})")


# ---------------------------------------------------------------- periods and cut-off
@dataclass(frozen=True)
class ReportPeriod:
    """A report period of a regime: its label, its year and the calendar months it covers."""

    label: str
    frequency: str
    year: int
    first_month: int
    last_month: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def shifted(self, years: int) -> ReportPeriod:
        """The same period ``years`` later (−1: the same period last year)."""
        y = self.year + years
        return ReportPeriod(f"{y}{self.label[4:]}", self.frequency, y, self.first_month, self.last_month)

    def spoken(self) -> str:
        """As a document's trích yếu says it: "tháng 11 năm 2026", "quý III năm 2026",
        "6 tháng đầu năm 2026", "năm 2026"."""
        if self.frequency == "monthly":
            return f"tháng {self.first_month} năm {self.year}"
        if self.frequency == "quarterly":
            return f"quý {ROMAN[(self.first_month - 1) // 3]} năm {self.year}"
        if self.frequency == "half_yearly":
            return f"6 tháng {'đầu' if self.first_month == 1 else 'cuối'} năm {self.year}"
        return f"năm {self.year}"


_LABELS = {
    "monthly": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarterly": re.compile(r"^(\d{4})-Q([1-4])$"),
    "half_yearly": re.compile(r"^(\d{4})-H([12])$"),
    "yearly": re.compile(r"^(\d{4})$"),
}


def report_period(frequency: str, label: str) -> ReportPeriod:
    """The report period ``label`` of a regime of ``frequency``: ``2026-11`` (monthly),
    ``2026-Q3`` (quarterly), ``2026-H1`` / ``2026-H2`` (half-yearly), ``2026`` (yearly)."""
    if frequency not in _LABELS:
        raise WindowError(f"không có tần suất báo cáo {frequency!r}")
    m = _LABELS[frequency].match(str(label).strip())
    if not m or not 1900 <= int(m.group(1)) <= 2200:
        raise WindowError(f"kỳ báo cáo {label!r} không phải kỳ của chế độ báo cáo {FREQUENCY_WORDS[frequency]}; "
                          f"viết như {PERIOD_EXAMPLES[frequency]}")
    y = int(m.group(1))
    if frequency == "monthly":
        mon = int(m.group(2))
        if not 1 <= mon <= 12:
            raise WindowError(f"kỳ báo cáo {label!r}: không có tháng {mon}")
        first = last = mon
    elif frequency == "quarterly":
        q = int(m.group(2))
        first, last = 3 * q - 2, 3 * q
    elif frequency == "half_yearly":
        h = int(m.group(2))
        first, last = 6 * h - 5, 6 * h
    else:
        first, last = 1, 12
    return ReportPeriod(str(label).strip(), frequency, y, first, last)


@dataclass(frozen=True)
class DataWindow:
    """The days whose data a report holds (thời gian chốt số liệu), first and last included."""

    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _cutoff_day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def data_window(cutoff: Cutoff, period: ReportPeriod) -> DataWindow:
    """The data window of ``period`` under ``cutoff`` (see the module): with the cut-off day
    ``d``, from the day after day ``d`` of the month before the period's first month to day
    ``d`` of its last month; under ``calendar`` the period's own days."""
    if cutoff.rule == "calendar":
        return DataWindow(period.first_day, period.last_day)
    day = cutoff.day or 1
    prev_year, prev_month = (period.year - 1, 12) if period.first_month == 1 else (period.year, period.first_month - 1)
    start = _cutoff_day(prev_year, prev_month, day) + dt.timedelta(days=1)
    return DataWindow(start, _cutoff_day(period.year, period.last_month, day))


def due_date(regime: Regime, window: DataWindow) -> dt.date | None:
    """The day the report is due (the cut-off day + the deadline's days), or None without one."""
    d = regime.spec.deadline
    return None if d is None else window.end + dt.timedelta(days=d.days_after_cutoff)


def live(indicator: Indicator) -> bool:
    """Whether an indicator feeds reports (approved or in operation)."""
    return indicator.status in LIVE_STATES


__all__ = ["AGGREGATIONS", "COMPARISONS", "FREQUENCY_MONTHS", "FREQUENCY_WORDS", "SHIPPED_DIR",
           "Cutoff", "DataWindow", "Regime", "RegimeProblem", "RegimeSpec", "ReportPeriod", "data_window",
           "due_date", "find_regime", "live", "load_regime", "load_regimes", "parse_regime", "regime_folders",
           "report_period"]
