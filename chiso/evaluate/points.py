"""From counts to points: ratio → conversion → rounding, vectorised over units.

``points = min(max, max × ratio / full_at)``, each criterion rounded half-up to the
definition's digits (2); a group is the sum of its rounded criteria. An empty
denominator scores by the criterion's ``when_empty``: ``zero``, ``full`` or ``null``
(no score, counted as 0 in sums).

>>> round_half_up(15.675, 2), round_half_up(5.2233, 2)
(15.68, 5.22)
"""
from __future__ import annotations

import math

import numpy as np
import polars as pl

from chiso.catalog.index_definition import Criterion

# Products like 20 × 0.78375 land a hair below the half in binary floating point; a
# tolerance far below a hundredth of a point puts them back where decimal arithmetic
# (the portal's) has them.
_EPS = 1e-9


def round_half_up(x: float, digits: int = 2) -> float:
    """Round half away from zero (scores are never negative, so half up)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return x
    f = 10.0 ** digits
    # the final round() only trims the binary representation (89.57000000000001 → 89.57)
    return round(math.floor(abs(x) * f + 0.5 + _EPS) / f * (1 if x >= 0 else -1), digits)


def round_half_up_expr(col: pl.Expr, digits: int) -> pl.Expr:
    f = 10.0 ** digits
    return (((col.abs() * f + 0.5 + _EPS).floor() / f) * col.sign()).round(digits)


def criterion_points(c: Criterion, numerator: pl.Expr, denominator: pl.Expr, digits: int) -> tuple[pl.Expr, pl.Expr]:
    """(ratio, points) expressions for one criterion, given numerator and denominator expressions."""
    empty = denominator.is_null() | (denominator <= 0)
    ratio = pl.when(empty).then(None).otherwise(numerator.cast(pl.Float64) / denominator.cast(pl.Float64))
    raw = (ratio * (c.max / c.full_at)).clip(0.0, c.max)
    if c.when_empty == "full":
        on_empty = pl.lit(c.max)
    elif c.when_empty == "zero":
        on_empty = pl.lit(0.0)
    else:
        on_empty = pl.lit(None, pl.Float64)
    points = pl.when(empty).then(on_empty).otherwise(round_half_up_expr(raw, digits))
    return ratio, points


def points_from_ratio(c: Criterion, ratio: float | None, digits: int) -> float | None:
    """The same rule for one ratio (what-if)."""
    if ratio is None:
        return {"full": c.max, "zero": 0.0, "null": None}[c.when_empty]
    return round_half_up(float(np.clip(ratio * c.max / c.full_at, 0.0, c.max)), digits)
