"""Completeness of reporting on hand-made data: what is expected, each item's status, cells, rates."""
from __future__ import annotations

import datetime as dt

from chiso.evaluate.dm.completeness import completeness, deadline_of, months_back, periods_between, status_of
from chiso.periods.windows import parse_window
from tests.evaluate.dm.conftest import make_indicator

TODAY = dt.date(2026, 12, 5)
COMMUNES = ["24-X1", "24-X2", "24-X3"]


def units_of(level: str) -> list[str]:
    return {"province": ["24"], "department": ["24-STC", "24-SYT"], "commune": COMMUNES}[level]


def test_the_deadline_is_the_period_end_plus_the_indicators_days() -> None:
    ind = make_indicator(deadline_days=5)
    assert deadline_of(ind, parse_window("2026-11")) == dt.date(2026, 12, 5)


def test_months_back_end_with_the_current_month() -> None:
    assert [m.label for m in months_back(TODAY, 3)] == ["2026-10", "2026-11", "2026-12"]


def test_periods_are_those_begun_by_today_and_ending_after_the_first_day() -> None:
    assert [w.label for w in periods_between("month", dt.date(2026, 10, 1), TODAY)] == \
        ["2026-10", "2026-11", "2026-12"]
    weeks = periods_between("week", dt.date(2026, 11, 20), TODAY)
    assert weeks[0].label == "2026-W47" and weeks[-1].label == "2026-W49"


def test_status_of_one_item() -> None:
    deadline = dt.date(2026, 12, 5)
    assert status_of(deadline, TODAY, None, False) == "not_due"           # the deadline day itself
    assert status_of(deadline, dt.date(2026, 12, 6), None, False) == "missing"
    assert status_of(deadline, dt.date(2026, 12, 6), True, False) == "late"
    assert status_of(deadline, TODAY, False, False) == "on_time"
    assert status_of(deadline, TODAY, False, True) == "returned"          # sent back: not received


def test_a_monthly_indicator_of_the_province_cell_by_cell() -> None:
    ind = make_indicator("NS.THU", frequency="monthly", deadline_days=5, owner="24-STC")
    received = {("NS.THU", "24", "2026-09"): False, ("NS.THU", "24", "2026-10"): True}
    board = completeness({"NS.THU": ind}, units_of, received, [], TODAY, months=4,
                         live_since={"NS.THU": dt.date(2026, 1, 1)})
    assert [m.label for m in board.months] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    row = board.agencies["24-STC"]
    cells = {m: t.status for m, t in row.cells.items()}
    # 2026-11's deadline is 5 December: today it is not yet missing
    assert cells == {"2026-09": "on_time", "2026-10": "late", "2026-11": "not_due", "2026-12": "not_due"}
    assert row.total.due == 2 and row.total.on_time_rate == 0.5 and row.total.received_rate == 1.0
    late_board = completeness({"NS.THU": ind}, units_of, received, [], dt.date(2026, 12, 6), months=4,
                              live_since={"NS.THU": dt.date(2026, 1, 1)})
    assert late_board.agencies["24-STC"].cells["2026-11"].status == "missing"
    assert [i.period.label for i in late_board.agencies["24-STC"].missing()] == ["2026-11"]


def test_nothing_is_expected_before_the_indicator_went_live() -> None:
    ind = make_indicator("NS.THU", frequency="monthly")
    board = completeness({"NS.THU": ind}, units_of, {}, [], TODAY, months=6,
                         live_since={"NS.THU": dt.date(2026, 11, 10)})
    row = board.agencies["24-STC"]
    assert [m for m, t in row.cells.items() if t.expected] == ["2026-11", "2026-12"]
    assert row.cells["2026-10"].status is None


def test_every_unit_of_the_levels_is_expected_and_one_missing_commune_makes_the_cell_missing() -> None:
    ind = make_indicator("XH.HO_NGHEO", frequency="quarterly", deadline_days=10, levels=("commune",),
                         owner="24-SYT")
    received = {("XH.HO_NGHEO", c, "2026-Q3"): False for c in COMMUNES[:2]}
    board = completeness({"XH.HO_NGHEO": ind}, units_of, received, [], TODAY, months=6,
                         live_since={"XH.HO_NGHEO": dt.date(2025, 1, 1)})
    row = board.agencies["24-SYT"]
    q3 = row.cells["2026-09"]   # the quarter ends in September
    assert q3.expected == 3 and q3.counts["on_time"] == 2 and q3.status == "missing"
    assert [i.unit for i in row.missing()] == ["24-X3"]
    assert row.cells["2026-12"].counts["not_due"] == 3        # Q4 is still running
    assert round(row.total.on_time_rate, 4) == round(2 / 3, 4)


def test_a_returned_period_is_neither_received_nor_on_time() -> None:
    ind = make_indicator("NS.THU", frequency="monthly")
    received = {("NS.THU", "24", "2026-10"): False}
    board = completeness({"NS.THU": ind}, units_of, received, [("NS.THU", "2026-10")], TODAY, months=3,
                         live_since={"NS.THU": dt.date(2026, 1, 1)})
    row = board.agencies["24-STC"]
    assert row.cells["2026-10"].status == "returned"
    assert row.total.received == 0 and row.total.on_time_rate == 0.0
    assert [i.status for i in row.missing()] == ["returned"]


def test_only_collected_indicators_are_expected_and_the_province_adds_every_agency() -> None:
    collected = make_indicator("NS.THU", frequency="monthly", owner="24-STC")
    formula = make_indicator("NS.TY_LE", frequency="monthly", owner="24-STC", formula="NS.THU / 2")
    weekly = make_indicator("YT.KHAM", frequency="weekly", deadline_days=2, owner="24-SYT")
    board = completeness({c.code: c for c in (collected, formula, weekly)}, units_of,
                         {("YT.KHAM", "24", "2026-W48"): False}, [], TODAY, months=2,
                         live_since={"NS.THU": dt.date(2025, 1, 1), "YT.KHAM": dt.date(2025, 1, 1)})
    assert set(board.agencies) == {"24-STC", "24-SYT"}
    assert all(i.indicator != "NS.TY_LE" for a in board.agencies.values() for i in a.items)
    cells = board.agencies["24-SYT"].cells
    # W49 (30 Nov – 6 Dec) is still running: December's; W48 ended on 29 November: November's
    assert cells["2026-12"].counts["not_due"] == 1 and cells["2026-12"].expected == 1
    assert cells["2026-11"].counts["on_time"] == 1 and cells["2026-11"].counts["missing"] == 4  # W44 (ends 1 Nov) … W47
    province = board.province["2026-12"]
    assert province.expected == sum(a.cells["2026-12"].expected for a in board.agencies.values())
    # the worst agencies first; Sở Tài chính has nothing due yet (November's deadline is today): last
    assert list(board.agencies) == ["24-SYT", "24-STC"]
    assert board.agencies["24-STC"].total.on_time_rate is None


def test_one_owner_only() -> None:
    a = make_indicator("NS.THU", owner="24-STC")
    b = make_indicator("YT.KHAM", owner="24-SYT")
    board = completeness({"NS.THU": a, "YT.KHAM": b}, units_of, {}, [], TODAY, months=2, owner="24-SYT",
                         live_since={"NS.THU": dt.date(2025, 1, 1), "YT.KHAM": dt.date(2025, 1, 1)})
    assert list(board.agencies) == ["24-SYT"]
    assert board.as_dict()["agencies"][0]["code"] == "24-SYT"


def test_what_an_agency_owes_by_indicator_and_period_newest_first() -> None:
    ind = make_indicator("XH.HO_NGHEO", frequency="monthly", levels=("province", "commune"), owner="24-SYT")
    received = {("XH.HO_NGHEO", "24", "2026-10"): False, ("XH.HO_NGHEO", "24-X1", "2026-10"): False}
    board = completeness({"XH.HO_NGHEO": ind}, units_of, received, [], TODAY, months=3,
                         live_since={"XH.HO_NGHEO": dt.date(2025, 1, 1)})
    owed = board.agencies["24-SYT"].owed()
    assert [(o.period.label, o.units) for o in owed] == [("2026-10", ("24-X2", "24-X3"))]
    assert owed[0].status == "missing" and owed[0].deadline == dt.date(2026, 11, 5)
