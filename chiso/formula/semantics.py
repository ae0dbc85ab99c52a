"""What formula operations mean on numbers that may be missing (NULL), in plain Python.

These few rules are the specification the SQL compiler reproduces on every engine and
the reference evaluator applies; keep them side by side:

- arithmetic with a NULL operand gives NULL; ``x / 0`` gives NULL (SQL: ``NULLIF``);
- ``min``/``max`` skip NULL arguments (NULL only when all are NULL) — as LEAST/GREATEST
  do in DuckDB, PostgreSQL and Spark, and as a spreadsheet's MIN skips empty cells;
- ``coalesce`` gives its first argument that is not NULL;
- comparisons with a NULL side are unknown; ``and``/``or``/``not`` are three-valued
  (SQL's logic); ``if`` gives NULL when its condition is unknown;
- ``round(x, n)`` rounds half away from zero through one formula on binary floating
  point, written identically in SQL: ``floor(|x| × 10ⁿ + HALF) ÷ 10ⁿ`` with the sign of
  ``x`` (for n < 0, ``floor(|x| ÷ 10⁻ⁿ + HALF) × 10⁻ⁿ``). ``HALF`` is 0.5 plus 1e-9, so
  a number whose decimal form ends in 5 but whose binary form falls a hair short
  (2.675 → 267.49999999999997) still rounds up, as decimal arithmetic would.

>>> round_half_away(2.675, 2), round_half_away(-2.5, 0), round_half_away(1234.5, -2)
(2.68, -3.0, 1200.0)
>>> divide(1.0, 0.0) is None
True
"""
from __future__ import annotations

import math

HALF = 0.5 + 1e-9


def scale(digits: int) -> float:
    """10 to the power |digits|, as an exact double (|digits| ≤ 22)."""
    return float(10 ** abs(digits))


def round_half_away(x: float | None, digits: int = 0) -> float | None:
    if x is None:
        return None
    f = scale(digits)
    if digits >= 0:
        r = math.floor(abs(x) * f + HALF) / f
    else:
        r = math.floor(abs(x) / f + HALF) * f
    return -r if x < 0 else r


def divide(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def least(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def greatest(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def coalesce(values: list[float | None]) -> float | None:
    return next((v for v in values if v is not None), None)


def both_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def either_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False
