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
    text = " ".join(section.paragraphs)
    # each field's warnings summarised in a sentence: their number, critical ones, indicators by
    # name (the first WARNINGS_SHOWN, the rest counted), periods as people say them
    for f in b.dm.fields:
        assert f"Lĩnh vực {f.name} có {len(f.warnings)} cảnh báo đang mở" in text
        critical = sum(1 for w in f.warnings if w.severity == "critical")
        if critical and len(f.warnings) > 1:
            assert f"Lĩnh vực {f.name} có {len(f.warnings)} cảnh báo đang mở về thiếu số liệu (trong đó {critical} " \
                   f"cảnh báo mức nghiêm trọng)" in text or f"(trong đó {critical} cảnh báo mức nghiêm trọng)" in text
        names = list(dict.fromkeys(w.indicator_name for w in f.warnings))
        assert all(n for n in names)  # named, never by code
        for n in names[:WARNINGS_SHOWN]:
            assert n in text
        if len(names) > WARNINGS_SHOWN:
            assert f"{names[WARNINGS_SHOWN - 1]} và {len(names) - WARNINGS_SHOWN} chỉ tiêu khác" in text
    for raw in ("[", "]", "z =", "2025-W", "2025-Q", "kỳ 20"):
        assert raw not in text, raw
