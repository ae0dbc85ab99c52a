"""The JSON shapes of a score table: one place decides them (the CLI's ``--format json``,
its CSV rows and the API share them).

Groups are written as a group view shows them (``chiso.catalog.presentation``: ``six``, the
definition's own groups, by default; ``five`` merges online services and online payment into
one group of 22 points); criteria and the total are the same in every view."""
from __future__ import annotations

import math
from collections.abc import Iterable

from chiso.catalog.presentation import GroupView, present, six_view
from chiso.evaluate.scores import ScoreTable


def _clean(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def unit_document(table: ScoreTable, row: dict, criteria_rows: Iterable[dict], view: GroupView | None = None) -> dict:
    view = view or six_view(table.definition)
    crits = {}
    for r in criteria_rows:
        crits[r["criterion"]] = {
            "numerator": _clean(r["numerator"]), "denominator": _clean(r["denominator"]),
            "ratio": None if r["ratio"] is None else round(r["ratio"], 6),
            "points": _clean(r["points"]), "max": r["max"], "lost": _clean(r["lost"]),
            "group": r["group"], "inherited": bool(r["inherited"]),
            # False: the criterion's rule is not settled yet ("chưa xác định"): points None, never 0
            "determined": bool(r.get("determined", True)),
        }
    return {
        "code": row["unit_code"], "name": row["name"], "level": row["level"], "parent": row["parent_code"],
        "province": row["province_code"], "total": row["total"], "rank": row["rank"], "peers": row["peers"],
        "band": row["band"], "band_label": row["band_label"],
        "previous_total": row["previous_total"], "score_change": row["score_change"],
        "previous_rank": row["previous_rank"], "rank_change": row["rank_change"],
        "adjustment": row.get("adjustment"),
        # the total's scale: the maximum of the criteria whose rule is settled (100 when all are)
        "max_determined": row.get("max_determined"),
        "groups": {r.code: r.points for r in present(row, view)},
        "criteria": crits,
    }


def view_document(view: GroupView) -> dict:
    """The view's groups as a document states them: code, name, maximum, the definition's groups
    each is made of."""
    return {"code": view.code, "name": view.name, "name_en": view.name_en,
            "groups": [{"code": g.code, "name": g.name, "name_en": g.name_en, "max": g.max,
                        "members": list(g.members)} for g in view.groups]}


def score_document(table: ScoreTable, *, province: str | None = None, level: str | None = None,
                   view: GroupView | None = None) -> dict:
    view = view or six_view(table.definition)
    units = table.select(province=province, level=level)
    codes = set(units["unit_code"].to_list())
    by_unit: dict[str, list[dict]] = {}
    for r in table.criteria.filter(table.criteria["unit_code"].is_in(list(codes))).to_dicts():
        by_unit.setdefault(r["unit_code"], []).append(r)
    return {
        "index": table.definition.code, "version": table.definition.version, "window": table.window,
        "previous_window": table.previous_window,
        # the version that scored the window and any change of method inside it (None: no version chosen)
        "method": table.method.as_dict() if table.method is not None else None,
        "group_view": view_document(view),
        "units": [unit_document(table, row, by_unit.get(row["unit_code"], []), view) for row in units.to_dicts()],
    }


def score_rows(table: ScoreTable, *, province: str | None = None, level: str | None = None,
               view: GroupView | None = None) -> list[dict]:
    """Flat rows (one per unit) for CSV and tables, one column per group of ``view``."""
    view = view or six_view(table.definition)
    out = []
    for row in table.select(province=province, level=level).to_dicts():
        out.append({"window": table.window, "code": row["unit_code"], "name": row["name"], "level": row["level"],
                    "parent": row["parent_code"], "rank": row["rank"], "peers": row["peers"],
                    "total": row["total"], **{r.code: r.points for r in present(row, view)},
                    "band": row["band_label"],
                    "score_change": row["score_change"], "rank_change": row["rank_change"]})
    return out
