"""The warnings centre (trung tâm cảnh báo): ``/warnings``.

Filters (state, severity, field, unit), the list with severity colours, one warning's
history, and the acknowledge / resolve forms (a note is required; HTMX posts with the
CSRF header, plain forms with the ``csrf_token`` field).

Who sees what: administrators, leaders and viewers see every warning of the province; a
head or officer sees the warnings of their own unit (as the unit concerned or as the
unit responsible). Who acts: an administrator, or the head or an officer of the
responsible unit — ``may_handle_warning``, the one rule of the page and the API; leaders
direct and viewers read.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.errors import NotFoundError
from chiso.evaluate.dm.warnings import RULE_NAMES, SEVERITIES
from chiso.store.models_evaluation import WARNING_STATES
from chiso.store.repo_evaluation import acknowledge_warning, get_warning, list_warnings, resolve_warning, warning_events
from chiso.web.context import WebContext, web_context
from chiso.web.pages.indicators import (
    catalogue_of,
    field_names,
    forbidden,
    province_of,
    reads_all_values,
    render,
    unit_name,
    who_text,
)
from chiso.web.pages.views import forget_warnings
from chiso.web.security.deps import Principal, current_principal, require_write
from chiso.web.security.principal import may_handle_warning

router = APIRouter()

def _visible(principal: Principal, row) -> bool:
    if reads_all_values(principal):
        return True
    return principal.unit_code in (row.unit_code, row.responsible_unit)


def _severities() -> tuple[str, ...]:
    return tuple(reversed(SEVERITIES))


def _rule_names() -> dict[str, tuple[str, str]]:
    return RULE_NAMES


def _states() -> tuple[str, ...]:
    return tuple(WARNING_STATES)


def _load(ctx: WebContext, principal: Principal, warning_id: int):
    with ctx.database.session() as session:
        try:
            row = get_warning(session, warning_id)
        except NotFoundError:
            raise HTTPException(404, f"Không có cảnh báo số {warning_id} / no warning with id {warning_id}") from None
        events = warning_events(session, warning_id)
    if row.province_code != province_of(principal) and principal.role != "admin":
        raise HTTPException(404, f"Không có cảnh báo số {warning_id} / no warning with id {warning_id}")
    if not _visible(principal, row):
        raise forbidden(f"Cảnh báo {warning_id} thuộc {row.responsible_unit}: cán bộ và thủ trưởng chỉ xem cảnh "
                        f"báo của đơn vị mình / warning {warning_id} concerns {row.unit_code} (responsible: "
                        f"{row.responsible_unit}); a head or officer sees their own unit's warnings only; "
                        f"{who_text(principal)}")
    return row, events


def _row_context(ctx: WebContext, principal: Principal, row, events=None) -> dict:
    return {"w": row, "rule_names": RULE_NAMES, "events": events,
            "may_act": may_handle_warning(principal, row.responsible_unit), "unit_name": lambda c: unit_name(ctx, c)}


@router.get("/warnings", response_class=HTMLResponse)
def warnings_page(request: Request, state: str = "open", severity: str | None = None,
                  field: str | None = None, unit: str | None = None,
                  ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Trung tâm cảnh báo: filters and the list, most severe first."""
    province = province_of(principal)
    if unit and not reads_all_values(principal) and unit != principal.unit_code:
        raise forbidden(f"Không được xem cảnh báo của {unit_name(ctx, unit)} ({unit}): cán bộ và thủ trưởng "
                        f"chỉ xem cảnh báo của đơn vị mình / may not read the warnings of unit {unit}: a head "
                        f"or officer sees their own unit's only; {who_text(principal)}")
    with ctx.database.session() as session:
        rows = list_warnings(session, province, state=state or "all", severity=severity or None,
                             field=field or None, unit_code=unit or None)
    rows = [r for r in rows if _visible(principal, r)]
    counts = {s: sum(1 for r in rows if r.severity == s) for s in _severities()}
    units = sorted({r.responsible_unit for r in rows} | {r.unit_code for r in rows},
                   key=lambda c: unit_name(ctx, c))
    return render(request, "warnings.html", {
        "rows": [_row_context(ctx, principal, r) for r in rows[:200]], "total": len(rows),
        "counts": counts, "severities": _severities(), "states": _states(),
        "fields": field_names(catalogue_of(ctx, province)),
        "units": [(c, unit_name(ctx, c)) for c in units],
        "rule_names": _rule_names(),
        "filters": {"state": state or "all", "severity": severity or "", "field": field or "", "unit": unit or ""},
        "unit_name": lambda c: unit_name(ctx, c)}, principal, "warnings")


@router.get("/warnings/{warning_id}", response_class=HTMLResponse)
def warning_page(request: Request, warning_id: int, ctx: WebContext = Depends(web_context),
                 principal: Principal = Depends(current_principal)):
    """One warning: its message, evidence, history, and the forms."""
    row, events = _load(ctx, principal, warning_id)
    return render(request, "warnings_detail.html", _row_context(ctx, principal, row, events), principal, "warnings")


def _act(request: Request, ctx: WebContext, principal: Principal, warning_id: int, note: str, action: str):
    row, _ = _load(ctx, principal, warning_id)
    if not may_handle_warning(principal, row.responsible_unit):
        verb = "tiếp nhận" if action == "acknowledge" else "xử lý"
        raise forbidden(f"Không được {verb} cảnh báo {warning_id}: chỉ quản trị viên hoặc thủ trưởng, cán bộ "
                        f"của đơn vị chịu trách nhiệm {unit_name(ctx, row.responsible_unit)} "
                        f"({row.responsible_unit}); lãnh đạo chỉ đạo, người xem chỉ xem / may not {action} "
                        f"warning {warning_id}: only an administrator or the head or an officer of the "
                        f"responsible unit {row.responsible_unit} (leaders direct, viewers read); "
                        f"{who_text(principal)}")
    if not (note or "").strip():
        raise HTTPException(400, "Cần ghi chú (nội dung đã làm, lý do) / a note is required (what was done, why)")
    step = acknowledge_warning if action == "acknowledge" else resolve_warning
    try:
        with ctx.database.session() as session:
            step(session, warning_id, by=principal.username, note=note)
    finally:  # the overview's open-warnings panel shows the change at once
        forget_warnings(ctx)
    row, events = _load(ctx, principal, warning_id)
    if request.headers.get("hx-request"):
        target = request.headers.get("hx-target", "")
        if target.startswith("warning-row"):
            return render(request, "warnings.html", {**_row_context(ctx, principal, row, events),
                                                     "r": _row_context(ctx, principal, row)},
                          principal, "warnings", block="row")
        return render(request, "warnings_detail.html", _row_context(ctx, principal, row, events),
                      principal, "warnings", block="panel")
    return RedirectResponse(f"/warnings/{warning_id}", status_code=303)


@router.post("/warnings/{warning_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(request: Request, warning_id: int, note: str = Form(""),
                ctx: WebContext = Depends(web_context), principal: Principal = Depends(require_write)):
    """Tiếp nhận: acknowledge an open warning with a note."""
    return _act(request, ctx, principal, warning_id, note, "acknowledge")


@router.post("/warnings/{warning_id}/resolve", response_class=HTMLResponse)
def resolve(request: Request, warning_id: int, note: str = Form(""),
            ctx: WebContext = Depends(web_context), principal: Principal = Depends(require_write)):
    """Đã xử lý: resolve an open or acknowledged warning with a note."""
    return _act(request, ctx, principal, warning_id, note, "resolve")
