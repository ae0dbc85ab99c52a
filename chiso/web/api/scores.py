"""Index scores over the API (Decision 766): scores, rankings, what-if, levers, weekly series
and the records behind a score.

The index scores and rankings are published figures: any signed-in principal reads them
for every unit. The records behind a score (``/explain``) are a unit's own data: they are
read by leaders, viewers and administrators of the province and by the unit's own head
and officers (``can_read_unit``). Scores, rankings and series carry strong ETags.
"""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from chiso.evaluate.documents import score_document
from chiso.evaluate.service import explain, latest_day, score_series
from chiso.evaluate.whatif import levers, parse_levels, whatif
from chiso.units.registry import unit_to_dict
from chiso.web import hot
from chiso.web.api.access import Principal, WebContext, check_unit, signed_in, web_context
from chiso.web.api.etag import LONG, cached, etag_of, finite

router = APIRouter(prefix="/api/v1", tags=["scores"])

#: The longest weekly series one request may ask for (weeks).
MAX_SERIES_WEEKS = 106


def _serialised(content) -> bytes:
    """JSON bytes as ``chiso.web.api.etag.cached`` writes them (NaN → null, UTF-8)."""
    import json

    from fastapi.encoders import jsonable_encoder

    return json.dumps(finite(jsonable_encoder(content)), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def _headers(tag: str, max_age: int) -> dict[str, str]:
    return {"ETag": tag, "Cache-Control": f"private, max-age={max_age}", "Vary": "Authorization, Cookie"}


def _answer(request: Request, body: bytes, tag: str, max_age: int) -> Response:
    """A serialised answer with its ETag (304 when the client has it), like ``cached``."""
    headers = _headers(tag, max_age)
    wanted = [t.strip() for t in (request.headers.get("if-none-match") or "").split(",")]
    if "*" in wanted or tag in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/scores", summary="Điểm chỉ số phục vụ / index scores")
def api_scores(request: Request, window: str | None = None, province: str | None = None,
               level: str | None = None, principal: Principal = Depends(signed_in),
               ctx: WebContext = Depends(web_context)):
    """Scores of every unit (or one province's units) for a window."""
    doc = score_document(ctx.scores(window), province=province, level=level)
    return cached(request, doc, max_age=LONG)


@router.get("/rank", summary="Xếp hạng / ranking")
async def api_rank(request: Request, level: str = "province", province: str | None = None,
                   window: str | None = None, principal: Principal = Depends(signed_in),
                   ctx: WebContext = Depends(web_context)):
    """A ranking among peers with score and rank changes.

    The answer depends on the window's scores only, so it is serialised once per window,
    level and province (3,321 communes nationally: ≈ 0.6 MB) and cached with the scores; a
    browser session's answer is also cached whole for the hot path (``chiso.web.hot``)."""
    from starlette.concurrency import run_in_threadpool

    await ctx.check_data_async()
    generation = ctx.generation

    def serialise(t) -> tuple[bytes, str]:
        df = t.ranking(level, province)
        body = _serialised({"window": t.window, "previous_window": t.previous_window, "level": level,
                            "province": province,
                            "units": df.select("unit_code", "name", "rank", "peers", "total", "band", "band_label",
                                               "score_change", "previous_rank", "rank_change").to_dicts()})
        return body, etag_of(body)

    def compute() -> tuple[bytes, str]:
        t = ctx.scores(window)
        return ctx.derived(("api.rank", t.window, level, province), lambda: serialise(t))

    cached_table = ctx.cached_scores(window)
    found = ctx.cached(("api.rank", cached_table.window, level, province)) if cached_table is not None else None
    body, tag = found if found is not None else await run_in_threadpool(compute)
    full = Response(body, media_type="application/json", headers=_headers(tag, LONG))
    hot.remember(request, ctx, principal, full, body=body, etag=tag, generation=generation)
    return _answer(request, body, tag, LONG)


@router.get("/whatif", summary="Giả định / what-if")
def api_whatif(unit: str, set: list[str] = Query(..., description="TARGET=RATIO"), window: str | None = None,
               principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """The points a unit gains if criteria or groups reached given ratios."""
    table, levels = ctx.scores(window), parse_levels(set)
    try:
        return whatif(table, unit, levels)
    except (KeyError, ValueError) as e:  # not a criterion or group; a ratio out of 0–1: bad input
        raise HTTPException(400, e.args[0]) from None


@router.get("/levers", summary="Đòn bẩy cải thiện / levers")
def api_levers(request: Request, unit: str, window: str | None = None,
               share: float = Query(0.9, gt=0, le=1, description="the share of full points to reach"),
               limit: int = Query(10, ge=1, le=100), principal: Principal = Depends(signed_in),
               ctx: WebContext = Depends(web_context)):
    """A unit's levers ranked by improvement potential (dư địa cải thiện)."""
    t = ctx.scores(window)
    rows = levers(t, unit, share=share)
    return cached(request, {"unit": unit, "window": t.window, "share": share, "levers": rows[:limit]})


@router.get("/series", summary="Chuỗi điểm theo tuần / weekly series")
def api_series(request: Request, unit: str, from_: dt.date | None = Query(None, alias="from"),
               to: dt.date | None = None, principal: Principal = Depends(signed_in),
               ctx: WebContext = Depends(web_context)):
    """A unit's total, rank and group scores week by week (ISO weeks; default the last 12)."""
    if unit not in ctx.tree:
        raise HTTPException(404, f"no unit with code {unit!r}")
    with ctx.lock:
        end = to or latest_day(ctx.records)
    if end is None:
        raise HTTPException(404, "the store has no dossiers yet")
    start = from_ or (end - dt.timedelta(weeks=12) + dt.timedelta(days=1))
    if start > end:
        raise HTTPException(400, f"from ({start}) is after to ({end})")
    if (end - start).days > MAX_SERIES_WEEKS * 7:
        raise HTTPException(400, f"a series spans at most {MAX_SERIES_WEEKS} weeks; ask for a shorter range")
    with ctx.lock:
        scored = score_series(ctx.definition, ctx.records, ctx.tree, start, end)
    series = scored.scores
    groups = [g.code for g in ctx.definition.groups]
    frame = series.units.filter(series.units["unit_code"] == unit)
    points = {r["window"]: r for r in frame.to_dicts()}
    weeks = [{"window": w.label, "start": w.start.isoformat(), "end": w.end.isoformat(),
              **({k: points[w.label].get(k) for k in ("total", "rank", "peers", "band", "score_change",
                                                       "rank_change")} if w.label in points else
                 {"total": None, "rank": None}),
              "groups": {g: points[w.label].get(g) for g in groups} if w.label in points else {}}
             for w in scored.windows]
    return cached(request, {"unit": unit_to_dict(ctx.tree.get(unit)), "from": start.isoformat(),
                            "to": end.isoformat(), "weeks": weeks})


@router.get("/explain", summary="Hồ sơ sau điểm số / records behind a score")
def api_explain(unit: str, criterion: str, window: str | None = None, all: bool = False,
                limit: int = Query(100, ge=0, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """The records behind a unit's criterion (by default those that lost it points)."""
    check_unit(principal, unit, ctx)
    with ctx.lock:
        return explain(ctx.definition, ctx.records, ctx.tree, unit, criterion, window, only_lost=not all,
                       limit=limit, offset=offset)
