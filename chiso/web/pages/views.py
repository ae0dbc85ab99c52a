"""What the IOC pages ask the services for (dữ liệu cho các trang): scores, weekly trends,
rankings with search and sort, and who may open which unit page.

Views only ask (style habit 9): scores come from ``WebContext.scores`` (the evaluate
service, cached per window), weekly trends from one scan of the record store scored in one
vectorised pass (``chiso.evaluate.scores.score_counts``), cached per window on the app.
"""
from __future__ import annotations

import polars as pl
from fastapi import HTTPException

from chiso import settings
from chiso.catalog.indicator import DEFAULT_FIELDS
from chiso.evaluate import paging
from chiso.evaluate.dm.service import status_report
from chiso.evaluate.dm.warnings import SEVERITIES
from chiso.evaluate.scores import RANKED_LEVELS
from chiso.evaluate.service import score_series
from chiso.periods.windows import parse_window, week_of
from chiso.store.models_evaluation import WARNING_SEVERITIES, WarningRow
from chiso.store.repo_evaluation import warning_to_dict
from chiso.units.registry import fold
from chiso.web.context import DM_VALUES, WebContext

LEVELS = RANKED_LEVELS
SORTS = ("rank", "name", "score", "change", "rank_change")
PAGE_SIZE = 50
TREND_WEEKS = 12

def scores(ctx: WebContext, window: str | None):
    """The ScoreTable of ``window`` (default: the latest week); a chiso error is raised on
    (answered by ``chiso.web.errors``)."""
    return ctx.scores(window or None)


def home_province(principal, tree) -> str:
    """The principal's province (the setting ``CHISO_PROVINCE`` for one without)."""
    code = getattr(principal, "province_code", None) or settings.get("CHISO_PROVINCE")
    if code not in tree:
        raise HTTPException(404, f"tỉnh {code!r} không có trong danh sách đơn vị / unknown province {code!r}")
    return code


def sees_whole_province(principal) -> bool:
    """Leaders, viewers and administrators read the whole province; heads and officers their unit."""
    return principal.role in ("admin", "leader", "viewer")


def weekly_series(ctx: WebContext, app_state, window: str, weeks: int = TREND_WEEKS) -> pl.DataFrame:
    """Every scored unit's weekly ``total``, ``rank``, ``peers`` and group scores for the
    ``weeks`` ISO weeks ending with ``window``'s last week (one record scan), cached per window
    in ``ctx.weekly`` (dropped with the scores, ``forget_scores``)."""

    def build() -> pl.DataFrame:
        last = week_of(parse_window(window).end)
        first = last
        for _ in range(weeks - 1):
            first = first.previous()
        with ctx.lock:
            series = score_series(ctx.definition, ctx.records, ctx.tree, first.start, last.end).scores
        groups = [g.code for g in ctx.definition.groups]
        return series.units.select("window", "unit_code", "level", "total", "rank", "peers", *groups)

    return ctx.weekly.get_or_build((window, weeks), build)


def unit_trend(frame: pl.DataFrame, unit_code: str) -> list[dict]:
    """One unit's rows of a weekly series, oldest first."""
    return frame.filter(pl.col("unit_code") == unit_code).sort("window").to_dicts()


NATIONAL = "all"


def ranking_scope(asked: str | None, home: str, tree) -> str | None:
    """Whose departments or communes a ranking lists: ``home`` when nothing is asked, a
    province code, or ``None`` for every province (``?province=all``)."""
    if asked is None or asked == "":
        return home
    if asked == NATIONAL:
        return None
    if asked not in tree or tree.get(asked).level != "province":
        raise HTTPException(400, f"tỉnh {asked!r} không có trong danh sách đơn vị; dùng mã tỉnh hoặc "
                                 f"{NATIONAL!r} (cả nước) / unknown province {asked!r}: give a province code "
                                 f"or {NATIONAL!r} (nationally)")
    return asked


def ranking(table, *, level: str, province: str | None, q: str = "", sort: str = "rank") -> pl.DataFrame:
    """A ranking among peers: provinces nationally, or one province's departments or communes
    (``province=None``: every province's, each ranked within its own); ``q`` filters by name
    without regard to diacritics or case, ``sort`` orders it."""
    if sort not in SORTS:
        raise HTTPException(400, f"cách sắp xếp {sort!r} không hợp lệ: {', '.join(SORTS)} / sort must be one "
                                 f"of {', '.join(SORTS)}")
    df = table.ranking(level, province)  # a level it does not rank: ChisoError (400)
    if q.strip():
        needle = fold(q.strip())
        df = df.filter(pl.col("name").map_elements(lambda n: needle in fold(n), return_dtype=pl.Boolean))
    order = {"rank": (["rank", "unit_code"], [False, False]),
             "name": (["name"], [False]),
             "score": (["total", "unit_code"], [True, False]),
             "change": (["score_change", "rank"], [True, False]),
             "rank_change": (["rank_change", "rank"], [True, False])}[sort]
    return df.sort(order[0], descending=order[1], nulls_last=True)


def movers(df: pl.DataFrame, n: int = 5) -> tuple[list[dict], list[dict]]:
    """The ``n`` biggest climbers and fallers by score change."""
    moved = df.filter(pl.col("score_change").is_not_null())
    up = moved.filter(pl.col("score_change") > 0).sort("score_change", descending=True).head(n).to_dicts()
    down = moved.filter(pl.col("score_change") < 0).sort("score_change").head(n).to_dicts()
    return up, down


def page_of(df: pl.DataFrame, page: int, size: int = PAGE_SIZE) -> dict:
    """One page of rows with what the pager macro needs (``chiso.evaluate.paging``)."""
    return paging.page_of(df, page, size)


def open_warnings(ctx: WebContext, province: str, principal, limit: int = 5) -> dict:
    """Open warnings the principal may read: counts by severity and the first ``limit``
    (most severe, then newest — the order of ``list_warnings``).

    Counted and limited in SQL: the overview asks on every request, and a province holds
    hundreds of open warnings (loading them all cost ≈ 40 ms a request)."""
    from sqlalchemy import case, func, select

    where = [WarningRow.province_code == province, WarningRow.state == "open"]
    if not sees_whole_province(principal):  # heads and officers: their own unit's, or theirs to act on
        unit = principal.unit_code if principal.unit_code in ctx.tree else None
        where.append((WarningRow.unit_code == unit) | (WarningRow.responsible_unit == unit))
    severity_rank = case({sev: i for i, sev in enumerate(SEVERITIES)}, value=WarningRow.severity, else_=-1)
    with ctx.database.session() as s:
        found = dict(s.execute(select(WarningRow.severity, func.count()).where(*where)
                               .group_by(WarningRow.severity)).all())
        top = [warning_to_dict(r) for r in s.scalars(
            select(WarningRow).where(*where)
            .order_by(severity_rank.desc(), WarningRow.updated_at.desc(), WarningRow.id).limit(limit))]
    counts = {sev: found.get(sev, 0) for sev in reversed(WARNING_SEVERITIES)}
    return {"total": sum(found.values()), "by_severity": counts, "top": top}


#: The overview's open-warnings panel is read from the store at most this often (seconds) per
#: province and viewer; a warning acknowledged or resolved through this process shows at once.
WARNINGS_SECONDS = 10.0


def open_warnings_cached(ctx: WebContext, province: str, principal, limit: int = 5) -> dict:
    """``open_warnings`` cached ``WARNINGS_SECONDS`` per province and what the principal sees
    (all the province's, or their own unit's); ``forget_warnings`` drops it."""
    scope = None if sees_whole_province(principal) else principal.unit_code
    return ctx.short_lived(("warnings", province, scope, limit), WARNINGS_SECONDS,
                           lambda: open_warnings(ctx, province, principal, limit))


def forget_warnings(ctx: WebContext) -> None:
    """After a warning changed through the web (acknowledged, resolved): drop the cached counts
    and the pages built from them."""
    ctx.forget_short("warnings")


DM_STATUS_SECONDS = 300


def dm_off_track_cached(ctx: WebContext, province: str) -> dict:
    """``dm_off_track`` cached for five minutes per province (values change by submission, not by
    the second; the warnings centre and indicator pages show the live state)."""
    return ctx.short_lived((DM_VALUES, "off-track", province), DM_STATUS_SECONDS, lambda: dm_off_track(ctx, province))


def dm_off_track(ctx: WebContext, province: str) -> dict:
    """The province's DM indicators by field: how many are off track, at risk, on track, without data."""
    with ctx.database.session() as s:
        report = status_report(s, province)
    fields: dict[str, dict] = {}
    for row in report["indicators"]:
        code = row["field"]
        vi, en = DEFAULT_FIELDS.get(code, (code, code))
        f = fields.setdefault(code, {"code": code, "name": vi, "name_en": en, "statuses": {}, "indicators": 0,
                                     "off": []})
        f["indicators"] += 1
        f["statuses"][row["status"]] = f["statuses"].get(row["status"], 0) + 1
        if row["status"] == "off_track":
            f["off"].append(row)
    order = list(DEFAULT_FIELDS)
    out = sorted(fields.values(), key=lambda f: order.index(f["code"]) if f["code"] in order else 99)
    return {"fields": out, "indicators": len(report["indicators"])}
