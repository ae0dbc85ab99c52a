"""Indicator values, submissions (batches), their history, period states and locks, connectors.

"Một dữ liệu – một nguồn – một chủ sở hữu": every value row names the batch that wrote it,
the source system it came from and whether it was late; a value that is replaced moves to
``indicator_value_history`` with who replaced it, when, from which file and why, so no
datum is ever silently overwritten.

Tables are declared on ``chiso.store.models.Base``; the schema is created by the
Alembic migration of the same subject (0003_values).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow

SUBMISSION_STATUSES = ("accepted", "refused")
#: A value row is a draft (work in progress, not in the values relation) or submitted.
VALUE_STATES = ("draft", "submitted")
#: The state of one indicator × period (of its one owner): nháp → đã gửi → đã duyệt → khoá sổ;
#: a submitted period the owner's head sends back is bị trả lại (returned) until submitted again.
PERIOD_STATES = ("draft", "submitted", "approved", "locked", "returned")
#: Who acts: cán bộ (officer), thủ trưởng (head of the owner agency), quản trị (admin),
#: and the system itself (a connector run).
ROLES = ("officer", "head", "admin", "system")
CONNECTOR_KINDS = ("sql", "http", "folder")
RUN_STATUSES = ("accepted", "unchanged", "refused", "failed")
PERIOD_KINDS = ("day", "week", "month", "quarter", "year")


class ValueSubmission(Base):
    """One batch of values submitted (nộp số liệu), accepted whole or refused whole."""

    __tablename__ = "value_submissions"
    __table_args__ = (
        CheckConstraint(one_of("status", SUBMISSION_STATUSES), name="status"),
        CheckConstraint(one_of("state", VALUE_STATES), name="state"),
        CheckConstraint(one_of("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(512))
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    submitted_by: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    as_unit: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str | None] = mapped_column(String(255))
    connector: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    corrected: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
    report: Mapped[Any | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class IndicatorValue(Base):
    """The current value of one indicator × unit × period × breakdown (one row each)."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint("indicator", "unit_code", "period", "breakdown"),
        CheckConstraint(one_of("state", VALUE_STATES), name="state"),
        CheckConstraint(one_of("period_kind", PERIOD_KINDS), name="period_kind"),
        Index("ix_indicator_values_indicator_period", "indicator", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64))
    indicator_version: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    period: Mapped[str] = mapped_column(String(32))
    period_kind: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    breakdown: Mapped[str] = mapped_column(String(255), default="")  # '' = no breakdown
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255))
    submission_id: Mapped[int] = mapped_column(ForeignKey("value_submissions.id"), index=True)
    late: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(128))


class IndicatorValueHistory(Base):
    """A value that was replaced: the old row as it was, and who replaced it, when and why."""

    __tablename__ = "indicator_value_history"
    __table_args__ = (
        Index("ix_indicator_value_history_indicator_unit", "indicator", "unit_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64))
    indicator_version: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    period_kind: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    breakdown: Mapped[str] = mapped_column(String(255))
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255))
    submission_id: Mapped[int] = mapped_column(ForeignKey("value_submissions.id"))
    late: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(128))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_by: Mapped[str] = mapped_column(String(128))
    replaced_by_submission: Mapped[int] = mapped_column(ForeignKey("value_submissions.id"))
    reason: Mapped[str] = mapped_column(Text)


class ValuePeriod(Base):
    """The state of one indicator × period: draft, submitted, approved (by the owner's head), locked,
    or returned (by the owner's head or an administrator, with a comment: the last return is kept
    in ``returned_*`` after the period is submitted again)."""

    __tablename__ = "value_periods"
    __table_args__ = (
        CheckConstraint(one_of("state", PERIOD_STATES), name="state"),
        CheckConstraint(one_of("role", ROLES), name="role"),
    )

    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(128))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(128))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by: Mapped[str | None] = mapped_column(String(128))
    return_comment: Mapped[str | None] = mapped_column(Text)


class Connector(Base):
    """A connection to a source system that submits values on a schedule, as its owner unit."""

    __tablename__ = "connectors"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint(one_of("kind", CONNECTOR_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    as_unit: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(255))
    config: Mapped[Any] = mapped_column(JSON)
    indicators: Mapped[Any] = mapped_column(JSON)
    schedule: Mapped[str] = mapped_column(String(64))
    max_age_hours: Mapped[float | None] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[str | None] = mapped_column(String(16))


class ConnectorRun(Base):
    """One run of a connector: what it brought and how it ended (never silent)."""

    __tablename__ = "connector_runs"
    __table_args__ = (CheckConstraint(one_of("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("value_submissions.id"))
    message: Mapped[str | None] = mapped_column(Text)


class ConnectorFile(Base):
    """A file a folder connector has processed, remembered by content hash."""

    __tablename__ = "connector_files"
    __table_args__ = (CheckConstraint(one_of("status", RUN_STATUSES), name="status"),)

    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(1024))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("value_submissions.id"))
