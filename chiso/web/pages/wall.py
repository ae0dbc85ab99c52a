"""Màn hình IOC (the province's operations screen, the big-screen wall): ``/wall``.

One screen, no scrolling, at 1920×1080 and 3840×2160 (a CSS grid sized to the viewport; type and
chart labels scale with it, ≥ 24 px at 1080p — ``/static/wall.css``, ``/static/wall.js``):

- the 766 headline: the province's total, national rank and its change, band, change since the
  week before, and the weekly trend;
- the six group dials, each with its maximum and the definition's bands as coloured stretches
  (``chiso.web.pages.wall_charts``);
- counters: open assigned tasks by state (in time, overdue — of which long overdue —, due soon)
  and open warnings by severity;
- the map of the 34 provinces coloured by the total (``chiso.web.pages.maps.map_context``);
- a rotating area (every ``CHISO_WALL_ROTATE_SECONDS``): the province's own DM indicators as a
  traffic-light board (off track first, value against target, an arrow for the move since the
  period before, green when it moved the good way — ``dm_board``), the top and bottom
  departments and communes, and the longest-overdue and soonest-due tasks. Without JavaScript
  every slide is shown, one under the other;
- a ticker of open warnings in its own row, its label ("Cảnh báo (N):") in a cell of its own;
- the time of the screen in the province's zone (``CHISO_TIMEZONE``, Asia/Ho_Chi_Minh) and the
  data's own stamp: the last day of records in the store, within the window ("số liệu đến
  29/11/2026").

HTMX reloads the board every ``REFRESH_SECONDS`` (``/wall?fragment=1`` returns it alone; the
map stays, the rotation keeps its place); a ``<meta http-equiv=refresh>`` in ``<noscript>``
reloads the page in a browser without JavaScript.
"""
from __future__ import annotations

import datetime as dt

import polars as pl
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from chiso import settings
from chiso.collect.values.submit import local_today
from chiso.evaluate.dm.service import current_values, live_indicators, status_report
from chiso.evaluate.service import latest_day
from chiso.evaluate.tasks import views as task_views
from chiso.periods.reporting import period
from chiso.periods.windows import parse_window
from chiso.tasks.model import OPEN_STATES
from chiso.tasks.states import Policy
from chiso.text import format_number
from chiso.web.context import DM_VALUES, WebContext, web_context
from chiso.web.i18n import format_day, localized_name, request_language, zone
from chiso.web.pages import maps, tasks, views, wall_charts
from chiso.web.pages.overview import overview_context
from chiso.web.pages.render import render
from chiso.web.security.deps import Principal, current_principal
from chiso.web.security.tasks import reads_whole_province

router = APIRouter()
REFRESH_SECONDS = 60
#: Rows of the DM board, of each task list and of each end of the unit rankings.
DM_ROWS = 7
TASK_ROWS = 4
UNIT_ROWS = 3
#: Open warnings the ticker runs through.
TICKER_WARNINGS = 12
#: The board's order: what needs direction first.
STATUS_ORDER = ("off_track", "at_risk", "no_data", "no_target", "on_track", "achieved")
#: The traffic light of each status.
LIGHTS = {"off_track": "red", "at_risk": "amber", "no_data": "grey", "no_target": "grey",
          "on_track": "green", "achieved": "green"}
#: The DM board is read at most this often (seconds) per province: values change by submission.
DM_SECONDS = views.DM_STATUS_SECONDS


def rotate_seconds() -> int:
    """``CHISO_WALL_ROTATE_SECONDS``: how long each slide of the rotating area shows (0: no rotation,
    every slide shown); a value that is not a whole number ≥ 0 is the default's 20."""
    raw = settings.get("CHISO_WALL_ROTATE_SECONDS") or "20"
    try:
        value = int(raw.strip())
    except ValueError:
        return 20
    return value if value >= 0 else 20


# ---------------------------------------------------------------- time and the data's stamp
def local_now(now: dt.datetime | None = None) -> dt.datetime:
    """Now (or ``now``; a time without a zone is UTC) in the province's zone (``CHISO_TIMEZONE``)."""
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return now.astimezone(zone())


def clock_text(moment: dt.datetime, lang: str) -> str:
    """The wall's clock as people read it, time first: ``10:30 06/12/2026`` / ``10:30, 6 Dec 2026``.

    >>> import datetime as dt
    >>> clock_text(dt.datetime(2026, 12, 6, 10, 30), "vi"), clock_text(dt.datetime(2026, 12, 6, 10, 30), "en")
    ('10:30 06/12/2026', '10:30, 6 Dec 2026')
    """
    day = moment.date()
    return f"{moment:%H:%M} {format_day(day, 'vi')}" if lang == "vi" else f"{moment:%H:%M}, {format_day(day, lang)}"


def data_through(ctx: WebContext, window: str) -> dt.date | None:
    """The last day the window's data reach: the last day of records in the store
    (``chiso.evaluate.service.latest_day``), or the window's last day when the records go further."""
    def compute():
        with ctx.lock:
            last = latest_day(ctx.records)
        end = parse_window(window).end
        return None if last is None else min(last, end)

    return ctx.derived((window, "wall-data-through"), compute)


# ---------------------------------------------------------------- the DM board
def previous_values(values: pl.DataFrame, rows: list[dict]) -> dict[str, float | None]:
    """Each row's value of the period before its own (same unit, same kind of period), or None."""
    out: dict[str, float | None] = {}
    if values.is_empty():
        return out
    wanted = {r["indicator"] for r in rows if r["period"]}
    frame = values.filter(pl.col("indicator").is_in(list(wanted)))
    for r in rows:
        if not r["period"]:
            continue
        w = period(r["period"])
        before = frame.filter((pl.col("indicator") == r["indicator"]) & (pl.col("unit_code") == r["unit"])
                              & (pl.col("period_kind") == w.kind) & (pl.col("period_end") < w.end)
                              & pl.col("value").is_not_null()).sort("period_end")
        out[r["indicator"]] = float(before["value"][-1]) if before.height else None
    return out


def movement(value: float | None, previous: float | None, polarity: str) -> dict:
    """The move since the period before: ``arrow`` ↑ ↓ → (— without two values) and whether it was the
    good way (``good``: True, False, or None for no move), by the indicator's polarity.

    >>> movement(92.0, 90.0, "higher"), movement(92.0, 90.0, "lower")["good"], movement(5, 5, "lower")["arrow"]
    ({'arrow': '↑', 'good': True, 'change': 2.0}, False, '→')
    """
    if value is None or previous is None:
        return {"arrow": "—", "good": None, "change": None}
    change = float(value) - float(previous)
    if abs(change) <= 1e-9 * max(1.0, abs(float(previous))):
        return {"arrow": "→", "good": None, "change": 0.0}
    up = change > 0
    return {"arrow": "↑" if up else "↓", "good": up == (polarity != "lower"), "change": change}


def board_order(row: dict) -> tuple:
    """Off track first, then at risk, missing data…; within a status the furthest from target first."""
    status = STATUS_ORDER.index(row["status"]) if row["status"] in STATUS_ORDER else len(STATUS_ORDER)
    achievement = row.get("achievement")
    return (status, achievement is None, achievement if achievement is not None else 0.0, row["indicator"])


def dm_board(session, province: str, today: dt.date | None = None) -> dict:
    """The province's live DM indicators as a traffic-light board: every row of ``status_report`` with
    its light, the value of the period before and the move since (``movement``), off track first
    (``board_order``); and how many indicators are in each status."""
    report = status_report(session, province, today=today or local_today())
    values = current_values(session, province, live_indicators(session, province))
    before = previous_values(values, report["indicators"])
    rows = []
    for r in report["indicators"]:
        prev = before.get(r["indicator"])
        rows.append({**r, "light": LIGHTS.get(r["status"], "grey"), "previous": prev,
                     **movement(r["value"], prev, r["polarity"])})
    rows.sort(key=board_order)
    counts = {s: report["counts"].get(s, 0) for s in STATUS_ORDER}
    return {"rows": rows, "counts": counts, "total": len(rows)}


def dm_board_cached(ctx: WebContext, province: str) -> dict:
    """``dm_board`` read at most every ``DM_SECONDS`` per province (and day)."""
    today = local_today()

    def compute():
        with ctx.database.session() as s:
            return dm_board(s, province, today)

    return ctx.short_lived((DM_VALUES, "wall", province, today), DM_SECONDS, compute)


def short_value(value: float | None, lang: str) -> str:
    """A board value, short: a whole number without decimals; otherwise none from 1,000 up, one
    from 100, two below; a real minus sign.

    >>> [short_value(v, "vi") for v in (12345.678, 91.256, 72.7, 55.0, None)], short_value(-4.5, "en")
    (['12.346', '91,26', '72,70', '55', '—'], '−4.50')
    """
    if value is None:
        return "—"
    digits = 0 if float(value).is_integer() or abs(value) >= 1000 else 1 if abs(value) >= 100 else 2
    return format_number(value, digits, lang).replace("-", "−")


# ---------------------------------------------------------------- tasks and warnings
def task_context(ctx: WebContext, principal: Principal) -> dict:
    """The task counters and lists: the open instances the principal may read by state (in time,
    overdue, of which long overdue, due soon) and the longest-overdue and soonest-due ``TASK_ROWS``
    (``task_panels``, as ``tasks_panels.html`` reads them); or why they are missing."""
    try:
        province = views.home_province(principal, ctx.tree)
        today = local_today()
        scope = None if reads_whole_province(principal) else principal.unit_code

        def compute() -> dict:
            with ctx.database.session() as s:
                rows = tasks.readable_tasks(s, principal, province, ctx.tree)
                frame = task_views.register_rows(s, province, today, tasks=rows)
            data = task_views.panels(frame, limit=TASK_ROWS)
            counts = task_views.state_counts(frame)
            data.update(today=today, unit=None, names=tasks.unit_names(ctx),
                        soon_days=Policy.from_settings().due_soon_days,
                        open_in_time=counts["open_in_time"],
                        open_total=sum(counts[s] for s in OPEN_STATES))
            return data

        # keyed under the task panels' prefix: a write to the register drops it (ctx.forget_tasks)
        data = ctx.short_lived((tasks.PANELS_KEY, "wall", province, scope, today), tasks.PANEL_SECONDS, compute)
        return {"task_panels": data, "task_panels_error": None}
    except Exception as e:  # noqa: BLE001 - a missing panel must not take the whole screen down
        return {"task_panels": None, "task_panels_error": str(e)}


def warnings_context(ctx: WebContext, principal: Principal, province: str) -> dict:
    """The open warnings the principal reads: counts by severity and the ``TICKER_WARNINGS`` most
    severe (the ticker), or why they are missing."""
    try:
        return {"warnings": views.open_warnings_cached(ctx, province, principal, TICKER_WARNINGS),
                "warnings_error": None}
    except Exception as e:  # noqa: BLE001 - a missing panel must not take the whole screen down
        return {"warnings": None, "warnings_error": str(e)}


# ---------------------------------------------------------------- the page
def wall_context(request: Request, ctx: WebContext, principal: Principal, window: str | None,
                 fragment: bool) -> dict:
    """Everything the wall shows (the overview's scores, ``overview_context``, and the wall's own);
    the map only for the whole page (``fragment``: the board HTMX reloads leaves it in place)."""
    lang = request_language(request)
    context = overview_context(request, ctx, principal, window, with_warnings=False)
    table, province = context["table"], context["province"]
    definition = table.definition
    bands = definition.national_bands
    scale = float(definition.max_total)
    ends = {}
    for level in ("department", "commune"):
        ranked = views.ranking(table, level=level, province=province)
        ends[level] = (ranked.head(UNIT_ROWS).to_dicts(), ranked.tail(UNIT_ROWS).reverse().to_dicts())
    dials = []
    for g in context["groups"]:
        share = None if g["score"] is None or not g["max"] else g["score"] / g["max"]
        level = None if share is None else bands.band(share * scale)
        dials.append({"name": localized_name(g, lang), "code": g["code"], "score": g["score"], "max": g["max"],
                      "band": "" if level is None else localized_name(level, lang, "label"),
                      "chart": wall_charts.group_gauge(g["score"], g["max"], bands, scale, lang)})
    try:
        board, board_error = dm_board_cached(ctx, province), None
    except Exception as e:  # noqa: BLE001 - no catalogue yet: the rest of the screen still shows
        board, board_error = None, str(e)
    now = local_now()
    context.update(
        dials=dials, ends=ends, refresh=REFRESH_SECONDS, rotate=rotate_seconds(), now=now,
        clock=clock_text(now, lang), data_through=data_through(ctx, table.window),
        trend_chart=wall_charts.total_trend(context["trend"], lang),
        board=board, board_error=board_error, board_rows=DM_ROWS, dm_number=lambda v: short_value(v, lang),
        **task_context(ctx, principal), **warnings_context(ctx, principal, province),
    )
    if not fragment and context["me"] is not None:
        try:
            context["map_data"] = maps.map_context(ctx, table, lang, kind="provinces", principal=principal)
            context["map_error"] = None
        except Exception as e:  # noqa: BLE001 - the map must not take the whole screen down
            context["map_data"], context["map_error"] = None, str(e)
    return context


@router.get("/wall", response_class=HTMLResponse)
def wall(request: Request, window: str | None = None, fragment: bool = False,
         ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    context = wall_context(request, ctx, principal, window, fragment)
    return render(request, "wall.html", context, principal=principal, active="wall",
                  window=context["table"].window, block="board" if fragment else None)
