"""``chiso composite list | compute | sensitivity`` end to end on a SQLite store: the shipped
department-performance index computed for October 2026 and kept as HC.CHI_SO_SO_NGANH's values
(again: unchanged), a dry run that keeps nothing, a seeded sensitivity analysis that answers the
same twice, and a period of the wrong kind refused with a clear message.

Needs the command group registered (``app.add_typer(composite_app, name="composite")`` in
``chiso/cli/app.py``) — see /tmp/w/changes-p7.md."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.store.database import init_store, open_database
from chiso.store.repo_values import list_values
from tests.web.pages.test_composite_page import DATA, fill


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}"
    monkeypatch.setenv("CHISO_DATABASE_URL", url)
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path))
    db = init_store(url)
    fill(db, tmp_path)
    db.dispose()
    return url


def chiso(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def kept(url: str) -> dict[str, float]:
    db = open_database(url)
    try:
        with db.session() as s:
            return {r.unit_code: r.value for r in list_values(s, indicator="HC.CHI_SO_SO_NGANH")}
    finally:
        db.dispose()


def test_list_compute_again_and_dry_run(store: str) -> None:
    code, out, err = chiso("composite", "list", "--format", "json")
    assert code == 0, err
    assert [(c["code"], c["version"], c["target"]) for c in json.loads(out)["composites"]] == [
        ("CHI_SO_SO_NGANH", 1, "HC.CHI_SO_SO_NGANH")]
    code, out, err = chiso("composite", "compute", "CHI_SO_SO_NGANH", "--period", "2026-10", "--dry-run",
                           "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["stored"] is None and kept(store) == {}
    ranked = {u["unit"]: u["value"] for u in doc["units"] if u["value"] is not None}
    assert set(ranked) == set(DATA)
    code, out, err = chiso("composite", "compute", "HC.CHI_SO_SO_NGANH", "--period", "2026-10", "--by", "vanphong",
                           "--format", "json")
    assert code == 0, err
    assert json.loads(out)["stored"]["inserted"] == len(DATA)
    assert kept(store) == {u: round(v, 4) for u, v in ranked.items()}
    code, out, err = chiso("composite", "compute", "CHI_SO_SO_NGANH", "--period", "2026-10")
    assert code == 0, err
    assert "không thay đổi: 5 giá trị đã đúng như tính lại" in out


def test_sensitivity_is_seeded(store: str) -> None:
    args = ("composite", "sensitivity", "CHI_SO_SO_NGANH", "--period", "2026-10", "--runs", "60", "--seed", "4",
            "--format", "json")
    code, first, err = chiso(*args)
    assert code == 0, err
    assert chiso(*args)[1] == first
    doc = json.loads(first)
    assert doc["runs"] == 60 and doc["seed"] == 4
    ranked = [u for u in doc["units"] if u["nominal"] is not None]
    assert {u["unit"] for u in ranked} == set(DATA)
    assert all(u["p05"] <= u["nominal"] <= u["p95"] for u in ranked)
    code, out, err = chiso("composite", "sensitivity", "CHI_SO_SO_NGANH", "--period", "2026-10", "--runs", "60")
    assert code == 0 and "Độ nhạy CHI_SO_SO_NGANH phiên bản 1" in out


def test_refusals_are_clear(store: str) -> None:
    code, _, err = chiso("composite", "compute", "CHI_SO_SO_NGANH", "--period", "2026-Q4")
    assert code == 2 and "được tính theo kỳ month" in err
    code, _, err = chiso("composite", "compute", "KHONG_CO", "--period", "2026-10")
    assert code == 2 and "không có chỉ số tổng hợp 'KHONG_CO'" in err
