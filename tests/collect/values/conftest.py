"""Shared pieces for the value-collection tests: a small catalogue of indicators built here,
Bắc Ninh's real unit tree, a store on both backends (the store fixtures), and a file writer."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from chiso.catalog.indicator import Indicator, ValueRange
from chiso.store.database import Database, init_store
from chiso.units.registry import UnitTree, load_units

#: 2026-09-03 10:00 in Hà Nội: August's values are due by 2026-09-05 (5 days after its end).
NOW = dt.datetime(2026, 9, 3, 3, 0, tzinfo=dt.UTC)


def indicator(code: str, **changes) -> Indicator:
    base = dict(code=code, name=f"Chỉ số {code}", name_en=f"Indicator {code}", definition="thử nghiệm",
                group="outcome", field="FINANCE", unit="tỷ đồng", owner="24-STC",
                source_system="TABMIS", status="in_operation")
    return Indicator(**{**base, **changes})


def make_catalogue() -> dict[str, Indicator]:
    items = [
        # Thu ngân sách: Sở Tài chính, the province as a whole, monthly; the State Treasury is
        # a second source the catalogue names.
        indicator("TC.THU_NSNN", other_sources=("KBNN",), range=ValueRange(min=0)),
        # Tỷ lệ hộ nghèo: Sở Nông nghiệp và Môi trường, every commune, yearly, a percentage.
        indicator("XH.HO_NGHEO", field="SOCIETY", unit="%", owner="24-SNNMT", levels=("commune",),
                  frequency="yearly", deadline_days=30, source_system="CSDL_HO_NGHEO",
                  range=ValueRange(min=0, max=100), polarity="lower"),
        # Doanh nghiệp thành lập mới: weekly, broken down by sector.
        indicator("DN.THANH_LAP", field="ENTERPRISE", unit="doanh nghiệp", owner="24-STC",
                  frequency="weekly", deadline_days=2, source_system="DKKD", breakdowns=("sector",)),
        # Computed: not submitted.
        indicator("TC.TY_LE_THU", unit="%", formula="TC.THU_NSNN / 100"),
    ]
    return {i.code: i for i in items}


@pytest.fixture
def catalogue() -> dict[str, Indicator]:
    return make_catalogue()


@pytest.fixture(scope="session")
def units() -> UnitTree:
    return load_units()  # the whole nation: a unit of another province must be refused


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    """A migrated SQLite store, for refusal paths that do not depend on the backend."""
    db = init_store(sqlite_url, actor="test")
    yield db
    db.dispose()


@pytest.fixture
def write(tmp_path: Path):
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
