"""One generated dataset shared by the demo tests (units from sample_units.py)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb
import pytest

from chiso.demo.generate import generate

from .sample_units import build_units


@dataclass
class Generated:
    root: Path
    files: dict[str, list[Path]]
    dossiers: int

    @cached_property
    def _con(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        for kind in self.files:
            con.execute(f"create table {kind} as select * from read_parquet('{self.root / kind}/*.parquet')")
        return con

    def sql(self, query: str) -> list[tuple]:
        """Run ``query`` over tables dossiers, petitions, procedures, publications."""
        return self._con.execute(query).fetchall()

    def one(self, query: str):
        return self.sql(query)[0][0]


@pytest.fixture(scope="session")
def units():
    return build_units()


@pytest.fixture(scope="session")
def generated(tmp_path_factory, units) -> Generated:
    """200,000 dossiers of 2026 in chunks of 60,000 rows."""
    root = tmp_path_factory.mktemp("demo")
    files = generate(root, units, dossiers=200_000, year=2026, seed=3, chunk_rows=60_000)
    return Generated(root, files, 200_000)
