"""Nhiệm vụ được giao (assigned tasks): the list ``/tasks``, the Gantt chart ``/tasks/gantt`` and the
scoreboard ``/tasks/scoreboard``; and the overdue / due-soon panels the overview, the agency home
and the wall show (``panels_context``). The task's own page, ``/tasks/{code}``, is
``chiso.web.pages.task_page``.

What is shown is computed by ``chiso.evaluate.tasks.views`` from the register's states
(``chiso.evaluate.tasks.register``); who reads which task is ``chiso.web.security.tasks``
(``may_read_task``): administrators, leaders, viewers and the office every task of the province,
a head or an officer the tasks their unit leads or co-operates on. The scoreboard shows counts
per agency, never a task's content, to every role (as the rankings are): a unit's row links to
the list, which shows each person only what they may read. Read only: nothing is written here.

- ``/tasks?unit=&leader=&field=&state=&starred=1&bucket=&due_soon=1&q=&at=&sort=&page=`` — the
  year-to-date population at ``at`` (default today, local): the instances open then and those
  completed since 1 January; 25 a page; HTMX reloads only the table (``#task-table``).
- ``/tasks/gantt?unit=…`` or ``?leader=…`` (``&at=``) — the open instances as bars.
- ``/tasks/scoreboard?level=department|commune&window=…`` (``period=`` too) — per agency or
  commune at the end of the period (today if it has not ended), compared with the end of the
  month before.
"""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from chiso.catalog.indicator import DEFAULT_FIELDS
from chiso.collect.values.submit import local_today
from chiso.evaluate.tasks import views as task_views
from chiso.periods.spoken import spoken_period
from chiso.periods.windows import month, parse_window
from chiso.store import repo_tasks
from chiso.tasks.model import BUCKETS, STATES
from chiso.tasks.states import Policy
from chiso.web.context import TASK_PANELS, WebContext, web_context
from chiso.web.errors import period_label
from chiso.web.i18n import request_language, translate
from chiso.web.pages.render import is_htmx, render
from chiso.web.pages.views import home_province
from chiso.web.security.deps import Principal, current_principal
from chiso.web.security.tasks import may_read_task, reads_whole_province

router = APIRouter()

#: How many rows each panel lists.
PANEL_ROWS = 5
#: The task panels are read (and the overview keeps them rendered) this long (seconds): live data.
PANEL_SECONDS = 30.0
#: The first item of the panels' keys in ``WebContext.short_lived``.
PANELS_KEY = TASK_PANELS
#: The scoreboard's levels.
LEVELS = ("department", "commune")
#: The periods the scoreboard reads.
SCORE_KINDS = ("week", "month", "quarter", "year")
#: Content shown in a list row: at most this many characters (the task page has it all).
SHORT = 140


def readable_tasks(session, principal: Principal, province: str, tree) -> list:
    """The province's task rows the principal may read (``may_read_task``)."""
    return [r for r in repo_tasks.all_tasks(session, province) if may_read_task(principal, r, tree)]


def parse_day(text: str | None, name: str = "at") -> dt.date | None:
    """A day written ``YYYY-MM-DD`` (a date box) or ``dd/mm/yyyy``; 400 naming the parameter otherwise."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
        if 2000 <= day.year <= 2099:
            return day
    raise HTTPException(400, f"Ngày '{text}' của tham số {name} không đọc được: viết dd/mm/yyyy hoặc yyyy-mm-dd "
                             f"(năm 2000–2099) / the {name} day {text!r} cannot be read: write dd/mm/yyyy or "
                             "yyyy-mm-dd (years 2000–2099)")


def _choice(value: str | None, allowed, name: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise HTTPException(400, f"Giá trị '{value}' của tham số {name} không hợp lệ; chọn một trong: "
                                 f"{', '.join(allowed)} / {name} must be one of {', '.join(allowed)}")
    return value


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on", "yes", "co", "có")


def unit_names(ctx: WebContext) -> dict[str, str]:
    return {u.code: u.name for u in ctx.tree}


def _unit_options(ctx: WebContext, province: str, codes) -> list[tuple[str, str]]:
    """(code, name) of ``codes`` in the tree's order (departments, then communes); unknown last."""
    codes = set(codes)
    known = [(u.code, u.name) for u in ctx.tree.units(province) if u.code in codes]
    return known + sorted((c, c) for c in codes - {k for k, _ in known})


def short(text: str | None, limit: int = SHORT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# ---------------------------------------------------------------- the list
def list_context(ctx: WebContext, principal: Principal, *, at: dt.date, filters: task_views.Filters,
                 order: str, page: int) -> dict:
    province = home_province(principal, ctx.tree)
    names = unit_names(ctx)
    with ctx.database.session() as s:
        rows = readable_tasks(s, principal, province, ctx.tree)
        frame = task_views.register_rows(s, province, at, tasks=rows)
    listed = task_views.task_list(frame, filters, order=order, page=page, unit_names=names)
    whole = reads_whole_province(principal)
    units = _unit_options(ctx, province, set(frame.get_column("lead_unit").to_list())
                          | ({filters.unit} if filters.unit else set())) if whole else []
    leaders = task_views.leaders(frame)
    if filters.leader and filters.leader not in leaders:
        leaders.append(filters.leader)
    return {"at": at, "today": local_today(), "filters": filters, "sort": order, "sorts": task_views.SORTS,
            "counts": listed["counts"], "all": listed["all"], "paged": listed["paged"], "whole": whole,
            "units": units, "leaders": leaders, "fields": DEFAULT_FIELDS, "states": STATES,
            "buckets": [code for code, _f, _l in BUCKETS], "unit_name": lambda c: names.get(c, c),
            "short": short, "province": province, "filtered": _any_filter(filters),
            "policy": Policy.from_settings()}


def _any_filter(filters: task_views.Filters) -> bool:
    return any((filters.unit, filters.leader, filters.field, filters.state, filters.starred, filters.bucket,
                filters.due_soon, filters.q.strip()))


@router.get("/tasks", response_class=HTMLResponse)
async def task_list(request: Request, unit: str | None = None, leader: str | None = None, field: str | None = None,
                    state: str | None = None, starred: str | None = None, bucket: str | None = None,
                    due_soon: str | None = None, q: str = "", at: str | None = None, sort: str = "default",
                    page: int = 1, ctx: WebContext = Depends(web_context),
                    principal: Principal = Depends(current_principal)):
    """Danh sách nhiệm vụ: filters, the four state counts, 25 rows a page."""
    filters = task_views.Filters(
        unit=unit or None, leader=leader or None, field=_choice(field, tuple(DEFAULT_FIELDS), "field"),
        state=_choice(state, STATES, "state"), starred=_flag(starred),
        bucket=_choice(bucket, task_views.BUCKET_CODES, "bucket"), due_soon=_flag(due_soon), q=q[:200])
    order = _choice(sort, task_views.SORTS, "sort") or "default"
    day = parse_day(at) or local_today()
    context = await run_in_threadpool(list_context, ctx, principal, at=day, filters=filters, order=order,
                                      page=page)
    fragment = "task_table" if is_htmx(request) and request.headers.get("hx-target") == "task-table" else None
    return render(request, "tasks.html", context, principal=principal, active="tasks", block=fragment)


# ---------------------------------------------------------------- the Gantt chart
def gantt_data(bars: list[dict], at: dt.date, lang: str, names: dict[str, str]) -> dict:
    """What tasks.js draws (JSON in the page): one row per bar, top to bottom, days as ISO text."""
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    rows = []
    for b in bars:
        label = b["task"] + (f" · {spoken_period(b['key'], lang)}" if b["key"] else "")
        rows.append({"label": ("★ " if b["starred"] else "") + label, "content": short(b["content"], 90),
                     "unit": names.get(b["lead_unit"], b["lead_unit"]), "start": iso(b["start"]),
                     "original": iso(b["original"]), "deadline": iso(b["deadline"]), "state": b["state"],
                     "overdue": b["overdue_days"], "starred": b["starred"], "extended": b["extended"],
                     "due_soon": b["due_soon"], "percent": b["percent"],
                     "href": f"/tasks/{b['task']}" + (f"?instance={b['key']}" if b["key"] else "")})
    return {"today": at.isoformat(), "rows": rows, "lang": lang, "labels": {
        k: translate(lang, f"tasks.gantt.legend.{k}") for k in ("bar", "extension", "overdue", "today", "starred")}
        | {"deadline": translate(lang, "tasks.col.deadline"), "original": translate(lang, "tasks.gantt.original"),
           "start": translate(lang, "tasks.gantt.start"), "days": translate(lang, "tasks.gantt.days")}}


def gantt_context(ctx: WebContext, principal: Principal, lang: str, *, at: dt.date, unit: str | None,
                  leader: str | None) -> dict:
    province = home_province(principal, ctx.tree)
    names = unit_names(ctx)
    whole = reads_whole_province(principal)
    if not whole and not leader and not unit:
        unit = principal.unit_code
    with ctx.database.session() as s:
        rows = readable_tasks(s, principal, province, ctx.tree)
        frame = task_views.register_rows(s, province, at, tasks=rows)
        chart = task_views.gantt_rows(s, province, at, tasks=rows, unit=unit, leader=leader) \
            if (unit or leader) else {"bars": [], "undated": []}
    open_ = frame.filter(frame["state"].is_in(["open_in_time", "open_overdue"])) if frame.height else frame
    units = _unit_options(ctx, province, set(open_.get_column("lead_unit").to_list()) | ({unit} if unit else set()))
    leaders = task_views.leaders(open_)
    if leader and leader not in leaders:
        leaders.append(leader)
    return {"at": at, "today": local_today(), "unit": unit, "leader": leader, "units": units, "leaders": leaders,
            "bars": chart["bars"], "undated": chart["undated"], "chosen": bool(unit or leader),
            "gantt": gantt_data(chart["bars"], at, lang, names), "unit_name": lambda c: names.get(c, c),
            "short": short, "rows_height": f"{max(5, len(chart['bars'])) * 2.6 + 5:.1f}rem"}


@router.get("/tasks/gantt", response_class=HTMLResponse)
async def task_gantt(request: Request, unit: str | None = None, leader: str | None = None, at: str | None = None,
                     ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Biểu đồ Gantt: a unit's or a leader's open tasks, assigned → deadline, today's line."""
    day = parse_day(at) or local_today()
    context = await run_in_threadpool(gantt_context, ctx, principal, request_language(request), at=day,
                                      unit=unit or None, leader=leader or None)
    return render(request, "tasks_gantt.html", context, principal=principal, active="tasks")


# ---------------------------------------------------------------- the scoreboard
def score_dates(label: str | None, today: dt.date) -> tuple[str, dt.date, dt.date]:
    """(the period's label, the day counted — its last day, or today if it has not ended —, the
    end of the month before that day). The default period: this month."""
    window = parse_window(label) if label else month(today.year, today.month)
    if window.kind not in SCORE_KINDS:
        raise HTTPException(400, f"Kỳ '{label}' không dùng được cho bảng xếp hạng: chọn tuần, tháng, quý hoặc năm / "
                                 f"the scoreboard reads a week, month, quarter or year, not {label!r}")
    if window.start > today:
        raise HTTPException(400, f"Kỳ '{label}' chưa bắt đầu / the period {label!r} has not begun")
    at = min(window.end, today)
    return window.label, at, task_views.previous_month_end(at)


def scoreboard_context(ctx: WebContext, principal: Principal, *, level: str, label: str | None) -> dict:
    province = home_province(principal, ctx.tree)
    names = unit_names(ctx)
    today = local_today()
    window, at, before = score_dates(label, today)
    units = [u.code for u in ctx.tree.units(province, level)]
    with ctx.database.session() as s:
        board = task_views.scoreboard(s, province, at, before, units)
    return {"board": board, "level": level, "levels": LEVELS, "period": window, "at": at, "before": before,
            "today": today, "unit_name": lambda c: names.get(c, c), "mine": principal.unit_code,
            "province": province}


@router.get("/tasks/scoreboard", response_class=HTMLResponse)
async def task_scoreboard(request: Request, level: str = "department", window: str | None = None,
                          period: str | None = None, ctx: WebContext = Depends(web_context),
                          principal: Principal = Depends(current_principal)):
    """Bảng xếp hạng thực hiện nhiệm vụ: per agency or commune. ``window`` (the header's period
    picker) wins over ``period``."""
    level = _choice(level, LEVELS, "level") or "department"
    label = period_label(window or period or None)
    context = await run_in_threadpool(scoreboard_context, ctx, principal, level=level, label=label)
    return render(request, "tasks_scoreboard.html", context, principal=principal, active="tasks",
                  window=context["period"])


# ---------------------------------------------------------------- panels on other pages
def panels_context(ctx: WebContext, principal: Principal, *, unit: str | None = None,
                   limit: int = PANEL_ROWS) -> dict:
    """``{"task_panels": …}`` for ``tasks_panels.html``: the longest-overdue open tasks and those due
    soon, today, of the tasks the principal reads (``unit``: those it leads; ``limit`` rows each); or the
    reason they are missing (``task_panels_error``) — a missing panel never takes its page down.

    Read at most every ``PANEL_SECONDS`` per province, reader's scope, unit and day
    (``WebContext.short_lived``; ``ctx.forget_short(PANELS_KEY)`` drops them after a write)."""
    try:
        province = home_province(principal, ctx.tree)
        today = local_today()
        scope = None if reads_whole_province(principal) else principal.unit_code

        def compute() -> dict:
            with ctx.database.session() as s:
                rows = readable_tasks(s, principal, province, ctx.tree)
                if unit is not None:
                    rows = [r for r in rows if r.lead_unit == unit]
                frame = task_views.register_rows(s, province, today, tasks=rows)
            data = task_views.panels(frame, limit=limit)
            data.update(today=today, unit=unit, names=unit_names(ctx),
                        soon_days=Policy.from_settings().due_soon_days)
            return data

        data = ctx.short_lived((PANELS_KEY, province, scope, unit, limit, today), PANEL_SECONDS, compute)
        return {"task_panels": data, "task_panels_error": None}
    except Exception as e:  # noqa: BLE001 - a missing panel must not take the whole page down
        return {"task_panels": None, "task_panels_error": str(e)}
