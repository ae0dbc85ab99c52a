"""Shared pieces for the collect tests: a tiny unit tree, stores, and a file writer."""
from __future__ import annotations

from pathlib import Path

import pytest

from chiso.store.records import open_records
from chiso.units.model import Unit
from tests.factories import drop_postgres_schema, make_postgres_schema, postgres_records_url


class Units:
    """The smallest unit lookup loading needs: ``in`` and ``get``."""

    def __init__(self, *units: Unit):
        self._by_code = {u.code: u for u in units}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Unit:
        return self._by_code[code]


UNITS = Units(
    Unit("VN", "Việt Nam", "nation", "quốc gia", None, None),
    Unit("24", "Bắc Ninh", "province", "tỉnh", "VN", "24"),
    Unit("24-SYT", "Sở Y tế", "department", "sở", "24", "24"),
    Unit("07210", "Phường Kinh Bắc", "commune", "phường", "24", "24"),
    Unit("01", "Hà Nội", "province", "thành phố trung ương", "VN", "01"),
    Unit("00004", "Phường Ba Đình", "commune", "phường", "01", "01"),
)


@pytest.fixture
def units() -> Units:
    return UNITS


@pytest.fixture
def write(tmp_path):
    """write("dossiers.csv", text) → the path of a UTF-8 file in the test's folder."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


@pytest.fixture
def duck(tmp_path):
    s = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    yield s
    s.close()


@pytest.fixture
def pg_url():
    """A records URL on a fresh, uniquely named schema, dropped at the end.

    Skipped when the server cannot be reached, except under CI=true, where it fails.
    """
    schema = make_postgres_schema()
    try:
        yield postgres_records_url(schema)
    finally:
        drop_postgres_schema(schema)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """The same loading tests against both record stores."""
    if request.param == "duckdb":
        url = f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}"
    else:
        url = request.getfixturevalue("pg_url")
    s = open_records(url)
    yield s
    s.close()
