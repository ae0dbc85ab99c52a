"""The task register in the store: tasks created and changed (history kept), and their life.

- ``upsert_task``: one task by its external id (or code): created, changed (each changed
  field kept in ``task_history`` with before and after, the revision counted up) or, when
  nothing differs, left alone — so a repeated import or API call changes nothing.
- ``add_event``: one event of a task's life, checked against what came before (an extension
  decision answers a pending request, an acceptance a pending completion report, nothing is
  reported on an instance already accepted as done).
- ``lives`` / ``domain_task``: what ``chiso.tasks.states`` computes states from.

Who may do what is the web layer's rule; every write here is audited in the same session.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiso.errors import ConflictError, NotFoundError, StoreError
from chiso.store.models_tasks import DECISIONS, TASK_SOURCES, TaskChange, TaskEvent, TaskRow
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit
from chiso.tasks.model import EVENT_KINDS, Deadline, Life, SourceDocument, Task

#: The task fields a create or update may set (``upsert_task``), in the register's order.
TASK_FIELDS: tuple[str, ...] = (
    "doc_number", "doc_date", "doc_summary", "doc_issuer", "doc_link", "content", "assigned_by", "assigned_on",
    "lead_unit", "co_units", "deadline_kind", "deadline", "due_day", "until", "deadline_text", "starred", "field",
    "indicators")
_LISTS = ("co_units", "indicators")


def _plain(value: Any) -> Any:
    """A value as history and audit keep it (JSON: dates as ISO text, tuples as lists)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def next_code(session: Session, year: int) -> str:
    """The next free register code of ``year``: ``NV-2026-00001``…"""
    prefix = f"NV-{year}-"
    last = session.scalar(select(func.max(TaskRow.code)).where(TaskRow.code.like(prefix + "%")))
    n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{n:05d}"


def find_task(session: Session, *, code: str | None = None, external_id: str | None = None) -> TaskRow | None:
    if external_id:
        return session.scalar(select(TaskRow).where(TaskRow.external_id == external_id))
    if code:
        return session.scalar(select(TaskRow).where(TaskRow.code == code))
    return None


def get_task(session: Session, code: str) -> TaskRow:
    row = find_task(session, code=code)
    if row is None:
        raise NotFoundError(f"không có nhiệm vụ {code!r} / no task {code!r}")
    return row


def upsert_task(session: Session, values: Mapping[str, Any], *, province: str, source: str, by: str,
                code: str | None = None, external_id: str | None = None) -> tuple[TaskRow, str]:
    """Create or change one task; answers the row and ``"created"``, ``"changed"`` or ``"unchanged"``.

    The task is found by ``external_id`` when given, else by ``code``; a new one takes ``code``
    or the next register code of its assignment year.
    """
    if source not in TASK_SOURCES:
        raise StoreError(f"unknown task source {source!r}; expected one of {', '.join(TASK_SOURCES)}")
    unknown = set(values) - set(TASK_FIELDS)
    if unknown:
        raise StoreError(f"unknown task fields: {', '.join(sorted(unknown))}")
    row = find_task(session, code=code, external_id=external_id)
    clean = {k: (list(v) if k in _LISTS else v) for k, v in values.items()}
    if row is None:
        if code and find_task(session, code=code) is not None:
            raise ConflictError(f"mã nhiệm vụ {code} đã có (với mã ngoài khác) / task code {code} exists "
                                "(with another external id)")
        assigned = clean.get("assigned_on") or dt.date.today()
        row = TaskRow(code=code or next_code(session, assigned.year), external_id=external_id or None,
                      province_code=province, source=source, created_by=by, updated_by=by, revision=1,
                      doc_summary="", doc_issuer="", assigned_by="", co_units=[], indicators=[],
                      deadline_text="", starred=False, deadline_kind="none")
        for k, v in clean.items():
            setattr(row, k, v)
        session.add(row)
        session.flush()
        audit(session, by, "task.create", "task", row.code,
              {"source": source, "external_id": external_id, **{k: _plain(v) for k, v in clean.items()}})
        return row, "created"
    change = {k: [_plain(getattr(row, k)), _plain(v)] for k, v in clean.items()
              if _plain(getattr(row, k)) != _plain(v)}
    if not change:
        return row, "unchanged"
    for k, v in clean.items():
        setattr(row, k, v)
    row.revision += 1
    row.updated_at, row.updated_by = utcnow(), by
    session.add(TaskChange(task_id=row.id, revision=row.revision, at=row.updated_at, by=by, source=source,
                           change=change))
    session.flush()
    audit(session, by, "task.update", "task", row.code, {"source": source, "revision": row.revision,
                                                          "change": change})
    return row, "changed"


# ---------------------------------------------------------------- the life of a task
def events(session: Session, task_id: int, instance: str | None = None) -> list[TaskEvent]:
    """A task's events, oldest first (of one instance, when given)."""
    query = select(TaskEvent).where(TaskEvent.task_id == task_id)
    if instance is not None:
        query = query.where(TaskEvent.instance == instance)
    return list(session.scalars(query.order_by(TaskEvent.at, TaskEvent.id)))


def history(session: Session, task_id: int) -> list[TaskChange]:
    return list(session.scalars(select(TaskChange).where(TaskChange.task_id == task_id)
                                .order_by(TaskChange.revision)))


def _pending(rows: list[TaskEvent], kind: str, decision_kind: str) -> TaskEvent | None:
    answered = {e.answers for e in rows if e.kind == decision_kind}
    open_ = [e for e in rows if e.kind == kind and e.id not in answered]
    return open_[-1] if open_ else None


def pending_request(rows: list[TaskEvent]) -> TaskEvent | None:
    """The extension request of these events not yet decided."""
    return _pending(rows, "extension_request", "extension_decision")


def pending_completion(rows: list[TaskEvent]) -> TaskEvent | None:
    """The completion report of these events not yet accepted or returned."""
    return _pending(rows, "completion", "acceptance")


def accepted(rows: list[TaskEvent]) -> TaskEvent | None:
    """The acceptance of these events, if the instance is done."""
    done = [e for e in rows if e.kind == "acceptance" and e.decision == "accepted"]
    return done[-1] if done else None


def add_event(session: Session, task: TaskRow, kind: str, *, by: str, unit_code: str, day: dt.date,
              instance: str = "", percent: int | None = None, text: str = "",
              evidence: list[dict] | None = None, requested: dt.date | None = None,
              granted: dt.date | None = None, decision: str | None = None,
              at: dt.datetime | None = None) -> TaskEvent:
    """One event of the task's life, or ``ConflictError`` saying why it cannot happen now.

    ``at``: when it happened, for entering a past life (a migration, the demo); default now. The
    audit line keeps the moment it was entered."""
    if kind not in EVENT_KINDS:
        raise StoreError(f"unknown task event {kind!r}; expected one of {', '.join(EVENT_KINDS)}")
    if decision is not None and decision not in DECISIONS:
        raise StoreError(f"unknown decision {decision!r}")
    rows = events(session, task.id, instance)
    answers = None
    if accepted(rows) is not None:
        raise ConflictError("nhiệm vụ đã được xác nhận hoàn thành / the task is already accepted as done")
    if kind == "progress":
        if percent is not None and not 0 <= percent <= 100:
            raise ConflictError("tiến độ phải từ 0 đến 100% / progress must be 0–100%")
    elif kind == "extension_request":
        if task.deadline_kind == "none":
            raise ConflictError("nhiệm vụ không có thời hạn, không cần gia hạn / the task has no deadline to extend")
        if requested is None:
            raise ConflictError("cần ghi thời hạn đề nghị / the requested deadline is missing")
        if not text.strip():
            raise ConflictError("cần ghi lý do gia hạn / the reason for the extension is missing")
        if pending_request(rows) is not None:
            raise ConflictError("đã có một đề nghị gia hạn đang chờ / an extension request is already waiting")
    elif kind == "extension_decision":
        request = pending_request(rows)
        if request is None:
            raise ConflictError("không có đề nghị gia hạn nào đang chờ / no extension request is waiting")
        if decision not in ("approved", "refused"):
            raise ConflictError("quyết định gia hạn là đồng ý hoặc không đồng ý / an extension is approved or refused")
        if decision == "approved":
            granted = granted or request.requested
        else:
            granted = None
            if not text.strip():
                raise ConflictError("cần ghi lý do không đồng ý / the reason for refusing is missing")
        answers = request.id
    elif kind == "completion":
        if pending_completion(rows) is not None:
            raise ConflictError("báo cáo hoàn thành đang chờ xác nhận / a completion report is already waiting")
    elif kind == "acceptance":
        report = pending_completion(rows)
        if report is None:
            raise ConflictError("không có báo cáo hoàn thành nào đang chờ / no completion report is waiting")
        if decision not in ("accepted", "returned"):
            raise ConflictError("xác nhận hoàn thành hoặc trả lại / a completion is accepted or returned")
        if decision == "returned" and not text.strip():
            raise ConflictError("cần ghi lý do trả lại / the reason for returning is missing")
        answers = report.id
    row = TaskEvent(task_id=task.id, instance=instance, kind=kind, day=day, at=at or utcnow(), by=by,
                    unit_code=unit_code, percent=percent, text=text, evidence=evidence or None,
                    requested=requested, granted=granted, decision=decision, answers=answers)
    session.add(row)
    session.flush()
    audit(session, by, f"task.{kind}", "task", task.code,
          {"instance": instance, "day": day.isoformat(), "percent": percent, "text": text or None,
           "requested": _plain(requested), "granted": _plain(granted), "decision": decision, "answers": answers})
    return row


# ---------------------------------------------------------------- for the states
def domain_task(row: TaskRow) -> Task:
    """The register row as ``chiso.tasks.model.Task``."""
    return Task(code=row.code, content=row.content, lead_unit=row.lead_unit, assigned_on=row.assigned_on,
                deadline=Deadline(row.deadline_kind, day=row.deadline, due_day=row.due_day, until=row.until,
                                  text=row.deadline_text),
                document=SourceDocument(row.doc_number, row.doc_date, row.doc_summary, row.doc_issuer, row.doc_link),
                assigned_by=row.assigned_by, co_units=tuple(row.co_units or ()), starred=bool(row.starred),
                field=row.field, indicators=tuple(row.indicators or ()), external_id=row.external_id)


def life_of(rows: Iterable[TaskEvent]) -> Life:
    """What one instance's events say for its state: approved extensions, the accepted completion,
    and the days its lead unit reported (progress or completion)."""
    rows = list(rows)
    by_id = {e.id: e for e in rows}
    extensions = tuple((e.day, e.granted) for e in rows
                       if e.kind == "extension_decision" and e.decision == "approved" and e.granted)
    done = accepted(rows)
    report = by_id.get(done.answers) if done is not None else None
    updates = tuple(sorted({e.day for e in rows if e.kind in ("progress", "completion")}))
    return Life(extensions=extensions, completed_on=report.day if report else None,
                accepted_on=done.day if done else None, updates=updates)


def lives(session: Session, task_ids: Iterable[int] | None = None) -> dict[tuple[int, str], Life]:
    """Every (task id, instance) with events, and its ``Life`` — read as plain rows of the columns a
    life needs (no ORM objects: a register's thousands of events are read on every task view)."""
    e = TaskEvent
    query = select(e.id, e.task_id, e.instance, e.kind, e.day, e.granted, e.decision, e.answers).order_by(e.at, e.id)
    if task_ids is not None:
        query = query.where(e.task_id.in_(list(task_ids)))
    grouped: dict[tuple[int, str], list] = {}
    for e in session.execute(query):
        grouped.setdefault((e.task_id, e.instance), []).append(e)
    return {key: life_of(rows) for key, rows in grouped.items()}


def all_tasks(session: Session, province: str) -> list[TaskRow]:
    return list(session.scalars(select(TaskRow).where(TaskRow.province_code == province).order_by(TaskRow.code)))
