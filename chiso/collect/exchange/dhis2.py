"""Reading DHIS2 data value sets: ``dataValueSets`` JSON and its CSV form, code id scheme.

JSON: ``{"dataValues": [{"dataElement", "period", "orgUnit", "categoryOptionCombo",
"attributeOptionCombo", "value", "comment", …}]}`` (the keys of ``/api/dataValueSets``);
a data value is numbered by its position in ``dataValues``. CSV: the columns DHIS2 writes
(``dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value, storedby,
lastupdated, comment, followup, deleted``; header names are compared without case), rows
numbered as a spreadsheet numbers them. Both are read by the one reader of files
(``chiso.files``).

Identifiers are codes (``idScheme=code``): ``dataElement`` is the indicator's code (a 766 score
item is ``766.TOTAL``, ``766.<group>``, ``766.<criterion>``), ``orgUnit`` the unit's code,
``categoryOptionCombo`` the breakdown (``default``: none), ``attributeOptionCombo`` the source
system (``default``: the indicator's own). A data value marked ``deleted`` is refused: chiso
does not delete values through an exchange file.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chiso.collect.exchange.observations import Exchange, Observation, ObservationProblem, refuse
from chiso.collect.exchange.periods import PeriodError, from_dhis2
from chiso.collect.exchange.structure import DM
from chiso.collect.validate import as_text
from chiso.errors import LoadError, Problem
from chiso.files.documents import read_document
from chiso.files.limits import values_limits
from chiso.files.tables import ROW, read_table

__all__ = ["CSV_COLUMNS", "DEFAULT", "FIELDS", "SCORE_PREFIX", "read_dhis2"]

#: The columns of DHIS2's data value set CSV, in its order.
CSV_COLUMNS = ("dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
               "storedby", "lastupdated", "comment", "followup", "deleted")
#: DHIS2's default category option combination (no breakdown) and attribute option combination.
DEFAULT = "default"
#: A 766 score item's data element code is this prefix and the item (766.TOTAL, 766.ON_TIME).
SCORE_PREFIX = "766."
#: chiso's names of the parts of a value → DHIS2's.
FIELDS = {"indicator": "dataElement", "item": "dataElement", "unit": "orgUnit", "period": "period",
          "value": "value", "breakdown": "categoryOptionCombo", "source": "attributeOptionCombo",
          "note": "comment", "measure": "dataElement"}
_JSON_KEYS = {"dataelement": "dataElement", "period": "period", "orgunit": "orgUnit",
              "categoryoptioncombo": "categoryOptionCombo", "attributeoptioncombo": "attributeOptionCombo",
              "value": "value", "storedby": "storedBy", "lastupdated": "lastUpdated", "created": "created",
              "comment": "comment", "followup": "followup", "deleted": "deleted"}


def read_dhis2(path: str | Path, kind: str = DM, name: str | None = None) -> Exchange:
    """Read a data value set (``.json`` or ``.csv``) of ``kind`` (values or scores); a LoadError
    lists every problem (file, row, field, reason) and nothing is read."""
    path = Path(path)
    name = name or str(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        rows = _json_rows(path, name)
        fmt = "dhis2-json"
    elif suffix == ".csv":
        rows = _csv_rows(path, name)
        fmt = "dhis2-csv"
    else:
        raise LoadError([ObservationProblem(name, None, None, "tệp DHIS2 phải là dataValueSets JSON (.json) "
                                                              "hoặc CSV (.csv)")], total=1)
    problems: list[Problem] = []
    out = tuple(_observation(name, row, cells, kind, problems) for row, cells in rows)
    if problems:
        raise refuse(problems)
    return Exchange(name, fmt, kind, out, dict(FIELDS))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    text = str(value).strip()
    return text or None


def _json_rows(path: Path, name: str) -> list[tuple[int, dict[str, str | None]]]:
    limits = values_limits()
    data, _text_ = read_document(path, "json", name, limits)
    values = data.get("dataValues") if isinstance(data, Mapping) else None
    if not isinstance(values, list):
        raise refuse([ObservationProblem(name, None, "dataValues", "tệp JSON phải là một data value set: "
                                                                   '{"dataValues": [...]}')])
    if len(values) > limits.max_rows:
        raise refuse([ObservationProblem(name, None, "dataValues", f"có {len(values):,} giá trị, quá giới hạn "
                                                                   f"{limits.max_rows:,}")])
    rows, problems = [], []
    for n, item in enumerate(values, start=1):
        if not isinstance(item, Mapping):
            problems.append(ObservationProblem(name, n, None, "mỗi phần tử của dataValues phải là một đối tượng"))
            continue
        unknown = [k for k in item if str(k).lower() not in _JSON_KEYS]
        if unknown:
            problems.append(ObservationProblem(name, n, unknown[0], "trường không có trong data value của DHIS2"))
        rows.append((n, {str(k).lower(): _text(v) for k, v in item.items()}))
    if problems:
        raise refuse(problems)
    return rows


def _csv_rows(path: Path, name: str) -> list[tuple[int, dict[str, str | None]]]:
    table = read_table(path, name, formats={".csv": "csv"}, what="DHIS2 CSV", limits=values_limits())
    frame = table.frame
    headers = {c.strip().lower(): c for c in frame.columns if c != ROW}
    missing = [c for c in ("dataelement", "period", "orgunit", "value") if c not in headers]
    if missing:
        raise refuse([ObservationProblem(name, 1, m, f"thiếu cột {m} của data value set DHIS2") for m in missing])
    unknown = [h for h in headers if h not in CSV_COLUMNS]
    if unknown:
        raise refuse([ObservationProblem(name, 1, u, f"cột {u} không có trong data value set DHIS2") for u in unknown])
    texts = {h: as_text(frame[c]).to_list() for h, c in headers.items()}
    return [(row, {h: texts[h][i] for h in texts}) for i, row in enumerate(frame[ROW].to_list())]


def _observation(name: str, row: int, cells: dict[str, str | None], kind: str, problems: list[Problem]) -> Observation:
    for key in ("dataelement", "period", "orgunit"):
        if not cells.get(key):
            problems.append(ObservationProblem(name, row, _JSON_KEYS[key], f"thiếu {_JSON_KEYS[key]}"))
    if (cells.get("deleted") or "").lower() in ("true", "1", "yes"):
        problems.append(ObservationProblem(name, row, "deleted", "chiso không xoá giá trị qua tệp trao đổi",
                                           cells.get("deleted")))
    period = None
    if cells.get("period"):
        try:
            period = from_dhis2(cells["period"])
        except PeriodError as exc:
            problems.append(ObservationProblem(name, row, "period", str(exc), cells["period"]))
    subject = cells.get("dataelement")
    if kind != DM and subject:
        if not subject.startswith(SCORE_PREFIX):
            problems.append(ObservationProblem(name, row, "dataElement", f"mã phần tử dữ liệu điểm 766 phải bắt đầu "
                                                                         f"bằng {SCORE_PREFIX!r}", subject))
        subject = subject[len(SCORE_PREFIX):]
    combo = cells.get("categoryoptioncombo")
    source = cells.get("attributeoptioncombo")
    return Observation(row=row, subject=subject, unit=cells.get("orgunit"), period=period, value=cells.get("value"),
                       breakdown=None if combo in (None, DEFAULT) else combo,
                       note=cells.get("comment"), source=None if source in (None, DEFAULT) else source)
