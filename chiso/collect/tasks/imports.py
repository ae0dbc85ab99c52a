"""Tasks into the register: a document-management system's export (CSV, XLSX), or items
handed over by the API or a connector — every row checked, then all written, or none.

``import_tasks`` reads the file with the one reader (``chiso.files.tables.read_table``: its
limits, its row numbers — the row the user's own program shows, header = row 1), matches the
headers (``chiso.collect.tasks.columns``), and checks every row: required cells, dates
(dd/mm/yyyy, yyyy-mm-dd or an Excel date), units of the province (a code or the exact name),
the deadline (``chiso.tasks.deadlines.parse_deadline``), the priority star, the field and
the indicators of the catalogue, duplicate task ids. Every problem names the file, the row,
the column and the reason, all at once (up to ``CHISO_FILE_MAX_PROBLEMS``), in one
``LoadError``; nothing is written then. Otherwise each task is created or changed by its
external id (``chiso.store.repo_tasks.upsert_task``: the same row again changes nothing, a
changed row keeps its history) in the caller's transaction.

``import_items`` does the same for items with the snake-case keys of ``columns.KEYS``
(the API, a connector); its problems name the item (from 1) and the key.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.catalog.indicator import DEFAULT_FIELDS
from chiso.collect.tasks import reasons
from chiso.collect.tasks.columns import BY_KEY, COLUMNS, KEYS, REQUIRED, column_of
from chiso.collect.validate import as_text
from chiso.errors import ConflictError, LoadError, Problem
from chiso.files.limits import Limits, current_limits
from chiso.files.tables import ROW, read_table
from chiso.periods.holidays import HolidayCalendar, load_holidays
from chiso.store import repo_tasks
from chiso.store.database import serialise
from chiso.store.models_tasks import TaskRow
from chiso.tasks.deadlines import parse_deadline, roll_setting
from chiso.text import fold
from chiso.units.model import Unit

#: Task files by suffix (the one reader's formats a document-management export comes in).
FORMATS: dict[str, str] = {".csv": "csv", ".xlsx": "xlsx"}
#: The years a date of a task may fall in.
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: The longest text each column keeps (the register's columns); others: CHISO_FILE_MAX_CELL_CHARS.
MAX_CHARS: dict[str, int] = {"external_id": 128, "doc_number": 128, "doc_issuer": 255, "doc_link": 1024,
                             "assigned_by": 255, "deadline": 255}
#: What the priority column says: starred, or not.
STARRED_YES = frozenset({"x", "có", "co", "✓", "✔", "1", "true", "yes", "trọng tâm"})
STARRED_NO = frozenset({"", "không", "khong", "0", "false", "no"})

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")          # an Excel date written as its number
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LIST = re.compile(r"[;\n]")
_CODES = re.compile(r"[;,\n]")


@dataclass(frozen=True)
class TaskImport:
    """What an import did: tasks created, changed and left unchanged, and their register codes
    in the order of the file (or items)."""

    created: int
    changed: int
    unchanged: int
    codes: tuple[str, ...]


class _Bad(Exception):
    def __init__(self, reason: str, value: Any = None):
        super().__init__(reason)
        self.reason, self.value = reason, value


@dataclass
class _Checker:
    """What a row is checked against: the province's units, the catalogue, the calendar."""

    name: str                               # the file (or "request", "connector …") problems name
    province: str
    units: dict[str, Unit]                  # code, upper-case code and folded name → unit
    fields: dict[str, tuple[str, str]]      # code → (name, name in English)
    indicators: Callable[[str], str | None]  # a code as written → the catalogue's code, or None
    cal: HolidayCalendar
    how: str
    limits: Limits
    column: Callable[[str], str]            # key → how a problem names the column

    # ----------------------------------------------------------- one value
    def text(self, key: str, value: Any, required: bool = False) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise _Bad(reasons.text("cell.empty"))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _Bad(reasons.text("cell.not_text", kind=type(value).__name__), _shown(value))
        out = unicodedata.normalize("NFC", str(value).strip())
        limit = MAX_CHARS.get(key, self.limits.max_cell_chars)
        if len(out) > limit:
            raise _Bad(reasons.text("cell.too_long", limit=f"{limit:,}"), _shown(out))
        return out

    def date(self, value: Any, required: bool = False) -> dt.date | None:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            day = value
        else:
            written = self.text("date", value, required)
            if written is None:
                return None
            day = _read_date(written)
            if day is None:
                raise _Bad(reasons.text("date.unreadable"), written)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise _Bad(reasons.text("date.years", first=FIRST_YEAR, last=LAST_YEAR), _shown(value))
        return day

    def unit(self, value: Any) -> str:
        written = self.text("unit", value, required=True)
        unit = self.units.get(written) or self.units.get(written.upper()) or self.units.get(_name_key(written))
        if unit is None:
            raise _Bad(reasons.text("unit.unknown", province=self.province), written)
        if unit.level not in ("department", "commune"):
            raise _Bad(reasons.text("unit.level", unit=f"{unit.code} ({unit.name})", level=unit.level), written)
        return unit.code

    def units_list(self, value: Any) -> list[str]:
        out: list[str] = []
        for part in _parts(value, _LIST):
            code = self.unit(part)
            if code not in out:
                out.append(code)
        return out

    def starred(self, value: Any) -> bool:
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if not isinstance(value, str):
            raise _Bad(reasons.text("starred.unreadable"), _shown(value))
        word = unicodedata.normalize("NFC", value).strip().casefold()
        if word in STARRED_YES:
            return True
        if word in STARRED_NO:
            return False
        raise _Bad(reasons.text("starred.unreadable"), value)

    def field(self, value: Any) -> str | None:
        written = self.text("field", value)
        if written is None:
            return None
        if written.upper() in self.fields:
            return written.upper()
        key = fold(written)
        for code, (vi, en) in self.fields.items():
            if key in (fold(vi), fold(en), fold(code)):
                return code
        raise _Bad(reasons.text("field.unknown", fields=", ".join(f"{c} ({v})" for c, (v, _) in self.fields.items())),
                   written)

    def indicator_codes(self, value: Any) -> list[str]:
        out: list[str] = []
        for part in _parts(value, _CODES):
            code = self.indicators(part)
            if code is None:
                raise _Bad(reasons.text("indicator.unknown", code=part), part)
            if code not in out:
                out.append(code)
        return out

    def deadline(self, value: Any, assigned_on: dt.date, until: dt.date | None):
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            written = self.text("deadline", value) or ""
            day = _read_date(written) if written else None
            if day is not None:
                value = day
            elif _looks_like_date(written):
                raise _Bad(reasons.text("date.calendar"), written)
            else:
                value = written
        if isinstance(value, dt.date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise _Bad(reasons.text("date.years", first=FIRST_YEAR, last=LAST_YEAR), _shown(value))
        try:
            return parse_deadline(value, assigned_on, self.cal, until=until, how=self.how)
        except ValueError as exc:
            raise _Bad(str(exc), _shown(value)) from None

    # ----------------------------------------------------------- one row
    def row(self, cells: Mapping[str, Any], where: int) -> tuple[str, dict[str, Any]] | list[Problem]:
        """(external id, the register's values) of one row, or its problems."""
        problems: list[Problem] = []
        got: dict[str, Any] = {}

        def check(key: str, fn: Callable[[Any], Any]) -> None:
            try:
                got[key] = fn(cells.get(key))
            except _Bad as bad:
                problems.append(Problem(self.name, where, self.column(key), bad.reason, bad.value))

        for key in ("external_id", "doc_number", "content"):
            check(key, lambda v, k=key: self.text(k, v, required=True))
        for key in ("doc_summary", "doc_issuer", "assigned_by"):
            check(key, lambda v, k=key: self.text(k, v) or "")
        check("doc_link", self._link)
        check("doc_date", self.date)
        check("assigned_on", lambda v: self.date(v, required=True))
        check("lead_unit", self.unit)
        check("co_units", self.units_list)
        check("starred", self.starred)
        check("field", self.field)
        check("indicators", self.indicator_codes)
        check("until", self.date)
        assigned = got.get("assigned_on")
        # with no readable assignment day the deadline's words are still checked (against today)
        check("deadline", lambda v: self.deadline(v, assigned or dt.date.today(), got.get("until")))
        deadline = got.get("deadline")
        if assigned is not None:
            doc_date = got.get("doc_date")
            if doc_date is not None and assigned < doc_date:
                problems.append(Problem(self.name, where, self.column("assigned_on"),
                                        reasons.text("date.before_document", date=_dmy(doc_date)), _dmy(assigned)))
            if deadline is not None and deadline.kind == "date" and deadline.day < assigned:
                problems.append(Problem(self.name, where, self.column("deadline"),
                                        reasons.text("deadline.before_assigned", date=_dmy(deadline.day),
                                                     assigned=_dmy(assigned)), deadline.text))
            until = got.get("until")
            if until is not None and until < assigned:
                problems.append(Problem(self.name, where, self.column("until"),
                                        reasons.text("until.before_assigned", assigned=_dmy(assigned)), _dmy(until)))
        if deadline is not None and got.get("until") is not None and deadline.kind not in ("monthly", "quarterly"):
            problems.append(Problem(self.name, where, self.column("until"), reasons.text("until.not_recurring"),
                                    _dmy(got["until"])))
        if problems:
            return problems
        lead = got["lead_unit"]
        values = {
            "doc_number": got["doc_number"], "doc_date": got["doc_date"], "doc_summary": got["doc_summary"],
            "doc_issuer": got["doc_issuer"], "doc_link": got["doc_link"], "content": got["content"],
            "assigned_by": got["assigned_by"], "assigned_on": assigned, "lead_unit": lead,
            "co_units": [c for c in got["co_units"] if c != lead],
            "deadline_kind": deadline.kind, "deadline": deadline.day, "due_day": deadline.due_day,
            "until": deadline.until, "deadline_text": deadline.text, "starred": got["starred"],
            "field": got["field"], "indicators": got["indicators"],
        }
        return got["external_id"], values

    def _link(self, value: Any) -> str | None:
        link = self.text("doc_link", value)
        if link is not None and not link.lower().startswith(("http://", "https://")):
            raise _Bad(reasons.text("link.scheme"), link)
        return link


# --------------------------------------------------------------------------- helpers
def _shown(value: Any) -> str:
    text = value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _name_key(text: str) -> str:
    """A unit's name as names are compared: NFC, no case, spaces collapsed (accents kept)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _read_date(written: str) -> dt.date | None:
    """The date written (dd/mm/yyyy, yyyy-mm-dd with or without a time, an Excel date's number),
    None when it is not written as a date; ``_Bad`` when it is one but not of the calendar."""
    try:
        m = _DMY.match(written)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _YMD.match(written)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise _Bad(reasons.text("date.calendar"), written) from None
    m = _SERIAL.match(written)
    if m:
        return _EXCEL_EPOCH + dt.timedelta(days=int(m[1]))
    return None


def _looks_like_date(written: str) -> bool:
    return bool(_DMY.match(written) or _YMD.match(written))


def _parts(value: Any, separators: re.Pattern) -> list[str]:
    """A list cell: a list of texts, or one text separated by ``;`` (or newlines)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        items = value
    elif isinstance(value, str):
        items = separators.split(value)
    else:
        raise _Bad(reasons.text("cell.not_text", kind=type(value).__name__), _shown(value))
    out = []
    for item in items:
        if not isinstance(item, str):
            raise _Bad(reasons.text("cell.not_text", kind=type(item).__name__), _shown(item))
        item = unicodedata.normalize("NFC", item).strip()
        if item:
            out.append(item)
    return out


def _fields_of(catalogue: Any) -> dict[str, tuple[str, str]]:
    """The catalogue's fields (a ``Catalogue``'s own), else the default six."""
    fields = getattr(catalogue, "fields", None)
    if fields:
        return {code: (f.name, f.name_en) for code, f in fields.items()}
    return dict(DEFAULT_FIELDS)


def _indicator_lookup(catalogue: Any) -> Callable[[str], str | None]:
    def find(code: str) -> str | None:
        for candidate in (code, code.upper()):
            if candidate in catalogue:
                return candidate
        return None
    return find


def _units_of(tree, province: str) -> dict[str, Unit]:
    out: dict[str, Unit] = {}
    for unit in tree.units(province=province):
        out.setdefault(unit.code, unit)
        out.setdefault(unit.code.upper(), unit)
        out.setdefault(_name_key(unit.name), unit)
    return out


def _checker(name: str, province: str, tree, catalogue, limits: Limits, column: Callable[[str], str]) -> _Checker:
    return _Checker(name=name, province=province, units=_units_of(tree, province), fields=_fields_of(catalogue),
                    indicators=_indicator_lookup(catalogue if catalogue is not None else {}),
                    cal=load_holidays(), how=roll_setting(), limits=limits, column=column)


def _refuse(problems: list[Problem], limits: Limits) -> LoadError:
    return LoadError(problems[: limits.max_problems], total=len(problems))


def _check_all(checker: _Checker, rows: Iterable[tuple[int, Mapping[str, Any]]]
               ) -> tuple[list[tuple[int, str, dict[str, Any]]], list[Problem]]:
    """Every row checked: the good rows' (number, external id, values), and every problem."""
    problems: list[Problem] = []
    good: list[tuple[int, str, dict[str, Any]]] = []
    first_row: dict[str, int] = {}
    for where, cells in rows:
        out = checker.row(cells, where)
        try:  # a task id given twice is named even when either row has other problems
            external_id = checker.text("external_id", cells.get("external_id"))
        except _Bad:
            external_id = None
        if external_id is not None and external_id in first_row:
            problems.append(Problem(checker.name, where, checker.column("external_id"),
                                    reasons.text("id.twice", id=external_id, first=first_row[external_id]),
                                    external_id))
            continue
        if external_id is not None:
            first_row[external_id] = where
        if isinstance(out, list):
            problems += out
            continue
        good.append((where, *out))
    return good, problems


def _write(session: Session, checked: list[tuple[int, str, dict[str, Any]]], checker: _Checker, *,
           province: str, by: str, source: str, limits: Limits) -> TaskImport:
    if not serialise(session, [("tasks", province)]):
        raise ConflictError("một lần nhập nhiệm vụ khác đang ghi sổ; hãy thử lại / another task import is "
                            "writing the register; try again")
    ids = [external_id for _, external_id, _ in checked]
    elsewhere: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for external_id, other in session.execute(select(TaskRow.external_id, TaskRow.province_code)
                                                  .where(TaskRow.external_id.in_(chunk))):
            if other != province:
                elsewhere[external_id] = other
    if elsewhere:
        raise _refuse([Problem(checker.name, where, checker.column("external_id"),
                               reasons.text("id.province", id=external_id, other=elsewhere[external_id]), external_id)
                       for where, external_id, _ in checked if external_id in elsewhere], limits)
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    codes = []
    for _, external_id, values in checked:
        row, what = repo_tasks.upsert_task(session, values, province=province, source=source, by=by,
                                           external_id=external_id)
        counts[what] += 1
        codes.append(row.code)
    return TaskImport(counts["created"], counts["changed"], counts["unchanged"], tuple(codes))


# --------------------------------------------------------------------------- the two ways in
def _file_columns(name: str, headers: list[str]) -> dict[str, str]:
    """The file's header → key of the columns chiso reads (others are left out), or a LoadError
    naming required columns missing and columns given twice."""
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for header in headers:
        key = column_of(header)
        if key is None:
            continue
        if key in found.values():
            first = next(h for h, k in found.items() if k == key)
            problems.append(Problem(name, None, BY_KEY[key].header,
                                    reasons.text("column.twice", first=repr(first), second=repr(header))))
            continue
        found[header] = key
    missing = [k for k in REQUIRED if k not in found.values()]
    problems += [Problem(name, None, BY_KEY[k].header,
                         reasons.text("column.missing", columns=", ".join(c.header for c in COLUMNS)))
                 for k in missing]
    if problems:
        raise LoadError(problems, total=len(problems))
    return found


def read_rows(path: str | Path, name: str | None = None, *, limits: Limits | None = None
              ) -> tuple[str, list[tuple[int, dict[str, str | None]]]]:
    """The file's name as problems give it, and its rows: (row number, key → cell text)."""
    path = Path(path)
    name = name or str(path)
    limits = limits or current_limits()
    table = read_table(path, name, formats=FORMATS, what="tasks", limits=limits)
    frame = table.frame
    columns = _file_columns(name, [c for c in frame.columns if c != ROW])
    texts = {key: as_text(frame[header]).to_list() for header, key in columns.items()}
    numbers = frame[ROW].to_list()
    return name, [(n, {key: cells[i] for key, cells in texts.items()}) for i, n in enumerate(numbers)]


def import_tasks(session: Session, path: str | Path, *, name: str | None = None, province: str, tree,
                 catalogue, by: str, source: str = "file") -> TaskImport:
    """Import a task file (CSV or XLSX) into the register of ``province``: all its tasks, or
    none and a ``LoadError`` naming every problem (file, row, column, reason)."""
    limits = current_limits()
    name, rows = read_rows(path, name, limits=limits)
    if not rows:
        raise LoadError([Problem(name, None, None, reasons.text("tasks.empty"))], total=1)
    checker = _checker(name, province, tree, catalogue, limits, lambda key: BY_KEY[key].header)
    checked, problems = _check_all(checker, rows)
    if problems:
        raise _refuse(problems, limits)
    return _write(session, checked, checker, province=province, by=by, source=source, limits=limits)


def import_items(session: Session, items: list[dict], *, province: str, tree, catalogue, by: str,
                 source: str = "api", what: str = "request") -> TaskImport:
    """Import tasks given as objects with the keys of ``columns.KEYS`` (the API, a connector):
    all of them, or none and a ``LoadError`` whose problems name the item (from 1) and the key."""
    limits = current_limits()
    if not isinstance(items, list):
        raise LoadError([Problem(what, None, None, reasons.text("item.not_object"))], total=1)
    if not items:
        raise LoadError([Problem(what, None, None, reasons.text("tasks.empty"))], total=1)
    if len(items) > limits.max_rows:
        raise LoadError([Problem(what, None, None, reasons.text("tasks.too_many", limit=f"{limits.max_rows:,}"))],
                        total=1)
    problems: list[Problem] = []
    rows: list[tuple[int, Mapping[str, Any]]] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.append(Problem(what, n, None, reasons.text("item.not_object"), _shown(item)))
            continue
        unknown = [k for k in item if k not in KEYS]
        problems += [Problem(what, n, str(k), reasons.text("item.unknown_key", keys=", ".join(KEYS)))
                     for k in unknown]
        if not unknown:
            rows.append((n, {k: _plain(v) for k, v in item.items()}))
    checker = _checker(what, province, tree, catalogue, limits, lambda key: key)
    checked, found = _check_all(checker, rows)
    problems += found
    if problems:
        raise _refuse(sorted(problems, key=lambda p: p.row or 0), limits)
    return _write(session, checked, checker, province=province, by=by, source=source, limits=limits)


def _plain(value: Any) -> Any:
    """A JSON value as a cell: a whole float as its number, text NFC."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    return value
