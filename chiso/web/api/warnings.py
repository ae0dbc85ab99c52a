"""Early warnings (cảnh báo sớm) over the API: list, the "needs direction" list, one warning
with its history, acknowledge (đã tiếp nhận) and resolve (đã xử lý) with a note, assignment
(giao việc: a unit, maybe one of its accounts, a due date, a note) and the comment thread.

Reading: leaders, viewers and administrators read every warning of the province; a head
or officer reads the warnings about their unit, for which their unit is responsible, or given
to their unit.

Acknowledging and resolving: an administrator, or the head or an officer of the responsible
unit or of the unit the warning is given to; assigning: a leader or an administrator;
commenting: whoever assigns or handles it — ``chiso.web.security.followup``, the one set of
rules of the API and the warnings page. Every change is recorded and audited.

An overdue warning (its due date passed, not resolved) is computed on every read; the first
read that sees it records the escalation in the warning's follow-up history.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from chiso.collect.values.submit import local_today
from chiso.errors import ChisoError, ConflictError
from chiso.evaluate.dm.followup import Followed, attention, follow, record_escalations, sort_followed
from chiso.store import repo_evaluation
from chiso.store.repo_evaluation import (
    acknowledge_warning,
    assign_warning,
    comment_warning,
    followup_to_dict,
    resolve_warning,
    warning_events,
    warning_followups,
    warning_to_dict,
)
from chiso.store.repo_evaluation import list_warnings as rows_of
from chiso.web.api.access import (
    Principal,
    WebContext,
    forbidden,
    province_for,
    require_write,
    signed_in,
    web_context,
)
from chiso.web.api.etag import cached
from chiso.web.api.pagination import Page, page_params, paged
from chiso.web.errors import CODE, NOT_MODIFIED, WRITES
from chiso.web.pages.views import forget_warnings
from chiso.web.security.followup import may_assign, may_comment, may_handle, may_read_warning
from chiso.web.security.principal import may_handle_warning  # noqa: F401  (the rule the page shares)

router = APIRouter(prefix="/api/v1", tags=["warnings"])

WarningId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Sort = Literal["newest", "oldest", "severity", "due", "importance"]


def _item(f: Followed) -> dict:
    return {**warning_to_dict(f.warning), "followup": f.to_dict()}


def _followed(ctx: WebContext, principal: Principal, province: str, **filters) -> list[Followed]:
    with ctx.database.session() as session:
        rows = rows_of(session, province, **filters)
        followed = [f for f in follow(session, rows) if may_read_warning(principal, f.warning, f.assignment)]
        record_escalations(session, followed)
    return followed


def _assigned(followed: list[Followed], principal: Principal, assignee: str | None,
              overdue: bool | None) -> list[Followed]:
    if assignee == "none":
        followed = [f for f in followed if not f.assigned]
    elif assignee == "me":
        followed = [f for f in followed if f.assigned_to(principal.username, principal.unit_code)]
    elif assignee:
        followed = [f for f in followed if f.assignment is not None and f.assignment.unit_code == assignee]
    if overdue is not None:
        followed = [f for f in followed if f.overdue == overdue]
    return followed


@router.get("/warnings", summary="Cảnh báo sớm / early warnings", responses=NOT_MODIFIED)
def list_warnings(request: Request, province: str | None = Query(None, pattern=CODE),
                  state: Literal["open", "acknowledged", "resolved", "all"] = Query(
                      "open", description="open (default), acknowledged, resolved or all"),
                  severity: Literal["info", "warning", "critical"] | None = None,
                  field: str | None = Query(None, pattern=CODE, description="field group, e.g. FINANCE"),
                  indicator: str | None = Query(None, pattern=CODE),
                  unit: str | None = Query(None, pattern=CODE, description="about this unit, or with it responsible"),
                  assignee: str | None = Query(None, pattern=CODE, description=(
                      "given to: none (nobody), me (the caller or the caller's unit) or a unit code")),
                  overdue: bool | None = Query(None, description="true: only overdue; false: only not overdue"),
                  sort: Sort | None = Query(None, description=(
                      "newest (default: most severe first, then newest), oldest, severity, due, importance")),
                  page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
                  ctx: WebContext = Depends(web_context)):
    """Warnings with their follow-up (assignment, overdue, comments); paginated."""
    province = province_for(principal, province, ctx)
    followed = _followed(ctx, principal, province, state=state, severity=severity, field=field,
                         indicator=indicator, unit_code=unit)
    followed = _assigned(followed, principal, assignee, overdue)
    if sort is not None:
        followed = sort_followed(followed, sort)
    return paged(request, page, [_item(f) for f in followed], province=province)


@router.get("/warnings/attention", summary="Cảnh báo cần chỉ đạo / warnings that need direction",
            responses=NOT_MODIFIED)
def attention_list(request: Request, province: str | None = Query(None, pattern=CODE),
                   severity: Literal["info", "warning", "critical"] | None = None,
                   field: str | None = Query(None, pattern=CODE, description="field group, e.g. FINANCE"),
                   unit: str | None = Query(None, pattern=CODE, description="about this unit, or with it responsible"),
                   page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
                   ctx: WebContext = Depends(web_context)):
    """The leader's "cần chỉ đạo" list: unresolved warnings that are overdue, given to nobody
    (critical or warning), or critical and left open — most important first, each with its
    importance points and reasons; paginated."""
    province = province_for(principal, province, ctx)
    followed = _followed(ctx, principal, province, state="all", severity=severity, field=field, unit_code=unit)
    return paged(request, page, [_item(f) for f in attention(followed)], province=province)


def _event(e) -> dict:
    return {"action": e.action, "by": e.by, "at": e.at.isoformat(), "note": e.note, "detail": e.detail}


def _get(ctx: WebContext, principal: Principal, warning_id: int, session) -> Followed:
    row = repo_evaluation.get_warning(session, warning_id)
    if row.province_code != principal.province_code and principal.role != "admin":
        raise forbidden(f"warning {warning_id} is of province {row.province_code}; {principal.username} reads "
                        f"province {principal.province_code} only")
    followed = follow(session, [row])[0]
    if not may_read_warning(principal, row, followed.assignment):
        raise forbidden(f"warning {warning_id} concerns {row.unit_code} (responsible: {row.responsible_unit}); "
                        f"{principal.username} ({principal.role} of {principal.unit_code}) may not read it")
    return followed


@router.get("/warnings/{warning_id}", summary="Một cảnh báo / one warning", responses=NOT_MODIFIED)
def get_warning(warning_id: WarningId, request: Request, principal: Principal = Depends(signed_in),
                ctx: WebContext = Depends(web_context)):
    """One warning with its follow-up and history (opened, updated, acknowledged, resolved…;
    assigned, commented, overdue)."""
    with ctx.database.session() as session:
        followed = _get(ctx, principal, warning_id, session)
        record_escalations(session, [followed])
        doc = {**_item(followed), "events": [_event(e) for e in warning_events(session, warning_id)],
               "followups": [followup_to_dict(line) for line in warning_followups(session, warning_id)]}
    return cached(request, doc)


class Note(BaseModel):
    """What was done or found (recorded with the change)."""

    note: str = Field(min_length=1, max_length=2000, pattern=r"\S", description="not blank")


def check_handler(principal: Principal, followed: Followed) -> None:
    """403 unless the principal may acknowledge or resolve this warning (``may_handle``)."""
    row = followed.warning
    if may_handle(principal, row, followed.assignment):
        return
    raise forbidden(f"handling warning {row.id} needs an administrator or the head or an officer of the "
                    f"responsible unit {row.responsible_unit} or of the unit it is given to (leaders direct, "
                    f"viewers read); {principal.username} is {principal.role} of {principal.unit_code}")


def _handle(action: str, warning_id: int, body: Note, principal: Principal, ctx: WebContext) -> dict:
    if not body.note.strip():
        raise HTTPException(400, "a note is required and must not be empty")
    try:
        with ctx.database.session() as session:
            followed = _get(ctx, principal, warning_id, session)
            check_handler(principal, followed)
            act = acknowledge_warning if action == "acknowledge" else resolve_warning
            row = act(session, warning_id, by=principal.username, note=body.note)
            return warning_to_dict(row)
    finally:  # the overview's open-warnings panel shows the change at once
        forget_warnings(ctx)


@router.post("/warnings/{warning_id}/acknowledge", summary="Tiếp nhận cảnh báo / acknowledge", responses=WRITES,
             dependencies=[Depends(require_write)])
def acknowledge(warning_id: WarningId, body: Note, principal: Principal = Depends(signed_in),
                ctx: WebContext = Depends(web_context)):
    """Acknowledge an open warning, with a note."""
    return _handle("acknowledge", warning_id, body, principal, ctx)


@router.post("/warnings/{warning_id}/resolve", summary="Xử lý xong cảnh báo / resolve", responses=WRITES,
             dependencies=[Depends(require_write)])
def resolve(warning_id: WarningId, body: Note, principal: Principal = Depends(signed_in),
            ctx: WebContext = Depends(web_context)):
    """Resolve an open or acknowledged warning, with a note."""
    return _handle("resolve", warning_id, body, principal, ctx)


class Assignment(BaseModel):
    """Whom a warning is given to, by when, and what is asked."""

    unit: str = Field(pattern=CODE, description="the unit (agency) that handles the warning")
    username: str | None = Field(None, pattern=CODE, description="one account of that unit (optional)")
    due_on: dt.date = Field(description="the day it is due (YYYY-MM-DD), today or later")
    note: str | None = Field(None, max_length=2000, description="the direction given (optional)")


@router.post("/warnings/{warning_id}/assign", summary="Giao cảnh báo / assign a warning", responses=WRITES,
             dependencies=[Depends(require_write)])
def assign(warning_id: WarningId, body: Assignment, principal: Principal = Depends(signed_in),
           ctx: WebContext = Depends(web_context)):
    """Give a warning to a unit (and maybe one of its accounts) with a due date; a later call
    reassigns it. Leaders and administrators only; the warning with its follow-up is returned."""
    try:
        with ctx.database.session() as session:
            followed = _get(ctx, principal, warning_id, session)
            if not may_assign(principal):
                raise forbidden(f"assigning warning {warning_id} needs a leader or an administrator; "
                                f"{principal.username} is {principal.role} of {principal.unit_code}")
            row = followed.warning
            unit = body.unit
            if unit not in ctx.tree or (ctx.tree.get(unit).province_code != row.province_code
                                        and unit != row.province_code):
                raise HTTPException(400, f"unit {unit!r} is not a unit of province {row.province_code}")
            try:
                assign_warning(session, warning_id, by=principal.username, unit_code=unit, due_on=body.due_on,
                               username=body.username, note=body.note, today=local_today())
            except ConflictError:
                raise
            except ChisoError as exc:
                raise HTTPException(400, str(exc)) from None
            doc = _item(follow(session, [row])[0])
    finally:
        forget_warnings(ctx)
    return doc


@router.get("/warnings/{warning_id}/comments", summary="Trao đổi về cảnh báo / a warning's comments",
            responses=NOT_MODIFIED)
def comments(warning_id: WarningId, request: Request, principal: Principal = Depends(signed_in),
             ctx: WebContext = Depends(web_context)):
    """The warning's comment thread, oldest first (everyone who reads the warning reads it)."""
    with ctx.database.session() as session:
        _get(ctx, principal, warning_id, session)
        items = [followup_to_dict(line) for line in warning_followups(session, warning_id)
                 if line.action == "comment"]
    return cached(request, {"warning": warning_id, "items": items, "total": len(items)})


@router.post("/warnings/{warning_id}/comments", summary="Trao đổi về cảnh báo / comment on a warning",
             status_code=201, responses=WRITES, dependencies=[Depends(require_write)])
def add_comment(warning_id: WarningId, body: Note, principal: Principal = Depends(signed_in),
                ctx: WebContext = Depends(web_context)):
    """Add a comment to the thread: leaders, administrators, and the head or officers of the
    responsible unit or of the unit the warning is given to."""
    with ctx.database.session() as session:
        followed = _get(ctx, principal, warning_id, session)
        if not may_comment(principal, followed.warning, followed.assignment):
            raise forbidden(f"commenting on warning {warning_id} needs a leader, an administrator, or the head or an "
                            f"officer of the responsible or assigned unit; {principal.username} is "
                            f"{principal.role} of {principal.unit_code}")
        line = comment_warning(session, warning_id, by=principal.username, note=body.note)
        return followup_to_dict(line)
