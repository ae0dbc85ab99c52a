"""The DM section read from the stores others write: the sample catalogue, its warnings."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chiso.catalog.index_definition import DEFINITIONS_DIR
from chiso.reports.service import bulletin_for
from chiso.reports.text import WARNINGS_SHOWN, write_text
from chiso.store.database import init_store


@pytest.fixture
def db(tmp_path: Path):
    db = init_store(f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}", actor="test")
    yield db
    db.dispose()


def test_without_a_catalogue_there_is_no_dm_section(db, seed_source):
    b = bulletin_for(seed_source, "24", "2025-W46", db=db)
    assert b.dm is None and [p.code for p in b.sync_problems] == ["24-STC"]
    assert "dm" not in [s.key for s in write_text(b, "vi").sections]


def test_open_warnings_by_field_from_the_store(db, seed_source):
    from chiso.evaluate.dm.service import refresh_warnings
    from chiso.store.repo_catalogue import import_catalogue, live_indicators
    from chiso.store.repo_evaluation import list_warnings

    with db.session() as s:
        import_catalogue(s, DEFINITIONS_DIR / "catalogue-24.yaml", by="test")
    with db.session() as s:
        refresh_warnings(s, "24", today=dt.date(2025, 11, 17))
    with db.session() as s:
        stored = list_warnings(s, "24", state="open")
        live = live_indicators(s, "24")
    b = bulletin_for(seed_source, "24", "2025-W46", db=db, now=dt.datetime(2025, 11, 17, tzinfo=dt.UTC))
    assert b.dm is not None
    assert b.dm.warnings == len(stored) > 0
    assert sum(len(f.warnings) for f in b.dm.fields) == len(stored)
    assert b.dm.indicators <= len(live)
    by_field = {f.code: len(f.warnings) for f in b.dm.fields}
    for code, n in by_field.items():
        assert n == sum(1 for w in stored if w.field == code)
    section = write_text(b, "vi").section("dm")
    assert section.paragraphs[0].endswith(f"{len(stored)} cảnh báo đang mở.")
    biggest = max(b.dm.fields, key=lambda f: len(f.warnings))
    if len(biggest.warnings) > WARNINGS_SHOWN:
        assert f"và {len(biggest.warnings) - WARNINGS_SHOWN} cảnh báo khác" in " ".join(section.paragraphs)
