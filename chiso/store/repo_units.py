"""Units in the store: upserted from the official list, a YAML file, a counts file or by hand."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from chiso.errors import StoreError
from chiso.store.models import UNIT_LEVELS, UNIT_SOURCES, UnitRow
from chiso.store.repo_audit import audit
from chiso.units.model import Unit

_FIELDS = ("name", "name_en", "level", "type", "parent_code", "province_code", "population")
_CHUNK = 500  # codes per IN (...) list: well under every backend's parameter limit


@dataclass(frozen=True)
class UnitSaveCounts:
    """What an upsert did, row by row."""

    inserted: int
    updated: int
    unchanged: int


def save_units(session: Session, units: Iterable[Unit], source: str,
               actor: str = "system") -> UnitSaveCounts:
    """Insert new units and update changed ones (matched by code); never deletes.

    Rows are compared first so that the audit line can say how many were inserted,
    updated and left alone; only when something changed is an audit line written.
    Bulk statements are used, so ORM objects of these units already loaded in the same
    session are not refreshed.
    """
    if source not in UNIT_SOURCES:
        raise StoreError(f"unknown unit source {source!r}; expected one of {', '.join(UNIT_SOURCES)}")
    wanted: dict[str, dict[str, object]] = {}
    for unit in units:
        if unit.code in wanted:
            raise StoreError(f"unit {unit.code} is listed twice")
        if unit.level not in UNIT_LEVELS:
            raise StoreError(f"unit {unit.code}: unknown level {unit.level!r}")
        wanted[unit.code] = {"code": unit.code, **{f: getattr(unit, f) for f in _FIELDS},
                             "source": source}
    existing = _existing(session, list(wanted))
    new = [row for code, row in wanted.items() if code not in existing]
    changed = [row for code, row in wanted.items()
               if code in existing and existing[code] != row]
    if new:
        session.execute(insert(UnitRow), new)
    if changed:
        session.execute(update(UnitRow), changed)
    counts = UnitSaveCounts(len(new), len(changed), len(wanted) - len(new) - len(changed))
    if new or changed:
        audit(session, actor, "units.save", "units", None,
              {"source": source, "inserted": counts.inserted, "updated": counts.updated,
               "unchanged": counts.unchanged,
               "updated_codes": sorted(str(r["code"]) for r in changed)[:100]})
    return counts


def _existing(session: Session, codes: list[str]) -> dict[str, dict[str, object]]:
    columns = [UnitRow.code, *(getattr(UnitRow, f) for f in _FIELDS), UnitRow.source]
    found: dict[str, dict[str, object]] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        for row in session.execute(select(*columns).where(UnitRow.code.in_(chunk))).mappings():
            found[row["code"]] = dict(row)
    return found


def list_units(session: Session, province: str | None = None,
               level: str | None = None) -> list[Unit]:
    """Units ordered by code; ``province`` keeps the units of one province (itself included)."""
    query = select(UnitRow).order_by(UnitRow.code)
    if province is not None:
        query = query.where(UnitRow.province_code == province)
    if level is not None:
        if level not in UNIT_LEVELS:
            raise StoreError(f"unknown level {level!r}; expected one of {', '.join(UNIT_LEVELS)}")
        query = query.where(UnitRow.level == level)
    return [_unit(row) for row in session.scalars(query)]


def get_unit(session: Session, code: str) -> Unit | None:
    """One unit by code, or ``None``."""
    row = session.get(UnitRow, code)
    return None if row is None else _unit(row)


def unit_source(session: Session, code: str) -> str | None:
    """Where a stored unit came from ('official', 'yaml', …), or ``None`` if unknown."""
    return session.scalar(select(UnitRow.source).where(UnitRow.code == code))


def _unit(row: UnitRow) -> Unit:
    return Unit(code=row.code, name=row.name, level=row.level,  # type: ignore[arg-type]
                type=row.type, parent_code=row.parent_code, province_code=row.province_code,
                name_en=row.name_en, population=row.population)
