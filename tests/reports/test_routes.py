"""The bulletin router mounted on a FastAPI app: files with their content types, the page,
the archive listing and archived files, and clear errors."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chiso.reports.schedule import issue
from chiso.store.database import init_store, open_database
from chiso.store.repo_reports import Actor
from chiso.web.routes_reports import reports_router


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}"
    init_store(url, actor="test").dispose()
    return url


@pytest.fixture
def client(seed_source, store):
    app = FastAPI()
    app.include_router(reports_router(seed_source, database=lambda: open_database(store)))
    with TestClient(app) as c:
        yield c


def test_files_with_their_content_types(client):
    import openpyxl

    r = client.get("/api/v1/reports/24", params={"window": "2025-W46", "format": "xlsx", "lang": "en"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="bulletin-24-2025-W46-en.xlsx"' in r.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames[0] == "Provinces"
    r = client.get("/api/v1/reports/24", params={"format": "html"})  # default window: the latest file
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Bắc Ninh đạt 92,28 điểm, đứng thứ 1/34 cả nước" in r.text


def test_the_bulletin_page(client):
    r = client.get("/reports/24", params={"window": "2025-W45"})
    assert r.status_code == 200
    assert "Tuần 45/2025" in r.text and "Bắc Ninh đạt 92,08 điểm" in r.text


@pytest.mark.parametrize("path, params, status, words", [
    ("/api/v1/reports/24", {"format": "odt"}, 400, "format 'odt'"),
    ("/api/v1/reports/24", {"lang": "fr"}, 400, "language 'fr'"),
    ("/api/v1/reports/24", {"window": "2025-W99"}, 400, "no ISO week 99"),
    ("/api/v1/reports/99", {"format": "html"}, 404, "'99'"),
    ("/reports/24", {"lang": "fr"}, 400, "vi or en"),
])
def test_errors(client, path, params, status, words):
    r = client.get(path, params=params)
    assert r.status_code == status
    assert words in r.json()["detail"]


def test_archive_listing_and_files(client, seed_source, store, tmp_path: Path):
    assert client.get("/api/v1/reports/24/archive").json() == {"province": "24", "bulletins": []}
    db = open_database(store)
    try:
        (done,) = issue(db, seed_source, "24", "2025-W46", formats=["xlsx"], languages=["vi"],
                        actor=Actor("Chánh Văn phòng", "head"), data_dir=tmp_path)
    finally:
        db.dispose()
    (row,) = client.get("/api/v1/reports/24/archive").json()["bulletins"]
    assert (row["window"], row["lang"], row["format"], row["sha256"]) == ("2025-W46", "vi", "xlsx", done.sha256)
    assert "_path" not in row
    r = client.get(row["url"])
    assert r.status_code == 200 and r.content == Path(done.path).read_bytes()
    Path(done.path).write_bytes(b"changed")
    assert client.get(row["url"]).status_code == 409
    Path(done.path).unlink()
    assert client.get(row["url"]).status_code == 410
    assert client.get("/api/v1/reports/archive/999").status_code == 404


def test_archive_of_an_unprepared_store(seed_source, tmp_path: Path):
    url = f"sqlite:///{(tmp_path / 'empty.sqlite').as_posix()}"
    app = FastAPI()
    app.include_router(reports_router(seed_source, database=lambda: open_database(url)))
    with TestClient(app) as c:
        r = c.get("/api/v1/reports/24/archive")
    assert r.status_code == 503 and "chiso init" in r.json()["detail"]
