"""Plain helpers shared by the tests: the PostgreSQL URL, skipping rules, small factories.

Fixtures live in ``tests/conftest.py``; what a test imports by name lives here.
"""
from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path

import polars as pl
import psycopg
import pytest
from sqlalchemy.engine import make_url

from chiso.catalog.indicator import Aggregation, Indicator
from chiso.engine.relation import SCHEMA
from chiso.periods.windows import parse_window
from chiso.store.records_postgres import connect_kwargs

#: Files the tests read: portal counts, the seed-003 week (tests/fixtures).
FIXTURES = Path(__file__).parent / "fixtures"
SEED003 = FIXTURES / "seed003"

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


def postgres_connect():
    """A plain autocommit connection to the test server."""
    return psycopg.connect(autocommit=True, connect_timeout=5, **connect_kwargs(POSTGRES_URL))


def make_postgres_schema() -> str:
    """A fresh, uniquely named schema (skipped, or failed under CI=true, without a server)."""
    schema = f"chiso_test_{uuid.uuid4().hex[:12]}"
    try:
        with postgres_connect() as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        postgres_unavailable(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
    return schema


def drop_postgres_schema(schema: str) -> None:
    with postgres_connect() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def postgres_records_url(schema: str) -> str:
    """A records URL whose search_path is ``schema``."""
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


def race(calls):
    """Run each call in its own thread, all released at once by a barrier: ``(result,
    exception)`` per call, in order (the race tests of the store, the service and the API)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            outcomes[i] = (call(), None)
        except Exception as exc:  # noqa: BLE001 - every outcome is judged by the test
            outcomes[i] = (None, exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a racing call never finished"
    return outcomes
