"""The five-group view on the pages and the API over the one demo site (tests/web/site.py):
``?nhom=5`` on the pages, ``view=five`` on the API, and the deployment's ``CHISO_GROUP_VIEW``.
Online services and online payment show as one group of 22 points whose score is theirs added;
every other figure, and the total, is the same as in the six-group view."""
from __future__ import annotations

import re

import pytest

from chiso.text import format_number
from tests.web.site import WINDOW

MERGED = "ONLINE_SERVICE_PAYMENT"
MERGED_NAME = "Cung cấp dịch vụ công trực tuyến"
SIX_ONLY = ("Dịch vụ công trực tuyến", "Thanh toán trực tuyến")
#: a window no other test of this file reads before the setting test (the pages are cached per query)
SETTING_WINDOW = "2026-W31"


@pytest.fixture(scope="module")
def leader(site):
    c = site.client("lanhdao")
    yield c
    c.close()


@pytest.fixture(scope="module")
def six_scores(leader):
    """Every unit of province 24 in the six-group view, from the API: code → document."""
    r = leader.get(f"/api/v1/scores?window={WINDOW}&province=24&view=six")
    assert r.status_code == 200, r.text[:300]
    return {u["code"]: u for u in r.json()["units"]}


def merged(doc: dict) -> float:
    return round(doc["groups"]["ONLINE_SERVICE"] + doc["groups"]["PAYMENT"], 2)


def vi(x: float) -> str:
    return format_number(x, 2, "vi")


def cards(html: str) -> list[tuple[str, str]]:
    """The score cards of a page: (title, the maximum after the slash)."""
    return re.findall(r'<div class="card-title">(?:<a[^>]*>)?([^<]+)(?:</a>)?</div>\s*'
                      r'<div class="card-value">[^<]*<small> / ([^<]+)</small>', html)


def test_overview_in_five_groups(leader, six_scores):
    r = leader.get(f"/?window={WINDOW}&nhom=5")
    assert r.status_code == 200, r.text[:300]
    shown = cards(r.text)
    assert [t for t, _ in shown[1:]] == ["Công khai, minh bạch", "Tiến độ giải quyết", MERGED_NAME, "Số hóa hồ sơ",
                                         "Mức độ hài lòng"]
    assert dict(shown)[MERGED_NAME] == "22"
    me = six_scores["24"]
    assert f"{vi(merged(me))}<small> / 22</small>" in r.text
    assert f"{vi(me['total'])}<small> / 100</small>" in r.text  # the total does not change
    assert "Điểm năm nhóm so với điểm tối đa" in r.text
    assert 'aria-current="true"' in r.text and "5 nhóm" in r.text and "6 nhóm" in r.text
    # the six-group page is the same page with the two groups apart
    six = leader.get(f"/?window={WINDOW}&nhom=6").text
    assert [t for t, _ in cards(six)[1:]][2:4] == list(SIX_ONLY)
    assert f"{vi(me['total'])}<small> / 100</small>" in six


def test_rankings_in_five_groups(leader, six_scores):
    r = leader.get(f"/rankings?level=department&window={WINDOW}&nhom=5")
    assert r.status_code == 200, r.text[:300]
    heads = re.findall(r'<th class="num group-col" title="([^"]+)"', r.text)
    assert heads == ["Công khai, minh bạch (18)", "Tiến độ giải quyết (20)", f"{MERGED_NAME} (22)",
                     "Số hóa hồ sơ (22)", "Mức độ hài lòng (18)"]
    rows = re.findall(r'<a href="/units/(24-[A-Z]+)\?window=[^"]+">[^<]+</a></td>\s*<td class="num"><b>([^<]+)</b>'
                      r'</td>\s*((?:<td class="num group-col">[^<]*</td>)+)', r.text)
    assert rows, r.text[:2000]
    for code, total, groups in rows:
        values = re.findall(r'<td class="num group-col">([^<]*)</td>', groups)
        doc = six_scores[code]
        assert total == vi(doc["total"])
        assert values[2] == vi(merged(doc))
        assert values[0] == vi(doc["groups"]["TRANSPARENCY"]) and values[4] == vi(doc["groups"]["SATISFACTION"])
    # the search form keeps the view for the table it reloads
    assert '<input type="hidden" name="nhom" value="5">' in r.text
    table = leader.get(f"/rankings?level=department&window={WINDOW}&nhom=5&q=s%E1%BB%9F",
                       headers={"HX-Request": "true", "HX-Target": "ranking-table"})
    assert table.status_code == 200 and MERGED_NAME in table.text and "<html" not in table.text


def test_unit_page_in_five_groups(leader, six_scores):
    r = leader.get(f"/units/24?window={WINDOW}&nhom=5")
    assert r.status_code == 200, r.text[:300]
    me = six_scores["24"]
    group_rows = re.findall(r'<tr class="group-row"><td>([^<]+)</td><td></td><td></td><td></td>'
                            r'<td class="num">([^<]+)</td>', r.text)
    assert [name for name, _ in group_rows][2] == MERGED_NAME
    assert dict(group_rows)[MERGED_NAME] == f"{vi(merged(me))} / 22"
    # the merged group lists the criteria of both groups, in order
    table = r.text.split('id="breakdown"', 1)[1].split("</table>", 1)[0]
    body = table.split(f'<tr class="group-row"><td>{MERGED_NAME}</td>', 1)[1].split('class="group-row"')[0]
    assert body.index("FULLY_ONLINE") < body.index("FEE_PROCEDURE_INTEGRATED") < body.index("DOSSIER_PAID_ONLINE")
    assert "Điểm nhóm so với trung bình cả nước" in r.text or "compare-groups" in r.text


def test_wall_leader_and_maps_in_five_groups(leader, six_scores):
    wall = leader.get(f"/wall?window={WINDOW}&nhom=5")
    assert wall.status_code == 200
    dials = re.findall(r"<figcaption>([^<]+)<span", wall.text)
    assert MERGED_NAME in dials and len(dials) == 5 and not set(SIX_ONLY) & set(dials)
    assert leader.get(f"/leader?window={WINDOW}&nhom=5").status_code == 200
    m = leader.get(f"/maps?window={WINDOW}&nhom=5&measure={MERGED}")
    assert m.status_code == 200, m.text[:300]
    assert f'<option value="{MERGED}" selected>{MERGED_NAME}</option>' in m.text
    assert '<option value="PAYMENT"' not in m.text
    assert leader.get(f"/maps?window={WINDOW}&nhom=6&measure={MERGED}").status_code == 400
    assert leader.get(f"/maps/24?window={WINDOW}&nhom=5&measure={MERGED}").status_code == 200


def test_a_wrong_view_is_refused(leader):
    r = leader.get(f"/rankings?window={WINDOW}&nhom=7")
    assert r.status_code == 400 and "5, 6" in r.text
    assert leader.get(f"/api/v1/scores?window={WINDOW}&view=four").status_code == 422


def test_api_scores_rank_and_series_in_five_groups(site, leader, six_scores):
    r = leader.get(f"/api/v1/scores?window={WINDOW}&province=24&view=five")
    assert r.status_code == 200
    doc = r.json()
    assert doc["group_view"]["code"] == "five"
    assert [g["max"] for g in doc["group_view"]["groups"]] == [18, 20, 22, 22, 18]
    for u in doc["units"]:
        six = six_scores[u["code"]]
        assert list(u["groups"]) == ["TRANSPARENCY", "PROGRESS", MERGED, "DIGITIZATION", "SATISFACTION"]
        assert u["groups"][MERGED] == merged(six)
        assert u["total"] == six["total"] and u["criteria"] == six["criteria"]
        assert round(sum(u["groups"].values()) + (u["adjustment"] or 0), 2) == pytest.approx(u["total"], abs=0.011)
    rank = leader.get(f"/api/v1/rank?window={WINDOW}&level=commune&province=24&view=five").json()
    assert rank["group_view"]["code"] == "five"
    for u in rank["units"][:20]:
        assert u["groups"][MERGED] == merged(six_scores[u["unit_code"]])
    series = leader.get("/api/v1/series?unit=24&from=2026-08-10&to=2026-08-23&view=five").json()
    assert series["group_view"]["code"] == "five"
    assert all(set(w["groups"]) == {"TRANSPARENCY", "PROGRESS", MERGED, "DIGITIZATION", "SATISFACTION"}
               for w in series["weeks"])
    week = {w["window"]: w for w in series["weeks"]}[WINDOW]
    assert week["groups"][MERGED] == merged(six_scores["24"]) and week["total"] == six_scores["24"]["total"]


def test_the_deployment_setting_chooses_the_view(site, leader, monkeypatch):
    monkeypatch.setenv("CHISO_GROUP_VIEW", "five")
    r = leader.get(f"/rankings?level=province&window={SETTING_WINDOW}")
    assert r.status_code == 200
    assert len(re.findall(r'<th class="num group-col"', r.text)) == 5 and f"{MERGED_NAME} (22)" in r.text
    api = leader.get(f"/api/v1/scores?window={SETTING_WINDOW}&province=24&level=province").json()
    assert api["group_view"]["code"] == "five" and MERGED in api["units"][0]["groups"]
    # a page may still ask for the six groups
    six = leader.get(f"/rankings?level=province&window={SETTING_WINDOW}&nhom=6")
    assert len(re.findall(r'<th class="num group-col"', six.text)) == 6
    monkeypatch.setenv("CHISO_GROUP_VIEW", "six")
    api = leader.get(f"/api/v1/scores?window={SETTING_WINDOW}&province=24&level=province").json()
    assert api["group_view"]["code"] == "six" and "PAYMENT" in api["units"][0]["groups"]
