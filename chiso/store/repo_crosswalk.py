"""The unit-code crosswalk's imported rows (``unit_crosswalk``; issue 16).

``import_file`` reads a crosswalk file — CSV or Excel — in one of two layouts:

- **the official conversion table** as published (*Bảng chuyển đổi đơn vị hành chính mới – cũ*:
  header rows "Đơn vị hành chính từ ngày 01/7/2025 …" and "Tỉnh, thành phố, Tên Xã mới, Mã Xã
  mới, Tên Xã cũ, Mã Xã cũ, Ghi chú, Quận/huyện, Tỉnh cũ", a banner row per province): its old
  communes and districts become ``before_2025`` rows (``chiso.units.crosswalk.conversion_rows``),
  of one version (``2025-07-01`` unless the importer names another);
- **crosswalk rows**, one a line, with the columns scheme, code, target, relation, valid_from
  (and version, level, name, source), read by the one reader (``chiso.files.tables.read_table``)
  and checked by ``chiso.units.crosswalk.check_rows`` — the portal's ids, chiefly.

Either way the file is kept all or nothing: a refused file writes nothing and names every
problem (file, row as the user's program numbers it, column, reason). No different mapping for
a code and version already shipped or imported is accepted (a changed mapping is a new version);
rows already there are not written twice, so a re-import changes nothing. Writers take turns
(``serialise``); every import that writes is audited (``crosswalk.import``).

``crosswalk_rows`` gives the imported rows to any importer carrying foreign codes, and
``load`` the crosswalk with them (shipped + imported).
"""
from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import fastexcel
from sqlalchemy import and_, insert, not_, or_, select
from sqlalchemy.orm import Session

from chiso.errors import ChisoError, ConflictError, LoadError, Problem
from chiso.files.encoding import read_text
from chiso.files.guards import check_size, check_workbook, refuse
from chiso.files.limits import current_limits
from chiso.files.reasons import text as file_reason
from chiso.files.tables import read_table, sniff_delimiter, table_format
from chiso.store.database import serialise
from chiso.store.models_crosswalk import CrosswalkEntry
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit
from chiso.units.crosswalk import (
    COLUMNS,
    CONVERSION_VERSION,
    EFFECTIVE_2025,
    LOCAL_LEVELS,
    REQUIRED,
    Crosswalk,
    CrosswalkProblem,
    CrosswalkRow,
    check_existing,
    check_rows,
    conversion_layout,
    conversion_row_numbers,
    conversion_rows,
    load_crosswalk,
)

#: The formats a crosswalk file may come in.
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


@dataclass(frozen=True)
class CrosswalkImport:
    """What an import did."""

    file: str
    sha256: str
    rows: int          # rows read
    inserted: int      # rows written
    unchanged: int     # rows already there (shipped or imported): not written again
    versions: tuple[str, ...]


def _text(value: object) -> str | None:
    """A cell as text: a workbook's whole number without ".0", its date without a time."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _row(e: CrosswalkEntry) -> CrosswalkRow:
    return CrosswalkRow(e.scheme, e.code, e.target, e.relation, e.version, e.valid_from, e.level, e.name, e.source)


def crosswalk_rows(session: Session, scheme: str | None = None, *, communes: bool = True) -> list[CrosswalkRow]:
    """The imported rows (of one scheme), in the order they were imported; ``communes=False``
    leaves out the pre-2025 communes and districts (not needed for provinces or portal ids)."""
    q = select(CrosswalkEntry).order_by(CrosswalkEntry.id)
    if scheme is not None:
        q = q.where(CrosswalkEntry.scheme == scheme)
    if not communes:
        q = q.where(not_(and_(CrosswalkEntry.scheme == "before_2025", CrosswalkEntry.level.in_(LOCAL_LEVELS))))
    return [_row(e) for e in session.scalars(q)]


def load(session: Session, *, communes: bool = True) -> Crosswalk:
    """The crosswalk in force: the shipped rows and those imported into this store."""
    return load_crosswalk(crosswalk_rows(session, communes=communes), communes=communes)


def entries(session: Session, code: str | None = None) -> list[CrosswalkEntry]:
    """The imported rows (those whose foreign code or today's code is ``code``), with who and when."""
    q = select(CrosswalkEntry).order_by(CrosswalkEntry.scheme, CrosswalkEntry.code, CrosswalkEntry.valid_from,
                                        CrosswalkEntry.target)
    if code is not None:
        q = q.where(or_(CrosswalkEntry.code == code, CrosswalkEntry.target == code))
    return list(session.scalars(q))


# --------------------------------------------------------------------------- reading a file

def _nfc(value: Any) -> str | None:
    if value is None:
        return None
    return unicodedata.normalize("NFC", _text(value) or "")


def read_rows(path: Path, name: str, fmt: str) -> list[tuple[int, tuple[str | None, ...]]]:
    """A CSV file's or a workbook's first sheet's rows as they are, each with the number the
    user's program shows (a CSV record's spreadsheet row, the sheet's row), cells as text in NFC
    — for a layout with several header rows, which the one table reader (one header row) does
    not read. The reader's own checks come first: size, encoding, a workbook's unpacked size."""
    limits = current_limits()
    check_size(path, name, limits.max_bytes)
    try:
        if fmt == "csv":
            content = read_text(path, name)
            # the delimiter of the line that splits into most cells (a title row may come first)
            head = content[:1 << 20].splitlines()[:30] or [""]
            delimiter = max((sniff_delimiter(line) for line in head),
                            key=lambda d: max(len(next(csv.reader([line], delimiter=d), [])) for line in head))
            rows = [(n, tuple(_nfc(c) for c in cells))
                    for n, cells in enumerate(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter),
                                              start=1)]
        else:
            check_workbook(path, name, limits)
            sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, skip_rows=0, dtypes="string",
                                                                n_rows=limits.max_rows + 1)
            rows = [(n, tuple(_nfc(c) for c in cells)) for n, cells in enumerate(sheet.to_polars().rows(), start=1)]
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - csv and fastexcel raise their own kinds for a broken file
        raise refuse(name, file_reason("file.unreadable", format=fmt, detail=str(exc).strip().splitlines()[0]
                                       if str(exc).strip() else type(exc).__name__)) from None
    if len(rows) > limits.max_rows:
        raise refuse(name, file_reason("file.rows", limit=f"{limits.max_rows:,}"))
    return rows


def _columns_file(path: Path, name: str) -> list[dict[str, Any]]:
    """The rows of a crosswalk file in columns (scheme, code, …), read by the one table reader."""
    table = read_table(path, name, formats=FORMATS, what="bảng chuyển đổi mã đơn vị")
    frame = table.frame
    header = [c for c in frame.columns if c != "_row"]
    problems: list[Problem] = [CrosswalkProblem(name, None, c, "thiếu cột; các cột: " + ", ".join(COLUMNS))
                               for c in REQUIRED if c not in header]
    problems += [CrosswalkProblem(name, None, c, "cột không có; các cột: " + ", ".join(COLUMNS))
                 for c in header if c not in COLUMNS]
    if problems:
        raise LoadError(problems)
    return [{k: v if k == "_row" else _text(v) for k, v in r.items()} for r in frame.iter_rows(named=True)]


def _check_conversion(rows: Sequence[CrosswalkRow], existing: Crosswalk, *, file: str,
                      first_row: dict[str, int]) -> None:
    """The conversion table's rows against the crosswalk already there (shipped, imported)."""
    grouped: dict[tuple[str, str, str], list[CrosswalkRow]] = defaultdict(list)
    for r in rows:
        grouped[r.key].append(r)
    problems: list[Problem] = []
    for (_, code, _), group in grouped.items():
        problems += check_existing(group, existing, file=file, row=first_row.get(code), columns=(None, None))
    if problems:
        raise LoadError(problems[:1000], total=len(problems))


# --------------------------------------------------------------------------- importing

def import_file(session: Session, path: str | Path, *, actor: str, is_unit: Callable[[str], bool],
                name: str | None = None, at: datetime | None = None, version: str | None = None,
                valid_from: date | None = None) -> CrosswalkImport:
    """Read, check and keep a crosswalk file (CSV or XLSX) in the caller's transaction; a
    ``LoadError`` naming every problem, nothing written, when it is refused.

    The official conversion table is recognised by its header rows; its rows take ``version``
    and ``valid_from`` (default: ``2025-07-01``, the day the units took effect). A file of
    crosswalk rows carries its own in its columns: naming them here is an error."""
    path = Path(path)
    name = name or path.name
    fmt = table_format(path, name, FORMATS, "bảng chuyển đổi mã đơn vị")
    if not path.is_file():
        raise refuse(name, file_reason("file.missing"))
    raw = read_rows(path, name, fmt)
    layout = conversion_layout(raw)
    if layout is None and (version is not None or valid_from is not None):
        raise ChisoError(f"{name}: --version và --valid-from chỉ dùng cho bảng chuyển đổi đơn vị hành chính mới – cũ; "
                         "tệp các dòng chuyển đổi ghi phiên bản ở cột version và valid_from")
    if layout is not None:
        rows = conversion_rows(raw, file=name, version=version or CONVERSION_VERSION,
                               valid_from=valid_from or EFFECTIVE_2025, source=name)
        if not serialise(session, [("unit_crosswalk", "import")]):
            raise ConflictError("một lần nhập bảng chuyển đổi khác đang ghi; hãy thử lại")
        existing = load(session)
        _check_conversion(rows, existing, file=name, first_row=conversion_row_numbers(raw))
    else:
        records = _columns_file(path, name)
        if not serialise(session, [("unit_crosswalk", "import")]):
            raise ConflictError("một lần nhập bảng chuyển đổi khác đang ghi; hãy thử lại")
        existing = load(session, communes=any(r.get("scheme") == "before_2025" for r in records))
        rows = check_rows(records, file=name, existing=existing, is_unit=is_unit)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    at = at or utcnow()
    # the same mapping, shipped or imported before, is not written again (a different one was refused)
    new = [r for r in rows if not existing.mapping(r.code, r.scheme, r.version)]
    if new:
        session.execute(insert(CrosswalkEntry), [
            {"scheme": r.scheme, "code": r.code, "target": r.target, "relation": r.relation, "version": r.version,
             "valid_from": r.valid_from, "level": r.level, "name": r.name[:255], "source": r.source[:500],
             "source_file": name[:255], "file_sha256": sha, "imported_by": actor[:128], "imported_at": at}
            for r in new])
    session.flush()
    inserted, unchanged = len(new), len(rows) - len(new)
    versions = tuple(sorted({r.version for r in rows}))
    if inserted:
        audit(session, actor, "crosswalk.import", "crosswalk", name,
              {"file": name, "sha256": sha, "layout": "conversion_table" if layout is not None else "rows",
               "rows": len(rows), "inserted": inserted, "unchanged": unchanged, "versions": list(versions),
               "schemes": sorted({r.scheme for r in rows})})
    return CrosswalkImport(name, sha, len(rows), inserted, unchanged, versions)
