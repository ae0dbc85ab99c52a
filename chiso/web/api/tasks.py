"""Assigned tasks (nhiệm vụ được giao) over the API: the register and the life of a task.

- ``GET /api/v1/tasks`` — the instances of the province's tasks with their state at a date
  (``at``, default today in ``CHISO_TIMEZONE``), filtered by lead unit, state, star, due soon
  and overdue bucket, paged (``limit``/``offset``, ``Link`` header);
- ``GET /api/v1/tasks/{code}`` — one task, its instances with their state, its events and the
  history of its changes;
- ``POST /api/v1/tasks`` — create or update one task, idempotent by ``external_id`` (the item
  keys of ``chiso.collect.tasks.imports.import_items``): 201 created, 200 changed or unchanged;
  a refused item is 422 with its problems (item, key, reason), nothing written;
- ``POST /api/v1/tasks/{code}/events`` — one event of its life (progress, extension request
  or decision, completion report, acceptance or return); 409 with the reason when the life
  rules refuse it (a decision with nothing pending, a task already accepted…).

Who may: ``chiso.web.security.tasks`` — the same rules as the task pages. Writes need a
session (with its CSRF token) or a token with the ``write`` scope; every write is audited by
the register (``chiso.store.repo_tasks``).
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from chiso.collect.tasks.imports import import_items
from chiso.collect.values.submit import local_today
from chiso.errors import LoadError
from chiso.evaluate.tasks.register import states_at
from chiso.store import repo_tasks
from chiso.store.repo_catalogue import current_catalogue
from chiso.tasks.model import EVENT_NAMES, STATE_NAMES
from chiso.web.api.access import Principal, WebContext, forbidden, province_for, require_write, signed_in, web_context
from chiso.web.api.etag import cached
from chiso.web.api.pagination import Page, page_params, paged
from chiso.web.api.uploads import refused
from chiso.web.errors import CODE, NOT_MODIFIED, WRITES, Day
from chiso.web.pages.task_page import load_task, task_states
from chiso.web.security.tasks import may_add_event, may_manage_tasks, may_read_task, refusal

router = APIRouter(prefix="/api/v1", tags=["tasks"])

State = Literal["done_on_time", "done_late", "open_in_time", "open_overdue"]
Bucket = Literal["1-30", "31-60", "61-120", "120+"]
EventKind = Literal["progress", "extension_request", "extension_decision", "completion", "acceptance"]

_LINK_PATTERN = r"^https?://\S+$"
#: Text without NUL (PostgreSQL refuses it in a string); line breaks and tabs are text.
NO_NUL = r"^[^\x00]*$"
#: One unit or indicator of a list.
Short = Annotated[str, Field(min_length=1, max_length=255, pattern=NO_NUL)]
#: Units or indicators written as one text, separated by ``;``.
Listed = Annotated[str, Field(max_length=4000, pattern=NO_NUL)]


# ---------------------------------------------------------------- documents
def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def task_doc(row) -> dict[str, Any]:
    """A task as the API answers it (its register fields, dates ISO)."""
    return {
        "code": row.code, "external_id": row.external_id, "province": row.province_code, "source": row.source,
        "doc_number": row.doc_number, "doc_date": _day(row.doc_date), "doc_summary": row.doc_summary,
        "doc_issuer": row.doc_issuer, "doc_link": row.doc_link, "content": row.content,
        "assigned_by": row.assigned_by, "assigned_on": _day(row.assigned_on), "lead_unit": row.lead_unit,
        "co_units": list(row.co_units or []), "deadline_kind": row.deadline_kind, "deadline": _day(row.deadline),
        "due_day": row.due_day, "until": _day(row.until), "deadline_text": row.deadline_text,
        "starred": bool(row.starred), "field": row.field, "indicators": list(row.indicators or []),
        "revision": row.revision, "created_at": row.created_at.isoformat(), "created_by": row.created_by,
        "updated_at": row.updated_at.isoformat(), "updated_by": row.updated_by, "url": f"/tasks/{row.code}",
    }


def state_doc(s: dict) -> dict[str, Any]:
    """One instance's state (a row of ``states_at``)."""
    return {"instance": s["key"], "state": s["state"], "state_vi": STATE_NAMES[s["state"]][0],
            "deadline": _day(s["deadline"]), "overdue_days": s["overdue_days"], "bucket": s["bucket"],
            "due_soon": bool(s["due_soon"]), "updated": bool(s["updated"]), "completed_on": _day(s["completed_on"])}


def event_doc(e) -> dict[str, Any]:
    return {"id": e.id, "instance": e.instance, "kind": e.kind, "kind_vi": EVENT_NAMES[e.kind][0],
            "day": _day(e.day), "at": e.at.isoformat(), "by": e.by, "unit": e.unit_code, "percent": e.percent,
            "text": e.text, "evidence": e.evidence or [], "requested": _day(e.requested),
            "granted": _day(e.granted), "decision": e.decision, "answers": e.answers}


def change_doc(c) -> dict[str, Any]:
    return {"revision": c.revision, "at": c.at.isoformat(), "by": c.by, "source": c.source, "change": c.change}


# ---------------------------------------------------------------- reading
@router.get("/tasks", summary="Nhiệm vụ được giao / assigned tasks", responses=NOT_MODIFIED)
def list_tasks(request: Request, province: str | None = Query(None, pattern=CODE),
               unit: str | None = Query(None, pattern=CODE, description="the lead unit"),
               state: State | None = Query(None, description="one of the four states"),
               starred: bool | None = Query(None, description="priority tasks only (true) or the others (false)"),
               due_soon: bool | None = Query(None, description="open with the deadline within "
                                                              "CHISO_TASK_DUE_SOON_DAYS days"),
               bucket: Bucket | None = Query(None, description="overdue age bucket of open overdue tasks"),
               at: Day | None = Query(None, description="the date the states are computed at (default today)"),
               page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
               ctx: WebContext = Depends(web_context)):
    """Every instance of the tasks the principal reads, with its state at ``at``: a one-off task
    is one item (``instance`` ""), a recurring task one item per period that exists by then.
    Sorted by the most overdue first, then the nearest deadline, then the code."""
    province = province_for(principal, province, ctx)
    day = at or local_today()
    with ctx.database.session() as session:
        rows = [r for r in repo_tasks.all_tasks(session, province) if may_read_task(principal, r, ctx.tree)]
        frame = states_at(session, province, [day], tasks=rows)
    if unit:
        frame = frame.filter(pl.col("lead_unit") == unit)
    if state:
        frame = frame.filter(pl.col("state") == state)
    if starred is not None:
        frame = frame.filter(pl.col("starred") == starred)
    if due_soon is not None:
        frame = frame.filter(pl.col("due_soon") == due_soon)
    if bucket:
        frame = frame.filter(pl.col("bucket") == bucket)
    frame = frame.sort([pl.col("overdue_days").neg(), pl.col("deadline"), pl.col("task"), pl.col("key")],
                       nulls_last=True)
    total = frame.height
    by_code = {r.code: r for r in rows}
    items = [{"code": s["task"], "content": by_code[s["task"]].content, "lead_unit": s["lead_unit"],
              "co_units": list(by_code[s["task"]].co_units or []), "starred": bool(s["starred"]),
              **state_doc(s), "url": f"/tasks/{s['task']}"}
             for s in frame.slice(page.offset, page.limit).to_dicts()]
    return paged(request, page, items, total, at=day.isoformat(), province=province)


@router.get("/tasks/{code}", summary="Một nhiệm vụ / one task", responses=NOT_MODIFIED)
def get_task(request: Request, code: Annotated[str, PathParam(pattern=CODE)],
             at: Day | None = Query(None, description="the date the states are computed at (default today)"),
             principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """One task with the state of each instance at ``at``, its events (oldest first) and the
    history of its changes."""
    row = load_task(ctx, principal, code)
    day = at or local_today()
    with ctx.database.session() as session:
        states = task_states(session, row, day)
        events = repo_tasks.events(session, row.id)
        changes = repo_tasks.history(session, row.id)
    doc = {**task_doc(row), "at": day.isoformat(), "instances": [state_doc(s) for s in states],
           "events": [event_doc(e) for e in events], "history": [change_doc(c) for c in changes]}
    return cached(request, doc)


# ---------------------------------------------------------------- writing
class TaskItem(BaseModel):
    """One task as a document-management system hands it over: the keys of the import file's
    columns in snake case (``chiso.collect.tasks.columns``); dates ``YYYY-MM-DD`` or
    ``dd/mm/yyyy``; units by code or exact name; the deadline as written (a date, "15 ngày",
    "10 ngày làm việc", "hằng tháng ngày 20", "hằng quý ngày 15", or empty)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
        "external_id": "VB-2026-0125-01", "doc_number": "125/TB-UBND", "doc_date": "2026-11-02",
        "doc_summary": "Kết luận của Chủ tịch UBND tỉnh tại cuộc họp giao ban tháng 10",
        "doc_issuer": "UBND tỉnh", "content": "Rà soát, báo cáo tình hình giải ngân vốn đầu tư công",
        "assigned_by": "Chủ tịch UBND tỉnh", "assigned_on": "2026-11-02", "lead_unit": "24-STC",
        "co_units": ["24-SXD"], "deadline": "30/11/2026", "starred": True, "field": "ECONOMY"}]})

    external_id: str = Field(min_length=1, max_length=128, pattern=NO_NUL,
                             description="the task's id in the source system")
    doc_number: str = Field(min_length=1, max_length=128, pattern=NO_NUL, description="số/ký hiệu of the document")
    doc_date: str | None = Field(None, max_length=32, pattern=NO_NUL)
    doc_summary: str | None = Field(None, max_length=4000, pattern=NO_NUL)
    doc_issuer: str | None = Field(None, max_length=255, pattern=NO_NUL)
    doc_link: str | None = Field(None, max_length=1024, pattern=NO_NUL)
    content: str = Field(min_length=1, max_length=8000, pattern=NO_NUL)
    assigned_by: str | None = Field(None, max_length=255, pattern=NO_NUL)
    assigned_on: str = Field(min_length=1, max_length=32, pattern=NO_NUL)
    lead_unit: str = Field(min_length=1, max_length=255, pattern=NO_NUL,
                           description="a unit code (24-STC) or its exact name")
    co_units: Listed | list[Short] | None = Field(None, description="codes or names; a list or text separated by ;")
    deadline: str | None = Field(None, max_length=255, pattern=NO_NUL)
    until: str | None = Field(None, max_length=32, pattern=NO_NUL)
    starred: bool | Annotated[str, Field(max_length=16, pattern=NO_NUL)] | None = Field(
        None, description="true, or x / có / ✓ / 1 as the file writes it")
    field: str | None = Field(None, max_length=255, pattern=NO_NUL)
    indicators: Listed | list[Short] | None = Field(None, description="catalogue codes; a list or text separated by ;")


@router.post("/tasks", summary="Tạo hoặc cập nhật nhiệm vụ / create or update a task", status_code=201,
             responses={200: {"description": "the task existed: changed, or unchanged (the same item again)"},
                        **WRITES}, dependencies=[Depends(require_write)])
def upsert_task(item: TaskItem, principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Create a task, or update the one with this ``external_id`` (its history kept); the same
    item again changes nothing. The office (Văn phòng UBND tỉnh) and administrators only."""
    if not may_manage_tasks(principal):
        raise forbidden(f"{refusal('manage')}; {principal.username} is {principal.role} of {principal.unit_code}")
    province = principal.province_code
    values = item.model_dump(exclude_none=True)
    try:
        with ctx.database.session() as session:
            catalogue = current_catalogue(session, province)
            result = import_items(session, [values], province=province, tree=ctx.tree, catalogue=catalogue,
                                  by=principal.username, source="api")
            row = repo_tasks.get_task(session, result.codes[0])
    except LoadError as e:
        return refused(e, "the task was refused; nothing was written")
    ctx.forget_tasks()
    outcome = "created" if result.created else "changed" if result.changed else "unchanged"
    return JSONResponse({"result": outcome, "task": task_doc(row)}, status_code=201 if result.created else 200)


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str | None = Field(None, max_length=128, strict=True, pattern=NO_NUL, description="số/ký hiệu of the report or "
                                                                              "document")
    date: Day | None = None
    summary: str | None = Field(None, max_length=1000, strict=True, pattern=NO_NUL)
    link: str | None = Field(None, max_length=1024, pattern=_LINK_PATTERN, strict=True)


class TaskEventIn(BaseModel):
    """One event of a task's life. ``progress``: ``percent`` and/or ``text``, ``day`` as of;
    ``extension_request``: ``requested`` and ``text`` (the reason); ``extension_decision``:
    ``decision`` approved (``granted``, default the requested day) or refused (``text``);
    ``completion``: ``day`` completed on, ``text``, ``evidence``; ``acceptance``: ``decision``
    accepted or returned (``text`` required to return). ``instance``: the period of a recurring
    task (``2026-11``, ``2026-Q4``), empty for a one-off task."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "progress", "percent": 60, "text": "Đã tổng hợp số liệu của 8/12 đơn vị", "day": "2026-11-20"},
        {"kind": "acceptance", "decision": "returned", "text": "Bổ sung số liệu của các xã"}]})

    kind: EventKind
    instance: str = Field("", max_length=16, pattern=r"^(|\d{4}-(0[1-9]|1[0-2])|\d{4}-Q[1-4])$", strict=True)
    day: Day | None = Field(None, description="as of / completed on (default today)")
    percent: int | None = Field(None, ge=0, le=100, strict=True)
    text: str = Field("", max_length=4000, strict=True, pattern=NO_NUL)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    requested: Day | None = None
    granted: Day | None = None
    decision: Literal["approved", "refused", "accepted", "returned"] | None = None


@router.post("/tasks/{code}/events", summary="Diễn biến của nhiệm vụ / an event of a task's life",
             status_code=201, responses=WRITES, dependencies=[Depends(require_write)])
def add_event(code: Annotated[str, PathParam(pattern=CODE)], body: TaskEventIn, principal: Principal = Depends(signed_in),
              ctx: WebContext = Depends(web_context)):
    """Record one event; answers it with the instance's state today. Progress and extension
    requests: the head or an officer of the lead unit; completion: its head; decisions on
    extensions and completions: the office."""
    row = load_task(ctx, principal, code)
    if not may_add_event(principal, row, body.kind):
        raise forbidden(f"{refusal(body.kind)} ({code}); {principal.username} is {principal.role} of "
                        f"{principal.unit_code}")
    today = local_today()
    day = body.day or today
    if body.kind in ("progress", "completion") and day > today:
        raise HTTPException(400, f"ngày {day:%d/%m/%Y} chưa đến / {day.isoformat()} is after today "
                                 f"({today.isoformat()})")
    if body.kind not in ("progress", "completion"):
        day = today  # a request or a decision is made today
    evidence = [{"number": e.number or "", "date": _day(e.date), "summary": e.summary or "", "link": e.link}
                for e in body.evidence] or None
    with ctx.database.session() as session:
        states = {s["key"]: s for s in task_states(session, row, today)}
        if body.instance not in states:
            raise HTTPException(400, f"nhiệm vụ {code} không có kỳ {body.instance!r} đến hôm nay / task {code} has "
                                     f"no instance {body.instance!r} by today; its instances: "
                                     f"{', '.join(repr(k) for k in states) or 'none'}")
        event = repo_tasks.add_event(session, session.merge(row), body.kind, by=principal.username,
                                     unit_code=principal.unit_code, day=day, instance=body.instance,
                                     percent=body.percent, text=body.text, evidence=evidence,
                                     requested=body.requested, granted=body.granted, decision=body.decision)
        doc = event_doc(event)
        now = {s["key"]: s for s in task_states(session, row, today)}
    ctx.forget_tasks()
    return JSONResponse({"event": doc, "state": state_doc(now[body.instance])}, status_code=201)
