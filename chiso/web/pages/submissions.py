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

import datetime as dt
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from chiso.collect.values import Actor, Submitter, approve, lock, read_batch, submit_batch
from chiso.collect.values.batch import SUFFIXES as VALUE_SUFFIXES
from chiso.collect.values.batch import batch_from_records
from chiso.collect.values.rules import PERIOD_KIND, expected_units
from chiso.collect.values.submit import local, problems_of
from chiso.collect.values.template import TemplateError, build_template
from chiso.errors import ChisoError, LoadError, LockedError, NotAllowedError, Problem
from chiso.files.limits import upload_max_bytes
from chiso.files.reasons import size_text
from chiso.periods.windows import Window, day, month, parse_window, quarter, week_of, year
from chiso.store.models_values import ValuePeriod, ValueSubmission
from chiso.store.repo_catalogue import live_indicators
from chiso.store.repo_values import get_submission, periods_of
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
#: Rows a page of either list shows.
PAGE_SIZE = 25
#: The period states the list filters by (another engineer adds ``returned``; shown when present).
PERIOD_STATES = ("submitted", "returned", "approved", "locked", "draft")
BATCH_STATUSES = ("accepted", "refused")
SORTS = ("changed", "period", "indicator")
DEFAULT_FILTERS = {"state": "", "indicator": "", "period": "", "status": "", "sort": "changed", "page": 1,
                   "bpage": 1, "as_unit": ""}
#: How many of the latest distinct periods the period filter offers.
PERIOD_CHOICES = 60
#: How many recent periods of each kind the entry form offers.
RECENT = {"day": 7, "week": 8, "month": 12, "quarter": 4, "year": 3}
#: Rows of the entry form.
ENTRY_ROWS = 3
#: How the entry form's batch is named (its rows are the form's rows, from 1).
ENTRY_NAME = "nhập trên trang"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _live(ctx: WebContext, province: str):
    with ctx.database.session() as session:
        return live_indicators(session, province)


def _pages(total: int, page: int, size: int = PAGE_SIZE) -> tuple[int, int, int, int]:
    """(page, pages, first, last) of a list of ``total`` shown ``size`` a page."""
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    first = (page - 1) * size
    return page, pages, first + 1 if total else 0, min(first + size, total)


def _batches(ctx: WebContext, principal: Principal, *, status: str = "", page: int = 1) -> dict:
    """One page of the batches the person may see, newest first (``status``: accepted / refused)."""
    query = select(ValueSubmission)
    if reads_all_values(principal):
        if principal.role != "admin":
            province = province_of(principal)
            units = {u.code for u in ctx.tree.units(province=province)} | {province}
            query = query.where(ValueSubmission.as_unit.in_(sorted(units)))
    else:
        query = query.where(ValueSubmission.as_unit == principal.unit_code)
    if status in BATCH_STATUSES:
        query = query.where(ValueSubmission.status == status)
    with ctx.database.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page, pages, first, last = _pages(total, page)
        rows = list(session.scalars(query.order_by(ValueSubmission.id.desc())
                                    .offset(max(first - 1, 0)).limit(PAGE_SIZE)))
    return {"rows": rows, "total": total, "page": page, "pages": pages, "first": first, "last": last}


def _periods(ctx: WebContext, principal: Principal, live, *, state: str = "", indicator: str = "",
             period: str = "", sort: str = "changed", page: int = 1) -> dict:
    """One page of the indicator × period states the person may see, filtered and sorted
    (``changed``: the latest moved first — the default; ``period``: the latest period first;
    ``indicator``: by code, the latest period first)."""
    codes = sorted(live)
    query = select(ValuePeriod).where(ValuePeriod.indicator.in_(codes))
    if not reads_all_values(principal):
        query = query.where(ValuePeriod.owner == principal.unit_code)
    if state:
        query = query.where(ValuePeriod.state == state)
    if indicator:
        query = query.where(ValuePeriod.indicator == indicator)
    if period:
        query = query.where(ValuePeriod.period == period)
    order = {"period": (ValuePeriod.period.desc(), ValuePeriod.indicator),
             "indicator": (ValuePeriod.indicator, ValuePeriod.period.desc())}.get(
        sort, (ValuePeriod.changed_at.desc(), ValuePeriod.indicator, ValuePeriod.period.desc()))
    with ctx.database.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page, pages, first, last = _pages(total, page)
        found = list(session.scalars(query.order_by(*order).offset(max(first - 1, 0)).limit(PAGE_SIZE)))
        seen = select(ValuePeriod.period).where(ValuePeriod.indicator.in_(codes)).distinct()
        if not reads_all_values(principal):
            seen = seen.where(ValuePeriod.owner == principal.unit_code)
        known = sorted(session.scalars(seen), key=_period_key, reverse=True)[:PERIOD_CHOICES]
    rows = [{"p": p, "ind": live[p.indicator],
             "may_approve": p.state == "submitted" and principal.role == "head" and principal.unit_code == p.owner,
             "may_lock": p.state == "approved" and (principal.role == "admin" or (
                 principal.role == "head" and principal.unit_code == p.owner))} for p in found]
    return {"rows": rows, "total": total, "page": page, "pages": pages, "first": first, "last": last,
            "known": known}


def _period_key(label: str) -> tuple:
    try:
        w = parse_window(label)
    except ChisoError:
        return (dt.date.min, label)
    return (w.end, label)


def _recent_periods(kinds: set[str], today: dt.date) -> list[str]:
    """The periods the entry form offers: the current and recent ones of each kind the agency
    reports, latest first (a future period is never offered)."""
    out: list[Window] = []
    for kind in kinds:
        if kind not in RECENT:
            continue
        w = _current(kind, today)
        for _ in range(RECENT[kind]):
            out.append(w)
            w = w.previous()
    return [w.label for w in sorted(out, key=lambda w: (w.end, w.kind), reverse=True)]


def _current(kind: str, today: dt.date) -> Window:
    if kind == "week":
        return week_of(today)
    if kind == "month":
        return month(today.year, today.month)
    if kind == "quarter":
        return quarter(today.year, (today.month - 1) // 3 + 1)
    if kind == "year":
        return year(today.year)
    return day(today)


def _entry(ctx: WebContext, live, unit: str | None) -> dict:
    """What the entry form offers the agency ``unit``: its own submitted indicators, the units
    they are reported for, the recent periods of their frequencies."""
    if not unit:
        return {"indicators": [], "units": [], "periods": [], "default": ""}
    owned = [i for i in sorted(live.values(), key=lambda i: i.code)
             if i.owner == unit and i.collected and i.status != "retired"]
    units: dict[str, object] = {}
    for ind in owned:
        for u in expected_units(ind, ctx.tree):
            units.setdefault(u.code, u)
    today = local(dt.datetime.now(dt.UTC)).date()
    periods = _recent_periods({PERIOD_KIND[i.frequency] for i in owned}, today)
    ended = [p for p in periods if parse_window(p).end < today]
    return {"indicators": owned, "units": list(units.values()), "periods": periods,
            "default": ended[0] if ended else (periods[0] if periods else "")}


def _agency(principal: Principal, as_unit: str | None) -> str | None:
    """The agency whose values the person enters: their own, or for an administrator the one chosen."""
    if principal.role == "admin" and as_unit:
        return as_unit
    return principal.unit_code


def _format_of(name: str | None) -> str:
    return {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(
        Path(name or "").suffix.lower(), "form" if name == ENTRY_NAME else "")


def _page(request: Request, ctx: WebContext, principal: Principal, *, result=None, problems=None,
          refused: str | None = None, file_name: str | None = None, status_code: int = 200,
          filters: dict | None = None, sheet: str | None = None, entered: list[dict] | None = None,
          as_unit: str | None = None, next_periods: dict | None = None) -> HTMLResponse:
    filters = {**DEFAULT_FILTERS, **(filters or {})}
    province = province_of(principal)
    live = _live(ctx, province)
    periods = _periods(ctx, principal, live, state=filters["state"], indicator=filters["indicator"],
                       period=filters["period"], sort=filters["sort"], page=filters["page"])
    batches = _batches(ctx, principal, status=filters["status"], page=filters["bpage"])
    admin_units = []
    if principal.role == "admin":
        admin_units = [(u.code, u.name) for u in [ctx.tree.get(province), *ctx.tree.units(province=province)]
                       if u.level in ("province", "department")]
    agency = _agency(principal, as_unit or filters.get("as_unit"))
    next_periods = next_periods or {}

    def link(**changes) -> str:
        """This page's address with the filters changed (None drops one; a filter change goes
        back to the first page)."""
        q = {k: v for k, v in filters.items() if v not in ("", None, 1) and not (k == "sort" and v == "changed")}
        if any(k not in ("page", "bpage") for k in changes):
            q.pop("page", None)
        for k, v in changes.items():
            if v is None:
                q.pop(k, None)
            else:
                q[k] = v
        return "/submissions" + (f"?{urlencode(q)}" if q else "")

    entry = _entry(ctx, live, agency if principal.role in SUBMITTING_ROLES else None)
    visible = sorted(live.values(), key=lambda i: i.code) if reads_all_values(principal) else \
        sorted((i for i in live.values() if i.owner == principal.unit_code), key=lambda i: i.code)
    return render(request, "submissions.html", {
        "may_submit": principal.role in SUBMITTING_ROLES, "admin_units": admin_units,
        "own_unit": principal.unit_code, "own_unit_name": unit_name(ctx, principal.unit_code),
        "agency": agency, "agency_name": unit_name(ctx, agency) if agency else "",
        "batches": batches["rows"], "batch_page": batches, "periods": periods["rows"], "period_page": periods,
        "periods_total": periods["total"], "filters": filters, "link": link, "known_periods": periods["known"],
        "filter_indicators": visible, "states": PERIOD_STATES, "batch_statuses": BATCH_STATUSES,
        "state": filters["state"], "result": result, "problems": problems, "refused": refused,
        "file_name": file_name, "report_format": _format_of(file_name), "sheet": sheet,
        "next_periods": next_periods, "entry": entry, "entered": entered or [],
        "template_periods": entry["periods"],
        "unit_name": lambda c: unit_name(ctx, c), "suffixes": SUFFIXES, "role": principal.role,
        "owned": sorted(c for c, i in live.items() if i.owner == principal.unit_code)},
        principal, "submissions", status_code=status_code)


@router.get("/submissions", response_class=HTMLResponse)
def submissions_page(request: Request, state: str = "", indicator: str = "", period: str = "", status: str = "",
                     sort: str = "changed", page: int = 1, bpage: int = 1, as_unit: str = "",
                     ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Nộp số liệu: the template, the upload and entry forms, the period states and the
    batches — both lists paged, filtered and sorted, newest first."""
    filters = {"state": state if state in PERIOD_STATES else "", "indicator": indicator.strip(),
               "period": period.strip(), "status": status if status in BATCH_STATUSES else "",
               "sort": sort if sort in SORTS else "changed", "page": max(page, 1), "bpage": max(bpage, 1),
               "as_unit": as_unit if principal.role == "admin" else ""}
    return _page(request, ctx, principal, filters=filters)


@router.get("/submissions/template")
def template_download(request: Request, period: str, as_unit: str = "", ctx: WebContext = Depends(web_context),
                      principal: Principal = Depends(current_principal)):
    """Mẫu nhập số liệu: the workbook of the rows the agency owes for ``period``, pre-filled
    (officer, head, administrator; an administrator may name the agency with ``as_unit``)."""
    if principal.role not in SUBMITTING_ROLES:
        raise forbidden(f"Chỉ cán bộ nhập liệu, thủ trưởng cơ quan và quản trị viên tải mẫu nhập số liệu / only an "
                        f"officer, a head or an administrator downloads the values template; {who_text(principal)}")
    agency = principal.unit_code
    if as_unit and as_unit != principal.unit_code:
        if principal.role != "admin":
            raise forbidden(f"Chỉ quản trị viên tải mẫu của đơn vị khác / only an administrator downloads "
                            f"another unit's template ({as_unit}); {who_text(principal)}")
        agency = as_unit
    if not agency or agency not in ctx.tree:
        raise HTTPException(400, f"Không có đơn vị {agency!r} / no unit with code {agency!r}")
    live = _live(ctx, province_of(principal))
    now = dt.datetime.now(dt.UTC)
    try:
        with ctx.database.session() as session:
            data, rows, window = build_template(session, live, ctx.tree, agency, period, now=now,
                                                today=local(now).date())
    except TemplateError as e:
        raise HTTPException(400, f"Không lập được mẫu cho kỳ {period!r} / {e}") from None
    name = f"mau-so-lieu-{agency}-{window.label}.xlsx"
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Chiso-Rows": str(len(rows))})


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
    problems = row.report or []
    # the sheet a workbook's rows were read from, kept with each problem since the report is stored
    sheet = next((p.get("sheet") for p in problems if isinstance(p, dict) and p.get("sheet")), None)
    return render(request, "submission_detail.html", {"b": row, "problems": problems,
                                                      "report_format": _format_of(row.file_name), "sheet": sheet,
                                                      "unit_name": lambda c: unit_name(ctx, c)},
                  principal, "submissions")


def _submitter(request: Request, ctx: WebContext, principal: Principal, reason: str, as_unit: str
               ) -> tuple[Submitter | None, str, list[Problem] | None]:
    """Who submits, as which unit: (the submitter, the unit, or the problems to show instead)."""
    if principal.role not in SUBMITTING_ROLES:
        raise forbidden(f"Chỉ cán bộ nhập liệu, thủ trưởng cơ quan và quản trị viên nộp số liệu / only an "
                        f"officer, a head or an administrator submits values; {who_text(principal)}")
    unit = principal.unit_code
    admin_for_other = False
    if as_unit and as_unit != principal.unit_code:
        if principal.role != "admin":
            raise forbidden(f"Chỉ quản trị viên nộp thay đơn vị khác / only an administrator submits for "
                            f"another unit ({as_unit}); {who_text(principal)}")
        unit, admin_for_other = as_unit, True
    if unit not in ctx.tree:
        raise HTTPException(400, f"Không có đơn vị {unit!r} / no unit with code {unit!r}")
    try:
        who = Submitter(as_unit=unit, by=principal.username, role=principal.role,
                        admin=admin_for_other or (principal.role == "admin" and bool(reason.strip())),
                        reason=reason.strip() or None)
    except NotAllowedError:
        return None, unit, [Problem(ENTRY_NAME, None, "reason", "an administrator submitting for another unit "
                                    "must give a reason" if request_language(request) == "en" else
                                    "quản trị viên nộp thay phải ghi lý do")]
    return who, unit, None


def _judge(request: Request, ctx: WebContext, principal: Principal, who: Submitter, read, name: str, *,
           as_unit: str, entered: list[dict] | None = None) -> HTMLResponse:
    """Read the batch (``read()``) and submit it; the page with the result or the refusal."""
    sheet = None
    try:
        batch = read()
        sheet = batch.sheet
        catalogue = _live(ctx, province_of(principal))
        result = submit_batch(ctx.database, batch, who, catalogue, ctx.tree)
    except (LoadError, NotAllowedError, LockedError) as e:
        problems = e.problems if isinstance(e, LoadError) else problems_of(e)
        head = ("the batch was refused; nothing was written" if request_language(request) == "en"
                else "Lô số liệu bị từ chối, không ghi gì")
        return _page(request, ctx, principal, refused=head, problems=problems, file_name=name, sheet=sheet,
                     status_code=REFUSED_STATUS, entered=entered, as_unit=as_unit)
    except ChisoError as e:
        return _page(request, ctx, principal, refused=str(e), file_name=name, status_code=REFUSED_STATUS,
                     problems=[Problem(name, None, None, str(e))], entered=entered, as_unit=as_unit)
    ctx.forget_values()  # the off-track panel, the wall and the maps read the new values at once
    pairs = {(r.get("indicator"), r.get("period")) for r in batch.rows if r.get("indicator") and r.get("period")}
    with ctx.database.session() as session:
        states = {key: row.state for key, row in periods_of(session, pairs).items()}
    return _page(request, ctx, principal, result=result, file_name=name, sheet=sheet, as_unit=as_unit,
                 next_periods=states)


@router.post("/submissions", response_class=HTMLResponse)
async def upload(request: Request, file: UploadFile = File(...), reason: str = Form(""),
                 as_unit: str = Form(""), ctx: WebContext = Depends(web_context),
                 principal: Principal = Depends(require_write)):
    """Upload a batch: accepted whole, or refused whole with its row-level report shown (the page
    answers 200 either way; ``refused`` in the page says which)."""
    reason, as_unit = nfc_text(reason), nfc_text(as_unit)  # a multipart form: not rewritten by chiso.web.nfc
    who, unit, problems = _submitter(request, ctx, principal, reason, as_unit)
    name = Path(file.filename or "").name or "(không tên)"
    if who is None:
        return _page(request, ctx, principal, refused=problems[0].reason, file_name=name,
                     status_code=REFUSED_STATUS, problems=[Problem(name, None, "reason", problems[0].reason)])
    suffix = Path(name).suffix.lower()  # a type it does not read is refused by the reader, in the page
    limit = upload_max_bytes()
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"Tệp {name} lớn hơn giới hạn {size_text(limit)} / file {name} is larger than "
                                 f"{size_text(limit)}")
    with tempfile.TemporaryDirectory(prefix="chiso-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        return _judge(request, ctx, principal, who, lambda: read_batch(path, name), name, as_unit=unit)


@router.post("/submissions/entry", response_class=HTMLResponse)
async def entry(request: Request, ctx: WebContext = Depends(web_context),
                principal: Principal = Depends(require_write)):
    """Nhập trực tiếp: a few values typed in the page, submitted exactly as a file is (the same
    rules, the same report; the rows are the form's rows, from 1)."""
    form = await request.form()
    reason, as_unit = nfc_text(str(form.get("reason") or "")), nfc_text(str(form.get("as_unit") or ""))
    who, unit, problems = _submitter(request, ctx, principal, reason, as_unit)
    columns = ("indicator", "unit", "period", "value", "note")
    lists = {c: [nfc_text(str(v)) for v in form.getlist(c)] for c in columns}
    count = max((len(v) for v in lists.values()), default=0)
    entered = [{c: (lists[c][i].strip() if i < len(lists[c]) else "") for c in columns} for i in range(count)]
    if who is None:
        return _page(request, ctx, principal, refused=problems[0].reason, file_name=ENTRY_NAME,
                     status_code=REFUSED_STATUS, problems=problems, entered=entered, as_unit=unit)
    # a row with no value and no note was left empty; the form's rows keep their numbers
    records = [{c: (r[c] or None) for c in columns} if (r["value"] or r["note"]) else {} for r in entered]
    return _judge(request, ctx, principal, who, lambda: batch_from_records(ENTRY_NAME, records), ENTRY_NAME,
                  as_unit=unit, entered=entered)


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
    ctx.forget_values()
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

