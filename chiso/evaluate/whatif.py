"""Improvement potential (dư địa cải thiện): what a unit gains if a lever reached a ratio.

- A **criterion** level is a ratio of its numerator to its denominator (``ON_TIME=0.95``);
  the points follow the criterion's conversion rule.
- A **group** level is a share of the group's maximum (``ONLINE_SERVICE=0.9``: 90% of 12 =
  10.8 points), the way bulletins speak of a group ("online services at 70.7%").
- A criterion whose rule is not yet settled ("chưa xác định") is no lever: asking what if it
  reached a level is refused, and a group counts only its determined part's maximum.

"Reached" means at least: a lever already above its level keeps its points (gain 0). (These
levels are not indicator *targets*, which are goals set for indicators: ``chiso.evaluate.dm``.)

Gains are differences of rounded points, so they add up to the change of the total.
"""
from __future__ import annotations

from chiso.errors import ChisoError
from chiso.evaluate.points import points_from_ratio, round_half_up
from chiso.evaluate.scores import ScoreTable


def whatif(table: ScoreTable, unit_code: str, levels: dict[str, float]) -> dict:
    """The unit's total before and after its levers reach ``levels``; ``changes`` lists each lever's gain."""
    d = table.definition
    unit = table.unit(unit_code)
    crit_rows = {r["criterion"]: r for r in table.unit_criteria(unit_code).to_dicts()}
    group_points = {g.code: float(unit[g.code] or 0.0) for g in d.groups}
    new_groups = dict(group_points)
    changes = []
    criteria_codes = {c.code for c in d.criteria}
    group_codes = {g.code for g in d.groups}
    for code, ratio in levels.items():
        if code not in criteria_codes and code not in group_codes:
            raise KeyError(f"{code!r} is neither a criterion nor a group of {d.code}")
        if code in criteria_codes and not d.criterion(code).determined:
            raise ChisoError(f"tiêu chí {code} chưa xác định cách tính: không thể giả định / "
                             f"{code} is not yet determined")
        if code in group_codes and not d.group(code).determined:
            raise ChisoError(f"nhóm {code} chưa xác định cách tính: không thể giả định / "
                             f"{code} is not yet determined")
        if not 0 <= ratio <= 1:
            raise ValueError(f"{code}: the target ratio must be between 0 and 1, not {ratio}")
    # criteria first, then groups (a group target sets the group as a whole)
    for code, ratio in levels.items():
        if code in criteria_codes:
            c = d.criterion(code)
            row = crit_rows.get(code, {})
            before = row.get("points")
            before = 0.0 if before is None else float(before)
            after = max(before, points_from_ratio(c, ratio, d.digits) or 0.0)
            gain = round_half_up(after - before, d.digits)
            new_groups[c.group] = new_groups[c.group] + gain
            changes.append({"target": code, "kind": "criterion", "group": c.group,
                            "ratio_before": row.get("ratio"), "ratio_after": ratio,
                            "points_before": before, "points_after": after, "max": c.max, "gain": gain})
    for code, share in levels.items():
        if code in group_codes:
            g = d.group(code)
            top = g.max_determined  # the determined part: an undetermined criterion has no points to reach
            before = new_groups[code]
            after = max(before, round_half_up(share * top, d.digits))
            gain = round_half_up(after - before, d.digits)
            new_groups[code] = after
            changes.append({"target": code, "kind": "group", "group": code,
                            "ratio_before": round(group_points[code] / top, 4), "ratio_after": share,
                            "points_before": before, "points_after": after, "max": top, "gain": gain})
    before_total = float(unit["total"])
    gain = round_half_up(sum(c["gain"] for c in changes), d.digits)
    after_total = round_half_up(min(d.max_determined, before_total + gain), d.digits)
    return {"unit": unit_code, "name": unit["name"], "window": table.window, "before": before_total,
            "after": after_total, "gain": round_half_up(after_total - before_total, d.digits),
            "changes": changes}


def levers(table: ScoreTable, unit_code: str, *, share: float = 0.9) -> list[dict]:
    """The unit's levers ranked by gain: each criterion and group, with the points it loses
    now, the gain at full points, and the gain if it reached ``share`` (criterion: that
    share of its full-points ratio; group: that share of its maximum)."""
    d = table.definition
    unit = table.unit(unit_code)
    out = []
    for row in table.unit_criteria(unit_code).to_dicts():
        c = d.criterion(row["criterion"])
        if not c.determined:
            continue  # chưa xác định: no points to gain or lose yet
        points = float(row["points"] or 0.0)
        at_share = points_from_ratio(c, share * c.full_at, d.digits) or 0.0
        out.append({"code": c.code, "kind": "criterion", "group": c.group, "name": c.name,
                    "ratio": row["ratio"], "points": points, "max": c.max,
                    "lost": round_half_up(c.max - points, d.digits),
                    "gain_at_share": round_half_up(max(0.0, at_share - points), d.digits)})
    for g in d.groups:
        if not g.determined:
            continue  # chưa xác định: no points to gain or lose yet
        top = g.max_determined  # the determined part of the group
        points = float(unit[g.code] or 0.0)
        out.append({"code": g.code, "kind": "group", "group": g.code, "name": g.name,
                    "ratio": round(points / top, 4), "points": points, "max": top,
                    "lost": round_half_up(top - points, d.digits),
                    "gain_at_share": round_half_up(max(0.0, share * top - points), d.digits)})
    out.sort(key=lambda r: (-r["gain_at_share"], -r["lost"], r["code"]))
    return out


def parse_levels(sets: list[str]) -> dict[str, float]:
    """What-if levels from ``LEVER=RATIO`` texts (0.9 or 90%), as the CLI and the API take them."""
    out = {}
    for s in sets:
        if "=" not in s:
            raise ChisoError(f"--set {s!r}: write TARGET=RATIO, e.g. ONLINE_SERVICE=0.9")
        k, v = s.split("=", 1)
        try:
            out[k.strip().upper()] = float(v.replace(",", ".").rstrip("%")) / (100 if v.strip().endswith("%") else 1)
        except ValueError:
            raise ChisoError(f"--set {s!r}: {v!r} is not a ratio (0.9 or 90%)") from None
    return out
