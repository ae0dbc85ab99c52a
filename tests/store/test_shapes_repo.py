"""Unit shapes in the relational store, on SQLite and PostgreSQL: a boundary file imported
(checked, repaired, simplified), a re-import idempotent, a changed shape replaced, a refused or
too large file writing nothing, each import that writes audited. Synthetic squares made here."""
from __future__ import annotations

import json

import pytest
from shapely.geometry import shape

from chiso.errors import LoadError
from chiso.store.database import Database
from chiso.store.models_shapes import UnitShape
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_shapes import count_shapes, import_file, last_import, province_shapes, stamp
from chiso.units import load_units
from chiso.units.boundaries import BoundaryLimits

TREE = load_units()
COMMUNES = [u.code for u in TREE.units(province="24", level="commune")]
LIMITS = BoundaryLimits(max_features=1000, max_vertices=100_000, tolerance=0.0001)


def square(x: float, y: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def write(path, features) -> str:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code}, "geometry": geom} for code, geom in features]}),
        encoding="utf-8")
    return path.name


def run(db: Database, path, **kw):
    with db.session() as s:
        return import_file(s, path, tree=TREE, province="24", actor="tester", limits=LIMITS, **kw)


def test_import_stores_shapes_and_reimport_is_idempotent(db: Database, tmp_path):
    path = tmp_path / "bac-ninh.geojson"
    write(path, [(c, square(106 + i * 0.02, 21)) for i, c in enumerate(COMMUNES[:3])])
    first = run(db, path)
    assert (first.created, first.changed, first.unchanged) == (3, 0, 0)
    assert len(first.missing) == len(COMMUNES) - 3
    with db.session() as s:
        assert count_shapes(s, province="24", level="commune") == 3
        assert count_shapes(s, province="01") == 0
        rows = province_shapes(s, "24")
        assert [c for c, _ in rows] == sorted(COMMUNES[:3])
        assert shape(json.loads(rows[0][1])).is_valid
        assert last_import(s, "24")[0] == "bac-ninh.geojson"
        lines = audit_entries(s, action="shapes.import")
        assert len(lines) == 1 and lines[0].actor == "tester" and lines[0].detail["shapes_new"] == 3
        before = stamp(s, "24")
    again = run(db, path)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
    with db.session() as s:
        assert len(audit_entries(s, action="shapes.import")) == 1  # nothing written, nothing audited
        assert stamp(s, "24") == before


def test_a_changed_shape_is_replaced_and_audited(db: Database, tmp_path):
    path = tmp_path / "v1.geojson"
    write(path, [(COMMUNES[0], square(106, 21)), (COMMUNES[1], square(106.02, 21))])
    run(db, path)
    path2 = tmp_path / "v2.geojson"
    write(path2, [(COMMUNES[0], square(106, 21)), (COMMUNES[1], square(106.02, 21, size=0.02))])
    result = run(db, path2)
    assert (result.created, result.changed, result.unchanged) == (0, 1, 1)
    with db.session() as s:
        row = s.get(UnitShape, COMMUNES[1])
        assert row.source == "v2.geojson" and shape(json.loads(row.geometry)).area == pytest.approx(0.0004, rel=1e-3)
        assert s.get(UnitShape, COMMUNES[0]).source == "v1.geojson"
        assert [e.detail["shapes_changed"] for e in audit_entries(s, action="shapes.import")] == [1, 0]


def test_a_refused_file_writes_nothing(db: Database, tmp_path):
    path = tmp_path / "sai.geojson"
    write(path, [(COMMUNES[0], square(106, 21)), ("00000", square(106.02, 21))])
    with pytest.raises(LoadError) as caught:
        run(db, path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "code")]
    with db.session() as s:
        assert count_shapes(s) == 0 and audit_entries(s, action="shapes.import") == []


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(db: Database, tmp_path, monkeypatch):
    path = tmp_path / "lon.geojson"
    write(path, [(c, square(106 + i * 0.02, 21)) for i, c in enumerate(COMMUNES[:20])])
    monkeypatch.setenv("CHISO_MAP_MAX_BYTES", "1000")
    with pytest.raises(LoadError, match="lon.geojson"):
        run(db, path)
    with db.session() as s:
        assert count_shapes(s) == 0
