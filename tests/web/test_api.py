"""The score API over a small generated Bắc Ninh store (generator → loader → engine), read
with a leader's API token (sign-in and roles: tests/web/security; every route: tests/web/api)."""
import datetime as dt

import pytest
from fastapi.testclient import TestClient

from chiso.collect.load import load_paths
from chiso.demo.generate import generate_for
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.units import load_units
from chiso.web.app import create_app
from chiso.web.security import accounts, tokens


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    files = generate_for(tmp / "gen", provinces=["24"], dossiers=30_000, seed=3,
                         start=dt.date(2026, 6, 1), end=dt.date(2026, 8, 30))
    store = open_records(f"duckdb:///{tmp / 'records.duckdb'}")
    tree = load_units()
    load_paths([str(p) for paths in files.values() for p in paths], store, tree)
    url = f"sqlite:///{(tmp / 'chiso.sqlite').as_posix()}"
    db = init_store(url)
    accounts.create_account(db, "thiết lập", username="lanhdao", password="mat-khau-thu-nghiem", role="leader",
                            unit_code="24", tree=tree)
    token = tokens.create(db, "thiết lập", "lanhdao", "thử nghiệm", "read").secret
    app = create_app(store=store, tree=tree, database_url=url)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c
    store.close()
    db.dispose()


def test_scores_for_a_week(client):
    r = client.get("/api/v1/scores", params={"window": "2026-W34", "province": "24", "level": "province"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["window"] == "2026-W34" and doc["previous_window"] == "2026-W33"
    (bn,) = doc["units"]
    assert bn["code"] == "24" and bn["name"] == "Bắc Ninh"
    assert 0 < bn["total"] <= 100
    assert abs(sum(bn["groups"].values()) - bn["total"]) < 0.011
    assert bn["criteria"]["ON_TIME"]["denominator"] > 0


def test_commune_ranking_has_all_99_communes(client):
    r = client.get("/api/v1/rank", params={"level": "commune", "province": "24", "window": "2026-W34"})
    assert r.status_code == 200
    units = r.json()["units"]
    assert len(units) == 99
    ranks = [u["rank"] for u in units]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_whatif_and_explain(client):
    r = client.get("/api/v1/whatif", params={"unit": "24", "set": ["ON_TIME=1"], "window": "2026-W34"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["after"] >= doc["before"]
    r = client.get("/api/v1/explain", params={"unit": "24", "criterion": "ON_TIME", "window": "2026-W34"})
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert all(not row["_counted"] for row in rows)


def test_bad_window_and_unknown_unit_are_clear(client):
    assert client.get("/api/v1/scores", params={"window": "2026-W99"}).status_code == 400
    r = client.get("/api/v1/explain", params={"unit": "nope", "criterion": "ON_TIME", "window": "2026-W34"})
    assert r.status_code == 404


def test_without_credentials_the_api_answers_401(client):
    r = client.get("/api/v1/scores", params={"window": "2026-W34"}, headers={"Authorization": ""})
    assert r.status_code == 401 and r.json()["detail"]
