"""Chênh lệch với Cổng DVCQG: chiso's own scores beside the ones the national portal publishes
(issue 15, part A).

For a window, per unit and item (the total, a group, a criterion) the portal published a
figure for (``portal_figures``, kept by a ``target: portal`` connector), chiso's own score
(the ``ScoreTable`` the web computes from the province's records), the portal's, the
difference (chiso − portal) and whether it lies within ``CHISO_PORTAL_TOLERANCE`` points.
Where the portal publishes the counts behind a criterion, the reason is told in counts: which
side counted more records and how many ("Cổng DVCQG tính 184.513 hồ sơ tiếp nhận trong kỳ,
chiso có 184.020: 493 hồ sơ có trên Cổng mà chiso chưa có"); a group's or the total's gap is
traced to the criterion with the largest gap beneath it. Largest gaps first.

A reason is a code with its numbers (``reason``, ``reason_values``): the words, in Vietnamese
and English, are the web's (``chiso/web/messages/reconcile.*.yaml``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from chiso import settings
from chiso.errors import SettingsError
from chiso.evaluate.scores import ScoreTable
from chiso.store.models_portal import TOTAL

#: The levels the page filters by (sở/ngành = department, xã/phường = commune).
LEVELS = ("province", "department", "commune")
#: Differences this small are the floating point's, not the portal's.
EPSILON = 1e-9


def tolerance(env: Mapping[str, str] | None = None) -> float:
    """``CHISO_PORTAL_TOLERANCE``: points a score may differ by and still agree (≥ 0)."""
    text = settings.get("CHISO_PORTAL_TOLERANCE", dict(env) if env is not None else None)
    try:
        value = float(str(text).replace(",", "."))
    except ValueError:
        raise SettingsError(f"CHISO_PORTAL_TOLERANCE must be a number of points, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise SettingsError(f"CHISO_PORTAL_TOLERANCE must be 0 or more points, not {text!r}")
    return value


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _item_kind(table: ScoreTable, item: str) -> str:
    if item == TOTAL:
        return "total"
    return "group" if item in {g.code for g in table.definition.groups} else "criterion"


def _denominator_measure(table: ScoreTable, criterion: str):
    try:
        c = table.definition.criterion(criterion)
    except KeyError:
        return None
    if not c.denominator:
        return None
    return table.definition.measures.get(c.denominator[0][1])


def _count_reason(table: ScoreTable, item: str, ours: Mapping[str, float | None],
                  published: Mapping[str, float | None]) -> tuple[str, dict] | None:
    """Why a criterion differs, told by its counts (when the portal published them)."""
    den_p, den_o = published.get("denominator"), ours.get("denominator")
    num_p, num_o = published.get("numerator"), ours.get("numerator")
    measure = _denominator_measure(table, item)
    what = {"measure": measure.name if measure else None,
            "measure_label": (measure.label[:1].lower() + measure.label[1:]) if measure and measure.label else None,
            "records": measure.records if measure else None}
    if den_p is not None and den_o is not None and round(den_p) != round(den_o):
        code = "fewer_on_portal" if den_o > den_p else "more_on_portal"
        return code, {"published": den_p, "ours": den_o, "gap": abs(den_o - den_p), **what}
    if num_p is not None and num_o is not None and round(num_p) != round(num_o):
        return "numerator_differs", {"published": num_p, "ours": num_o, "gap": abs(num_o - num_p),
                                     "denominator": den_p if den_p is not None else den_o, **what}
    if den_p is not None or num_p is not None:
        return "same_counts", {"denominator": den_p, "numerator": num_p, **what}
    return None


def reconcile(table: ScoreTable, figures: Iterable[Mapping[str, Any]], *, tolerance: float,
              units: Iterable[str] | None = None, level: str | None = None) -> list[dict[str, Any]]:
    """One row per (unit, item) the portal published a figure for, largest gap first.

    ``figures``: ``chiso.store.repo_portal.figures`` (unit_code, item, kind, value, connector,
    fetched_at); ``units``: only these units' rows (a unit's own rows for its staff); ``level``:
    province, department or commune only.
    """
    wanted = set(units) if units is not None else None
    unit_rows = {r["unit_code"]: r for r in table.units.iter_rows(named=True)}
    crit_rows = {(r["unit_code"], r["criterion"]): r for r in table.criteria.iter_rows(named=True)}
    published: dict[tuple[str, str], dict[str, Any]] = {}
    for f in figures:
        if wanted is not None and f["unit_code"] not in wanted:
            continue
        entry = published.setdefault((f["unit_code"], f["item"]), {"values": {}, "connector": f.get("connector"),
                                                                      "fetched_at": f.get("fetched_at")})
        entry["values"][f["kind"]] = _num(f["value"])
        if f.get("fetched_at") is not None and (entry["fetched_at"] is None or f["fetched_at"] > entry["fetched_at"]):
            entry["fetched_at"] = f["fetched_at"]
    rows: list[dict[str, Any]] = []
    for (code, item), entry in published.items():
        unit = unit_rows.get(code)
        if level is not None and (unit or {}).get("level") != level:
            continue
        kind = _item_kind(table, item)
        crit = crit_rows.get((code, item)) if kind == "criterion" else None
        ours_counts = {"numerator": _num((crit or {}).get("numerator")),
                       "denominator": _num((crit or {}).get("denominator"))}
        if unit is None:
            ours = None
        elif kind == "total":
            ours = _num(unit.get("total"))
        elif kind == "group":
            ours = _num(unit.get(item))
        else:
            ours = _num((crit or {}).get("points"))
        theirs = entry["values"].get("score")
        difference = None if ours is None or theirs is None else round(ours - theirs, 6)
        within = None if difference is None else abs(difference) <= tolerance + EPSILON
        rows.append({
            "unit_code": code, "name": (unit or {}).get("name") or code, "level": (unit or {}).get("level"),
            "item": item, "item_kind": kind,
            "group": (table.definition.criterion(item).group if kind == "criterion" else None),
            "ours": ours, "published": theirs, "difference": difference, "within": within,
            "ours_numerator": ours_counts["numerator"], "ours_denominator": ours_counts["denominator"],
            "published_numerator": entry["values"].get("numerator"),
            "published_denominator": entry["values"].get("denominator"),
            "connector": entry["connector"], "fetched_at": entry["fetched_at"],
            "reason": None, "reason_values": {},
        })
    _explain(table, rows)
    rows.sort(key=lambda r: (r["difference"] is None, -abs(r["difference"] or 0.0), r["name"], _order(table, r)))
    return rows


def _order(table: ScoreTable, row: Mapping[str, Any]) -> int:
    order = [TOTAL, *(g.code for g in table.definition.groups), *(c.code for c in table.definition.criteria)]
    return order.index(row["item"]) if row["item"] in order else len(order)


def _explain(table: ScoreTable, rows: Sequence[dict[str, Any]]) -> None:
    """Give each row beyond tolerance (or without a score to compare) its reason."""
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_unit.setdefault(r["unit_code"], []).append(r)
    for r in rows:
        if r["within"]:
            continue
        if r["ours"] is None and r["published"] is not None:
            r["reason"], r["reason_values"] = "not_scored", {}
            continue
        if r["item_kind"] == "criterion":
            told = _count_reason(table, r["item"],
                                 {"numerator": r["ours_numerator"], "denominator": r["ours_denominator"]},
                                 {"numerator": r["published_numerator"], "denominator": r["published_denominator"]})
            if told is not None:
                r["reason"], r["reason_values"] = told
            elif r["difference"] is not None:
                r["reason"], r["reason_values"] = "no_detail", {}
            continue
        if r["difference"] is None:
            continue
        beneath = [c for c in by_unit[r["unit_code"]] if c["item_kind"] == "criterion" and c["difference"] is not None
                   and (r["item_kind"] == "total" or c["group"] == r["item"]) and not c["within"]]
        if beneath:
            worst = max(beneath, key=lambda c: abs(c["difference"]))
            r["reason"], r["reason_values"] = "criterion", {"criterion": worst["item"],
                                                            "difference": worst["difference"]}
        elif r["item_kind"] == "total":
            groups = [g for g in by_unit[r["unit_code"]] if g["item_kind"] == "group" and g["difference"] is not None
                      and not g["within"]]
            if groups:
                worst = max(groups, key=lambda g: abs(g["difference"]))
                r["reason"], r["reason_values"] = "group", {"group": worst["item"], "difference": worst["difference"]}
            else:
                r["reason"], r["reason_values"] = "no_detail", {}
        else:
            r["reason"], r["reason_values"] = "no_detail", {}


def summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many rows were compared, agree, differ, and could not be compared."""
    return {"rows": len(rows), "within": sum(1 for r in rows if r["within"] is True),
            "beyond": sum(1 for r in rows if r["within"] is False),
            "not_compared": sum(1 for r in rows if r["within"] is None)}
