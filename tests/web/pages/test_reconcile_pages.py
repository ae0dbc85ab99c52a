"""The page /reconcile (Chênh lệch với Cổng DVCQG): chiso's scores beside the portal's for the
window, largest gaps first, reasons in Vietnamese (English twin), the level and "beyond
tolerance" filters, a unit's staff seeing their own rows only, links only to what the viewer may
open, and an empty state naming the connector to configure."""
from __future__ import annotations

import html
import re

import pytest

from tests.web.reconcile_data import EXTRA, first_commune, publish
from tests.web.site import ONE_PER_ROLE


@pytest.fixture(scope="module")
def published(site):
    return publish(site)


def rows_of(text: str) -> list[tuple[str, str, str]]:
    """(unit, item, verdict class) of the table's rows, in order."""
    return re.findall(r'<tr class="([a-z-]+)" data-unit="([^"]+)" data-item="([^"]+)">', text)


@pytest.mark.parametrize("username", ONE_PER_ROLE)
def test_the_page_renders_for_every_role(clients, window, published, username):
    r = clients[username].get(f"/reconcile?window={window}")
    assert r.status_code == 200, r.text[:300]
    assert "<h1>Chênh lệch với Cổng DVCQG</h1>" in r.text
    assert 'href="/reconcile" aria-current="page"' in r.text


def test_a_leader_reads_the_provinces_rows_largest_gap_first(site, clients, window, published):
    r = clients["lanhdao"].get(f"/reconcile?window={window}")
    rows = rows_of(r.text)
    assert [(u, i) for _, u, i in rows[:3]] == [("24", "total"), ("24", "PROGRESS"), ("24", "ON_TIME")]
    assert {(u, i) for _, u, i in rows} == {("24", "total"), ("24", "PROGRESS"), ("24", "ON_TIME"),
                                            (first_commune(site.app.state.ctx.scores(window)), "total"),
                                            ("24-SYT", "DOSSIER_RECEIVING_SATISFACTION"), ("24-STC", "SATISFACTION")}
    assert rows[-1] == ("within", "24-STC", "SATISFACTION")
    text = html.unescape(r.text)
    table = site.app.state.ctx.scores(window)
    on_time = table.criteria.filter((table.criteria["unit_code"] == "24")
                                    & (table.criteria["criterion"] == "ON_TIME")).to_dicts()[0]
    ours, theirs = int(on_time["denominator"]), int(on_time["denominator"]) + EXTRA
    def vi(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    assert (f"Cổng DVCQG tính {vi(theirs)} hồ sơ tiếp nhận trong kỳ, chiso có {vi(ours)}: 493 hồ sơ có trên Cổng "
            "nhưng chiso chưa nhận được") in text
    assert "Lệch chủ yếu ở tiêu chí “Hồ sơ giải quyết đúng hạn”" in text
    assert "Số liệu giống Cổng DVCQG; điểm lệch do cách quy đổi hoặc làm tròn" in text
    assert "6 dòng so sánh: 1 khớp, 5 lệch quá ngưỡng, 0 chưa so được." in text
    total = table.unit("24")["total"]
    assert f"{total:.2f}".replace(".", ",") in text  # the one formatter: a decimal comma
    assert f'href="/units/24?window={window}"' in r.text


def test_the_page_in_english(clients, window, published):
    text = html.unescape(clients["lanhdao"].get(f"/reconcile?window={window}&lang=en").text)
    assert "<h1>Differences from the national portal</h1>" in text
    assert "on the portal that chiso has not received" in text and "Mostly from the criterion" in text


def test_filters_by_level_and_beyond_tolerance(site, clients, window, published):
    c = clients["lanhdao"]
    communes = rows_of(c.get(f"/reconcile?window={window}&level=commune").text)
    assert [(u, i) for _, u, i in communes] == [(first_commune(site.app.state.ctx.scores(window)), "total")]
    departments = rows_of(c.get(f"/reconcile?window={window}&level=department").text)
    assert {u for _, u, _ in departments} == {"24-SYT", "24-STC"}
    beyond = rows_of(c.get(f"/reconcile?window={window}&beyond=1").text)
    assert len(beyond) == 5 and all(v == "beyond" for v, _, _ in beyond)
    assert c.get(f"/reconcile?window={window}&level=nation").status_code == 400


def test_an_agencys_staff_see_their_own_rows_only(clients, window, published):
    for who in ("canbo.syt", "giamdoc.syt"):
        r = clients[who].get(f"/reconcile?window={window}")
        assert {u for _, u, _ in rows_of(r.text)} == {"24-SYT"}
        assert 'href="/units/24?' not in r.text


def test_an_empty_window_says_which_connector_to_configure(clients, published):
    r = clients["lanhdao"].get("/reconcile?window=2026-W30")
    assert r.status_code == 200 and 'id="reconcile-empty"' in r.text
    text = html.unescape(r.text)
    assert "Chưa có số liệu Cổng DVCQG công bố cho kỳ" in text
    assert "target: portal" in text and "chiso connectors run" in text
    assert rows_of(r.text) == []
