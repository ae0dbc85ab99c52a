"""``chiso export sdmx|sdmx-structure|dhis2`` and ``chiso import sdmx|dhis2`` end to end: a real
store with the shipped Bắc Ninh catalogue, values submitted and approved through ``chiso values``,
exported, and imported into another store."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.cli.exchange import export_app, import_app
from chiso.collect.exchange import schema_problems
from chiso.store.database import init_store

CATALOGUE = Path(__file__).parents[2] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
FIXTURES = Path(__file__).parents[1] / "fixtures"
runner = CliRunner()
# the two groups as `chiso export` / `chiso import` register them (chiso/cli/app.py)
exchange = typer.Typer()
exchange.add_typer(export_app, name="export")
exchange.add_typer(import_app, name="import")


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def ex(*args):
    return runner.invoke(exchange, [str(a) for a in args])


def said(result) -> str:
    return " ".join(result.stderr.split())


def _store(tmp_path: Path, name: str, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / name / 'chiso.sqlite'}"
    monkeypatch.setenv("CHISO_DATABASE_URL", url)
    init_store(url).dispose()
    imported = run("catalog", "import", CATALOGUE, "--by", "Văn phòng UBND tỉnh")
    assert imported.exit_code == 0, imported.output


@pytest.fixture
def store(tmp_path, monkeypatch):
    _store(tmp_path, "nguon", monkeypatch)
    path = tmp_path / "dien.csv"
    path.write_text("indicator,unit,period,value,note\nKT.DIEN_CN_XD,24,2026-06,812.4,\n"
                    "KT.DIEN_CN_XD,24,2026-07,830,số EVN\n", encoding="utf-8")
    sent = run("values", "submit", path, "--as", "24-SCT", "--by", "Lê Văn Cường")
    assert sent.exit_code == 0, sent.output
    head = run("values", "approve", "--indicator", "KT.DIEN_CN_XD", "--period", "2026-07", "--as", "24-SCT",
               "--by", "Giám đốc Sở", "--role", "head")
    assert head.exit_code == 0, head.output
    return tmp_path


def test_values_exported_and_imported_into_another_store(store, monkeypatch):
    xml, dvs = store / "gia-tri.xml", store / "gia-tri.csv"
    assert ex("export", "sdmx", "--what", "values", "--province", "24", "-o", xml).exit_code == 0
    assert schema_problems(xml.read_bytes(), "gia-tri.xml") == []
    text = xml.read_text(encoding="utf-8")
    assert '<gen:Value id="TIME_PERIOD" value="2026-M07"/>' in text
    assert '<gen:Value id="OBS_STATUS" value="A"/>' in text and '<gen:Value id="OBS_STATUS" value="P"/>' in text
    assert ex("export", "dhis2", "--format", "csv", "-o", dvs).exit_code == 0
    assert "KT.DIEN_CN_XD,202607,24,default,default,830,,,số EVN,false,false" in dvs.read_text(encoding="utf-8")

    _store(store, "dich", monkeypatch)
    owner = ex("import", "sdmx", xml, "--as", "24-SYT")
    assert owner.exit_code == 2 and "24-SCT" in said(owner)
    first = ex("import", "sdmx", xml, "--as", "24", "--admin", "--reason", "chuyển kho", "--by", "qt", "-f", "json")
    assert first.exit_code == 0, first.output
    assert (json.loads(first.stdout)["status"], json.loads(first.stdout)["inserted"]) == ("accepted", 2)
    # the same values in DHIS2's form are the same batch: nothing changes
    again = ex("import", "dhis2", dvs, "--as", "24", "--admin", "--reason", "chuyển kho", "-f", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] == "unchanged"
    listed = json.loads(run("values", "list", "--indicator", "KT.DIEN_CN_XD", "--format", "json").stdout)
    assert [(v["period"], v["value"], v["note"]) for v in listed] == [("2026-06", 812.4, None),
                                                                     ("2026-07", 830.0, "số EVN")]


def test_a_bad_file_is_refused_naming_row_and_field(store):
    bad = store / "sai.csv"
    bad.write_text("DATAFLOW,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\n"
                   "CHISO:DF_CHISO_DM(1.0),KT.DIEN_CN_XD,24,_Z,2026-S1,1\n", encoding="utf-8")
    result = ex("import", "sdmx", bad, "--as", "24-SCT")
    assert result.exit_code == 2
    assert "dòng 2, trường 'TIME_PERIOD'" in said(result) and "nửa năm" in said(result)


def test_scores_and_the_structure_are_exported(store):
    scores, structure = store / "diem.xml", store / "cau-truc.xml"
    out = ex("export", "sdmx", "--what", "scores", "--counts", FIXTURES / "phu_tho_2026_08.csv", "--window",
             "2026-08", "--province", "25", "--criteria", "-o", scores)
    assert out.exit_code == 0, out.output
    assert schema_problems(scores.read_bytes(), "diem.xml") == []
    assert '<gen:Value id="SCORE_ITEM" value="PROGRESS"/>' in scores.read_text(encoding="utf-8")
    kept = ex("import", "sdmx", scores, "--what", "scores", "--source", "sdmx:thu-nghiem", "--by", "qt", "-f", "json")
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout)["inserted"] > 0
    nameless = ex("import", "sdmx", scores, "--what", "scores")
    assert nameless.exit_code == 2 and "--source" in said(nameless)
    assert ex("export", "sdmx-structure", "-o", structure).exit_code == 0
    assert schema_problems(structure.read_bytes(), "cau-truc.xml") == []
