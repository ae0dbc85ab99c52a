"""Unit shapes (ranh giới đơn vị) in the relational store: import a province's boundary file,
read a province's shapes back.

``import_file`` reads a GeoJSON file within the file limits (``chiso.files.documents``:
size — at most ``CHISO_MAP_MAX_BYTES`` —, nesting depth), checks, repairs and simplifies it
(``chiso.units.boundaries.prepare``: a refused file writes nothing) and stores its shapes:
a unit's row is created, replaced when its geometry changed, left alone when it did not (a
re-import is idempotent). Every import that writes is audited in the same session
(``shapes.import``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiso import settings
from chiso.files.documents import read_document
from chiso.files.limits import current_limits
from chiso.store.models_shapes import UnitShape
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit
from chiso.units.boundaries import BoundaryLimits, Prepared, prepare


@dataclass(frozen=True)
class ShapeImport:
    """What an import did, and what the report lists."""

    file: str
    sha: str
    created: int
    changed: int
    unchanged: int
    prepared: Prepared

    @property
    def missing(self) -> list[str]:
        return self.prepared.missing

    @property
    def repaired(self) -> list[str]:
        return self.prepared.repaired


def file_limits(env: dict[str, str] | None = None):
    """The file limits of a boundary file: the project's, at most ``CHISO_MAP_MAX_BYTES`` in size."""
    base = current_limits(env)
    return base.but(max_bytes=min(base.max_bytes, settings.whole_number("CHISO_MAP_MAX_BYTES", env)))


def import_file(session: Session, path: str | Path, *, tree, province: str | None = None, code_field: str = "code",
                actor: str, name: str | None = None, limits: BoundaryLimits | None = None) -> ShapeImport:
    """Read, check and store a boundary file (GeoJSON); a ``LoadError`` naming every problem, nothing
    written, when it is refused."""
    path = Path(path)
    name = name or path.name
    doc, text = read_document(path, "json", name=name, limits=file_limits())
    prepared = prepare(doc, name=name, tree=tree, province=province, code_field=code_field, limits=limits)
    return store_shapes(session, prepared, sha=hashlib.sha256(text.encode("utf-8")).hexdigest(), actor=actor)


def store_shapes(session: Session, prepared: Prepared, *, sha: str, actor: str) -> ShapeImport:
    """Write a checked file's shapes: new ones added, changed ones replaced, the same ones kept."""
    codes = [s.unit_code for s in prepared.shapes]
    existing = {r.unit_code: r for r in session.scalars(select(UnitShape).where(UnitShape.unit_code.in_(codes)))} \
        if codes else {}
    created = changed = unchanged = 0
    now = utcnow()
    for shape in prepared.shapes:
        row = existing.get(shape.unit_code)
        if row is not None and row.sha == shape.sha and row.level == shape.level:
            unchanged += 1
            continue
        if row is None:
            row = UnitShape(unit_code=shape.unit_code)
            session.add(row)
            created += 1
        else:
            changed += 1
        row.level, row.province_code, row.geometry = shape.level, shape.province_code, shape.geometry
        row.vertices, row.sha, row.source = shape.vertices, shape.sha, prepared.name[:255]
        row.imported_at, row.imported_by = now, actor
    if created or changed:
        audit(session, actor, "shapes.import", "unit_shapes", ",".join(prepared.provinces), {
            "file": prepared.name, "sha": sha, "level": prepared.level, "provinces": list(prepared.provinces),
            "shapes_new": created, "shapes_changed": changed, "shapes_unchanged": unchanged,
            "repaired": prepared.repaired[:100], "missing": len(prepared.missing)})
    session.flush()
    return ShapeImport(prepared.name, sha, created, changed, unchanged, prepared)


def count_shapes(session: Session, *, province: str | None = None, level: str | None = None) -> int:
    """How many shapes the store holds (of a province, of a level)."""
    q = select(func.count()).select_from(UnitShape)
    if province is not None:
        q = q.where(UnitShape.province_code == province)
    if level is not None:
        q = q.where(UnitShape.level == level)
    return int(session.scalar(q) or 0)


def province_shapes(session: Session, province: str, level: str = "commune") -> list[tuple[str, str]]:
    """(unit code, GeoJSON geometry text) of a province's shapes of a level, in code order."""
    return [(code, geometry) for code, geometry in session.execute(
        select(UnitShape.unit_code, UnitShape.geometry)
        .where(UnitShape.province_code == province, UnitShape.level == level)
        .order_by(UnitShape.unit_code))]


def last_import(session: Session, province: str, level: str = "commune") -> tuple[str, datetime] | None:
    """(file name, when) of a province's most recently imported shape, or ``None``."""
    row = session.execute(
        select(UnitShape.source, UnitShape.imported_at)
        .where(UnitShape.province_code == province, UnitShape.level == level)
        .order_by(UnitShape.imported_at.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def stamp(session: Session, province: str, level: str = "commune") -> tuple:
    """What says a province's shapes changed: their number and newest import (for caches, ETags)."""
    row = session.execute(select(func.count(), func.max(UnitShape.imported_at))
                          .where(UnitShape.province_code == province, UnitShape.level == level)).first()
    return (int(row[0] or 0), row[1].isoformat() if row[1] else None)
