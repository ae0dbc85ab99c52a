"""Targets per indicator × unit × period, statistical counterpart figures, and early warnings.

Tables are declared on ``chiso.store.models.Base``; the schema is created by the
Alembic migration of the same subject (0004_evaluation).

Nothing here is updated in place without a trace: a changed target or statistical figure
is a new row (the newest row per key is current, earlier rows are history); a warning
keeps one row per condition (its key) whose every change — opened, updated, escalated,
acknowledged, resolved, reopened — is a ``warning_events`` row with who, when and a note.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow

WARNING_STATES = ("open", "acknowledged", "resolved")
#: Warning severities, least severe first.
SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")
WARNING_SEVERITIES = ("info", "warning", "critical")
WARNING_ACTIONS = ("open", "update", "escalate", "acknowledge", "resolve", "auto_resolve", "reopen")
PERIOD_KINDS = ("day", "week", "month", "quarter", "year")


class TargetRow(Base):
    """One target as set (chỉ tiêu); the newest row per indicator × unit × period is in force."""

    __tablename__ = "targets"
    __table_args__ = (
        CheckConstraint(one_of("period_kind", PERIOD_KINDS), name="period_kind"),
        Index("ix_targets_indicator_unit_code_period", "indicator", "unit_code", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    period_kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    basis: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(128))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatisticalValueRow(Base):
    """A published statistical figure (Decision 05/2023/QĐ-TTg code) a DM value is checked against."""

    __tablename__ = "statistical_values"
    __table_args__ = (
        Index("ix_statistical_values_code_unit_code_period", "statistical_code", "unit_code", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statistical_code: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(128))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WarningRow(Base):
    """One early warning: one condition (its key), whatever the number of runs that saw it."""

    __tablename__ = "warnings"
    __table_args__ = (
        CheckConstraint(one_of("state", WARNING_STATES), name="state"),
        CheckConstraint(one_of("severity", WARNING_SEVERITIES), name="severity"),
        Index("ix_warnings_province_code_state", "province_code", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    province_code: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(String(32))
    responsible_unit: Mapped[str] = mapped_column(String(32), index=True)
    period: Mapped[str] = mapped_column(String(32))
    message_vi: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    evidence: Mapped[Any] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WarningEvent(Base):
    """A change of a warning: who, when, what, and a note that is never empty."""

    __tablename__ = "warning_events"
    __table_args__ = (
        CheckConstraint(one_of("action", WARNING_ACTIONS), name="action"),
        CheckConstraint("length(trim(note)) > 0", name="note"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text)
    detail: Mapped[Any | None] = mapped_column(JSON)


#: What a follow-up line records: an assignment (giao việc: a unit, maybe a person, a due
#: date, a note — a later one is a reassignment), a comment (trao đổi), the first time a
#: warning was seen past its due date (quá hạn).
FOLLOWUP_ACTIONS = ("assign", "comment", "overdue")


class WarningFollowup(Base):
    """Following a warning up (theo dõi xử lý): one line per assignment, comment or escalation.

    Lines are only ever added: the newest ``assign`` line is the assignment in force, earlier
    ones are its history; an ``overdue`` line names the assignment (``assignment_id``) whose due
    date passed, once per assignment.
    """

    __tablename__ = "warning_followups"
    __table_args__ = (
        CheckConstraint(one_of("action", FOLLOWUP_ACTIONS), name="action"),
        CheckConstraint("action <> 'assign' OR (unit_code IS NOT NULL AND due_on IS NOT NULL)",
                        name="assignment"),
        CheckConstraint("action <> 'comment' OR length(trim(note)) > 0", name="comment"),
        Index("ix_warning_followups_unit_code_action", "unit_code", "action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unit_code: Mapped[str | None] = mapped_column(String(32))
    username: Mapped[str | None] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    assignment_id: Mapped[int | None] = mapped_column(Integer)
