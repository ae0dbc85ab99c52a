"""SQLAlchemy models of the relational store: everything that is not record-level data.

One model set serves SQLite (the embedded default) and PostgreSQL (production), so the
models use only portable types: strings, numbers, dates, ``JSON`` and ``UTCDateTime``
below. The schema itself is created by the Alembic migrations in
``chiso/store/migrations``; these classes must describe the same tables (a test compares
them with ``alembic.autogenerate.compare_metadata``).

Results (``criterion_results``, ``unit_results``) keep ``unit_code`` without a foreign key
on purpose: a run is a snapshot of what was computed, written in bulk, and must stay
readable even if the unit list is later corrected.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow  # noqa: F401  (utcnow: also the models' clock)

UNIT_LEVELS = ("nation", "province", "department", "commune")
UNIT_SOURCES = ("official", "yaml", "counts-file", "manual")
LOAD_STATUSES = ("loaded", "refused")
RUN_SOURCES = ("records", "counts-file")


class UnitRow(Base):
    """One organisation unit as stored (the domain object is ``chiso.units.model.Unit``)."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(one_of("level", UNIT_LEVELS), name="level"),
        CheckConstraint(one_of("source", UNIT_SOURCES), name="source"),
    )

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255), default="")
    level: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(64))
    parent_code: Mapped[str | None] = mapped_column(String(32), index=True)
    province_code: Mapped[str | None] = mapped_column(String(32), index=True)
    population: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16))


class Definition(Base):
    """One loaded version of a definition file (index methodology, bands, catalogue…).

    Rows are never updated: a new version, or new content under the same version, is a
    new row, so every score run can point at exactly the text it was computed with.
    """

    __tablename__ = "definitions"
    __table_args__ = (UniqueConstraint("kind", "name", "version", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(128))


class LoadBatch(Base):
    """One attempt to load a file of records, whether it was loaded or refused."""

    __tablename__ = "load_batches"
    __table_args__ = (CheckConstraint(one_of("status", LOAD_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the load the file was part of, as its records carry it (None: refused, or registered
    # before loads were named here)
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    record_kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(512))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    report: Mapped[Any | None] = mapped_column(JSON)


class ScoreRun(Base):
    """One computation of the index for one window, with the definition it used."""

    __tablename__ = "score_runs"
    __table_args__ = (CheckConstraint(one_of("source", RUN_SOURCES), name="source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id"), index=True)
    window: Mapped[str] = mapped_column(String(32), index=True)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    definition: Mapped[Definition] = relationship(lazy="raise")
    # passive_deletes: the database's ON DELETE CASCADE removes ~100,000 result rows
    # far faster than the ORM loading and deleting them one by one.
    criterion_results: Mapped[list[CriterionResult]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True, lazy="raise")
    unit_results: Mapped[list[UnitResult]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True, lazy="raise")


class CriterionResult(Base):
    """Points of one unit on one criterion (or group) in one run."""

    __tablename__ = "criterion_results"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("score_runs.id", ondelete="CASCADE"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    criterion: Mapped[str] = mapped_column(String(64), primary_key=True)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    ratio: Mapped[float | None] = mapped_column(Float)
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)

    run: Mapped[ScoreRun] = relationship(back_populates="criterion_results", lazy="raise")


class UnitResult(Base):
    """Total, rank and band of one unit in one run."""

    __tablename__ = "unit_results"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("score_runs.id", ondelete="CASCADE"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    total: Mapped[float] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    peers: Mapped[int] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(64))
    score_change: Mapped[float | None] = mapped_column(Float)
    rank_change: Mapped[int | None] = mapped_column(Integer)

    run: Mapped[ScoreRun] = relationship(back_populates="unit_results", lazy="raise")


class Adjustment(Base):
    """A manual adjustment of a unit's score in one window (the "technical deduction").

    The reason is required (also by a CHECK), because an unexplained change of points is
    exactly what an audit must be able to question.
    """

    __tablename__ = "adjustments"
    __table_args__ = (CheckConstraint("length(trim(reason)) > 0", name="reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    window: Mapped[str] = mapped_column(String(32), index=True)
    points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))


class AuditEntry(Base):
    """One line of the audit trail. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_kind: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[Any | None] = mapped_column(JSON)


# The tables of the other subjects, declared in their own modules on the same Base, are
# imported here so that ``Base.metadata`` always describes the whole store.
from chiso.store import (  # noqa: E402, F401
    models_accounts,
    models_catalogue,
    models_connectors,
    models_crosswalk,
    models_evaluation,
    models_notifications,
    models_portal,
    models_reports,
    models_shapes,
    models_tasks,
    models_values,
)
