"""Small builders for DM evaluation tests: indicators and values relations written inline."""
from __future__ import annotations

import polars as pl
import pytest

from chiso.catalog.indicator import Indicator
from chiso.periods.windows import parse_window

VALUES_SCHEMA = {"indicator": pl.Utf8, "unit_code": pl.Utf8, "period": pl.Utf8, "period_kind": pl.Utf8,
                 "period_start": pl.Date, "period_end": pl.Date, "value": pl.Float64,
                 "indicator_version": pl.Int64}


def make_indicator(code: str = "NS.THU", **kw) -> Indicator:
    base = dict(code=code, name=f"Chỉ số {code}", name_en=f"Indicator {code}", definition="thử nghiệm",
                group="outcome", field="FINANCE", unit="tỷ đồng", source_system="TABMIS",
                owner="24-STC", status="in_operation")
    base.update(kw)
    return Indicator(**base)


def make_values(rows: list[tuple[str, str, str, float | None]]) -> pl.DataFrame:
    """(indicator, unit, period, value) rows → the values relation."""
    out = []
    for ind, unit, label, value in rows:
        w = parse_window(label)
        out.append((ind, unit, w.label, w.kind, w.start, w.end, value, 1))
    return pl.DataFrame(out, schema=VALUES_SCHEMA, orient="row")


@pytest.fixture
def indicator():
    return make_indicator


@pytest.fixture
def values():
    return make_values
