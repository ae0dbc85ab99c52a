"""Formula test helpers: indicators, values relations, and the engines to run on.

``on`` runs a test on DuckDB and on PostgreSQL. PostgreSQL work happens in temporary
tables on one connection, so no schema is needed; when the server cannot be reached the
PostgreSQL cases are skipped, except under CI=true, where they fail.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator

import polars as pl
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from chiso.catalog.indicator import Aggregation, Indicator
from chiso.evaluate.windows import parse_window
from chiso.formula.relation import SCHEMA

POSTGRES_URL = os.environ.get("CHISO_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


def postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} unavailable: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        postgres_unavailable(str(exc.orig).strip().splitlines()[0])
    yield engine
    engine.dispose()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def on(request: pytest.FixtureRequest):
    """Where to compute: "duckdb", or a PostgreSQL engine."""
    if request.param == "duckdb":
        return "duckdb"
    return request.getfixturevalue("pg_engine")


D = dt.date
