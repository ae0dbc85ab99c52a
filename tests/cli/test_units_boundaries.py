"""``chiso units boundaries import`` and ``list`` end to end (a real store, real files; synthetic
squares as test data): the report of a good file, exit 1 naming every problem of a bad one with
nothing written, a re-import that changes nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.store.database import init_store
from chiso.units import load_units

runner = CliRunner()
COMMUNES = [u.code for u in load_units().units(province="24", level="commune")]


def run(*args: str):
    return runner.invoke(app, ["units", "boundaries", *args])


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    init_store(f"sqlite:///{(tmp_path / 'data' / 'chiso.sqlite').as_posix()}").dispose()
    return tmp_path


def squares(path: Path, codes, bad: dict[int, str] | None = None) -> Path:
    feats = []
    for i, code in enumerate(codes):
        x = 106 + i * 0.02
        feats.append({"type": "Feature", "properties": {"ma_xa": (bad or {}).get(i + 1, code)},
                      "geometry": {"type": "Polygon", "coordinates": [[[x, 21], [x + .01, 21], [x + .01, 21.01],
                                                                       [x, 21.01], [x, 21]]]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def test_import_reports_and_reimport_changes_nothing(store: Path):
    path = squares(store / "xa.geojson", COMMUNES[:97])
    r = run("import", str(path), "--province", "24", "--code-field", "ma_xa", "--by", "Sở Nội vụ")
    assert r.exit_code == 0, r.output
    assert "97 ranh giới / shapes — 97 mới / created" in r.stdout
    assert "2 xã, phường chưa có ranh giới" in r.stdout
    assert COMMUNES[97] in r.stdout and COMMUNES[98] in r.stdout
    again = run("import", str(path), "--province", "24", "--code-field", "ma_xa", "--format", "json")
    doc = json.loads(again.stdout)
    assert (doc["created"], doc["changed"], doc["unchanged"]) == (0, 0, 97)
    assert [m["code"] for m in doc["missing"]] == COMMUNES[97:]
    listed = json.loads(run("list", "--format", "json").stdout)
    assert listed == [{"province": "24", "name": "Bắc Ninh", "shapes": 97, "communes": 99, "file": "xa.geojson",
                       "imported_at": listed[0]["imported_at"]}]


def test_a_bad_file_exits_1_naming_every_problem_and_writes_nothing(store: Path):
    path = squares(store / "sai.geojson", COMMUNES[:4], bad={2: "12345", 4: "01"})
    r = run("import", str(path), "--province", "24", "--code-field", "ma_xa")
    assert r.exit_code == 1
    assert "refused: 2 problems; nothing was loaded" in r.stderr
    assert "sai.geojson, đối tượng (feature) 2, thuộc tính (property) 'ma_xa'" in r.stderr
    assert "sai.geojson, đối tượng (feature) 4, thuộc tính (property) 'ma_xa'" in r.stderr
    assert json.loads(run("list", "--province", "24", "--format", "json").stdout)[0]["shapes"] == 0
    missing = run("import", str(store / "khong-co.geojson"))
    assert missing.exit_code == 1 and "khong-co.geojson" in missing.stderr
