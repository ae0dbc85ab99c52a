"""Early warnings (cảnh báo sớm) over the API: list, one warning with its history,
acknowledge (đã tiếp nhận) and resolve (đã xử lý), each with a note.

Reading: leaders, viewers and administrators read every warning of the province; a head
or officer reads the warnings about their unit or for which their unit is responsible.

Acknowledging and resolving: an administrator, or the head or an officer of the responsible
unit — ``may_handle_warning``, the one rule of the API and the warnings page; leaders direct
and viewers read. Both need a note; both are recorded and audited.
"""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from chiso.store import repo_evaluation
from chiso.store.repo_evaluation import acknowledge_warning, resolve_warning, warning_events, warning_to_dict
from chiso.store.repo_evaluation import list_warnings as rows_of
from chiso.web.api.access import (
    Principal,
    WebContext,
    forbidden,
    province_for,
    reads_province,
    require_write,
    signed_in,
    web_context,
)
from chiso.web.api.etag import cached
from chiso.web.api.pagination import Page, page_params, paged
from chiso.web.errors import CODE, NOT_MODIFIED, WRITES
from chiso.web.pages.views import forget_warnings
from chiso.web.security.principal import may_handle_warning

router = APIRouter(prefix="/api/v1", tags=["warnings"])


def _visible(principal: Principal, row) -> bool:
    return reads_province(principal) or principal.unit_code in (row.unit_code, row.responsible_unit)


@router.get("/warnings", summary="Cảnh báo sớm / early warnings", responses=NOT_MODIFIED)
def list_warnings(request: Request, province: str | None = Query(None, pattern=CODE),
                  state: Literal["open", "acknowledged", "resolved", "all"] = Query(
                      "open", description="open (default), acknowledged, resolved or all"),
                  severity: Literal["info", "warning", "critical"] | None = None,
                  field: str | None = Query(None, pattern=CODE, description="field group, e.g. FINANCE"),
                  indicator: str | None = Query(None, pattern=CODE),
                  unit: str | None = Query(None, pattern=CODE, description="about this unit, or with it responsible"),
                  page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
                  ctx: WebContext = Depends(web_context)):
    """Warnings, most severe first then newest; paginated."""
    province = province_for(principal, province, ctx)
    with ctx.database.session() as session:
        rows = rows_of(session, province, state=state, severity=severity, field=field, indicator=indicator,
                       unit_code=unit)
    items = [warning_to_dict(r) for r in rows if _visible(principal, r)]
    return paged(request, page, items, province=province)


def _event(e) -> dict:
    return {"action": e.action, "by": e.by, "at": e.at.isoformat(), "note": e.note, "detail": e.detail}


def _get(ctx: WebContext, principal: Principal, warning_id: int, session):
    row = repo_evaluation.get_warning(session, warning_id)
    if row.province_code != principal.province_code and principal.role != "admin":
        raise forbidden(f"warning {warning_id} is of province {row.province_code}; {principal.username} reads "
                        f"province {principal.province_code} only")
    if not _visible(principal, row):
        raise forbidden(f"warning {warning_id} concerns {row.unit_code} (responsible: {row.responsible_unit}); "
                        f"{principal.username} ({principal.role} of {principal.unit_code}) may not read it")
    return row


@router.get("/warnings/{warning_id}", summary="Một cảnh báo / one warning", responses=NOT_MODIFIED)
def get_warning(warning_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, principal: Principal = Depends(signed_in),
                ctx: WebContext = Depends(web_context)):
    """One warning with its history (opened, updated, acknowledged, resolved…)."""
    with ctx.database.session() as session:
        row = _get(ctx, principal, warning_id, session)
        doc = {**warning_to_dict(row), "events": [_event(e) for e in warning_events(session, row.id)]}
    return cached(request, doc)


class Note(BaseModel):
    """What was done or found (recorded with the change)."""

    note: str = Field(min_length=1, max_length=2000, pattern=r"\S", description="not blank")


def check_handler(principal: Principal, row) -> None:
    """403 unless the principal may acknowledge or resolve this warning (``may_handle_warning``)."""
    if may_handle_warning(principal, row.responsible_unit):
        return
    raise forbidden(f"handling warning {row.id} needs an administrator or the head or an officer of the "
                    f"responsible unit {row.responsible_unit} (leaders direct, viewers read); "
                    f"{principal.username} is {principal.role} of {principal.unit_code}")


def _handle(action: str, warning_id: int, body: Note, principal: Principal, ctx: WebContext) -> dict:
    if not body.note.strip():
        raise HTTPException(400, "a note is required and must not be empty")
    try:
        with ctx.database.session() as session:
            row = _get(ctx, principal, warning_id, session)
            check_handler(principal, row)
            act = acknowledge_warning if action == "acknowledge" else resolve_warning
            row = act(session, warning_id, by=principal.username, note=body.note)
            return warning_to_dict(row)
    finally:  # the overview's open-warnings panel shows the change at once
        forget_warnings(ctx)


@router.post("/warnings/{warning_id}/acknowledge", summary="Tiếp nhận cảnh báo / acknowledge", responses=WRITES,
             dependencies=[Depends(require_write)])
def acknowledge(warning_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: Note, principal: Principal = Depends(signed_in),
                ctx: WebContext = Depends(web_context)):
    """Acknowledge an open warning, with a note."""
    return _handle("acknowledge", warning_id, body, principal, ctx)


@router.post("/warnings/{warning_id}/resolve", summary="Xử lý xong cảnh báo / resolve", responses=WRITES,
             dependencies=[Depends(require_write)])
def resolve(warning_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: Note, principal: Principal = Depends(signed_in),
            ctx: WebContext = Depends(web_context)):
    """Resolve an open or acknowledged warning, with a note."""
    return _handle("resolve", warning_id, body, principal, ctx)
