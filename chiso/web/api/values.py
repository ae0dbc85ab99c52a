"""DM indicator values (số liệu) over the API: values, their history, submissions with their
row-level reports, uploading a batch, and the states of a period (approve, return, lock, unlock).

Reading: leaders, viewers and administrators read every value of their province (an
administrator every province); a head or officer reads the values of their own unit and
of the indicators their agency owns, and their agency's submissions.

Writing — "một dữ liệu, một nguồn, một chủ sở hữu":

- ``POST /api/v1/submissions`` — an officer or head submits a file as their own unit; only
  the indicators their agency owns are accepted (otherwise 403 naming the owner agency).
  An administrator may write any agency's values with a ``reason`` (recorded). The batch
  is accepted whole or refused whole: 422 (invalid rows), 403 (not the owner) or 409
  (locked period) with the row-level report ``problems``: file, row, column, reason, value,
  and the reason's stable ``code`` and Vietnamese text ``reason_vi``.
- ``POST /api/v1/periods/{indicator}/{period}/approve`` — the head of the owner agency;
  ``return`` — that head or an administrator sends a submitted period back to the officer
  with a ``comment`` (required, recorded; the period is ``returned`` until submitted again);
  ``lock`` — that head or an administrator; ``unlock`` — an administrator, with a reason.

Every write goes through ``chiso.collect.values`` (which checks ownership, locks and
validation, and audits).
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select

from chiso.collect.values import Actor, Submitter, approve, lock, read_batch, return_period, submit_batch, unlock
from chiso.collect.values.submit import problems_of
from chiso.errors import ChisoError, LoadError, NotAllowedError
from chiso.store.models_values import IndicatorValue as V
from chiso.store.models_values import ValueSubmission as S
from chiso.store.repo_catalogue import current_catalogue, live_indicators
from chiso.store.repo_values import get_submission as get
from chiso.store.repo_values import submissions, value_history
from chiso.web.api.access import (
    Principal,
    WebContext,
    check_unit,
    forbidden,
    province_for,
    reads_province,
    require_write,
    signed_in,
    web_context,
)
from chiso.web.api.etag import cached
from chiso.web.api.pagination import Page, page_params, paged, period_param
from chiso.web.api.uploads import TOO_LARGE, problems_json, report, saved
from chiso.web.errors import (
    CODE,
    NOT_MODIFIED,
    PERIOD,
    TEXT,
    UNIT_EXAMPLES,
    WRITES,
    ErrorAnswer,
    period_label,
    status_of,
)
from chiso.web.nfc import nfc_text

router = APIRouter(prefix="/api/v1", tags=["values"])

#: Roles that submit values.
SUBMITTERS = ("officer", "head", "admin")


def _owned(ctx: WebContext, session, province: str, unit: str) -> list[str]:
    """The codes of the province's indicators owned by ``unit``."""
    return [c for c, i in current_catalogue(session, province).indicators.items() if i.owner == unit]


def _plain(row) -> dict:
    return {"indicator": row.indicator, "indicator_version": row.indicator_version, "unit": row.unit_code,
            "period": row.period, "period_kind": row.period_kind, "period_start": row.period_start.isoformat(),
            "period_end": row.period_end.isoformat(), "breakdown": row.breakdown, "value": row.value,
            "note": row.note, "source": row.source, "state": row.state, "late": row.late,
            "submission_id": row.submission_id, "recorded_at": row.recorded_at.isoformat(),
            "recorded_by": row.recorded_by}


#: A period parameter: the label of the period asked for (``chiso.web.api.pagination.period_param``).
period_of = period_param("period", "period: 2026, 2026-Q3, 2026-08, 2026-W34 or 2026-08-17")


@router.get("/values", summary="Số liệu / values in force", responses=NOT_MODIFIED)
def list_values(request: Request, indicator: str | None = Query(None, pattern=CODE, description="indicator code"),
                unit: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES, description="unit code"),
                label: str | None = Depends(period_of),
                province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES,
                                                description="default: your province"),
                drafts: bool = Query(False, description="include drafts"),
                breakdowns: bool = Query(False, description="include breakdown rows (phân tổ)"),
                page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
                ctx: WebContext = Depends(web_context)):
    """The values in force, filtered by indicator, unit and period; paginated."""
    province = province_for(principal, province, ctx)
    if unit is not None:
        if unit not in ctx.tree:
            raise HTTPException(404, f"no unit with code {unit!r}")
    units = [ctx.tree.get(province).code] + [u.code for u in ctx.tree.units(province=province)
                                             if u.level != "province"]
    query = select(V).where(V.unit_code.in_(units))
    if indicator is not None:
        query = query.where(V.indicator == indicator)
    if unit is not None:
        query = query.where(V.unit_code == unit)
    if label is not None:
        query = query.where(V.period == label)
    if not drafts:
        query = query.where(V.state == "submitted")
    if not breakdowns:
        query = query.where(V.breakdown == "")
    with ctx.database.session() as session:
        if not reads_province(principal):
            owned = _owned(ctx, session, province, principal.unit_code)
            query = query.where(or_(V.unit_code == principal.unit_code, V.indicator.in_(owned)))
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.order_by(V.indicator, V.unit_code, V.period_start, V.period,
                                              V.breakdown).limit(page.limit).offset(page.offset))
        items = [_plain(r) for r in rows]
    return paged(request, page, items, total, province=province)


@router.get("/values/history", summary="Lịch sử số liệu / value history", responses=NOT_MODIFIED)
def history(request: Request, indicator: str = Query(pattern=CODE, description="indicator code"),
            unit: str = Query(pattern=CODE, examples=UNIT_EXAMPLES, description="unit code"),
            label: str | None = Depends(period_of),
            principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Every version of one indicator × unit: who recorded it, when, from which file; who replaced it and why."""
    if unit not in ctx.tree:
        raise HTTPException(404, f"no unit with code {unit!r}")
    province = ctx.tree.province_of(unit).code if ctx.tree.get(unit).level != "nation" else None
    if province is None:
        raise HTTPException(404, f"no values of {unit}: values belong to a province's units, not to the nation")
    province_for(principal, province, ctx)
    with ctx.database.session() as session:
        if not reads_province(principal) and unit != principal.unit_code \
                and indicator not in _owned(ctx, session, province, principal.unit_code):
            check_unit(principal, unit, ctx)
        versions = value_history(session, indicator, unit, label)
    return cached(request, {"indicator": indicator, "unit": unit, "period": label, "versions": versions})


def _submission(row, full: bool) -> dict:
    doc = {"id": row.id, "file_name": row.file_name, "status": row.status, "state": row.state,
           "as_unit": row.as_unit, "submitted_by": row.submitted_by, "role": row.role, "source": row.source,
           "connector": row.connector, "reason": row.reason, "rows": row.rows, "inserted": row.inserted,
           "corrected": row.corrected, "unchanged": row.unchanged, "late": row.late,
           "problems": len(row.report or []), "at": row.at.isoformat(), "content_sha256": row.content_sha256}
    if full:
        doc["report"] = row.report or []
    return doc


def _visible_units(principal: Principal, ctx: WebContext, province: str) -> list[str]:
    if reads_province(principal):
        return [province] + [u.code for u in ctx.tree.units(province=province) if u.level != "province"]
    return [principal.unit_code]


@router.get("/submissions", summary="Các lần nộp số liệu / submissions", responses=NOT_MODIFIED)
def list_submissions(request: Request, province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES),
                     status: Literal["accepted", "refused"] | None = None,
                     as_unit: str | None = Query(None, pattern=CODE, description="the unit that submitted"),
                     page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
                     ctx: WebContext = Depends(web_context)):
    """Submissions, newest first (accepted and refused); paginated."""
    province = province_for(principal, province, ctx)
    query = select(S).where(S.as_unit.in_(_visible_units(principal, ctx, province)))
    if status is not None:
        query = query.where(S.status == status)
    if as_unit is not None:
        query = query.where(S.as_unit == as_unit)
    with ctx.database.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        items = [_submission(r, False) for r in
                 session.scalars(query.order_by(S.id.desc()).limit(page.limit).offset(page.offset))]
    return paged(request, page, items, total, province=province)


@router.get("/submissions/{submission_id}", summary="Một lần nộp và báo cáo / one submission's report")
def get_submission(submission_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, principal: Principal = Depends(signed_in),
                   ctx: WebContext = Depends(web_context)):
    """One submission with its row-level report (the problems of a refusal, the warnings of an acceptance)."""
    with ctx.database.session() as session:
        row = get(session, submission_id)
    if row is None:
        raise HTTPException(404, f"no submission with id {submission_id}")
    unit = row.as_unit
    if unit not in ctx.tree:
        if principal.role != "admin":
            raise forbidden(f"submission {submission_id} was made as {unit!r}; only an administrator reads it")
    elif not (reads_province(principal) and (principal.role == "admin"
                                             or ctx.tree.get(unit).province_code == principal.province_code)
              or unit == principal.unit_code):
        raise forbidden(f"submission {submission_id} belongs to {unit}; it is read by that unit, by leaders "
                        "and viewers of its province and by administrators")
    return _submission(row, True)


def _refusal(e: ChisoError, db, batch, name: str, path) -> JSONResponse:
    """A refused batch with its row-level report, under the status of its error's class (``status_of``)."""
    problems = problems_json(problems_of(e), path, name)  # each with its stable code and Vietnamese reason
    last = []
    if not any(p["code"] == "period.busy" for p in problems):  # a busy batch was not judged, nor registered
        with db.session() as session:
            last = submissions(session, limit=1, content_sha256=batch.content_sha256, status="refused")
    head = problems[0]["reason"] if problems else str(e)
    counts = report(e, problems) if isinstance(e, LoadError) else {"total": len(problems), "at_least": False}
    return JSONResponse({"detail": f"{name}: refused, nothing was written — {head}", "status": "refused",
                         "submission_id": last[0].id if last else None, **counts,
                         "problems": problems}, status_code=status_of(e))


@router.post("/submissions", status_code=201, summary="Nộp số liệu / submit a file of values",
             dependencies=[Depends(require_write)],
             responses={**WRITES, **TOO_LARGE,
                        403: {"model": ErrorAnswer, "description": "refused: not the owner agency (row-level "
                              "report), or a role that does not submit"},
                        409: {"model": ErrorAnswer, "description": "refused: a locked period (row-level report)"}})
def submit(file: UploadFile = File(description="CSV, XLSX, JSON or JSON lines: indicator, unit, period, "
                                               "value [, breakdown, note, source, measure]"),
           reason: str | None = Form(None, max_length=2000, pattern=TEXT,
                                     description="why (corrections; required for an administrator)"),
           source: str | None = Form(None, max_length=200, pattern=TEXT, description="source system"),
           draft: bool = Form(False, description="keep as a draft (nháp), not yet submitted"),
           principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Submit a file of values as your unit: accepted whole, or refused whole with a row-level report."""
    reason, source = nfc_text(reason), nfc_text(source)  # a multipart form: not rewritten by chiso.web.nfc
    if principal.role not in SUBMITTERS:
        raise forbidden(f"submitting values needs an officer or head of the owner agency, or an administrator "
                        f"with a reason; {principal.username} is {principal.role}")
    admin = principal.role == "admin"
    if admin and not (reason or "").strip():
        raise HTTPException(400, "an administrator writing an agency's values must give a reason "
                                 "(form field reason), which is recorded")
    if principal.unit_code not in ctx.tree:
        raise forbidden(f"{principal.username} belongs to unit {principal.unit_code!r}, which is not known")
    who = Submitter(as_unit=principal.unit_code, by=principal.username, role=principal.role, admin=admin,
                    reason=reason, source=source, draft=draft)
    province = ctx.tree.province_of(principal.unit_code).code
    db = ctx.database
    with saved(file, "values.csv") as (path, name):
        try:
            batch = read_batch(path, name)
        except LoadError as e:
            problems = problems_json(list(e.problems), path, name)
            return JSONResponse({"detail": f"{name}: cannot be read, nothing was written", "status": "refused",
                                 "submission_id": None, **report(e, problems), "problems": problems},
                                status_code=status_of(e))
        try:
            with db.session() as session:
                catalogue = live_indicators(session, province)
            result = submit_batch(db, batch, who, catalogue, ctx.tree)
        except (NotAllowedError, LoadError) as e:  # 403 not the owner, 409 locked, 422 invalid rows
            return _refusal(e, db, batch, name, path)
    ctx.forget_values()  # the off-track panel, the wall and the maps read the new values at once
    return {"file": name, **result.to_dict()}


class PeriodAction(BaseModel):
    """Why (required to unlock; recorded) — or, to return a period, what the officer must fix."""

    reason: str | None = Field(None, max_length=2000)
    comment: str | None = Field(None, max_length=2000, description="return: what the officer must fix "
                                "(required; ``reason`` is read when it is absent)")


@router.post("/periods/{indicator}/{period}/{action}",
             summary="Duyệt, trả lại, khoá, mở khoá kỳ / approve, return, lock, unlock",
             dependencies=[Depends(require_write)], responses=WRITES)
def period_action(action: Literal["approve", "return", "lock", "unlock"], indicator: str = Path(pattern=CODE),
                  period: str = Path(description="the period: 2026, 2026-Q3, 2026-08, 2026-W34 or 2026-08-17",
                                     json_schema_extra={"pattern": PERIOD}),
                  body: PeriodAction | None = Body(None), principal: Principal = Depends(signed_in),
                  ctx: WebContext = Depends(web_context)):
    """Approve a submitted period (head of the owner agency), return it to the officer with a comment
    (that head or an administrator), lock an approved one (that head or an administrator), or unlock
    it (an administrator, with a reason)."""
    reason = body.reason if body else None
    comment = ((body.comment or body.reason) if body else None) or ""
    label = period_label(period)
    if principal.role not in ("head", "admin"):
        needs = {"approve": "the head of the owner agency", "lock": "the head of the owner agency or an "
                 "administrator", "return": "the head of the owner agency or an administrator",
                 "unlock": "an administrator"}[action]
        raise forbidden(f"{action} {indicator} {period} needs {needs}; {principal.username} is {principal.role}")
    if principal.unit_code not in ctx.tree:
        raise forbidden(f"{principal.username} belongs to unit {principal.unit_code!r}, which is not known")
    if action == "unlock" and not (reason or "").strip():
        raise HTTPException(400, f"unlocking {indicator} {period} needs a reason (body: {{\"reason\": …}}), "
                                 "which is recorded")
    if action == "return" and not comment.strip():
        raise HTTPException(400, f"returning {indicator} {period} needs a comment (body: {{\"comment\": …}}) "
                                 "telling the officer what to fix, which is recorded")
    province = ctx.tree.province_of(principal.unit_code).code
    actor = Actor(by=principal.username, role=principal.role, as_unit=principal.unit_code)
    now = dt.datetime.now(dt.UTC)
    with ctx.database.session() as session:
        catalogue = live_indicators(session, province)
        if catalogue.get(indicator) is None and catalogue.get(indicator.upper()) is None:  # the path names none
            raise HTTPException(404, f"unknown indicator {indicator!r}: not in the catalogue")
        if action == "approve":
            state = approve(session, catalogue, ctx.tree, indicator=indicator, period=period, actor=actor,
                            now=now)
        elif action == "return":
            state = return_period(session, catalogue, ctx.tree, indicator=indicator, period=period,
                                  actor=actor, comment=comment, now=now)
        elif action == "lock":
            state = lock(session, catalogue, ctx.tree, indicator=indicator, period=period, actor=actor,
                         reason=reason, now=now)
        else:
            state = unlock(session, catalogue, ctx.tree, indicator=indicator, period=period, actor=actor,
                           reason=reason or "", now=now)
    ctx.forget_values()
    return {"indicator": indicator, "period": label, "action": action, "state": state,
            "by": principal.username}
