"""Chỉ số tổng hợp (``/composite``, ``/composite/{code}``): a composite indicator for a period.

The list names the composite definitions (``chiso.catalog.composite``) whose target is a live
indicator of the province, with their versions. A composite's page, for a period of its target's frequency (default: the latest one
with stored values, else the month before this one), shows each unit's index value, rank and
pillar scores as computed by the version in force (``chiso.evaluate.composite_run``), whether the
stored values of the target are up to date with that computation, and the **sensitivity
analysis**: each unit's rank interval over the definition's runs (weights perturbed, methods
drawn from the alternatives) as a bar — 5th to 95th percentile, the median marked, the nominal
rank as a dot. Read only: values are kept by ``chiso composite compute`` (docs/composite.md).

Any signed-in person of the province reads it (the rankings of departments are the province's
own public figures inside it, as the rankings page is). Words are Vietnamese, English with
``?lang=en``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from typing import Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from chiso.catalog.composite import METHOD_NAMES, ROOT, load_composites
from chiso.collect.values.rules import PERIOD_KIND
from chiso.collect.values.submit import local_today
from chiso.errors import ChisoError
from chiso.evaluate.composite import Sensitivity, compute, sensitivity
from chiso.evaluate.composite_run import DECIMALS, inputs
from chiso.evaluate.dm.service import current_values, live_indicators
from chiso.periods.reporting import window_containing
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import request_language, translate
from chiso.web.pages import views
from chiso.web.pages.render import render
from chiso.web.security.deps import Principal, current_principal

router = APIRouter()

#: Sensitivity results by (definition, period, inputs): the runs are costly, the inputs rarely change.
_SENSITIVITY: OrderedDict[tuple, Sensitivity] = OrderedDict()
_KEEP = 16


def _sensitivity(composite, units, raw) -> Sensitivity:
    key = (composite.code, composite.version, composite.sha256, tuple(units),
           hashlib.blake2b(raw.tobytes(), digest_size=16).hexdigest())
    hit = _SENSITIVITY.get(key)
    if hit is None:
        hit = sensitivity(composite, units, raw)
        _SENSITIVITY[key] = hit
        while len(_SENSITIVITY) > _KEEP:
            _SENSITIVITY.popitem(last=False)
    return hit


def _book():
    try:
        return load_composites()
    except ChisoError as err:
        raise HTTPException(500, f"định nghĩa chỉ số tổng hợp không hợp lệ: {err}") from None


@router.get("/composite", response_class=HTMLResponse)
def composite_list(request: Request, ctx: WebContext = Depends(web_context),
                   principal: Principal = Depends(current_principal)):
    """The composite definitions whose target is a live indicator of the principal's province, and
    their versions."""
    lang = request_language(request)
    book = _book()
    province = views.home_province(principal, ctx.tree)
    with ctx.database.session() as s:
        live = live_indicators(s, province)
    rows = []
    for code in book.codes():
        versions = book.get(code)
        if versions[0].target not in live:
            continue
        last = versions[-1]
        rows.append({"code": code, "name": last.spec.name if lang == "vi" else (last.spec.name_en or last.spec.name),
                     "target": last.target, "versions": [(v.version, v.spec.valid_from) for v in versions],
                     "components": len(last.components)})
    return render(request, "composite.html", {"rows": rows, "detail": None},
                  principal=principal, active="composite")


def _default_period(relation: pl.DataFrame, target: str, kind: str) -> str:
    """The latest period of ``kind`` the target has stored values for, else the one before today's."""
    mine = relation.filter(pl.col("indicator") == target, pl.col("period_kind") == kind)
    if not mine.is_empty():
        return mine.sort("period_start")["period"][-1]
    return window_containing(kind, local_today()).previous().label


@router.get("/composite/{code}", response_class=HTMLResponse)
def composite_page(request: Request, code: str, period: str | None = None, ctx: WebContext = Depends(web_context),
                   principal: Principal = Depends(current_principal)):
    """One composite for a period: values, ranks, pillars and the sensitivity bars."""
    lang = request_language(request)
    book = _book()
    try:
        versions = book.get(code)
    except ChisoError:
        raise HTTPException(404, f"không có chỉ số tổng hợp {code!r} / no composite {code!r}") from None
    province = views.home_province(principal, ctx.tree)
    with ctx.database.session() as s:
        catalogue = live_indicators(s, province)
        target = catalogue.get(versions[0].target)
        if target is None:
            raise HTTPException(404, f"chỉ số đích {versions[0].target} chưa vận hành ở tỉnh {province}")
        relation = current_values(s, province, catalogue)
        chosen = (period or "").strip() or _default_period(relation, target.code, PERIOD_KIND[target.frequency])
        got = inputs(s, province, versions[0].code, chosen, book=book, indicators=catalogue, values=relation)
    result = compute(got.composite, got.units, got.raw)
    sens = _sensitivity(got.composite, got.units, got.raw)
    stored = relation.filter(pl.col("indicator") == target.code, pl.col("period") == got.window.label)
    kept = dict(zip(stored["unit_code"].to_list(), stored["value"].to_list(), strict=True))
    intervals = {i.unit: i for i in sens.intervals}
    n = max(1, sum(1 for r in result.rows() if r["rank"] is not None))
    rows: list[dict[str, Any]] = []
    for r in result.rows():
        i = intervals[r["unit"]]
        value = r["value"]
        saved = kept.get(r["unit"])
        state = ("not_stored" if saved is None else
                 "up_to_date" if value is not None and abs(round(value, DECIMALS) - saved) < 10 ** -DECIMALS
                 else "differs")
        rows.append({**r, "name": got.names[r["unit"]], "stored": saved, "state": state if value is not None else None,
                     "median": i.median, "p05": i.p05, "p95": i.p95, "best": i.best, "worst": i.worst,
                     "bar": _bar(i, n)})
    spec = got.composite.spec
    pillars = [p for p in got.composite.order() if p != ROOT]
    pillar_names = {p.code: (p.name if lang == "vi" else (p.name_en or p.name)) for p in spec.pillars}
    detail = {
        "code": got.composite.code, "version": got.composite.version, "valid_from": spec.valid_from,
        "name": spec.name if lang == "vi" else (spec.name_en or spec.name), "description": spec.description,
        "target": target.code, "target_name": target.name if lang == "vi" else target.name_en,
        "period": got.window.label, "rows": rows, "pillars": pillars, "pillar_names": pillar_names,
        "methods": [(translate(lang, f"composite.{key}"), method_name(method, lang)) for key, method in (
            ("imputation", spec.imputation.method), ("outliers", spec.outliers.method),
            ("normalisation", spec.normalisation.method), ("weights", spec.weights.method),
            ("aggregation", spec.aggregation))],
        "notes": list(result.scores.notes), "n": n,
        "sens_lead": translate(lang, "composite.sens_lead", runs=sens.runs, seed=sens.seed,
                               spread=round(spec.sensitivity.weights.spread * 100),
                               pairs="; ".join(f"{method_name(a, lang)} + {method_name(b, lang)}" for a, b in sens.pairs)),
        "store_how": translate(lang, "composite.store_how", code=got.composite.code, period=got.window.label),
        "today": dt.date.today(),
    }
    return render(request, "composite.html", {"rows": None, "detail": detail},
                  principal=principal, active="composite")


#: The methods' names in English (Vietnamese: ``METHOD_NAMES``).
METHOD_NAMES_EN: dict[str, str] = {
    "none": "none", "mean": "mean", "group_mean": "group mean", "winsorise_limits": "winsorised at quantiles",
    "winsorise_skew_kurtosis": "winsorised by skew and kurtosis", "minmax": "min-max", "zscore": "z-score",
    "goalposts": "goalposts", "distance_to_target": "distance to target", "rank": "rank", "equal": "equal",
    "manual": "manual", "pca": "PCA", "arithmetic": "arithmetic mean", "geometric": "geometric mean",
    "uniform": "uniform", "dirichlet": "Dirichlet",
}


def method_name(method: str, lang: str) -> str:
    return (METHOD_NAMES if lang == "vi" else METHOD_NAMES_EN).get(method, method)


#: The bar's drawing: width in SVG units and the margin at each end.
WIDTH, PAD = 240.0, 6.0


def _x(rank: float, n: int) -> float:
    """Rank 1 at the left end, rank n at the right."""
    if n <= 1:
        return PAD
    return round(PAD + (rank - 1) / (n - 1) * (WIDTH - 2 * PAD), 1)


def _bar(i, n: int) -> dict[str, float] | None:
    if i.p05 is None or i.nominal is None:
        return None
    lo, hi = _x(i.p05, n), _x(i.p95, n)
    return {"x": lo, "w": max(hi - lo, 2.0), "median": _x(i.median, n), "nominal": _x(i.nominal, n),
            "width": WIDTH}
