"""One assigned task (``/tasks/{code}``) and the office's import page (``/tasks/import``).

- **The task page**: the source document, content, who assigned it, the lead and co-operating
  units, the deadline as written and as computed, star, field and linked indicators; its state
  today (``chiso.evaluate.tasks.register.states_at`` at ``local_today()``), overdue days and
  bucket; the timeline (events, changes of the task, its creation — newest first, times local,
  people by display name). A recurring task lists its instances (``?instance=2026-11``), each
  with its state and its own timeline.
- **The forms**, shown only to who may use them (``chiso.web.security.tasks``): progress,
  extension request, completion report (the lead unit), and the office's decision on a pending
  extension and acceptance or return of a pending completion. Each posts with the CSRF token,
  writes through ``chiso.store.repo_tasks.add_event`` (the life rules, audited) and redirects
  back with a notice (``?done=…``); a refusal by the life rules, or bad input, is shown in the
  page with what was typed kept (answered 200, as the submissions page answers a refused batch);
  a refusal by rights is a 403.
- **The import page** (the office): a CSV/XLSX export of a document-management system through
  ``chiso.collect.tasks.imports.import_tasks`` — created, changed and unchanged tasks with links,
  or the located problems (file, row, column, reason) with nothing written.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.catalog.indicator import DEFAULT_FIELDS
from chiso.collect.tasks.columns import COLUMNS
from chiso.collect.tasks.imports import import_tasks
from chiso.collect.values.submit import local_today
from chiso.errors import ChisoError, ConflictError, LoadError, Problem
from chiso.evaluate.tasks.register import states_at
from chiso.files.limits import upload_max_bytes
from chiso.files.reasons import size_text
from chiso.store import repo_accounts, repo_tasks
from chiso.store.repo_catalogue import current_catalogue
from chiso.tasks.model import BUCKET_NAMES, DEADLINE_KIND_NAMES, EVENT_NAMES, STATE_NAMES
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import request_language
from chiso.web.nfc import nfc_text
from chiso.web.pages.indicators import forbidden, province_of, render, unit_name, who_text
from chiso.web.security.deps import Principal, current_principal, require_write
from chiso.web.security.tasks import (
    REFUSALS,
    may_add_event,
    may_decide,
    may_manage_tasks,
    may_read_task,
    may_report_completion,
    may_report_progress,
)

router = APIRouter()

#: The forms of the page: the action in the address → the event kind it writes.
ACTIONS: dict[str, str] = {
    "progress": "progress", "extension": "extension_request", "completion": "completion",
    "decision": "extension_decision", "acceptance": "acceptance"}
#: File types the import page reads.
IMPORT_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx")
#: How many task links the import result lists (the rest are in the task list).
LINKS_SHOWN = 50
#: Longest text a form field keeps.
TEXT_MAX = 4000
_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)


# ---------------------------------------------------------------- reading a task
def load_task(ctx: WebContext, principal: Principal, code: str):
    """The task ``code`` if the principal reads it: 404 when there is none, 403 when not theirs."""
    with ctx.database.session() as session:
        row = repo_tasks.find_task(session, code=code)
    if row is None:
        raise HTTPException(404, f"Không có nhiệm vụ {code!r} / no task {code!r}")
    if not may_read_task(principal, row, ctx.tree):
        raise forbidden(f"Nhiệm vụ {code} do {unit_name(ctx, row.lead_unit)} ({row.lead_unit}) chủ trì: thủ trưởng "
                        f"và cán bộ chỉ xem nhiệm vụ đơn vị mình chủ trì hoặc phối hợp / task {code} is led by "
                        f"{row.lead_unit}; a head or officer reads the tasks their unit leads or co-operates on; "
                        f"{who_text(principal)}")
    return row


def task_states(session, row, day: dt.date) -> list[dict]:
    """The task's instances existing on ``day`` with their state, oldest first."""
    frame = states_at(session, row.province_code, [day], tasks=[row])
    return sorted(frame.to_dicts(), key=lambda r: r["key"])


def display_names(session) -> dict[str, str]:
    """username → display name of every account (the timeline names people)."""
    return {a.username: (a.display_name or a.username) for a in repo_accounts.list_accounts(session)}


def last_percent(rows) -> int | None:
    """The last progress percent reported among these events (oldest first)."""
    done = [e.percent for e in rows if e.kind == "progress" and e.percent is not None]
    return done[-1] if done else None


def in_language(message: str, lang: str) -> str:
    """One half of a bilingual ``"tiếng Việt / English"`` message: the page's language."""
    vi, sep, en = message.partition(" / ")
    return (en if lang == "en" else vi) if sep else message


def _named(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _timeline(row, rows, changes, names: dict[str, str]) -> list[dict]:
    """Events, changes and the creation of the task, newest first."""
    def who(username: str) -> str:
        return names.get(username, username)

    items = [{"type": "created", "at": row.created_at, "by": who(row.created_by), "source": row.source}]
    items += [{"type": "changed", "at": c.at, "by": who(c.by), "source": c.source, "revision": c.revision,
               "change": sorted((c.change or {}).items())} for c in changes]
    items += [{"type": "event", "at": e.at, "by": who(e.by), "e": e} for e in rows]
    return sorted(items, key=lambda i: (i["at"], i["type"] == "event", getattr(i.get("e"), "id", 0)),
                  reverse=True)


def _catalogue(ctx: WebContext, province: str):
    with ctx.database.session() as session:
        return current_catalogue(session, province)


def _field_name(catalogue, code: str | None, lang: str) -> str:
    if not code:
        return ""
    if catalogue.fields and code in catalogue.fields:
        f = catalogue.fields[code]
        return (f.name_en or f.name) if lang == "en" else f.name
    if code in DEFAULT_FIELDS:
        return _named(DEFAULT_FIELDS[code], lang)
    return code


def _context(request: Request, ctx: WebContext, principal: Principal, row, instance: str | None) -> dict:
    """Everything the task page shows for the instance asked (default: the latest existing)."""
    lang = request_language(request)
    today = local_today()
    with ctx.database.session() as session:
        states = task_states(session, row, today)
        keys = [s["key"] for s in states]
        if instance is None or instance == "":
            chosen = keys[-1] if keys else ""
        elif instance in keys:
            chosen = instance
        else:
            raise HTTPException(404, f"Nhiệm vụ {row.code} không có kỳ {instance!r} (đến hôm nay) / task {row.code} "
                                     f"has no instance {instance!r} by today")
        all_rows = repo_tasks.events(session, row.id)
        rows = [e for e in all_rows if e.instance == chosen]
        changes = repo_tasks.history(session, row.id)
        names = display_names(session)
    catalogue = _catalogue(ctx, row.province_code)
    state = next((s for s in states if s["key"] == chosen), None)
    request_ = repo_tasks.pending_request(rows)
    report = repo_tasks.pending_completion(rows)
    done = repo_tasks.accepted(rows)
    open_ = state is not None and done is None
    may_progress = open_ and may_report_progress(principal, row)
    percents = {k: last_percent([e for e in all_rows if e.instance == k]) for k in keys}
    indicators = [(code, catalogue.indicators[code].name if code in catalogue.indicators else "")
                  for code in (row.indicators or [])]
    return {
        "task": row, "states": states, "state": state, "instance": chosen, "recurring":
            row.deadline_kind in ("monthly", "quarterly"), "today": today,
        "timeline": _timeline(row, rows, changes, names), "percent": percents.get(chosen),
        "percents": percents,
        "pending_request": request_, "pending_completion": report, "accepted": done,
        "field_name": _field_name(catalogue, row.field, lang), "indicators": indicators,
        "lead_name": unit_name(ctx, row.lead_unit),
        "co_units": [(c, unit_name(ctx, c)) for c in (row.co_units or [])],
        "deadline_kind": _named(DEADLINE_KIND_NAMES[row.deadline_kind], lang),
        "state_name": lambda s: _named(STATE_NAMES[s], lang) if s in STATE_NAMES else s,
        "bucket_name": lambda b: _named(BUCKET_NAMES[b], lang) if b in BUCKET_NAMES else "",
        "event_name": lambda k: _named(EVENT_NAMES[k], lang) if k in EVENT_NAMES else k,
        "unit_name": lambda c: unit_name(ctx, c),
        "who": lambda u: names.get(u, u),
        "forms": {
            "progress": may_progress,
            "extension": may_progress and row.deadline_kind != "none" and request_ is None,
            "completion": open_ and report is None and may_report_completion(principal, row),
            "decision": open_ and request_ is not None and may_decide(principal, row),
            "acceptance": open_ and report is not None and may_decide(principal, row),
        },
        # an officer of the lead unit is told why there is no completion form
        "completion_head_only": open_ and report is None and may_progress
            and not may_report_completion(principal, row),
        "may_manage": may_manage_tasks(principal),
    }


def _page(request: Request, ctx: WebContext, principal: Principal, row, instance: str | None, *,
          error: str | None = None, failed: str | None = None, typed: dict | None = None,
          done: str | None = None) -> HTMLResponse:
    context = _context(request, ctx, principal, row, instance)
    context.update({"error": error, "failed": failed, "typed": typed or {},
                    "done": done if done in ACTIONS or done in ("approved", "refused", "accepted", "returned")
                    else None})
    return render(request, "task.html", context, principal, "tasks")


# ---------------------------------------------------------------- the import page (before /tasks/{code})
def _require_office(principal: Principal) -> None:
    if not may_manage_tasks(principal):
        vi, en = REFUSALS["manage"]
        raise forbidden(f"{vi} / {en}; {who_text(principal)}")


def _import_page(request: Request, principal: Principal, **context) -> HTMLResponse:
    return render(request, "task_import.html", {"suffixes": IMPORT_SUFFIXES, "limit_text": size_text(upload_max_bytes()),
                                                "links_shown": LINKS_SHOWN, "columns": COLUMNS,
                                                **context}, principal, "tasks")


@router.get("/tasks/import", response_class=HTMLResponse)
def import_page(request: Request, principal: Principal = Depends(current_principal)):
    """Nhập nhiệm vụ: the upload form and the columns a file has (the office)."""
    _require_office(principal)
    return _import_page(request, principal)


@router.post("/tasks/import", response_class=HTMLResponse)
async def import_upload(request: Request, file: UploadFile = File(...), ctx: WebContext = Depends(web_context),
                        principal: Principal = Depends(require_write)):
    """Import a CSV/XLSX export: every task created or changed, or none with the located problems."""
    _require_office(principal)
    name = nfc_text(Path(file.filename or "").name) or "(không tên)"
    suffix = Path(name).suffix.lower()
    limit = upload_max_bytes()
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"Tệp {name} lớn hơn giới hạn {size_text(limit)} / file {name} is larger than "
                                 f"{size_text(limit)}")
    province = province_of(principal)
    catalogue = _catalogue(ctx, province)
    try:
        with tempfile.TemporaryDirectory(prefix="chiso-tasks-") as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
            with ctx.database.session() as session:
                result = import_tasks(session, path, name=name, province=province, tree=ctx.tree,
                                      catalogue=catalogue, by=principal.username, source="file")
            ctx.forget_tasks()
    except LoadError as e:
        return _import_page(request, principal, file_name=name, problems=e.problems, total=e.total or
                            len(e.problems), report_format=suffix.lstrip("."))
    except ChisoError as e:
        return _import_page(request, principal, file_name=name, problems=[Problem(name, None, None, str(e))],
                            total=1, report_format=suffix.lstrip("."))
    return _import_page(request, principal, file_name=name, result=result)


# ---------------------------------------------------------------- the task page and its forms
@router.get("/tasks/{code}", response_class=HTMLResponse)
def task_page(request: Request, code: str, instance: str | None = None, done: str | None = None,
              ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """One task: document, units, deadline, state today, instances and the timeline, with the forms
    the person may use."""
    row = load_task(ctx, principal, code)
    return _page(request, ctx, principal, row, instance, done=done)


class FormError(ValueError):
    """A field of a form that cannot be read (the message is in the page's language)."""


def _day(value: str, label: str, lang: str, *, required: bool = True) -> dt.date | None:
    value = value.strip()
    if not value:
        if required:
            raise FormError(f"Cần ghi {label}" if lang != "en" else f"{label} is required")
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise FormError(f"{label}: {value!r} không phải một ngày (dd/mm/yyyy)" if lang != "en"
                    else f"{label}: {value!r} is not a date (YYYY-MM-DD)")


def _evidence(form: dict, lang: str) -> list[dict] | None:
    """The evidence of a form (văn bản, minh chứng): number, date, summary, link — or None."""
    number, summary, link = form["ev_number"][:128], form["ev_summary"][:1000], form["ev_link"][:1024]
    day = _day(form["ev_date"], "Ngày văn bản minh chứng" if lang != "en" else "evidence date", lang,
               required=False)
    if link and not _LINK.match(link):
        raise FormError("Liên kết minh chứng phải bắt đầu bằng http:// hoặc https://" if lang != "en"
                        else "the evidence link must start with http:// or https://")
    if not (number or summary or link or day):
        return None
    return [{"number": number, "date": day.isoformat() if day else None, "summary": summary, "link": link or None}]


FIELDS = ("instance", "percent", "text", "day", "requested", "granted", "decision", "ev_number", "ev_date",
          "ev_summary", "ev_link")


def _event_args(action: str, form: dict, state: dict | None, lang: str, today: dt.date) -> dict:
    """The arguments of ``add_event`` read from the form of ``action``."""
    en = lang == "en"
    text = form["text"][:TEXT_MAX]
    args: dict = {"text": text}
    if action == "progress":
        raw = form["percent"].strip().rstrip("%").strip()
        if raw:
            try:
                percent = int(raw)
            except ValueError:
                raise FormError(f"Tiến độ {raw!r} phải là số nguyên từ 0 đến 100" if not en
                                else f"progress {raw!r} must be a whole number 0–100") from None
            if not 0 <= percent <= 100:
                raise FormError("Tiến độ phải từ 0 đến 100%" if not en else "progress must be 0–100%")
            args["percent"] = percent
        if not text.strip() and "percent" not in args:
            raise FormError("Cần ghi tiến độ (%) hoặc nội dung đã thực hiện" if not en
                            else "give the progress (%) or what was done")
        args["day"] = _day(form["day"], "Ngày cập nhật" if not en else "as-of date", lang, required=False) or today
        args["evidence"] = _evidence(form, lang)
    elif action == "extension":
        requested = _day(form["requested"], "Thời hạn đề nghị" if not en else "requested deadline", lang)
        current = state["deadline"] if state else None
        if current is not None and requested <= current:
            raise FormError(f"Thời hạn đề nghị phải sau thời hạn hiện tại {current:%d/%m/%Y}" if not en
                            else f"the requested deadline must be after the current one ({current:%Y-%m-%d})")
        if not text.strip():
            raise FormError("Cần ghi lý do đề nghị gia hạn" if not en else "give the reason for the extension")
        args.update(requested=requested, day=today)
    elif action == "completion":
        args["day"] = _day(form["day"], "Ngày hoàn thành" if not en else "completion date", lang)
        args["evidence"] = _evidence(form, lang)
        if not text.strip():
            raise FormError("Cần ghi kết quả thực hiện" if not en else "say what was done")
    elif action == "decision":
        decision = form["decision"]
        if decision not in ("approved", "refused"):
            raise FormError("Chọn đồng ý hoặc không đồng ý gia hạn" if not en else "approve or refuse the extension")
        args.update(decision=decision, day=today)
        if decision == "approved":
            args["granted"] = _day(form["granted"], "Thời hạn được gia hạn" if not en else "deadline granted",
                                   lang, required=False)
        elif not text.strip():
            raise FormError("Cần ghi lý do không đồng ý gia hạn" if not en else "give the reason for refusing")
    elif action == "acceptance":
        decision = form["decision"]
        if decision not in ("accepted", "returned"):
            raise FormError("Chọn xác nhận hoàn thành hoặc trả lại" if not en else "accept or return the report")
        if decision == "returned" and not text.strip():
            raise FormError("Trả lại báo cáo hoàn thành cần ghi ý kiến (lý do trả lại)" if not en
                            else "returning a completion report needs a comment (why)")
        args.update(decision=decision, day=today)
    if args.get("day") and args["day"] > today and action in ("progress", "completion"):
        raise FormError(f"Ngày {args['day']:%d/%m/%Y} chưa đến (hôm nay {today:%d/%m/%Y})" if not en
                        else f"{args['day']:%Y-%m-%d} is after today ({today:%Y-%m-%d})")
    return args


@router.post("/tasks/{code}/{action}", response_class=HTMLResponse)
async def task_action(request: Request, code: str, action: str, ctx: WebContext = Depends(web_context),
                      principal: Principal = Depends(require_write)):
    """A form of the task page: progress, extension (request), completion, decision (on an
    extension), acceptance (or return) — then back to the task with a notice."""
    if action not in ACTIONS:
        raise HTTPException(404, f"Không có thao tác {action!r} / no action {action!r}")
    kind = ACTIONS[action]
    row = load_task(ctx, principal, code)
    if not may_add_event(principal, row, kind):
        vi, en = REFUSALS[kind]
        raise forbidden(f"{vi} ({code}) / {en}; {who_text(principal)}")
    raw = await request.form()
    form = {k: (nfc_text(str(raw.get(k) or "")) or "").strip() for k in FIELDS}
    lang = request_language(request)
    today = local_today()
    instance = form["instance"]
    try:
        with ctx.database.session() as session:
            states = task_states(session, row, today)
            state = next((s for s in states if s["key"] == instance), None)
            if state is None:
                raise FormError(f"Kỳ {instance!r} của nhiệm vụ chưa có" if lang != "en"
                                else f"the task has no instance {instance!r} yet")
            args = _event_args(action, form, state, lang, today)
            repo_tasks.add_event(session, session.merge(row), kind, by=principal.username,
                                 unit_code=principal.unit_code, instance=instance, **args)
    except (FormError, ConflictError) as e:
        return _page(request, ctx, principal, row, instance or None, error=in_language(str(e), lang),
                     failed=action, typed=form)
    ctx.forget_tasks()
    notice = form["decision"] if action in ("decision", "acceptance") else action
    query = {k: v for k, v in (("instance", instance), ("done", notice)) if v}
    return RedirectResponse(f"/tasks/{code}?{urlencode(query)}#timeline", status_code=303)
