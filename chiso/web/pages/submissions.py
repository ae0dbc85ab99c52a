"""Data submission (nộp số liệu): ``/submissions``.

- Upload a file of values (CSV, XLSX, JSON or JSON lines) as the signed-in person's unit;
  an administrator may submit for another unit and must give a reason (recorded).
- A refused batch changes nothing and comes back with its row-level report (file, row,
  column, reason, value); it is registered among the batches with that report.
- Accepted batches with their late flags; the states of each indicator × period
  (nháp → đã gửi → đã duyệt → khoá sổ) with approve (head of the owner agency) and lock
  (head of the owner agency or an administrator).

A head or officer sees only their own unit's batches and their agency's periods; leaders,
viewers and administrators see all. Writing goes through ``chiso.collect.values`` (which
audits and refuses wrong owners with ``NotAllowedError`` → 403).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.collect.values import Actor, Submitter, approve, lock, read_batch, submit_batch
from chiso.collect.values.batch import SUFFIXES as VALUE_SUFFIXES
from chiso.collect.values.submit import problems_of
from chiso.errors import ChisoError, LoadError, LockedError, NotAllowedError, Problem
from chiso.files.limits import upload_max_bytes
from chiso.files.reasons import size_text
from chiso.store.repo_catalogue import live_indicators
from chiso.store.repo_values import get_submission, periods, submissions
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import request_language
from chiso.web.nfc import nfc_text
from chiso.web.pages.indicators import (
    forbidden,
    province_of,
    reads_all_values,
    render,
    unit_name,
    who_text,
)
from chiso.web.security.deps import Principal, current_principal, require_write

router = APIRouter()

#: The roles that submit values (collection's own roles: officer, head, admin).
SUBMITTING_ROLES = ("officer", "head", "admin")
#: File types the upload accepts (as ``read_batch`` reads them).
SUFFIXES = VALUE_SUFFIXES
#: A refused batch is a normal answer of this page (its row-level report, nothing written):
#: the page answers 200 with the report shown, so the browser does not log a failed request;
#: the JSON API (``POST /api/v1/submissions``) keeps 422 for programs.
REFUSED_STATUS = 200


def _live(ctx: WebContext, province: str):
    with ctx.database.session() as session:
        return live_indicators(session, province)


def _batches(ctx: WebContext, principal: Principal, limit: int = 100):
    with ctx.database.session() as session:
        rows = submissions(session, limit=1000)
    province = province_of(principal)
    if reads_all_values(principal):
        units = {u.code for u in ctx.tree.units(province=province)} | {province}
        rows = [r for r in rows if r.as_unit in units or principal.role == "admin"]
    else:
        rows = [r for r in rows if r.as_unit == principal.unit_code]
    return rows[:limit]


def _periods(ctx: WebContext, principal: Principal, live) -> list[dict]:
    with ctx.database.session() as session:
        rows = periods(session)
    out = []
    for p in rows:
        if p.indicator not in live:
            continue
        if not reads_all_values(principal) and p.owner != principal.unit_code:
            continue
        out.append({"p": p, "ind": live[p.indicator],
                    "may_approve": p.state == "submitted" and principal.role == "head"
                    and principal.unit_code == p.owner,
                    "may_lock": p.state == "approved" and (principal.role == "admin" or (
                        principal.role == "head" and principal.unit_code == p.owner))})
    out.sort(key=lambda r: (r["p"].state not in ("submitted", "approved"), r["p"].indicator,
                            r["p"].period), reverse=False)
    return out


def _page(request: Request, ctx: WebContext, principal: Principal, *, result=None, problems=None,
          refused: str | None = None, file_name: str | None = None, status_code: int = 200,
          state: str | None = None) -> HTMLResponse:
    province = province_of(principal)
    live = _live(ctx, province)
    periods = _periods(ctx, principal, live)
    if state:
        periods = [r for r in periods if r["p"].state == state]
    admin_units = []
    if principal.role == "admin":
        admin_units = [(u.code, u.name) for u in [ctx.tree.get(province), *ctx.tree.units(province=province)]
                       if u.level in ("province", "department")]
    return render(request, "submissions.html", {
        "may_submit": principal.role in SUBMITTING_ROLES, "admin_units": admin_units,
        "own_unit": principal.unit_code, "own_unit_name": unit_name(ctx, principal.unit_code),
        "batches": _batches(ctx, principal), "periods": periods[:500], "periods_total": len(periods),
        "state": state or "", "result": result, "problems": problems, "refused": refused,
        "file_name": file_name, "unit_name": lambda c: unit_name(ctx, c), "suffixes": SUFFIXES,
        "owned": sorted(c for c, i in live.items() if i.owner == principal.unit_code)},
        principal, "submissions", status_code=status_code)


@router.get("/submissions", response_class=HTMLResponse)
def submissions_page(request: Request, state: str | None = None, ctx: WebContext = Depends(web_context),
                     principal: Principal = Depends(current_principal)):
    """Nộp số liệu: the upload form, the batches and the period states."""
    return _page(request, ctx, principal, state=state)


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, submission_id: int, ctx: WebContext = Depends(web_context),
                    principal: Principal = Depends(current_principal)):
    """One batch: who, when, as which unit, what it did, and its report (refusal or warnings)."""
    with ctx.database.session() as session:
        row = get_submission(session, submission_id)
    if row is None:
        raise HTTPException(404, f"Không có lô số liệu {submission_id} / no batch {submission_id}")
    if not reads_all_values(principal) and row.as_unit != principal.unit_code:
        raise forbidden(f"Lô {submission_id} do {unit_name(ctx, row.as_unit)} ({row.as_unit}) nộp: cán bộ và thủ "
                        f"trưởng chỉ xem lô của đơn vị mình / batch {submission_id} was submitted by "
                        f"{row.as_unit}; a head or officer sees their own unit's batches only; {who_text(principal)}")
    return render(request, "submission_detail.html", {"b": row, "problems": row.report or [],
                                                      "unit_name": lambda c: unit_name(ctx, c)},
                  principal, "submissions")


@router.post("/submissions", response_class=HTMLResponse)
async def upload(request: Request, file: UploadFile = File(...), reason: str = Form(""),
                 as_unit: str = Form(""), ctx: WebContext = Depends(web_context),
                 principal: Principal = Depends(require_write)):
    """Upload a batch: accepted whole, or refused whole with its row-level report shown (the page
    answers 200 either way; ``refused`` in the page says which)."""
    reason, as_unit = nfc_text(reason), nfc_text(as_unit)  # a multipart form: not rewritten by chiso.web.nfc
    if principal.role not in SUBMITTING_ROLES:
        raise forbidden(f"Chỉ cán bộ nhập liệu, thủ trưởng cơ quan và quản trị viên nộp số liệu / only an "
                        f"officer, a head or an administrator submits values; {who_text(principal)}")
    name = Path(file.filename or "").name or "(không tên)"
    suffix = Path(name).suffix.lower()  # a type it does not read is refused by the reader, in the page
    limit = upload_max_bytes()
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"Tệp {name} lớn hơn giới hạn {size_text(limit)} / file {name} is larger than "
                                 f"{size_text(limit)}")
    unit = principal.unit_code
    admin_for_other = False
    if as_unit and as_unit != principal.unit_code:
        if principal.role != "admin":
            raise forbidden(f"Chỉ quản trị viên nộp thay đơn vị khác / only an administrator submits for "
                            f"another unit ({as_unit}); {who_text(principal)}")
        unit, admin_for_other = as_unit, True
    if unit not in ctx.tree:
        raise HTTPException(400, f"Không có đơn vị {unit!r} / no unit with code {unit!r}")
    province = province_of(principal)
    try:
        who = Submitter(as_unit=unit, by=principal.username, role=principal.role,
                        admin=admin_for_other or (principal.role == "admin" and bool(reason.strip())),
                        reason=reason.strip() or None)
    except NotAllowedError as e:
        return _page(request, ctx, principal, refused=str(e), file_name=name, status_code=REFUSED_STATUS,
                     problems=[Problem(name, None, "reason", "an administrator submitting for another unit must "
                                       "give a reason" if request_language(request) == "en" else
                                       "quản trị viên nộp thay phải ghi lý do")])
    with tempfile.TemporaryDirectory(prefix="chiso-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            batch = read_batch(path, name)
            catalogue = _live(ctx, province)
            result = submit_batch(ctx.database, batch, who, catalogue, ctx.tree)
        except (LoadError, NotAllowedError, LockedError) as e:
            problems = e.problems if isinstance(e, LoadError) else problems_of(e)
            head = ("the batch was refused; nothing was written" if request_language(request) == "en"
                    else "Lô số liệu bị từ chối, không ghi gì")
            return _page(request, ctx, principal, refused=head, problems=problems, file_name=name,
                         status_code=REFUSED_STATUS)
        except ChisoError as e:
            return _page(request, ctx, principal, refused=str(e), file_name=name, status_code=REFUSED_STATUS,
                         problems=[Problem(name, None, None, str(e))])
    return _page(request, ctx, principal, result=result, file_name=name)


def _period_move(request: Request, ctx: WebContext, principal: Principal, indicator: str, period: str,
                 action: str, reason: str = ""):
    live = _live(ctx, province_of(principal))
    actor = Actor(by=principal.username, role=principal.role if principal.role in ("head", "admin") else "officer",
                  as_unit=principal.unit_code)
    try:
        with ctx.database.session() as session:
            if action == "approve":
                approve(session, live, ctx.tree, indicator=indicator, period=period, actor=actor)
            else:
                lock(session, live, ctx.tree, indicator=indicator, period=period, actor=actor,
                     reason=reason.strip() or None)
    except NotAllowedError as e:  # the same error (403, or 409 for a locked period), saying which move
        raise type(e)(f"{'Không được duyệt' if action == 'approve' else 'Không được khoá sổ'} {indicator} "
                      f"{period} / {e}") from None
    if request.headers.get("hx-request"):
        return _page(request, ctx, principal)
    return RedirectResponse("/submissions", status_code=303)


@router.post("/submissions/approve", response_class=HTMLResponse)
def approve_period(request: Request, indicator: str = Form(...), period: str = Form(...),
                   ctx: WebContext = Depends(web_context), principal: Principal = Depends(require_write)):
    """Phê duyệt: the head of the owner agency approves a submitted period."""
    return _period_move(request, ctx, principal, indicator, period, "approve")


@router.post("/submissions/lock", response_class=HTMLResponse)
def lock_period(request: Request, indicator: str = Form(...), period: str = Form(...), reason: str = Form(""),
                ctx: WebContext = Depends(web_context), principal: Principal = Depends(require_write)):
    """Khoá sổ: the owner's head or an administrator locks an approved period."""
    return _period_move(request, ctx, principal, indicator, period, "lock", reason)

