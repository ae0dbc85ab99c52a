"""Formula indicators computed in plain Python: the reference the SQL engines must match.

Row by row, with the reference evaluator (evaluate.py) and the same domain, period and
NULL rules as compute.py. Slow and simple on purpose: the parity tests hold DuckDB and
PostgreSQL to it on generated formulas and values.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import polars as pl

from chiso.catalog.indicator import Indicator
from chiso.engine.formulas import domain_codes
from chiso.engine.relation import SCHEMA, calendar, check_values, empty_values
from chiso.formula.ast import Node, PeriodRef
from chiso.formula.evaluate import evaluate
from chiso.formula.graph import dependency_order, indicator_formulas


def compute_reference(indicators: Mapping[str, Indicator], values: pl.DataFrame) -> pl.DataFrame:
    """What ``compute`` gives, computed without SQL."""
    formulas = indicator_formulas(indicators)
    order = dependency_order(formulas)
    values = check_values(values)
    if not order:
        return empty_values()
    cal = {(r["period"], r["period_kind"]): r for r in calendar(values).iter_rows(named=True)}
    # (code, unit, kind, period) → value; (code, unit, kind) → [(start, year, value)]
    cell: dict[tuple[str, str, str, str], float | None] = {}
    series: dict[tuple[str, str, str], list] = defaultdict(list)
    rows: dict[str, list[tuple]] = defaultdict(list)   # code → (unit, period, kind, start, end)

    def put(code, unit, period, kind, start, end, value):
        cell[(code, unit, kind, period)] = value
        series[(code, unit, kind)].append((start, cal[(period, kind)]["period_year"], value))
        rows[code].append((unit, period, kind, start, end))

    for r in values.filter(~pl.col("indicator").is_in(order)).iter_rows(named=True):
        put(r["indicator"], r["unit_code"], r["period"], r["period_kind"], r["period_start"],
            r["period_end"], r["value"])

    out = []
    for code in order:
        formula = formulas[code]
        keys = sorted({k for c in domain_codes(formula) for k in rows.get(c, ())}) if formula.references else []
        computed = []
        for unit, period, kind, start, end in keys:
            info = cal[(period, kind)]

            def leaf(node: Node, unit=unit, period=period, kind=kind, start=start, info=info):
                if not isinstance(node, PeriodRef):
                    return cell.get((node.code, unit, kind, period))
                if node.function == "annual":
                    return cell.get((node.code, unit, "year", info["annual"]))
                if node.function == "ytd":
                    present = [v for s, y, v in series.get((node.code, unit, kind), ())
                               if y == info["period_year"] and s <= start and v is not None]
                    return sum(present) if present else None
                other = info[node.function]  # previous / last_year
                return None if other is None else cell.get((node.code, unit, kind, other))

            computed.append((unit, period, kind, start, end, evaluate(formula.tree, leaf)))
        for unit, period, kind, start, end, value in computed:
            put(code, unit, period, kind, start, end, value)
            out.append((code, unit, period, kind, start, end, value, indicators[code].version))
    return (pl.DataFrame(out, schema=SCHEMA, orient="row")
            .sort("indicator", "unit_code", "period_kind", "period_start"))
