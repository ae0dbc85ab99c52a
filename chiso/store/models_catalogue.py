"""Indicator catalogue tables: imports, indicator versions and lifecycle transitions.

Tables are declared on ``chiso.store.models.Base``; the schema is created by the
Alembic migration of the same subject (0002_catalogue).

An indicator version's ``content`` (every attribute, as JSON) is never changed once
written: a changed attribute is a new version. Only ``status`` (the lifecycle state,
each change logged in ``lifecycle_transitions``) and ``valid_to`` (set when a newer
version takes over) move on a stored row.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow

#: The lifecycle states, in order (chiso.catalog.indicator.LIFECYCLE; spelled out in 0002).
STATES = ("needs_identified", "candidate", "standardised", "unified", "approved",
          "in_operation", "retired")
INDICATOR_GROUPS = ("input", "process", "output", "outcome", "synthetic")


class CatalogueImport(Base):
    """One import of a catalogue file that changed something (an unchanged file leaves none)."""

    __tablename__ = "catalogue_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province: Mapped[str] = mapped_column(String(32), index=True)
    label: Mapped[str] = mapped_column(String(64))            # the catalogue's own version label
    fields: Mapped[Any] = mapped_column(JSON)                  # [{code, name, name_en}, ...]
    file_name: Mapped[str] = mapped_column(String(512))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(128))
    created: Mapped[int] = mapped_column(Integer)             # new indicators
    versioned: Mapped[int] = mapped_column(Integer)           # new versions of known ones
    unchanged: Mapped[int] = mapped_column(Integer)


class IndicatorVersion(Base):
    """One version of one indicator of one province: every attribute, and indexed columns."""

    __tablename__ = "indicator_versions"
    __table_args__ = (
        UniqueConstraint("province", "code", "version"),
        CheckConstraint(one_of("status", STATES), name="status"),
        CheckConstraint(one_of("indicator_group", INDICATOR_GROUPS), name="indicator_group"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), index=True)
    owner: Mapped[str] = mapped_column(String(32), index=True)
    field: Mapped[str] = mapped_column(String(32))
    indicator_group: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    content: Mapped[Any] = mapped_column(JSON)                 # the Indicator, less status/version
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_imports.id"), index=True)


class LifecycleTransition(Base):
    """One move of an indicator between lifecycle states: who, when, why (never empty)."""

    __tablename__ = "lifecycle_transitions"
    __table_args__ = (
        ForeignKeyConstraint(["province", "code", "version"],
                             ["indicator_versions.province", "indicator_versions.code",
                              "indicator_versions.version"]),
        CheckConstraint(one_of("to_state", STATES), name="to_state"),
        CheckConstraint("from_state IS NULL OR " + one_of("from_state", STATES), name="from_state"),
        CheckConstraint("length(trim(comment)) > 0", name="comment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(32))   # None: entered the catalogue
    to_state: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(128))
    comment: Mapped[str] = mapped_column(Text)
