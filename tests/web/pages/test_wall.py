"""The IOC wall as an operations screen (issue 14, part 2) over the demo site of the web tests:
what it shows (the 766 headline, the group dials with their maxima and bands, the DM traffic-light
board off track first, task and warning counters, top and bottom units, the map, the ticker with
its own label), the time in the province's zone and the data's own stamp, the HTMX board, the
rotation setting, English. The layout itself (no empty band, no scrolling, label sizes) is
tests/web/browser/test_wall.py's."""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from zoneinfo import ZoneInfo

import pytest

from chiso.evaluate.dm.service import status_report
from chiso.evaluate.service import latest_day
from chiso.web.pages import wall
from chiso.web.pages.wall_charts import band_stops, group_gauge
from tests.web.site import WINDOW


def _board(text: str) -> str:
    return html.unescape(text)


def _charts(text: str, cls: str) -> list[dict]:
    """The ECharts options of the elements of class ``cls`` (in ``data-chart='…'``)."""
    found = re.findall(r'<(?:div|figure)[^>]*class="[^"]*' + cls + r'[^"]*"[^>]*data-chart=\'([^\']*)\'', text)
    return [json.loads(html.unescape(f)) for f in found]


@pytest.fixture(scope="module")
def page(clients, site):
    # the board is cached five minutes; tests before this one may have written values straight to
    # the store (as another process would), and this module reads the store to compare
    site.app.state.ctx.forget_values()
    r = clients["lanhdao"].get(f"/wall?window={WINDOW}")
    assert r.status_code == 200, r.text[:500]
    return r.text


def test_the_headline_dials_counters_units_map_and_ticker(page, site):
    text = _board(page)
    assert "Màn hình điều hành IOC — Bắc Ninh" in text
    assert "Tổng điểm Bộ chỉ số 766" in text and "/ 100" in text
    assert re.search(r"Hạng \d+/\d+ cả nước", text)
    assert "Tuần 34/2026 (17–23/08)" in text
    # six dials, each with its maximum as text and the definition's bands as colour stops
    dials = _charts(page, "wall-chart")
    gauges = [d for d in dials if d["series"][0]["type"] == "gauge"]
    definition = site.app.state.ctx.definition
    assert [g["series"][0]["max"] for g in gauges] == [g.max for g in definition.groups]
    for option, group in zip(gauges, definition.groups, strict=True):
        series = option["series"][0]
        assert series["data"][0]["name"] == f"/ {group.max:g}"
        assert series["axisLine"]["lineStyle"]["color"] == [[0.8, "#ff6b5e"], [0.9, "#4ea3ff"], [1, "#43d17a"]]
        assert series["title"]["fontSize"] >= 24 and series["detail"]["fontSize"] >= 24
    for g in definition.groups:  # the name under each dial, and its score as text (shown without JavaScript)
        assert re.search(f"<figcaption>{re.escape(g.name)}<span class=\"wall-dial-text\"> \\d+,\\d\\d / {g.max:g}</span>", text), g.name
    # the trend's labels are written for 1080p at 24 px (wall.js scales them)
    trend = [d for d in dials if d["series"][0]["type"] == "line"][0]
    assert trend["xAxis"]["axisLabel"]["fontSize"] >= 24 and trend["yAxis"]["axisLabel"]["fontSize"] >= 24
    assert trend["xAxis"]["data"][-1] == "Tuần 34"
    # counters
    assert "Việc cần chỉ đạo" in text and "Nhiệm vụ đang thực hiện" in text
    for words in ("Quá hạn", "Quá hạn trên 120 ngày", "Đến hạn trong 7 ngày", "Trong hạn", "Cảnh báo đang mở"):
        assert words in text, words
    # top and bottom departments and communes
    assert "Đơn vị dẫn đầu và cuối bảng" in text and "Dẫn đầu" in text and "Cuối bảng" in text
    table = site.app.state.ctx.scores(WINDOW)
    first = table.ranking("department", "24").sort("rank").row(0, named=True)
    assert f"1. {first['name']}" in text
    # the map of the provinces (chiso.web.pages.maps), not a link on the wall
    assert 'data-map-kind="provinces"' in page and 'data-map-links="0"' in page
    # the ticker's label in a cell of its own, with the count
    label = re.search(r'<b class="wall-ticker-label">([^<]*)</b>', text).group(1)
    assert re.fullmatch(r"Cảnh báo \(\d+\):", label), label
    assert '<div class="wall-ticker-window">' in page


def test_the_clock_is_local_time_and_the_data_have_their_own_stamp(page, site):
    text = _board(page)
    stamp = re.search(r'<time class="wall-clock" datetime="([^"]+)"[^>]*>Cập nhật (\d\d:\d\d \d\d/\d\d/\d{4})</time>',
                      text)
    assert stamp, "no clock"
    moment = dt.datetime.fromisoformat(stamp.group(1))
    assert moment.utcoffset() == dt.timedelta(hours=7)  # Asia/Ho_Chi_Minh, not the server's UTC
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert abs((now - moment).total_seconds()) < 180
    assert stamp.group(2) == moment.strftime("%H:%M %d/%m/%Y")
    # the records reach 30/08; the week shown ends on 23/08: its data are up to then
    assert latest_day(site.records) == dt.date(2026, 8, 30)
    assert "số liệu đến 23/08/2026" in text
    latest = _board(site.client("lanhdao").get("/wall?window=2026-W35").text)
    assert "số liệu đến 30/08/2026" in latest


def test_the_clock_in_the_zone_of_the_setting():
    utc = dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.UTC)
    assert wall.clock_text(wall.local_now(utc), "vi") == "03:30 06/12/2026"
    assert wall.clock_text(wall.local_now(dt.datetime(2026, 12, 5, 20, 30)), "en") == "03:30, 6 Dec 2026"


def test_the_dm_board_puts_off_track_first(page, site):
    db = site.database()
    try:
        with db.session() as s:
            report = status_report(s, "24", today=wall.local_today())
            board = wall.dm_board(s, "24")
    finally:
        db.dispose()
    rows = board["rows"]
    assert len(rows) == len(report["indicators"]) > 0
    assert board["counts"]["off_track"] == report["counts"]["off_track"] > 0
    ranks = [wall.STATUS_ORDER.index(r["status"]) for r in rows]
    assert ranks == sorted(ranks)
    assert rows[0]["status"] == "off_track"
    off = [r for r in rows if r["status"] == "off_track"]
    shares = [r["achievement"] for r in off if r["achievement"] is not None]
    assert shares == sorted(shares)  # the furthest from target first
    # the page: the rows' lights in the same order, the first ones red
    lights = re.findall(r'<li class="light-(\w+)" title=', page)
    assert lights and lights[0] == "red"
    order = ["red", "amber", "grey", "green"]
    assert [order.index(x) for x in lights] == sorted(order.index(x) for x in lights)
    assert len(lights) == min(wall.DM_ROWS, len(rows))
    # each row: its value against its target and an arrow of the move since the period before
    row = off[0]
    text = _board(page)
    assert row["name"] in text
    assert row["arrow"] in ("↑", "↓", "→", "—")
    with_previous = [r for r in rows if r["previous"] is not None and r["value"] is not None]
    assert with_previous, "no indicator with two periods"
    for r in with_previous:
        expected = "↑" if r["value"] > r["previous"] else "↓" if r["value"] < r["previous"] else "→"
        assert r["arrow"] == expected
        if r["arrow"] != "→":
            assert r["good"] == ((r["arrow"] == "↑") == (r["polarity"] != "lower"))


def test_a_move_is_good_by_the_indicators_direction():
    assert wall.movement(95, 90, "higher") == {"arrow": "↑", "good": True, "change": 5.0}
    assert wall.movement(95, 90, "lower")["good"] is False
    assert wall.movement(80, 90, "lower") == {"arrow": "↓", "good": True, "change": -10.0}
    assert wall.movement(90, 90, "higher")["arrow"] == "→"
    assert wall.movement(None, 90, "higher")["arrow"] == "—"
    # the board's numbers: short, the language's separators, a real minus sign
    assert [wall.short_value(v, "vi") for v in (-2.5, 55.0, 110.17, 12345.6, 72.7, None)] == \
        ["−2,50", "55", "110,2", "12.346", "72,70", "—"]
    assert wall.short_value(-1234.5, "en") == "−1,235"
    order = sorted([{"status": "on_track", "achievement": 1.0, "indicator": "A"},
                    {"status": "off_track", "achievement": 0.8, "indicator": "B"},
                    {"status": "at_risk", "achievement": 0.9, "indicator": "C"},
                    {"status": "off_track", "achievement": 0.5, "indicator": "D"},
                    {"status": "no_data", "achievement": None, "indicator": "E"}], key=wall.board_order)
    assert [r["indicator"] for r in order] == ["D", "B", "C", "E", "A"]


def test_the_gauges_bands_follow_the_definition(site):
    definition = site.app.state.ctx.definition
    bands = definition.national_bands
    assert band_stops(bands, 100) == [[0.8, "#ff6b5e"], [0.9, "#4ea3ff"], [1, "#43d17a"]]
    # Bắc Ninh's own bands for its units (> 94, ≥ 90, below): the stretches follow them
    assert band_stops(definition.province_bands["24"], 100) == [[0.9, "#ff6b5e"], [0.94, "#4ea3ff"], [1, "#43d17a"]]
    low = group_gauge(13.67, 18, bands, 100, "vi")["series"][0]  # 76 %: below the "good" band
    high = group_gauge(19.52, 20, bands, 100, "vi")["series"][0]  # 97.6 %: excellent
    assert low["progress"]["itemStyle"]["color"] == "#ff6b5e" and high["progress"]["itemStyle"]["color"] == "#43d17a"
    assert low["max"] == 18 and low["data"] == [{"value": 13.67, "name": "/ 18"}]


def test_the_board_reloads_alone_and_the_rotation_is_a_setting(clients, monkeypatch):
    c = clients["lanhdao"]
    board = c.get(f"/wall?window={WINDOW}&fragment=1", headers={"HX-Request": "true"})
    assert board.status_code == 200 and "<html" not in board.text
    assert 'class="panel wall-rotator"' in board.text and 'id="wall-dm"' in board.text
    assert "wall-map" not in board.text  # the map stays on the screen while the board reloads
    assert 'data-rotate-seconds="20"' in board.text
    monkeypatch.setenv("CHISO_WALL_ROTATE_SECONDS", "45")
    assert 'data-rotate-seconds="45"' in c.get(f"/wall?window={WINDOW}").text
    monkeypatch.setenv("CHISO_WALL_ROTATE_SECONDS", "0")
    assert 'data-rotate-seconds="0"' in c.get(f"/wall?window={WINDOW}").text
    monkeypatch.setenv("CHISO_WALL_ROTATE_SECONDS", "soon")
    assert wall.rotate_seconds() == 20


def test_the_wall_in_english(clients):
    text = _board(clients["lanhdao"].get(f"/wall?window={WINDOW}&lang=en").text)
    assert "Week 34, 2026" in text and "data up to 23 Aug 2026" in text
    assert re.search(r">Updated \d\d:\d\d, \d{1,2} \w{3} 2026<", text)
    for words in ("What needs direction", "Open warnings", "Top and bottom units", "Tasks to follow up",
                  "Direction & management indicators"):
        assert words in text, words
    assert re.search(r'<b class="wall-ticker-label">Warnings \(\d+\):</b>', text)
    assert "Cập nhật" not in text and "số liệu đến" not in text
    # ?lang=en sets the language cookie on the shared client: switch it back for the tests after
    assert '<html lang="vi">' in clients["lanhdao"].get(f"/wall?window={WINDOW}&lang=vi").text


def test_every_role_sees_the_wall(clients):
    for username in clients:
        r = clients[username].get(f"/wall?window={WINDOW}")
        assert r.status_code == 200, (username, r.text[:300])
        assert 'id="wall-dm"' in r.text and "wall-ticker-label" in r.text


def test_a_province_without_indicators_still_has_its_wall(site):
    """Hà Nội's leader: scores and ranks, but no DM catalogue in the store — the board says so."""
    text = _board(site.client("lanhdao.hn").get(f"/wall?window={WINDOW}").text)
    assert "<h1>Màn hình điều hành IOC — Thành phố Hà Nội</h1>" in text
    assert re.search(r"Hạng \d+/\d+ cả nước", text)
    assert '<p class="empty">Tỉnh chưa có chỉ tiêu đang vận hành.</p>' in text
    assert 'class="light-' not in text.split('id="wall-dm"')[1].split('id="wall-units"')[0]
