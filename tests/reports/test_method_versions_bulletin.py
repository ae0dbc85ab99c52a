"""A bulletin under a definition with two versions (the shipped example
``index-766-example-2026.2.yaml``: from 1 July 2026, 6 of the 12 online-service points are "chưa
xác định"), from the demo site's records (tests/web/site.py): the week spanning 1 July says the
method changed; the total is out of the determined 94 points and names what is not determined;
nothing undetermined is a lever or a loss."""
from __future__ import annotations

import pytest

from chiso.catalog.index_definition import DEFINITIONS_DIR, load_index_definition
from chiso.reports.facts import build_bulletin
from chiso.reports.sources import RecordsSource
from chiso.reports.text import write_text

EXAMPLE = DEFINITIONS_DIR / "index-766-example-2026.2.yaml"
CHANGE = "Kỳ này có thay đổi phương pháp tính từ ngày 01/07/2026 (phiên bản 2026.2)"
PENDING_NAME = "Phần còn lại của điểm dịch vụ công trực tuyến (chưa công bố cách tính)"


@pytest.fixture(scope="module")
def source(site):
    return RecordsSource(load_index_definition(EXAMPLE), site.records, site.tree)


@pytest.fixture(scope="module")
def spanning(source):
    return build_bulletin(source.scores("2026-W27", weeks=3), "24", tree=source.tree)


def test_the_week_spanning_the_change_says_so(spanning):
    assert spanning.method["version"] == "2026.2" and spanning.method["changes"][0]["from"] == "2026-07-01"
    vi, en = write_text(spanning, "vi"), write_text(spanning, "en")
    assert CHANGE in vi.section("total").paragraphs[1]
    assert "The method changed during this period, from" in en.plain()


def test_the_total_is_out_of_the_determined_points(spanning):
    assert spanning.max_total == 94 and spanning.undetermined == (
        (PENDING_NAME, "Rest of the online public service points (rule not yet published)"),)
    text = write_text(spanning, "vi").plain()
    assert "Tổng điểm tính trên 94 điểm của các tiêu chí đã xác định cách tính" in text and PENDING_NAME in text
    online = next(g for g in spanning.province.groups if g.code == "ONLINE_SERVICE")
    assert online.max == 6  # the determined part of the 12 points
    assert all(lv.max == 6 for lv in spanning.levers if lv.code == "ONLINE_SERVICE")


def test_a_week_before_the_change_is_the_first_version(source):
    b = build_bulletin(source.scores("2026-W25", weeks=2), "24", tree=source.tree)
    assert b.method["version"] == "2026.1" and b.method["message"] is None
    assert b.max_total == 100 and b.undetermined == ()
    text = write_text(b, "vi").plain()
    assert "phương pháp tính" not in text and "chưa xác định" not in text.lower()
