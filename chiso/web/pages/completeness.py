"""Tình hình nộp số liệu (the completeness board): ``/completeness`` and ``/completeness/{unit}``.

The provincial office chases the agencies that have not reported: each owner agency × month,
each cell on time, late, missing, returned or not yet due (``chiso.evaluate.dm.completeness``
computes it from the catalogue and values stores); each agency's on-time and received rates;
the province's rates month by month (a chart); an agency's page lists what it owes.

Who reads what (as the other reads): administrators, leaders and viewers the whole province;
a head or an officer their own agency only (its row, its page). Read only: nothing is written.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from chiso.collect.values.submit import local_today
from chiso.evaluate.dm.completeness import STATUSES, Completeness, gather
from chiso.store.repo_catalogue import live_indicators
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import format_period, request_language, translate
from chiso.web.pages.charts import BRAND
from chiso.web.pages.indicators import forbidden, province_of, reads_all_values, render, unit_name, who_text
from chiso.web.security.deps import Principal, current_principal

router = APIRouter()

#: How many months the board shows (the current one and those before it).
MONTHS = 6
MAX_MONTHS = 24


def board_for(ctx: WebContext, principal: Principal, months: int = MONTHS, unit: str | None = None,
              today=None) -> Completeness:
    """The board the principal may read: the province's, or their own agency's."""
    province = province_of(principal)
    own = None if reads_all_values(principal) else principal.unit_code
    if unit is not None and own is not None and unit != own:
        raise forbidden(f"Cán bộ và thủ trưởng chỉ xem tình hình nộp số liệu của đơn vị mình, không xem được "
                        f"{unit_name(ctx, unit)} ({unit}) / a head or officer reads their own agency's reporting "
                        f"only, not {unit}; {who_text(principal)}")
    with ctx.database.session() as session:
        return gather(session, province, ctx.tree, today or local_today(), months=months, owner=unit or own)


def rate_chart(board: Completeness, lang: str) -> dict:
    """The province's on-time and received rates month by month (ECharts options)."""
    months = [m.label for m in board.months]
    on_time = [_share(board.province[m].on_time_rate) for m in months]
    received = [_share(board.province[m].received_rate) for m in months]
    return {"animation": False, "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
            "grid": {"left": 44, "right": 16, "top": 24, "bottom": 48},
            "xAxis": {"type": "category", "data": [format_period(m, lang) for m in months]},
            "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "chiso:num:0"}},
            "series": [
                {"name": translate(lang, "completeness.rate.on_time"), "type": "bar", "data": on_time,
                 "itemStyle": {"color": BRAND}, "tooltip": {"valueFormatter": "chiso:num:1"}},
                {"name": translate(lang, "completeness.rate.received"), "type": "line", "data": received,
                 "itemStyle": {"color": "#1e8e3e"}, "tooltip": {"valueFormatter": "chiso:num:1"}}]}


def agency_chart(board: Completeness, code: str, province: Completeness, lang: str) -> dict:
    """One agency's on-time and received rates month by month, against the province's
    (dashed lines: every owner agency together) — ECharts options."""
    months = [m.label for m in board.months]
    row = board.agencies.get(code)
    mine = {m: (row.cells[m] if row is not None else None) for m in months}
    whole = {m: province.province.get(m) for m in months}

    def shares(tallies: dict, attr: str) -> list[float | None]:
        return [_share(getattr(t, attr)) if t is not None else None for t in (tallies[m] for m in months)]

    def line(name: str, data: list, color: str, dashed: bool = False) -> dict:
        serie = {"name": name, "type": "line", "data": data, "connectNulls": False, "symbolSize": 7,
                 "itemStyle": {"color": color}, "tooltip": {"valueFormatter": "chiso:num:1"}}
        if dashed:
            serie["lineStyle"] = {"type": "dashed", "width": 2}
            serie["symbol"] = "emptyCircle"
        return serie

    return {"animation": False, "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
            "grid": {"left": 44, "right": 16, "top": 24, "bottom": 72},
            "xAxis": {"type": "category", "data": [format_period(m, lang) for m in months]},
            "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "chiso:num:0"}},
            "series": [
                {"name": translate(lang, "completeness.trend.agency_on_time"), "type": "bar",
                 "data": shares(mine, "on_time_rate"), "itemStyle": {"color": BRAND},
                 "tooltip": {"valueFormatter": "chiso:num:1"}},
                line(translate(lang, "completeness.trend.agency_received"), shares(mine, "received_rate"), "#1e8e3e"),
                line(translate(lang, "completeness.trend.province_on_time"), shares(whole, "on_time_rate"),
                     "#6b7280", dashed=True),
                line(translate(lang, "completeness.trend.province_received"), shares(whole, "received_rate"),
                     "#b26a00", dashed=True)]}


def agency_months(board: Completeness, code: str, province: Completeness) -> list[dict]:
    """The chart's numbers as table rows, the newest month first."""
    row = board.agencies.get(code)
    out = []
    for m in reversed(board.months):
        mine = row.cells[m.label] if row is not None else None
        whole = province.province.get(m.label)
        out.append({"month": m.label, "due": mine.due if mine is not None else 0,
                    "on_time": mine.on_time_rate if mine is not None else None,
                    "received": mine.received_rate if mine is not None else None,
                    "province_on_time": whole.on_time_rate if whole is not None else None,
                    "province_received": whole.received_rate if whole is not None else None})
    return out


def province_board(ctx: WebContext, principal: Principal, months: int, today=None) -> Completeness:
    """The whole province's board, for its rates only (a head or an officer compares their agency
    with the province's totals; no other agency's row is shown to them)."""
    with ctx.database.session() as session:
        return gather(session, province_of(principal), ctx.tree, today or local_today(), months=months)


def _share(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _months_param(months: int) -> int:
    return max(1, min(months, MAX_MONTHS))


@router.get("/completeness", response_class=HTMLResponse)
def completeness_page(request: Request, months: int = Query(MONTHS, ge=1, le=MAX_MONTHS),
                      ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Tình hình nộp số liệu: agencies × months, rates, and the province over time."""
    board = board_for(ctx, principal, _months_param(months))
    lang = request_language(request)
    return render(request, "completeness.html", {
        "board": board, "statuses": STATUSES, "months": _months_param(months),
        "chart": rate_chart(board, lang), "unit_name": lambda c: unit_name(ctx, c),
        "whole_province": reads_all_values(principal)}, principal, "completeness")


@router.get("/completeness/{unit}", response_class=HTMLResponse)
def agency_page(request: Request, unit: str, months: int = Query(MONTHS, ge=1, le=MAX_MONTHS),
                ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """One agency: its rates, its months and what it owes (indicator × period × unit)."""
    if unit not in ctx.tree:
        raise HTTPException(404, f"Không có đơn vị {unit} / no unit {unit}")
    board = board_for(ctx, principal, _months_param(months), unit=unit)
    row = board.agencies.get(unit)
    with ctx.database.session() as session:
        indicators = live_indicators(session, province_of(principal))
    by_indicator: dict[str, dict[str, list]] = {}
    if row is not None:
        for item in row.items:
            by_indicator.setdefault(item.indicator, {}).setdefault(item.period.label, []).append(item)
    grid = []
    for code, periods in sorted(by_indicator.items()):
        cells = []
        for label, items in periods.items():
            worst = next(s for s in STATUSES if any(i.status == s for i in items))
            cells.append({"period": label, "status": worst, "count": len(items),
                          "received": sum(i.status in ("on_time", "late") for i in items),
                          "deadline": items[0].deadline})
        cells.reverse()   # the newest period first
        worst = next((s for s in STATUSES if any(c["status"] == s for c in cells)), "not_due")
        grid.append({"code": code, "indicator": indicators.get(code), "cells": cells, "worst": worst,
                     "owes": worst in ("missing", "returned")})
    # what is owed first, then by code
    grid.sort(key=lambda g: (STATUSES.index(g["worst"]), g["code"]))
    whole = province_board(ctx, principal, _months_param(months), today=board.today)
    lang = request_language(request)
    return render(request, "completeness_agency.html", {
        "board": board, "row": row, "unit": unit, "grid": grid, "statuses": STATUSES,
        "trend": agency_chart(board, unit, whole, lang), "trend_rows": agency_months(board, unit, whole),
        "missing": row.owed() if row is not None else [], "indicators": indicators,
        "months": _months_param(months), "unit_name": lambda c: unit_name(ctx, c)}, principal, "completeness")
