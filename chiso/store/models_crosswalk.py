"""Rows imported into the unit-code crosswalk (bảng chuyển đổi mã đơn vị; issue 16).

``unit_crosswalk``: one row per (scheme, foreign code, version, today's code) — the portal's
ids a province imports, and the pre-2025 communes and districts it imports from the official
conversion table (``chiso.units.crosswalk.conversion_rows``; the shipped rows — the provinces —
are not stored, they ship with chiso). Each row
keeps the file it came from (name and SHA-256), who imported it and when. Rows are only
added: a changed mapping is a new version (``valid_from``), never an update. Migration 0016.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of
from chiso.units.crosswalk import FOREIGN, RELATIONS


class CrosswalkEntry(Base):
    """One imported crosswalk row."""

    __tablename__ = "unit_crosswalk"
    __table_args__ = (
        UniqueConstraint("scheme", "code", "version", "target"),
        CheckConstraint(one_of("scheme", FOREIGN), name="scheme"),
        CheckConstraint(one_of("relation", RELATIONS), name="relation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(16))               # portal | before_2025
    code: Mapped[str] = mapped_column(String(64))                 # the foreign code: H44, H44.23
    target: Mapped[str] = mapped_column(String(32), index=True)   # today's code
    relation: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(500))              # a citation, or the file's name
    source_file: Mapped[str] = mapped_column(String(255))         # the imported file's name
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(128))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
