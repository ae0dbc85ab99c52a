"""The JSON shapes of a score table: one place decides them (the CLI's ``--format json``,
its CSV rows and the API share them)."""
from __future__ import annotations

import math
from collections.abc import Iterable

from chiso.evaluate.scores import ScoreTable


def _clean(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def unit_document(table: ScoreTable, row: dict, criteria_rows: Iterable[dict]) -> dict:
    d = table.definition
    crits = {}
    for r in criteria_rows:
        crits[r["criterion"]] = {
            "numerator": _clean(r["numerator"]), "denominator": _clean(r["denominator"]),
            "ratio": None if r["ratio"] is None else round(r["ratio"], 6),
            "points": _clean(r["points"]), "max": r["max"], "lost": _clean(r["lost"]),
            "group": r["group"], "inherited": bool(r["inherited"]),
        }
    return {
        "code": row["unit_code"], "name": row["name"], "level": row["level"], "parent": row["parent_code"],
        "province": row["province_code"], "total": row["total"], "rank": row["rank"], "peers": row["peers"],
        "band": row["band"], "band_label": row["band_label"],
        "previous_total": row["previous_total"], "score_change": row["score_change"],
        "previous_rank": row["previous_rank"], "rank_change": row["rank_change"],
        "adjustment": row.get("adjustment"),
        "groups": {g.code: row[g.code] for g in d.groups},
        "criteria": crits,
    }


def score_document(table: ScoreTable, *, province: str | None = None, level: str | None = None) -> dict:
    units = table.select(province=province, level=level)
    codes = set(units["unit_code"].to_list())
    by_unit: dict[str, list[dict]] = {}
    for r in table.criteria.filter(table.criteria["unit_code"].is_in(list(codes))).to_dicts():
        by_unit.setdefault(r["unit_code"], []).append(r)
    return {
        "index": table.definition.code, "version": table.definition.version, "window": table.window,
        "previous_window": table.previous_window,
        "units": [unit_document(table, row, by_unit.get(row["unit_code"], [])) for row in units.to_dicts()],
    }


def score_rows(table: ScoreTable, *, province: str | None = None, level: str | None = None) -> list[dict]:
    """Flat rows (one per unit) for CSV and tables."""
    groups = [g.code for g in table.definition.groups]
    out = []
    for row in table.select(province=province, level=level).to_dicts():
        out.append({"window": table.window, "code": row["unit_code"], "name": row["name"], "level": row["level"],
                    "parent": row["parent_code"], "rank": row["rank"], "peers": row["peers"],
                    "total": row["total"], **{g: row[g] for g in groups}, "band": row["band_label"],
                    "score_change": row["score_change"], "rank_change": row["rank_change"]})
    return out
