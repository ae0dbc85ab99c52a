"""Warning rules, each with hand-computed cases; keys are stable so re-running repeats itself."""
from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from chiso.catalog.indicator import Aggregation, Target
from chiso.evaluate.dm.targets import TargetBook, catalogue_targets
from chiso.evaluate.dm.warnings import (
    ConnectorStatus,
    LateValue,
    WarningInputs,
    WarningSettings,
    below_threshold,
    counterpart_disagreement,
    deterioration,
    evaluate_warnings,
    late_data,
    missing_data,
    outlier,
    stale_source,
    subject_of,
    warning_key,
)
from chiso.units.model import Unit
from chiso.units.registry import UnitTree
from tests.evaluate.dm.conftest import make_indicator, make_values

TODAY = dt.date(2026, 10, 20)
TREE = UnitTree.from_units([
    Unit("VN", "Việt Nam", "nation", "quốc gia", None, None),
    Unit("24", "Bắc Ninh", "province", "tỉnh", "VN", "24"),
    Unit("24-STC", "Sở Tài chính", "department", "sở", "24", "24"),
    Unit("07210", "Phường Bắc Giang", "commune", "phường", "24", "24"),
    Unit("07211", "Phường Đa Mai", "commune", "phường", "24", "24"),
])
RATE_AGG = Aggregation(units="ratio_of_sums", periods="ratio_of_sums", numerator="A", denominator="B", scale=100)


def inputs(indicators, rows, **kw) -> WarningInputs:
    inds = {i.code: i for i in indicators}
    book = TargetBook(inds, catalogue_targets(inds, "24"), province="24")
    return WarningInputs(province="24", indicators=inds, values=make_values(rows), targets=book,
                         today=kw.pop("today", TODAY), units=kw.pop("units", TREE), **kw)


REVENUE = make_indicator("NS.THU", cumulative=True, targets=(Target(period="2026", value=1200.0),))
RATE = make_indicator("HC.DUNG_HAN", unit="%", aggregation=RATE_AGG, levels=("province", "commune"),
                      field="ADMINISTRATION", owner="24-VPUBND", targets=(Target(period="2026", value=95.0),))


# --- below threshold ------------------------------------------------------------------------

def test_below_threshold_severity_follows_the_status():
    rows = [("NS.THU", "24", "2026-08", 700.0),       # path 800 → 0.875 at risk (not the latest)
            ("NS.THU", "24", "2026-09", 700.0),       # path 900 → 0.778 off track
            ("HC.DUNG_HAN", "24", "2026-09", 96.0),   # 1.0105 achieved → nothing
            ("HC.DUNG_HAN", "07210", "2026-09", 85.5),  # 0.9 at risk, the commune's own doing
            ("HC.DUNG_HAN", "07211", "2026-09", 91.0)]  # 0.958 on track
    result = below_threshold(inputs([REVENUE, RATE], rows))
    got = {(w.indicator, w.unit, w.period): (w.severity, w.responsible, w.evidence["status"])
           for w in result.warnings}
    # a new miss: off track → warning, at risk → info (one step worse once it lasts 3 periods)
    assert got == {("NS.THU", "24", "2026-09"): ("warning", "24-STC", "off_track"),
                   ("HC.DUNG_HAN", "07210", "2026-09"): ("info", "07210", "at_risk")}
    revenue = next(w for w in result.warnings if w.indicator == "NS.THU")
    assert revenue.evidence["target"] == pytest.approx(900.0)
    assert revenue.evidence["achievement"] == pytest.approx(700 / 900, abs=1e-6)
    assert revenue.evidence["periods"] == 2                 # August was at risk already
    assert revenue.message_vi == ("Chỉ số NS.THU: Bắc Ninh, tháng 9/2026: đạt 700 tỷ đồng, bằng 77,8% chỉ tiêu "
                                  "900 tỷ đồng — chậm tiến độ (2 kỳ liên tiếp).")
    assert revenue.message_en == ("Indicator NS.THU: Bắc Ninh, September 2026: 700 billion VND, 77.8% of the "
                                  "target of 900 billion VND — off track (2 periods in a row).")
    assert revenue.key == "below_threshold|NS.THU|24|2026-09"
    assert result.checked == {("below_threshold", "NS.THU", "24"), ("below_threshold", "HC.DUNG_HAN", "24"),
                              ("below_threshold", "HC.DUNG_HAN", "07210"), ("below_threshold", "HC.DUNG_HAN", "07211")}


def test_below_threshold_lower_is_better():
    overdue = make_indicator("HC.QUA_HAN", polarity="lower", unit="hồ sơ", targets=(Target(period="2026", value=40),))
    rows = [("HC.QUA_HAN", "24", "2026-09", 50.0)]             # 40/50 = 0.8 off track
    (w,) = below_threshold(inputs([overdue], rows)).warnings
    assert (w.severity, w.evidence["achievement"], w.evidence["polarity"]) == ("warning", 0.8, "lower")
    # a ceiling exceeded reads as exceeded, never as "80% of the target reached"
    assert "50 hồ sơ, vượt 25% so với chỉ tiêu 40 hồ sơ — chậm tiến độ" in w.message_vi
    assert "50 dossiers, 25% over the target of 40 dossiers" in w.message_en
    assert "bằng" not in w.message_vi
    assert below_threshold(inputs([overdue], [("HC.QUA_HAN", "24", "2026-09", 41.0)])).warnings == []  # 0.9756
    assert below_threshold(inputs([overdue], [("HC.QUA_HAN", "24", "2026-09", 45.0)])).warnings[0].severity \
        == "info"                                              # 0.889 at risk, new


def test_below_threshold_twice_the_ceiling_and_a_lasting_miss():
    overdue = make_indicator("HC.QUA_HAN", polarity="lower", unit="hồ sơ", targets=(Target(period="2026", value=50),))
    rows = [("HC.QUA_HAN", "24", p, v) for p, v in (("2026-07", 90.0), ("2026-08", 95.0), ("2026-09", 104.0))]
    (w,) = below_threshold(inputs([overdue], rows)).warnings
    # off track three months in a row: one step worse than a new miss
    assert (w.severity, w.evidence["periods"]) == ("critical", 3)
    assert "104 hồ sơ, gấp 2,1 lần chỉ tiêu 50 hồ sơ" in w.message_vi
    assert "48,1%" not in w.message_vi
    assert "104 dossiers, 2.1 times the target of 50 dossiers" in w.message_en
    gap = [r for r in rows if r[2] != "2026-08"]              # a gap ends the run
    assert below_threshold(inputs([overdue], gap)).warnings[0].severity == "warning"
    calm = WarningSettings(below_severity={"off_track": ("info", "warning")})   # severities are settings
    assert below_threshold(inputs([overdue], rows, settings=calm)).warnings[0].severity == "warning"


def test_many_units_with_one_condition_make_one_warning_for_the_owner():
    units = [Unit(f"0{7300 + i}", f"Xã Thử {i}", "commune", "xã", "24", "24") for i in range(6)]
    tree = UnitTree.from_units(list(TREE) + units)
    rows = [("HC.DUNG_HAN", u.code, "2026-09", 80.0 + i) for i, u in enumerate(units[:4])]  # 4 of 8 below
    rows += [("HC.DUNG_HAN", u.code, "2026-09", 96.0) for u in units[4:]]
    result = below_threshold(inputs([RATE], rows, units=tree))
    (w,) = result.warnings
    assert (w.unit, w.responsible, w.period, w.group) == ("24", "24-VPUBND", "2026-09", "commune")
    assert w.key == "below_threshold|HC.DUNG_HAN|24|2026-09|commune"
    assert [m["unit"] for m in w.evidence["members"]] == ["07300", "07301", "07302", "07303"]  # worst first
    assert (w.evidence["units_expected"], w.evidence["units_in_group"], w.evidence["group_level"]) == (8, 4, "commune")
    assert w.message_vi.startswith("Chỉ số HC.DUNG_HAN: 4/8 xã, phường dưới ngưỡng chỉ tiêu tháng 9/2026 (")
    assert ("below_threshold", "HC.DUNG_HAN", "07300") in result.checked    # their own warnings close
    few = below_threshold(inputs([RATE], rows[:2] + rows[4:], units=tree))   # 2 below: their own warnings
    assert sorted(w.unit for w in few.warnings) == ["07300", "07301"]
    assert below_threshold(inputs([RATE], rows, units=tree, settings=WarningSettings(group_units_from=5))) \
        .warnings[0].group == ""


# --- deterioration ---------------------------------------------------------------------------

def rate_rows(values, unit="24", start=5):
    return [("HC.DUNG_HAN", unit, f"2026-{start + i:02d}", v) for i, v in enumerate(values)]


@pytest.mark.parametrize("n, severity", [(3, "warning"), (2, "warning"), (1, "critical"), (4, None)])
def test_deterioration_over_n_periods(n, severity):
    rows = rate_rows([90, 92, 91, 89, 88])                    # three falls in a row up to September
    result = deterioration(inputs([RATE], rows, settings=WarningSettings(deterioration_periods=n)))
    if severity is None:
        assert result.warnings == []
    else:
        (w,) = result.warnings
        assert (w.severity, w.period, w.evidence["periods"], w.evidence["values"]) == \
            (severity, "2026-09", 3, [92, 91, 89, 88])
        assert w.responsible == "24-VPUBND"
    assert result.checked == {("deterioration", "HC.DUNG_HAN", "24")}


def test_deterioration_is_polarity_aware_and_needs_consecutive_periods():
    lower = make_indicator("HC.QUA_HAN", polarity="lower", unit="hồ sơ")
    rising = [("HC.QUA_HAN", "24", f"2026-0{m}", v) for m, v in ((6, 10.0), (7, 12.0), (8, 13.0), (9, 15.0))]
    (w,) = deterioration(inputs([lower], rising)).warnings
    assert w.evidence["periods"] == 3 and "diễn biến xấu liên tiếp 3 kỳ" in w.message_vi
    assert deterioration(inputs([RATE], rate_rows([95, 94, 93, 92]))).warnings  # higher: falling is worse
    gap = [r for r in rate_rows([95, 94, 93, 92]) if r[2] != "2026-06"]        # June missing
    assert deterioration(inputs([RATE], gap)).warnings == []
    with_null = rate_rows([95, None, 93, 92, 91])
    assert deterioration(inputs([RATE], with_null)).warnings == []             # only two falls since the gap


def test_deterioration_of_a_cumulative_indicator_looks_at_the_amounts():
    ytd = [50, 150, 260, 380, 490, 590, 680]       # amounts 50, 100, 110, 120, 110, 100, 90
    rows = [("NS.THU", "24", f"2026-{m:02d}", float(v)) for m, v in enumerate(ytd, start=1)]
    (w,) = deterioration(inputs([REVENUE], rows)).warnings
    assert w.evidence["values"] == [120, 110, 100, 90]
    assert w.evidence["cumulative_amounts"] is True
    growing = [("NS.THU", "24", f"2026-{m:02d}", float(100 * m)) for m in range(1, 8)]
    assert deterioration(inputs([REVENUE], growing)).warnings == []


# --- outlier ---------------------------------------------------------------------------------

HISTORY = [100.0, 102.0, 98.0, 101.0, 99.0, 100.0]    # mean 100, sd √2


@pytest.mark.parametrize("latest, severity", [(103.0, None), (106.0, "warning"), (109.0, "critical"),
                                               (94.0, "warning")])
def test_outlier_against_mean_and_sd(latest, severity):
    rows = rate_rows(HISTORY + [latest], start=1)
    result = outlier(inputs([RATE], rows))
    if severity is None:
        assert result.warnings == []
        return
    (w,) = result.warnings
    assert w.severity == severity
    assert w.evidence["mean"] == 100.0
    assert w.evidence["sd"] == pytest.approx(math.sqrt(2), abs=1e-6)
    assert w.evidence["z"] == pytest.approx((latest - 100) / math.sqrt(2), abs=1e-6)
    assert w.responsible == "24-VPUBND"


def test_outlier_needs_enough_history_and_k_is_a_setting():
    assert outlier(inputs([RATE], rate_rows(HISTORY[:5] + [130.0], start=1))).warnings == []
    loose = WarningSettings(outlier_k=5.0)
    assert outlier(inputs([RATE], rate_rows(HISTORY + [106.0], start=1), settings=loose)).warnings == []
    flat = rate_rows([100.0] * 6 + [101.0], start=1)
    (w,) = outlier(inputs([RATE], flat)).warnings
    assert w.evidence["z"] is None and w.severity == "critical"


COUNT = make_indicator("HC.NVG_QUA_HAN", unit="nhiệm vụ", owner="24-VPUBND", levels=("province", "commune"))


@pytest.mark.parametrize("history, latest, severity", [
    ([0.0] * 6, 1.0, None),                  # a unit with no overdue task now has one: chance (sd floor 1)
    ([0.0] * 6, 4.0, "warning"),             # z = 4 against the floor of 1
    ([100.0, 102.0, 98.0, 101.0, 99.0, 100.0], 106.0, None),       # √100 = 10 > sd √2: z = 0.6
    ([100.0, 102.0, 98.0, 101.0, 99.0, 100.0], 140.0, "warning"),  # z = 4
])
def test_a_count_varies_by_at_least_the_square_root_of_its_mean(history, latest, severity):
    rows = [("HC.NVG_QUA_HAN", "24", f"2026-{m:02d}", v) for m, v in enumerate(history + [latest], start=1)]
    result = outlier(inputs([COUNT], rows))
    assert [w.severity for w in result.warnings] == ([severity] if severity else [])
    # the same series of a rate keeps its own spread: 106 against mean 100, sd √2 is unusual
    assert outlier(inputs([RATE], rate_rows(HISTORY + [106.0], start=1))).warnings


# --- missing and late data -------------------------------------------------------------------

COLLECTED = make_indicator("NS.CHI", levels=("province", "department"), deadline_days=5)


WIDE = WarningSettings(missing_window={"month": 3})


def test_missing_data_after_the_deadline():
    rows = [("NS.CHI", "24", p, 1.0) for p in ("2026-07", "2026-08", "2026-09")] + \
           [("NS.CHI", "24-STC", "2026-08", 2.0), ("NS.CHI", "24-STC", "2026-10", 2.0)]
    result = missing_data(inputs([COLLECTED], rows, settings=WIDE))
    got = {(w.unit, w.period): (w.severity, w.evidence["days_overdue"]) for w in result.warnings}
    # September: due 5 October, 15 days late (within a month: warning);
    # July: due 5 August, 76 days late (more than the period's 31 days) with half the
    # agency's values of July missing: critical
    assert got == {("24-STC", "2026-09"): ("warning", 15), ("24-STC", "2026-07"): ("critical", 76)}
    assert all(w.responsible == "24-STC" for w in result.warnings)
    assert ("missing_data", "24-STC", "2026-09") in result.checked
    assert len(result.checked) == 7                     # 2 units × 3 periods, and the rule as a whole
    september = next(w for w in result.warnings if w.period == "2026-09")
    assert september.key == "missing_data|*|24-STC|2026-09"
    assert september.message_vi == ("Sở Tài chính: chưa có số liệu tháng 9/2026 của Sở Tài chính cho chỉ số "
                                    "Chỉ số NS.CHI; hạn báo cáo 05/10/2026 đã quá 15 ngày.")
    assert september.message_en.startswith("Sở Tài chính: no September 2026 value from Sở Tài chính for")
    # by default only the latest due periods of the kind are checked: two months, not last year
    assert {w.period for w in missing_data(inputs([COLLECTED], rows)).warnings} == {"2026-09"}


def test_missing_data_is_one_warning_per_agency_and_period():
    other = make_indicator("NS.THU_NOI_DIA", levels=("province",), deadline_days=5)
    communes = make_indicator("XH.DAN_SO", levels=("commune",), deadline_days=5, owner="24-STC")
    named = UnitTree.from_units([u if u.code != "24-STC" else Unit("24-STC", "Sở Tài chính", "department", "sở",
                                                                  "24", "24", name_en="Department of Finance")
                                 for u in TREE])
    result = missing_data(inputs([COLLECTED, other, communes], [("NS.CHI", "24", "2026-09", 1.0)], units=named))
    september = next(w for w in result.warnings if w.period == "2026-09")
    assert september.message_en.startswith("Department of Finance: 3 indicators without September 2026 values (")
    assert september.key == "missing_data|*|24-STC|2026-09"
    assert september.message_vi.startswith("Sở Tài chính: 3 chỉ số chưa có số liệu tháng 9/2026 (")
    listed = {i["indicator"]: i["missing_units"] for i in september.evidence["indicators"]}
    assert listed == {"NS.CHI": ["24-STC"], "NS.THU_NOI_DIA": ["24"], "XH.DAN_SO": ["07210", "07211"]}
    assert (september.evidence["values_missing"], september.evidence["values_expected"]) == (4, 5)
    assert september.severity == "warning"               # 15 days: less than a month late
    assert len(result.warnings) == 2                     # August and September, one each


def test_missing_data_only_after_the_indicator_went_live():
    live = {"NS.CHI": dt.date(2026, 9, 15)}              # moved to approved in mid-September
    result = missing_data(inputs([COLLECTED], [], live_since=live, settings=WIDE))
    assert {w.period for w in result.warnings} == {"2026-09"}


def test_missing_data_respects_deadline_valid_from_and_formulas():
    not_due = missing_data(inputs([COLLECTED], [], today=dt.date(2026, 10, 5), settings=WIDE))  # Sept. due today
    assert {w.period for w in not_due.warnings} == {"2026-06", "2026-07", "2026-08"}
    newer = make_indicator("NS.CHI", levels=("province",), valid_from=dt.date(2026, 8, 1))
    assert {w.period for w in missing_data(inputs([newer], [], settings=WIDE)).warnings} == {"2026-08", "2026-09"}
    formula = make_indicator("NS.TY_LE", formula="NS.CHI / NS.THU * 100")
    assert missing_data(inputs([formula], [])).warnings == []
    draft = make_indicator("NS.CHI", status="candidate")
    assert missing_data(inputs([draft], [])).warnings == []
    null_value = missing_data(inputs([newer], [("NS.CHI", "24", "2026-09", None)], settings=WIDE))
    assert {w.period for w in null_value.warnings} == {"2026-08", "2026-09"}


def test_late_data_is_information_for_recent_periods():
    late = [LateValue("NS.CHI", "24", "2026-09", 3), LateValue("NS.CHI", "24", "2026-03", 9),
            LateValue("NOT.LIVE", "24", "2026-09", 1)]
    (w,) = late_data(inputs([COLLECTED], [], late=late)).warnings
    assert (w.severity, w.period, w.evidence) == ("info", "2026-09", {"days_late": 3})
    assert "số liệu tháng 9/2026 của Bắc Ninh được gửi muộn (3 ngày sau hạn)" in w.message_vi


# --- stale source ----------------------------------------------------------------------------

def test_stale_source_severity_and_responsibility():
    ok = ConnectorStatus("tabmis", "24-STC", ("NS.THU",), stale=False,
                         last_success=dt.datetime(2026, 10, 19, tzinfo=dt.UTC))
    stale = ConnectorStatus("thue", "24-THUE", ("NS.THU", "UNKNOWN"), stale=True,
                            last_success=dt.datetime(2026, 9, 1, 7, 0, tzinfo=dt.UTC))
    broken = ConnectorStatus("kbnn", "24-STC", ("NS.CHI",), stale=True, last_error="HTTP 503")
    result = stale_source(inputs([REVENUE, COLLECTED], [], connectors=[ok, stale, broken]))
    got = {(w.indicator, w.unit): (w.severity, w.period) for w in result.warnings}
    assert got == {("NS.THU", "24-THUE"): ("warning", ""), ("NS.CHI", "24-STC"): ("critical", "")}
    thue = next(w for w in result.warnings if w.unit == "24-THUE")
    assert "01/09/2026 07:00 UTC" in thue.message_vi
    assert thue.evidence["last_success"] == "2026-09-01T07:00:00+00:00"
    kbnn = next(w for w in result.warnings if w.unit == "24-STC")
    assert kbnn.evidence["last_errors"] == ["HTTP 503"] and "chưa từng" in kbnn.message_vi
    assert ("stale_source", "NS.THU", "24-STC") in result.checked


# --- counterpart disagreement ----------------------------------------------------------------

@pytest.mark.parametrize("dm, severity", [(1040.0, None), (1050.0, None), (1080.0, "warning"),
                                          (1150.0, "critical"), (900.0, "warning")])
def test_counterpart_disagreement_beyond_tolerance(dm, severity):
    grdp = make_indicator("KT.GRDP", frequency="quarterly", statistical_code="0501", counterpart_tolerance=0.05)
    stat = pl.DataFrame({"statistical_code": ["0501", "0501"], "unit_code": ["24", "24"],
                         "period": ["2026-Q2", "2026-Q3"], "value": [990.0, 1000.0]})
    rows = [("KT.GRDP", "24", "2026-Q2", 990.0), ("KT.GRDP", "24", "2026-Q3", dm)]
    result = counterpart_disagreement(inputs([grdp], rows, statistical=stat))
    assert result.checked == {("counterpart_disagreement", "KT.GRDP", "24")}
    if severity is None:
        assert result.warnings == []
        return
    (w,) = result.warnings
    assert (w.severity, w.period) == (severity, "2026-Q3")
    assert w.evidence["difference"] == pytest.approx(abs(dm - 1000) / 1000)
    assert "số liệu thống kê 0501" in w.message_vi


def test_no_counterpart_no_check():
    grdp = make_indicator("KT.GRDP", frequency="quarterly", statistical_code="0501")
    assert counterpart_disagreement(inputs([grdp], [("KT.GRDP", "24", "2026-Q3", 1.0)])).checked == set()


# --- all rules together ----------------------------------------------------------------------

def test_evaluate_is_deterministic_and_keyed():
    rows = rate_rows([90, 92, 91, 89, 80], unit="07210") + [("NS.THU", "24", "2026-09", 700.0)]
    make = lambda: evaluate_warnings(inputs([REVENUE, RATE], rows))  # noqa: E731
    first, second = make(), make()
    assert [w.as_dict() for w in first.warnings] == [w.as_dict() for w in second.warnings]
    assert first.checked == second.checked
    keys = [w.key for w in first.warnings]
    assert len(keys) == len(set(keys))
    assert keys[0].split("|")[0] in {"below_threshold", "missing_data"}          # critical first
    assert warning_key("deterioration", "HC.DUNG_HAN", "07210", "2026-09") in keys
    assert subject_of("missing_data", "A", "24", "2026-09") == ("missing_data", "24", "2026-09")
    assert subject_of("late_data", "A", "24", "2026-09") == ("late_data", "A", "24", "2026-09")
    assert subject_of("outlier", "A", "24", "2026-09") == ("outlier", "A", "24")
