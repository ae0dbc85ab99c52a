"""A bulletin in the five-group view: the seed-003 week (tests/fixtures/seed003, Bắc Ninh 2025-W46,
total 92.28) with online services (8.48/12) and online payment (9.91/10) as one group of
22 points. Figures worked by hand from the six groups; the total and the ranks do not change."""
from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chiso.catalog.presentation import group_view
from chiso.reports.facts import build_bulletin
from chiso.reports.html import render_html
from chiso.reports.render import render
from chiso.store.database import init_store, open_database
from chiso.web.routes_reports import reports_router

MERGED = "ONLINE_SERVICE_PAYMENT"
MERGED_NAME = "Cung cấp dịch vụ công trực tuyến"


@pytest.fixture(scope="module")
def source(seed_source):  # tests/reports/conftest.py: the seed-003 counts files
    return seed_source


@pytest.fixture(scope="module")
def scores(seed_scores):  # … scored for 2025-W46
    return seed_scores


@pytest.fixture(scope="module")
def five(scores, definition):
    return build_bulletin(scores, "24", view=group_view(definition, "five"))


@pytest.fixture(scope="module")
def six(scores):
    return build_bulletin(scores, "24")


def test_the_province_groups_by_hand(five, six):
    assert five.group_view == "five" and six.group_view == "six"
    groups = {g.code: g for g in five.province.groups}
    assert list(groups) == ["TRANSPARENCY", "PROGRESS", MERGED, "DIGITIZATION", "SATISFACTION"]
    g = groups[MERGED]
    # 8.48 + 9.91 = 18.39 of 12 + 10 = 22; the week before 8.45 + 9.88 = 18.33: +0.06
    assert (g.points, g.max, g.previous_points, g.change) == (18.39, 22.0, 18.33, 0.06)
    assert g.share == pytest.approx(18.39 / 22)
    assert groups["PROGRESS"] == {x.code: x for x in six.province.groups}["PROGRESS"]
    assert five.province.unit == six.province.unit  # total 92.28, rank 1: the same in both views
    assert five.province.unit.total == 92.28


def test_levers_speak_of_the_shown_groups(five, six):
    top = five.levers[0]
    # 90 % of 22 = 19.8; 19.8 − 18.39 = 1.41; 92.28 + 1.41 = 93.69
    assert (top.code, top.points, top.max, top.gain, top.lost, top.total_after) == (MERGED, 18.39, 22.0, 1.41, 3.61,
                                                                                   93.69)
    assert {lv.code for lv in five.levers} == {"TRANSPARENCY", "PROGRESS", MERGED, "DIGITIZATION", "SATISFACTION"}
    # in six groups online services alone is the lever: 90 % of 12 = 10.8; 10.8 − 8.48 = 2.32 (docs/domain)
    assert (six.levers[0].code, six.levers[0].gain) == ("ONLINE_SERVICE", 2.32)
    transparency = {lv.code: lv for lv in five.levers}["TRANSPARENCY"]
    assert transparency == {lv.code: lv for lv in six.levers}["TRANSPARENCY"]


def test_losses_of_the_weakest_units_merge_the_groups(five, scores):
    communes = five.communes
    weakest = communes.weakest
    row = scores.table.unit(weakest.unit.code)
    losses = {loss.code: loss for loss in weakest.losses}
    assert "ONLINE_SERVICE" not in losses and "PAYMENT" not in losses
    points = round(row["ONLINE_SERVICE"] + row["PAYMENT"], 2)
    assert (losses[MERGED].points, losses[MERGED].lost) == (points, round(22 - points, 2))
    assert losses["PROGRESS"].lost == round(20 - row["PROGRESS"], 2)
    # the bottom group's mean loss on the merged group: 22 − the mean of the members' points added
    bottom = [scores.table.unit(u.code) for u in communes.ranking[-communes.group_size:]]
    mean = sum(r["ONLINE_SERVICE"] + r["PAYMENT"] for r in bottom) / len(bottom)
    merged_loss = {loss.code: loss for loss in communes.bottom_losses}[MERGED]
    assert merged_loss.lost == pytest.approx(round(22 - mean, 2), abs=0.006)
    assert communes.bottom_losses[0].code == MERGED  # where the bottom group loses most


def test_the_bulletin_text_and_workbook_in_five_groups(five, six):
    six_bulletin = six
    html = render_html(five, "vi")
    assert f"{MERGED_NAME} tăng 0,06 điểm, đạt 18,39/22 điểm (83,6%)" in html
    assert (f"{MERGED_NAME} (18,39/22 điểm – tương đương 83,6%) là chỉ số có dư địa cải thiện lớn nhất"
            in html)
    assert (f'<td class="">{MERGED_NAME}</td><td class="num">18,39</td><td class="num">22</td>'
            f'<td class="num">83,6%</td><td class="num">+0,06</td>') in html
    # the six groups' names of the two merged groups are nowhere
    assert "Thanh toán trực tuyến" not in html and "Dịch vụ công trực tuyến" not in html
    assert "Dịch vụ công trực tuyến" in render_html(six_bulletin, "vi")
    book = openpyxl.load_workbook(io.BytesIO(render(five, "xlsx", "vi").content))
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[-5:] == ["Công khai, minh bạch", "Tiến độ giải quyết", MERGED_NAME, "Số hóa hồ sơ",
                           "Mức độ hài lòng"]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "24")
    assert row[3] == 92.28 and row[-3] == 18.39


def test_the_bulletin_route_takes_the_view(source, tmp_path, monkeypatch):
    url = f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}"
    init_store(url, actor="test").dispose()
    app = FastAPI()
    app.include_router(reports_router(source, database=lambda: open_database(url)))
    with TestClient(app) as c:
        five = c.get("/api/v1/reports/24", params={"window": "2025-W46", "format": "html", "view": "five"})
        six = c.get("/api/v1/reports/24", params={"window": "2025-W46", "format": "html", "view": "six"})
        page = c.get("/reports/24", params={"window": "2025-W46", "nhom": "5"})
        assert five.status_code == six.status_code == page.status_code == 200
        assert MERGED_NAME in five.text and MERGED_NAME in page.text and MERGED_NAME not in six.text
        assert "Bắc Ninh đạt 92,28 điểm" in five.text and "Bắc Ninh đạt 92,28 điểm" in six.text
        assert c.get("/reports/24", params={"window": "2025-W46", "nhom": "4"}).status_code == 400
        monkeypatch.setenv("CHISO_GROUP_VIEW", "five")
        default = c.get("/api/v1/reports/24", params={"window": "2025-W46", "format": "html"})
        assert MERGED_NAME in default.text
