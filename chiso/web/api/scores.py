"""Index scores over the API (Decision 766): scores, rankings, what-if, levers, weekly series
and the records behind a score.

The index scores and rankings are published figures: any signed-in principal reads them
for every unit. The records behind a score (``/explain``) are a unit's own data: they are
read by leaders, viewers and administrators of the province and by the unit's own head
and officers (``can_read_unit``). Scores, rankings and series carry strong ETags.

A unit, a province or a target that does not exist is refused (404) before anything is
scored. ``/scores`` and ``/rank`` are serialised once per window, province and level (the
whole nation's scores are ≈ 13 MB of JSON on the demo: seconds to encode) and kept with the
window's scores, so a read is the cached bytes and their ETag; one answer is built at a time
(``_building``), so a burst of first reads waits for one build instead of making as many.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from chiso.catalog.presentation import SIX, VIEWS, GroupView, group_view, present_frame
from chiso.evaluate.documents import score_document, view_document
from chiso.evaluate.scores import RANKED_LEVELS
from chiso.evaluate.service import explain, latest_day, score_series
from chiso.evaluate.whatif import levers, parse_levels, whatif
from chiso.units.registry import unit_to_dict
from chiso.web import hot
from chiso.web.api.access import Principal, WebContext, check_unit, signed_in, web_context
from chiso.web.api.etag import LONG, cached, etag_of, finite
from chiso.web.api.pagination import window_param
from chiso.web.errors import CODE, NOT_MODIFIED, UNIT_EXAMPLES, Day

router = APIRouter(prefix="/api/v1", tags=["scores"])

#: The longest weekly series one request may ask for (weeks).
MAX_SERIES_WEEKS = 106

#: The window of a read (its label; None: the latest week).
window_of = window_param()


#: ``TARGET=RATIO``: a criterion or group and the ratio to reach, 0–1 or a percentage.
LEVEL = (r"^[A-Za-z0-9_.]{1,64}=(?:0|1|0?[.,][0-9]{1,6}|1[.,]0{1,6}"
         r"|(?:[0-9]|[1-9][0-9])(?:[.,][0-9]{1,6})?%|100(?:[.,]0{1,6})?%)$")

_building = threading.Lock()

#: ``view=six|five``: how the groups are shown (``chiso.catalog.presentation``); absent = the
#: deployment's ``CHISO_GROUP_VIEW``. The total and the criteria are the same in every view.
ViewParam = Annotated[Literal["six", "five"] | None, Query(
    description="group view: six (online services /12 + online payment /10) or five (online service "
                "provision /22); default the setting CHISO_GROUP_VIEW", json_schema_extra={"enum": list(VIEWS)})]


def _view(definition, asked: str | None) -> GroupView:
    return group_view(definition, asked)


def _view_key(shown: str) -> tuple:
    """What a cached answer's key adds for its group view: nothing for the six groups (the keys
    stay as they were), the view's name for another."""
    return () if shown == SIX else (shown,)


def _serialised(content) -> bytes:
    """JSON bytes as ``chiso.web.api.etag.cached`` writes them (NaN → null, UTF-8), from plain
    data (dicts, lists, strings, numbers: no ``jsonable_encoder`` pass, the larger part of the time
    of a large answer)."""
    return json.dumps(finite(content), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _built(ctx: WebContext, window: str | None, name: str, rest: tuple, serialise) -> tuple[bytes, str]:
    """The (body, ETag) ``serialise`` makes of the window's scores, kept with them under
    ``(name, window label, *rest)`` (``ctx.derived``) and built by one caller at a time."""
    table = ctx.cached_scores(window)
    found = ctx.cached((name, table.window, *rest)) if table is not None else None
    if found is not None:
        return found
    with _building:
        t = ctx.scores(window)
        return ctx.derived((name, t.window, *rest), lambda: serialise(t))


def _province(ctx: WebContext, province: str | None) -> None:
    """404 unless ``province`` (when given) is a province of the tree."""
    if province is not None and (province not in ctx.tree or ctx.tree.get(province).level != "province"):
        raise HTTPException(404, f"no province with code {province!r}")


def _unit(ctx: WebContext, unit: str) -> None:
    """404 for a unit the tree does not have — before anything is scored."""
    if unit not in ctx.tree:
        raise HTTPException(404, f"no unit with code {unit!r}")


def _headers(tag: str, max_age: int) -> dict[str, str]:
    return {"ETag": tag, "Cache-Control": f"private, max-age={max_age}", "Vary": "Authorization, Cookie"}


def _answer(request: Request, body: bytes, tag: str, max_age: int) -> Response:
    """A serialised answer with its ETag (304 when the client has it), like ``cached``."""
    headers = _headers(tag, max_age)
    wanted = [t.strip() for t in (request.headers.get("if-none-match") or "").split(",")]
    if "*" in wanted or tag in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/scores", summary="Điểm chỉ số phục vụ / index scores", responses=NOT_MODIFIED)
def api_scores(request: Request, window: str | None = Depends(window_of),
               province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES,
                                           description="only this province's units"),
               level: Literal["nation", "province", "department", "commune"] | None = None,
               view: ViewParam = None,
               principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Scores of every unit (or one province's units) for a window, the groups in ``view``."""
    _province(ctx, province)
    ctx.check_data()
    shown = _view(ctx.definition, view).code

    def serialise(t) -> tuple[bytes, str]:
        body = _serialised(score_document(t, province=province, level=level, view=_view(t.definition, shown)))
        return body, etag_of(body)

    body, tag = _built(ctx, window, "api.scores", (province, level, *_view_key(shown)), serialise)
    return _answer(request, body, tag, LONG)


@router.get("/rank", summary="Xếp hạng / ranking", responses=NOT_MODIFIED)
async def api_rank(request: Request,
                   level: str = Query("province", description="province, department or commune (any other: 400, "
                                      "as the ranking refuses it)", json_schema_extra={"enum": list(RANKED_LEVELS)}),
                   province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES),
                   window: str | None = Depends(window_of), view: ViewParam = None,
                   principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """A ranking among peers with score and rank changes, and each unit's group scores in ``view``.

    The answer depends on the window's scores only, so it is serialised once per window,
    level and province (3,321 communes nationally: ≈ 0.6 MB) and cached with the scores; a
    browser session's answer is also cached whole for the hot path (``chiso.web.hot``)."""
    from starlette.concurrency import run_in_threadpool

    _province(ctx, province)
    await ctx.check_data_async()
    generation = ctx.generation
    shown = _view(ctx.definition, view).code

    def serialise(t) -> tuple[bytes, str]:
        gv = _view(t.definition, shown)
        df = present_frame(t.ranking(level, province), gv)
        groups = [g.code for g in gv.groups]
        units = [{**{k: r[k] for k in ("unit_code", "name", "rank", "peers", "total", "band", "band_label",
                                       "score_change", "previous_rank", "rank_change")},
                  "groups": {g: r[g] for g in groups}} for r in df.iter_rows(named=True)]
        body = _serialised({"window": t.window, "previous_window": t.previous_window, "level": level,
                            "province": province, "group_view": view_document(gv), "units": units})
        return body, etag_of(body)

    def compute() -> tuple[bytes, str]:
        t = ctx.scores(window)
        return ctx.derived(("api.rank", t.window, level, province, *_view_key(shown)), lambda: serialise(t))

    cached_table = ctx.cached_scores(window)
    found = ctx.cached(("api.rank", cached_table.window, level, province, *_view_key(shown))) \
        if cached_table is not None else None
    body, tag = found if found is not None else await run_in_threadpool(compute)
    full = Response(body, media_type="application/json", headers=_headers(tag, LONG))
    hot.remember(request, ctx, principal, full, body=body, etag=tag, generation=generation)
    return _answer(request, body, tag, LONG)


@router.get("/whatif", summary="Giả định / what-if")
def api_whatif(unit: str = Query(pattern=CODE, examples=UNIT_EXAMPLES),
               set: list[Annotated[str, Query(pattern=LEVEL)]] = Query(
                   ..., min_length=1, max_length=50, examples=[["ON_TIME=0.9"]],
                   description="TARGET=RATIO: a criterion or group, 0–1 or %"),
               window: str | None = Depends(window_of),
               principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """The points a unit gains if criteria or groups reached given ratios."""
    _unit(ctx, unit)
    levels = parse_levels(set)
    targets = {c.code for c in ctx.definition.criteria} | {g.code for g in ctx.definition.groups}
    unknown = sorted(k for k in levels if k not in targets)
    if unknown:
        raise HTTPException(404, f"{', '.join(map(repr, unknown))}: neither a criterion nor a group of "
                                 f"{ctx.definition.code}")
    table = ctx.scores(window)
    try:
        return whatif(table, unit, levels)
    except (KeyError, ValueError) as e:  # not a criterion or group; a ratio out of 0–1: bad input
        raise HTTPException(400, e.args[0]) from None


@router.get("/levers", summary="Đòn bẩy cải thiện / levers", responses=NOT_MODIFIED)
def api_levers(request: Request, unit: str = Query(pattern=CODE, examples=UNIT_EXAMPLES),
               window: str | None = Depends(window_of),
               share: float = Query(0.9, gt=0, le=1, description="the share of full points to reach"),
               limit: int = Query(10, ge=1, le=100), principal: Principal = Depends(signed_in),
               ctx: WebContext = Depends(web_context)):
    """A unit's levers ranked by improvement potential (dư địa cải thiện)."""
    _unit(ctx, unit)
    t = ctx.scores(window)
    rows = levers(t, unit, share=share)
    return cached(request, {"unit": unit, "window": t.window, "share": share, "levers": rows[:limit]})


@router.get("/series", summary="Chuỗi điểm theo tuần / weekly series", responses=NOT_MODIFIED)
def api_series(request: Request, unit: str = Query(pattern=CODE, examples=UNIT_EXAMPLES),
               from_: Day | None = Query(None, alias="from", description="the first day (YYYY-MM-DD)"),
               to: Day | None = Query(None, description="the last day (default: the latest day with records)"),
               view: ViewParam = None,
               principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """A unit's total, rank and group scores (in ``view``) week by week (ISO weeks; default the last 12)."""
    _unit(ctx, unit)
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
    gv = _view(series.definition, view)
    groups = [g.code for g in gv.groups]
    frame = present_frame(series.units.filter(series.units["unit_code"] == unit), gv)
    points = {r["window"]: r for r in frame.to_dicts()}
    weeks = [{"window": w.label, "start": w.start.isoformat(), "end": w.end.isoformat(),
              **({k: points[w.label].get(k) for k in ("total", "rank", "peers", "band", "score_change",
                                                       "rank_change")} if w.label in points else
                 {"total": None, "rank": None}),
              "groups": {g: points[w.label].get(g) for g in groups} if w.label in points else {}}
             for w in scored.windows]
    return cached(request, {"unit": unit_to_dict(ctx.tree.get(unit)), "from": start.isoformat(),
                            "to": end.isoformat(), "group_view": view_document(gv), "weeks": weeks})


@router.get("/explain", summary="Hồ sơ sau điểm số / records behind a score")
def api_explain(unit: str = Query(pattern=CODE, examples=UNIT_EXAMPLES),
                criterion: str = Query(pattern=CODE, examples=["ON_TIME"]),
                window: str | None = Depends(window_of), all: bool = False,
                limit: int = Query(100, ge=0, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """The records behind a unit's criterion (by default those that lost it points)."""
    check_unit(principal, unit, ctx)
    if criterion not in {c.code for c in ctx.definition.criteria}:
        raise HTTPException(404, f"{criterion!r} is not a criterion of {ctx.definition.code}")
    with ctx.lock:
        return explain(ctx.definition, ctx.records, ctx.tree, unit, criterion, window, only_lost=not all,
                       limit=limit, offset=offset)
