"""Plain helpers shared by the tests: the PostgreSQL URL, skipping rules, small factories.

Fixtures live in ``tests/conftest.py``; what a test imports by name lives here.
"""
from __future__ import annotations

import os
from collections.abc import Iterable

import polars as pl
import pytest
from sqlalchemy.engine import make_url

from chiso.catalog.indicator import Aggregation, Indicator
from chiso.engine.relation import SCHEMA
from chiso.periods.windows import parse_window

POSTGRES_URL = os.environ.get("CHISO_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_unavailable(reason: str) -> None:
    """Skip, or fail under CI=true, because PostgreSQL cannot be used."""
    message = f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} unavailable: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def indicator(code: str, formula: str | None = None, *, version: int = 1,
              levels: tuple[str, ...] = ("province", "commune"), **aggregation) -> Indicator:
    """A catalogue entry with only what formulas and aggregation look at."""
    return Indicator(code=code, name=f"Chỉ số {code}", name_en=code, definition="thử nghiệm",
                     group="output", field="FINANCE", unit="tỷ đồng", source_system="thử",
                     owner="24", formula=formula, version=version, levels=levels,
                     aggregation=Aggregation(**aggregation) if aggregation else Aggregation())


def catalogue(*items: Indicator) -> dict[str, Indicator]:
    return {i.code: i for i in items}


def relation(rows: Iterable[tuple[str, str, str, float | None]], version: int = 1) -> pl.DataFrame:
    """A values relation from (indicator, unit, period label, value) rows."""
    out = []
    for code, unit, period, value in rows:
        w = parse_window(period)
        out.append((code, unit, w.label, w.kind, w.start, w.end, value, version))
    return pl.DataFrame(out, schema=SCHEMA, orient="row")


def value_of(frame: pl.DataFrame, code: str, unit: str, period: str) -> float | None:
    hit = frame.filter((pl.col("indicator") == code) & (pl.col("unit_code") == unit)
                       & (pl.col("period") == period))
    assert hit.height == 1, f"{code} {unit} {period}: {hit.height} rows"
    return hit["value"][0]
