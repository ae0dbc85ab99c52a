"""``/api/v1/sdmx``: the structure and the data of chiso's two dataflows over the API, on the demo
site (tests/web/site.py) — SDMX-ML checked against the official XSD, SDMX-CSV, who reads what."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from chiso.collect.exchange import schema_problems

GEN = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic}"


@pytest.fixture(scope="module")
def client(site):
    with TestClient(site.app) as c:
        yield c


def _observations(body: bytes) -> list[dict[str, str]]:
    out = []
    for obs in etree.fromstring(body).iter(f"{GEN}Obs"):
        cells = {v.get("id"): v.get("value") for v in obs.iter(f"{GEN}Value")}
        cells["OBS_VALUE"] = obs.find(f"{GEN}ObsValue").get("value")
        out.append(cells)
    return out


def test_the_structure_is_served_and_conforms(client, site):
    r = client.get("/api/v1/sdmx/structure", headers=site.auth("xem"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.sdmx.structure+xml")
    assert schema_problems(r.content, "structure") == []
    assert client.get("/api/v1/sdmx/structure").status_code == 401


def test_values_as_generic_data_and_sdmx_csv(client, site):
    params = {"indicator": "NS.CHI_NSDP", "period": "2026-03"}
    r = client.get("/api/v1/sdmx/data/DF_CHISO_DM", params=params, headers=site.auth("lanhdao"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.sdmx.genericdata+xml")
    assert schema_problems(r.content, "data") == []
    # Sở Tài chính's spending of March 2026 (tests/web/site.py: 60 a month, 180 in March)
    assert [(o["INDICATOR"], o["REF_AREA"], o["TIME_PERIOD"], o["OBS_VALUE"]) for o in _observations(r.content)] == [
        ("NS.CHI_NSDP", "24", "2026-M03", "180")]
    text = client.get("/api/v1/sdmx/data/DF_CHISO_DM", params={**params, "format": "csv"},
                      headers=site.auth("lanhdao")).text
    assert text.splitlines()[1].startswith("CHISO:DF_CHISO_DM(1.0),NS.CHI_NSDP,24,_Z,2026-M03,180,")
    # an officer of Sở Y tế reads neither another agency's indicator nor another unit's values
    other = client.get("/api/v1/sdmx/data/DF_CHISO_DM", params=params, headers=site.auth("canbo.syt"))
    assert other.status_code == 200 and _observations(other.content) == []
    assert client.get("/api/v1/sdmx/data/DF_KHAC", headers=site.auth("lanhdao")).status_code == 422


def test_scores_match_the_scores_api(client, site):
    h = site.auth("lanhdao")
    r = client.get("/api/v1/sdmx/data/DF_CHISO_766", params={"window": site.window, "level": "province"}, headers=h)
    assert r.status_code == 200 and schema_problems(r.content, "scores") == []
    totals = {o["REF_AREA"]: float(o["OBS_VALUE"]) for o in _observations(r.content) if o["SCORE_ITEM"] == "TOTAL"}
    scores = client.get("/api/v1/scores", params={"window": site.window, "province": "24", "level": "province"},
                        headers=h).json()
    unit = next(u for u in scores["units"] if u["code"] == "24")
    assert totals == {"24": unit["total"]}
