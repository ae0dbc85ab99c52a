"""The warnings centre (trung tâm cảnh báo): ``/warnings`` and its follow-up.

Three lists of the same cards, each paged (``PAGE_SIZE`` a page), filterable and sortable:

- ``/warnings`` — every warning the person reads; filters: state, severity, field, unit,
  given to (nobody / me or my unit / a unit), overdue; sorts: newest first (default), oldest,
  severity, due date, importance.
- ``/warnings/attention`` — "Cần chỉ đạo", the leader's list: the warnings that need direction
  (``chiso.evaluate.dm.followup``), most important first.
- ``/warnings/mine`` — "Giao cho tôi / đơn vị tôi": the warnings given to the person or their unit,
  nearest due date first.

One warning (``/warnings/{id}``): its message, evidence, the assignment in force (unit, person,
due date, overdue), the assign form (leader, administrator), the acknowledge / resolve forms
(a note is required), the comment thread and the whole history (warning events and follow-up
lines, who, when, what). HTMX posts send the CSRF header, plain forms the ``csrf_token`` field.

Who may do what: ``chiso.web.security.followup`` (the same rules as the API). An overdue
warning seen by a page for the first time is recorded (``record_escalations``).
"""
from __future__ import annotations

import datetime as dt
import math

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.errors import ChisoError, ConflictError, NotFoundError
from chiso.evaluate.dm.followup import (
    SORTS,
    Followed,
    attention,
    follow,
    local_today,
    record_escalations,
    sort_followed,
)
from chiso.evaluate.dm.warnings import RULE_NAMES, SEVERITIES
from chiso.periods.reporting import period as reporting_period
from chiso.store.models_evaluation import WARNING_STATES
from chiso.store.repo_accounts import list_accounts
from chiso.store.repo_evaluation import (
    acknowledge_warning,
    assign_warning,
    comment_warning,
    get_warning,
    list_warnings,
    resolve_warning,
    warning_events,
    warning_followups,
)
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
from chiso.web.security.followup import may_assign, may_comment, may_handle, may_read_warning
from chiso.web.security.principal import may_handle_warning  # noqa: F401  (the rule the API shares)

router = APIRouter()

PAGE_SIZE = 25
#: The attention list is short on purpose: the few that matter first.
ATTENTION_PAGE_SIZE = 10
#: How many days a new assignment gets unless the leader picks a date.
DEFAULT_DUE_DAYS = 7
TABS = ("all", "attention", "mine")


def _severities() -> tuple[str, ...]:
    return tuple(reversed(SEVERITIES))


def _states() -> tuple[str, ...]:
    return tuple(WARNING_STATES)


def _not_found(warning_id: int) -> HTTPException:
    return HTTPException(404, f"Không có cảnh báo số {warning_id} / no warning with id {warning_id}")


def _load(ctx: WebContext, principal: Principal, warning_id: int, *, record: bool = True):
    """The warning, its follow-up and history; 404 / 403 as the principal may not read it."""
    with ctx.database.session() as session:
        try:
            row = get_warning(session, warning_id)
        except NotFoundError:
            raise _not_found(warning_id) from None
        if row.province_code != province_of(principal) and principal.role != "admin":
            raise _not_found(warning_id)
        followed = follow(session, [row])[0]
        if not may_read_warning(principal, row, followed.assignment):
            raise forbidden(f"Cảnh báo {warning_id} thuộc {row.responsible_unit}: cán bộ và thủ trưởng chỉ xem cảnh "
                            f"báo của đơn vị mình / warning {warning_id} concerns {row.unit_code} (responsible: "
                            f"{row.responsible_unit}); a head or officer sees their own unit's warnings only; "
                            f"{who_text(principal)}")
        if record:
            record_escalations(session, [followed])
        events = warning_events(session, warning_id)
        lines = warning_followups(session, warning_id)
    return followed, events, lines


def _history(events, lines) -> list[dict]:
    """Warning events and follow-up lines in one history, oldest first."""
    out = [{"at": e.at, "by": e.by, "kind": "event", "action": e.action, "note": e.note, "line": None}
           for e in events]
    out += [{"at": f.at, "by": f.by, "kind": "followup", "action": f.action, "note": f.note, "line": f}
            for f in lines]
    return sorted(out, key=lambda h: (h["at"], 0 if h["kind"] == "event" else 1))


def _item(ctx: WebContext, principal: Principal, f: Followed) -> dict:
    return {"w": f.warning, "f": f, "may_act": may_handle(principal, f.warning, f.assignment),
            "may_assign": may_assign(principal) and f.warning.state != "resolved",
            "mine": f.assigned_to(principal.username, principal.unit_code)}


def _common(ctx: WebContext) -> dict:
    return {"rule_names": RULE_NAMES, "unit_name": lambda c: unit_name(ctx, c)}


def _people(ctx: WebContext, province: str) -> list[dict]:
    """The accounts a warning may be given to: active heads and officers of the province."""
    with ctx.database.session() as session:
        accounts = list_accounts(session, province)
    return [{"username": a.username, "name": a.display_name, "role": a.role, "unit": a.unit_code,
             "unit_name": unit_name(ctx, a.unit_code)}
            for a in accounts if a.active and a.role in ("head", "officer")]


def _assignable_units(ctx: WebContext, people: list[dict], *extra: str | None) -> list[tuple[str, str]]:
    codes = {p["unit"] for p in people} | {c for c in extra if c}
    return sorted(((c, unit_name(ctx, c)) for c in codes), key=lambda pair: pair[1])


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


def _listing(request: Request, ctx: WebContext, principal: Principal, tab: str, *, state: str | None,
             severity: str | None, field: str | None, unit: str | None, assignee: str | None,
             overdue: str | None, sort: str | None, page: str | None):
    province = province_of(principal)
    if unit and not reads_all_values(principal) and unit != principal.unit_code:
        raise forbidden(f"Không được xem cảnh báo của {unit_name(ctx, unit)} ({unit}): cán bộ và thủ trưởng "
                        f"chỉ xem cảnh báo của đơn vị mình / may not read the warnings of unit {unit}: a head "
                        f"or officer sees their own unit's only; {who_text(principal)}")
    sort = sort or {"attention": "importance", "mine": "due"}.get(tab, "newest")
    if sort not in SORTS:
        raise HTTPException(400, f"Cách sắp xếp {sort!r} không có; chọn một trong {', '.join(SORTS)} / "
                                 f"sort {sort!r}: one of {', '.join(SORTS)}")
    # the attention list and "mine" are about warnings still to handle unless a state is chosen
    state = state or ("open" if tab == "all" else "active")
    stored_state = "all" if state == "active" else state
    with ctx.database.session() as session:
        rows = list_warnings(session, province, state=stored_state, severity=severity or None,
                             field=field or None, unit_code=unit or None)
        followed = [f for f in follow(session, rows) if may_read_warning(principal, f.warning, f.assignment)]
        record_escalations(session, followed)
    if state == "active":
        followed = [f for f in followed if f.warning.state != "resolved"]
    if tab == "attention":
        followed = attention(followed)
    elif tab == "mine":
        followed = [f for f in followed if f.assigned_to(principal.username, principal.unit_code)]
    if assignee == "none":
        followed = [f for f in followed if not f.assigned]
    elif assignee == "me":
        followed = [f for f in followed if f.assigned_to(principal.username, principal.unit_code)]
    elif assignee:
        followed = [f for f in followed if f.assignment is not None and f.assignment.unit_code == assignee]
    if overdue:
        followed = [f for f in followed if f.overdue]
    followed = sort_followed(followed, sort)
    total = len(followed)
    size = ATTENTION_PAGE_SIZE if tab == "attention" else PAGE_SIZE
    pages = max(1, math.ceil(total / size))
    number = min(_int(page, 1), pages)
    shown = followed[(number - 1) * size:number * size]
    counts = {s: sum(1 for f in followed if f.warning.severity == s) for s in _severities()}
    units = sorted({f.warning.responsible_unit for f in followed} | {f.warning.unit_code for f in followed}
                   | ({unit} if unit else set()), key=lambda c: unit_name(ctx, c))
    assignees = sorted({f.assignment.unit_code for f in followed if f.assignment is not None}
                       | ({assignee} if assignee and assignee not in ("none", "me") else set()),
                       key=lambda c: unit_name(ctx, c))
    return render(request, "warnings.html", {
        **_common(ctx), "tab": tab, "rows": [_item(ctx, principal, f) for f in shown], "total": total,
        "page": number, "pages": pages, "page_size": size,
        "overdue_count": sum(1 for f in followed if f.overdue),
        "unassigned_count": sum(1 for f in followed if not f.assigned and f.warning.state != "resolved"),
        "counts": counts, "severities": _severities(), "states": _states(), "sorts": SORTS,
        "fields": field_names(catalogue_of(ctx, province)),
        "units": [(c, unit_name(ctx, c)) for c in units],
        "assignees": [(c, unit_name(ctx, c)) for c in assignees],
        "may_assign": may_assign(principal), "has_unit": principal.role in ("head", "officer"),
        "filtered": any(request.query_params.get(k) for k in ("state", "severity", "field", "unit", "assignee",
                                                               "overdue", "sort")),
        "filters": {"state": state, "severity": severity or "", "field": field or "", "unit": unit or "",
                    "assignee": assignee or "", "overdue": bool(overdue), "sort": sort},
    }, principal=principal, active="warnings")


@router.get("/warnings", response_class=HTMLResponse)
def warnings_page(request: Request, state: str | None = None, severity: str | None = None,
                  field: str | None = None, unit: str | None = None, assignee: str | None = None,
                  overdue: str | None = None, sort: str | None = None, page: str | None = None,
                  ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Trung tâm cảnh báo: every warning the person reads, paged, filtered, sorted."""
    return _listing(request, ctx, principal, "all", state=state, severity=severity, field=field, unit=unit,
                    assignee=assignee, overdue=overdue, sort=sort, page=page)


@router.get("/warnings/attention", response_class=HTMLResponse)
def attention_page(request: Request, state: str | None = None, severity: str | None = None,
                   field: str | None = None, unit: str | None = None, assignee: str | None = None,
                   overdue: str | None = None, sort: str | None = None, page: str | None = None,
                   ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Cần chỉ đạo: the warnings that need direction, most important first."""
    return _listing(request, ctx, principal, "attention", state=state, severity=severity, field=field,
                    unit=unit, assignee=assignee, overdue=overdue, sort=sort, page=page)


@router.get("/warnings/mine", response_class=HTMLResponse)
def mine_page(request: Request, state: str | None = None, severity: str | None = None,
              field: str | None = None, unit: str | None = None, assignee: str | None = None,
              overdue: str | None = None, sort: str | None = None, page: str | None = None,
              ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Giao cho tôi / đơn vị tôi: the warnings given to the person or their unit."""
    return _listing(request, ctx, principal, "mine", state=state, severity=severity, field=field, unit=unit,
                    assignee=assignee, overdue=overdue, sort=sort, page=page)


#: Evidence figures that are shares (0.481): shown as percentages (48,1%), never as the ratio.
SHARE_EVIDENCE = ("achievement", "share_missing", "on_track", "at_risk", "difference", "tolerance")
#: A grouped warning's table shows at most this many rows (the rest are counted).
MEMBER_ROWS = 200
#: An indicator missing from more units than this is one row, its units listed inside it.
MEMBER_UNITS = 3


def members_table(ctx: WebContext, row, today: dt.date | None = None) -> dict | None:
    """A grouped warning's members as table rows, or None for a warning of one thing.

    Missing data of an agency (evidence ``indicators``: each indicator and its units still
    missing): one row per indicator × unit (an indicator missing from more than ``MEMBER_UNITS``
    units: one row, the units folded inside it) — the indicator (code and name), the unit, the
    period, and how many days past that indicator's own deadline (period end + its deadline
    days) it was when the rules last looked — the day the message's "đã quá N ngày" counts to
    (the evidence's first ``deadline`` + ``days_overdue``), so the table and the message agree.
    Units of one level with the same condition (evidence ``members``): one row per unit, with
    its value, target, achievement and status, worst first as the rule listed them."""
    evidence = row.evidence or {}
    if isinstance(evidence.get("indicators"), list):
        catalogue = catalogue_of(ctx, row.province_code)
        try:
            today = dt.date.fromisoformat(evidence["deadline"]) + dt.timedelta(days=int(evidence["days_overdue"]))
        except (KeyError, TypeError, ValueError):
            today = today or local_today()
        try:
            window = reporting_period(row.period)
        except ChisoError:
            window = None
        rows = []
        for item in evidence["indicators"]:
            code = item.get("indicator") if isinstance(item, dict) else None
            if not code:
                continue
            ind = catalogue.indicators.get(code)
            deadline = window.end + dt.timedelta(days=ind.deadline_days) if window and ind else None
            late = (today - deadline).days if deadline is not None else None
            units = list(item.get("missing_units") or [])
            late = late if late is not None and late > 0 else None
            if len(units) > MEMBER_UNITS:   # one row for the indicator, its units folded in it
                rows.append({"indicator": code, "ind": ind, "unit": None, "units": units, "period": row.period,
                             "deadline": deadline, "days_late": late})
                continue
            for unit in units:
                rows.append({"indicator": code, "ind": ind, "unit": unit, "units": [unit], "period": row.period,
                             "deadline": deadline, "days_late": late})
        return {"kind": "missing", "rows": rows[:MEMBER_ROWS], "total": len(rows),
                "values": sum(len(r["units"]) for r in rows), "indicators": len({r["indicator"] for r in rows})}
    if isinstance(evidence.get("members"), list):
        rows = [{"unit": m.get("unit"), "value": m.get("value"), "target": m.get("target"),
                 "achievement": m.get("achievement"), "status": m.get("status"), "z": m.get("z")}
                for m in evidence["members"] if isinstance(m, dict) and m.get("unit")]
        return {"kind": "units", "rows": rows[:MEMBER_ROWS], "total": len(rows),
                "has_z": any(r["z"] is not None for r in rows),
                "has_target": any(r["target"] is not None for r in rows)}
    return None


def _detail_context(ctx: WebContext, principal: Principal, followed: Followed, events, lines) -> dict:
    row, assignment = followed.warning, followed.assignment
    members = members_table(ctx, row)
    context = {**_common(ctx), "w": row, "f": followed, "history": _history(events, lines),
               "members": members, "share_evidence": SHARE_EVIDENCE,
               "member_keys": ("indicators", "members") if members else (),
               "comments": [line for line in lines if line.action == "comment"],
               "may_act": may_handle(principal, row, assignment),
               "may_assign": may_assign(principal) and row.state != "resolved",
               "may_comment": may_comment(principal, row, assignment)}
    if context["may_assign"]:
        people = _people(ctx, row.province_code)
        today = local_today()
        context.update({
            "people": people,
            "assign_units": _assignable_units(ctx, people, row.responsible_unit, row.unit_code,
                                              assignment.unit_code if assignment else None),
            "assign_unit": assignment.unit_code if assignment else row.responsible_unit,
            "assign_user": assignment.username if assignment else "",
            "assign_due": (assignment.due_on if assignment and assignment.due_on >= today
                           else today + dt.timedelta(days=DEFAULT_DUE_DAYS)).isoformat(),
            "today": today.isoformat()})
    return context


@router.get("/warnings/{warning_id}", response_class=HTMLResponse)
def warning_page(request: Request, warning_id: int, ctx: WebContext = Depends(web_context),
                 principal: Principal = Depends(current_principal)):
    """One warning: its message, evidence, follow-up, thread, history and the forms."""
    followed, events, lines = _load(ctx, principal, warning_id)
    return render(request, "warnings_detail.html", _detail_context(ctx, principal, followed, events, lines),
                  principal=principal, active="warnings")


def _answer(request: Request, ctx: WebContext, principal: Principal, warning_id: int, anchor: str = ""):
    """After a change: the row or panel fragment for HTMX, a redirect to the warning otherwise."""
    followed, events, lines = _load(ctx, principal, warning_id)
    if request.headers.get("hx-request"):
        target = request.headers.get("hx-target", "")
        if target.startswith("warning-row"):
            return render(request, "warnings.html", {**_common(ctx), "tab": "all",
                                                     "r": _item(ctx, principal, followed)},
                          principal=principal, active="warnings", block="row")
        return render(request, "warnings_detail.html", _detail_context(ctx, principal, followed, events, lines),
                      principal=principal, active="warnings", block="panel")
    return RedirectResponse(f"/warnings/{warning_id}{anchor}", status_code=303)


def _act(request: Request, ctx: WebContext, principal: Principal, warning_id: int, note: str, action: str):
    followed, _, _ = _load(ctx, principal, warning_id, record=False)
    row = followed.warning
    if not may_handle(principal, row, followed.assignment):
        verb = "tiếp nhận" if action == "acknowledge" else "xử lý"
        raise forbidden(f"Không được {verb} cảnh báo {warning_id}: chỉ quản trị viên hoặc thủ trưởng, cán bộ "
                        f"của đơn vị chịu trách nhiệm {unit_name(ctx, row.responsible_unit)} "
                        f"({row.responsible_unit}) hoặc của đơn vị được giao; lãnh đạo chỉ đạo, người xem chỉ "
                        f"xem / may not {action} warning {warning_id}: only an administrator or the head or an "
                        f"officer of the responsible unit {row.responsible_unit} or of the unit it is given to "
                        f"(leaders direct, viewers read); {who_text(principal)}")
    if not (note or "").strip():
        raise HTTPException(400, "Cần ghi chú (nội dung đã làm, lý do) / a note is required (what was done, why)")
    step = acknowledge_warning if action == "acknowledge" else resolve_warning
    try:
        with ctx.database.session() as session:
            step(session, warning_id, by=principal.username, note=note)
    finally:  # the overview's open-warnings panel shows the change at once
        forget_warnings(ctx)
    return _answer(request, ctx, principal, warning_id)


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


def check_assignee(ctx: WebContext, province: str, unit: str) -> None:
    """400 unless ``unit`` is a unit of the province (a warning is given to a known unit)."""
    if not unit or unit not in ctx.tree or (ctx.tree.get(unit).province_code != province and unit != province):
        raise HTTPException(400, f"Đơn vị {unit!r} không thuộc tỉnh {province} / unit {unit!r} is not a unit of "
                                 f"province {province}")


@router.post("/warnings/{warning_id}/assign", response_class=HTMLResponse)
def assign(request: Request, warning_id: int, unit: str = Form(""), username: str = Form(""),
           due_on: str = Form(""), note: str = Form(""),
           ctx: WebContext = Depends(web_context), principal: Principal = Depends(require_write)):
    """Giao việc: give the warning to a unit (and maybe one of its accounts) with a due date."""
    followed, _, _ = _load(ctx, principal, warning_id, record=False)
    if not may_assign(principal):
        raise forbidden(f"Không được giao cảnh báo {warning_id}: chỉ lãnh đạo hoặc quản trị viên giao việc và "
                        f"đặt thời hạn / may not assign warning {warning_id}: only a leader or an administrator "
                        f"gives warnings with a due date; {who_text(principal)}")
    check_assignee(ctx, followed.warning.province_code, unit.strip())
    try:
        day = dt.date.fromisoformat(due_on.strip())
    except ValueError:
        raise HTTPException(400, f"Thời hạn {due_on!r} không phải một ngày (YYYY-MM-DD) / the due date "
                                 f"{due_on!r} is not a day (YYYY-MM-DD)") from None
    try:
        with ctx.database.session() as session:
            assign_warning(session, warning_id, by=principal.username, unit_code=unit.strip(), due_on=day,
                           username=username.strip() or None, note=note, today=local_today())
    except ConflictError:
        raise
    except ChisoError as exc:
        raise HTTPException(400, f"Không giao được cảnh báo {warning_id}: {exc}") from None
    finally:
        forget_warnings(ctx)
    return _answer(request, ctx, principal, warning_id, "#followup")


@router.post("/warnings/{warning_id}/comments", response_class=HTMLResponse)
def comment(request: Request, warning_id: int, note: str = Form(""),
            ctx: WebContext = Depends(web_context), principal: Principal = Depends(require_write)):
    """Trao đổi: add a comment to the warning's thread."""
    followed, _, _ = _load(ctx, principal, warning_id, record=False)
    if not may_comment(principal, followed.warning, followed.assignment):
        raise forbidden(f"Không được trao đổi về cảnh báo {warning_id}: chỉ lãnh đạo, quản trị viên, thủ trưởng "
                        f"và cán bộ của đơn vị chịu trách nhiệm hoặc được giao / may not comment on warning "
                        f"{warning_id}: only leaders, administrators and the head or officers of the responsible "
                        f"or assigned unit; {who_text(principal)}")
    if not (note or "").strip():
        raise HTTPException(400, "Cần nội dung trao đổi / a comment needs a text")
    with ctx.database.session() as session:
        comment_warning(session, warning_id, by=principal.username, note=note)
    return _answer(request, ctx, principal, warning_id, "#thread")
