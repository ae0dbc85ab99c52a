"""The register of assigned tasks (sổ theo dõi nhiệm vụ): tasks, their history and their events.

- ``tasks``: one row per task, as the register knows it now (``revision`` counts its changes);
  ``external_id`` — the id in the document-management system it came from — makes a
  re-import or an API create idempotent.
- ``task_history``: each change of a task's own fields, field by field (before → after).
- ``task_events``: the task's life — progress, extension requests and decisions, completion
  reports and the office's acceptance or return — per instance (``""`` for a one-off task,
  the period for a recurring one). States are computed from these (``chiso.tasks.states``).

Tables are declared on ``chiso.store.models.Base``; the schema is created by the Alembic
migration of the same subject (0011_tasks).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow
from chiso.tasks.model import DEADLINE_KINDS, EVENT_KINDS

#: Where a task entered the register.
TASK_SOURCES = ("file", "api", "connector", "web")
#: What a decision event decided.
DECISIONS = ("approved", "refused", "accepted", "returned")


class TaskRow(Base):
    """One assigned task (the domain object is ``chiso.tasks.model.Task``)."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(one_of("deadline_kind", DEADLINE_KINDS), name="deadline_kind"),
        CheckConstraint(one_of("source", TASK_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    province_code: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(16))
    doc_number: Mapped[str] = mapped_column(String(128))        # số/ký hiệu
    doc_date: Mapped[date | None] = mapped_column(Date)
    doc_summary: Mapped[str] = mapped_column(Text, default="")  # trích yếu
    doc_issuer: Mapped[str] = mapped_column(String(255), default="")
    doc_link: Mapped[str | None] = mapped_column(String(1024))
    content: Mapped[str] = mapped_column(Text)
    assigned_by: Mapped[str] = mapped_column(String(255), default="")
    assigned_on: Mapped[date] = mapped_column(Date)
    lead_unit: Mapped[str] = mapped_column(String(32), index=True)
    co_units: Mapped[Any] = mapped_column(JSON, default=list)
    deadline_kind: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[date | None] = mapped_column(Date)
    due_day: Mapped[int | None] = mapped_column(Integer)
    until: Mapped[date | None] = mapped_column(Date)
    deadline_text: Mapped[str] = mapped_column(String(255), default="")
    starred: Mapped[bool] = mapped_column(Boolean, default=False)
    field: Mapped[str | None] = mapped_column(String(32))
    indicators: Mapped[Any] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(128))


class TaskChange(Base):
    """One change of a task's fields: ``change`` = {field: [before, after]}."""

    __tablename__ = "task_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))
    change: Mapped[Any] = mapped_column(JSON)


class TaskEvent(Base):
    """One event of a task's life (for one instance). ``day``: the date it speaks of (progress as
    of, completed on, decided on); ``answers``: the request or report a decision decides."""

    __tablename__ = "task_events"
    __table_args__ = (
        CheckConstraint(one_of("kind", EVENT_KINDS), name="kind"),
        CheckConstraint("decision IS NULL OR " + one_of("decision", DECISIONS), name="decision"),
        Index("ix_task_events_task_instance", "task_id", "instance"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    instance: Mapped[str] = mapped_column(String(16), default="")
    kind: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(128))
    unit_code: Mapped[str] = mapped_column(String(32))          # the unit that acted
    percent: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[Any | None] = mapped_column(JSON)           # [{number, date, summary, link}]
    requested: Mapped[date | None] = mapped_column(Date)         # extension request: the deadline asked
    granted: Mapped[date | None] = mapped_column(Date)           # approved extension: the deadline granted
    decision: Mapped[str | None] = mapped_column(String(16))
    answers: Mapped[int | None] = mapped_column(ForeignKey("task_events.id", ondelete="SET NULL"))
