"""The score API over the demo site's generated records (generator → loader → engine,
tests/web/site.py), read with a leader's API token (sign-in and roles: tests/web/security;
every route: tests/web/api)."""
import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(site):
    with TestClient(site.app, headers=site.auth("lanhdao")) as c:
        yield c


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
