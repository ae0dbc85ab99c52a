"""What the national portal "publishes" for the reconciliation tests: figures built from the demo
site's own scores of Bắc Ninh (24), week ``WINDOW``, with known disagreements — never presented as
the portal's real figures.

- the province: the portal counts ``EXTRA`` more received dossiers than chiso (its ON_TIME
  points, PROGRESS and total are what those counts give: a consistent portal);
- Sở Tài chính (24-STC): its SATISFACTION 0.004 points below chiso's (within the tolerance);
- Sở Y tế (24-SYT): DOSSIER_RECEIVING_SATISFACTION with chiso's very counts, 0.05 points less;
- the first commune: its total 1.5 points below chiso's, no counts behind it.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from chiso.store import repo_portal
from chiso.store.repo_portal import Figure

CONNECTOR = "cong-dvcqg-thu"
EXTRA = 493
PROVINCE = "24"


def half_up(value: float, digits: int = 2) -> float:
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def first_commune(table) -> str:
    return sorted(table.select(province=PROVINCE, level="commune")["unit_code"].to_list())[0]


def figures(table) -> list[Figure]:
    w = table.window
    unit = {r["unit_code"]: r for r in table.units.iter_rows(named=True)}
    crit = {(r["unit_code"], r["criterion"]): r for r in table.criteria.iter_rows(named=True)}
    on_time = crit[(PROVINCE, "ON_TIME")]
    numerator, denominator = int(on_time["numerator"]), int(on_time["denominator"]) + EXTRA
    published_points = half_up(min(20.0, 20.0 * numerator / denominator))
    gap = on_time["points"] - published_points
    drs = crit[("24-SYT", "DOSSIER_RECEIVING_SATISFACTION")]
    commune = first_commune(table)
    return [
        Figure(PROVINCE, w, "ON_TIME", "score", published_points),
        Figure(PROVINCE, w, "ON_TIME", "numerator", numerator),
        Figure(PROVINCE, w, "ON_TIME", "denominator", denominator),
        Figure(PROVINCE, w, "PROGRESS", "score", half_up(unit[PROVINCE]["PROGRESS"] - gap)),
        Figure(PROVINCE, w, "total", "score", half_up(unit[PROVINCE]["total"] - gap)),
        Figure("24-STC", w, "SATISFACTION", "score", round(unit["24-STC"]["SATISFACTION"] - 0.004, 3)),
        Figure("24-SYT", w, "DOSSIER_RECEIVING_SATISFACTION", "score", half_up(drs["points"] - 0.05)),
        Figure("24-SYT", w, "DOSSIER_RECEIVING_SATISFACTION", "numerator", drs["numerator"]),
        Figure("24-SYT", w, "DOSSIER_RECEIVING_SATISFACTION", "denominator", drs["denominator"]),
        Figure(commune, w, "total", "score", half_up(unit[commune]["total"] - 1.5)),
    ]


def publish(site) -> list[Figure]:
    """Keep the figures in the site's store (idempotent: the same values again change nothing)."""
    table = site.app.state.ctx.scores(site.window)
    found = figures(table)
    with site.db.session() as s:
        repo_portal.save_figures(s, CONNECTOR, found, sha256="0" * 64, by="test")
    return found
