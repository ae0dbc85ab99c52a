"""The bulletin's facts: each checked against the score table computed by the engine from the
seed-003 counts files, and the statements of seed document 003."""
from __future__ import annotations

import polars as pl
import pytest

from chiso.errors import ChisoError, UnknownUnitError
from chiso.evaluate.whatif import whatif
from chiso.reports.dm import IndicatorStatus, OpenWarning, dm_facts
from chiso.reports.facts import build_bulletin
from chiso.reports.sources import CountsSource, latest_complete_week
from chiso.reports.sync import SyncProblem


def rows(table, **kw) -> list[dict]:
    return table.select(**kw).sort("rank", "unit_code").to_dicts()


# ------------------------------------------------------------------ the seed's statements
def test_seed_province_rank_change_and_lead(bulletin, seed_scores):
    p = bulletin.province
    assert bulletin.window == "2025-W46" and bulletin.previous_window == "2025-W45"
    assert (p.unit.name, p.unit.total, p.unit.rank, p.unit.peers) == ("Bắc Ninh", 92.28, 1, 34)
    assert p.unit.score_change == 0.20 and p.unit.previous_rank == 1
    assert [n.name for n in p.neighbours] == ["Hải Phòng", "Đồng Nai"]
    assert {n.total for n in p.neighbours} == {91.65}
    assert p.gap == 0.63
    assert (p.threshold, p.above_threshold) == (92, 1)  # the only locality above 92


def test_seed_groups_rise_and_hold(bulletin):
    g = {x.code: x for x in bulletin.province.groups}
    assert [x.code for x in bulletin.province.groups_up] == ["DIGITIZATION", "PROGRESS", "ONLINE_SERVICE", "PAYMENT"]
    assert [g[c].change for c in ("DIGITIZATION", "PROGRESS", "ONLINE_SERVICE", "PAYMENT")] == [0.09, 0.05, 0.03, 0.03]
    assert {x.code for x in bulletin.province.groups_steady} == {"TRANSPARENCY", "SATISFACTION"}
    assert round(g["DIGITIZATION"].share * 100, 1) == 95.5 and g["DIGITIZATION"].points == 21.01
    assert round(g["PROGRESS"].share * 100, 1) == 96.0
    assert round(g["PAYMENT"].share * 100, 1) == 99.1
    assert round(g["TRANSPARENCY"].share * 100, 1) == 87.9 and round(g["SATISFACTION"].share * 100, 1) == 99.2


def test_seed_online_services_biggest_potential(bulletin, seed_scores):
    lever = bulletin.top_lever
    assert lever.code == "ONLINE_SERVICE"
    assert (lever.points, lever.max, round(lever.share * 100, 1)) == (8.48, 12, 70.7)
    assert lever.gain == whatif(seed_scores.table, "24", {"ONLINE_SERVICE": 0.9})["gain"] == 2.32
    assert round(lever.gain, 1) == 2.3


def test_seed_departments_in_the_provinces_bands(bulletin):
    d = bulletin.departments
    assert [(u.name, u.total) for u in d.leaders] == [("Văn phòng Ủy ban nhân dân tỉnh", 95.38),
                                                     ("Sở Dân tộc và Tôn giáo", 94.53),
                                                     ("Ban Quản lý các khu công nghiệp tỉnh", 94.30)]
    assert d.leaders[0].previous_rank == 3  # rose to first place
    bands = {b.code: [u.name for u in b.units] for b in d.bands}
    assert len(bands["top"]) == 3
    assert bands["good"] == ["Sở Y tế", "Sở Khoa học và Công nghệ", "Sở Xây dựng", "Sở Nông nghiệp và Môi trường",
                             "Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch"]
    assert bands["improve"] == ["Sở Nội vụ", "Sở Công Thương", "Sở Giáo dục và Đào tạo", "Sở Tài chính"]
    top = next(b for b in d.bands if b.code == "top")
    assert (top.lower, top.lower_strict, top.upper) == (94, True, None)


def test_seed_sync_problem_is_the_department_of_finance(bulletin, seed_scores):
    (p,) = bulletin.sync_problems
    assert (p.code, p.name, p.source) == ("24-STC", "Sở Tài chính", "records")
    crit = seed_scores.table.criteria.filter((pl.col("unit_code") == "24-STC")
                                             & (pl.col("criterion") == "DOSSIER_SYNC")).to_dicts()[0]
    assert (p.synced, p.received) == (crit["numerator"], crit["denominator"])
    assert p.ratio < 0.9


def test_seed_communes(bulletin):
    c = bulletin.communes
    assert [(u.name, u.total) for u in c.leaders] == [("Xã Hợp Thịnh", 93.99), ("Phường Bắc Giang", 93.92),
                                                     ("Phường Tân Tiến", 93.70)]
    m = c.biggest_mover
    assert (m.name, m.previous_rank, m.rank, m.score_change, m.rank_change) == ("Phường Việt Yên", 23, 4, 1.01, 19)
    assert c.top_spread == 1.24
    assert c.gap == 5.57


# ------------------------------------------------------------------ facts = the table, recomputed
def test_facts_match_the_score_table(bulletin, seed_scores):
    table = seed_scores.table
    provinces = rows(table, level="province")
    me = next(r for r in provinces if r["unit_code"] == "24")
    assert bulletin.province.unit.total == me["total"] and bulletin.province.unit.rank == me["rank"]
    assert [u.code for u in bulletin.province.ranking] == [r["unit_code"] for r in provinces]
    second = max(r["total"] for r in provinces if r["total"] < me["total"])
    assert bulletin.province.gap == round(me["total"] - second, 2)
    communes = rows(table, province="24", level="commune")
    totals = [r["total"] for r in communes]
    assert len(communes) == 99
    assert bulletin.communes.top_spread == round(totals[0] - totals[9], 2)
    assert bulletin.communes.gap == round(sum(totals[:10]) / 10 - sum(totals[-10:]) / 10, 2)
    best = max((r for r in communes if r["rank_change"] is not None), key=lambda r: r["rank_change"])
    assert bulletin.communes.biggest_mover.code == best["unit_code"]
    groups = {g.code: g for g in bulletin.province.groups}
    prev = seed_scores.series[-2].unit("24")
    for g in table.definition.groups:
        assert groups[g.code].points == me[g.code]
        assert groups[g.code].change == round(me[g.code] - prev[g.code], 2)


def test_trend_is_the_weekly_series(bulletin, seed_scores):
    trend = bulletin.province.trend
    assert [t.window for t in trend] == [f"2025-W{n}" for n in range(41, 47)]
    assert [t.total for t in trend] == [t.unit("24")["total"] for t in seed_scores.series]
    changes = bulletin.province.weekly_changes
    assert len(changes) == 5 and all(0.15 <= c <= 0.35 for c in changes)


def test_focus_drawn_from_levers(bulletin):
    kinds = [(f.kind, f.code) for f in bulletin.focus]
    assert ("improve", "ONLINE_SERVICE") in kinds
    assert all(f.share >= 0.95 for f in bulletin.focus if f.kind == "complete")
    support = next(f for f in bulletin.focus if f.kind == "support")
    assert support.target == 90 and len(support.units) == 10
    assert next(f for f in bulletin.focus if f.kind == "sync").units == ("Sở Tài chính",)


# ------------------------------------------------------------------ other shapes
def test_a_province_behind_states_the_gap_to_the_one_ahead(seed_scores):
    b = build_bulletin(seed_scores, "31")
    assert not b.province.leading and b.province.unit.rank == 2
    assert [n.name for n in b.province.neighbours] == ["Bắc Ninh"] and b.province.gap == 0.63
    assert b.departments is None and b.communes is None and b.sync_problems == ()


def test_single_counts_file_has_no_changes(definition):
    from pathlib import Path

    source = CountsSource(definition, Path(__file__).parents[1] / "fixtures" / "seed003_week.csv")
    b = build_bulletin(source.scores(), "24")
    assert b.window == "counts-file" and b.window_kind is None
    assert b.province.unit.score_change is None and all(g.change is None for g in b.province.groups)
    assert b.top_lever.gain == 2.32


def test_stale_sources_are_reported_with_the_records_ones(seed_scores):
    stale = SyncProblem("24-SCT", "Sở Công Thương", "Department of Industry and Trade", "department", "connector",
                        detail="last success 2025-11-02")
    b = build_bulletin(seed_scores, "24", stale=[stale])
    assert [p.code for p in b.sync_problems] == ["24-STC", "24-SCT"]


def test_refusals(seed_scores, seed_source):
    with pytest.raises(UnknownUnitError):
        build_bulletin(seed_scores, "99")
    with pytest.raises(UnknownUnitError, match="not a province"):
        build_bulletin(seed_scores, "24-STC")
    with pytest.raises(ChisoError, match="no counts file for 2025-W30"):
        seed_source.scores("2025-W30")
    with pytest.raises(ValueError):
        build_bulletin(seed_scores, "24", share=1.5)


def test_latest_complete_week():
    import datetime as dt

    assert latest_complete_week(dt.date(2025, 11, 16)).label == "2025-W46"  # Sunday
    assert latest_complete_week(dt.date(2025, 11, 19)).label == "2025-W46"  # Wednesday of W47


def test_dm_facts_group_by_field_worst_first():
    statuses = [IndicatorStatus("KT.GRDP", "Tăng trưởng GRDP", "ECONOMY", "at_risk", 7.1, 8.0, "%"),
                IndicatorStatus("KT.IIP", "Chỉ số sản xuất công nghiệp", "ECONOMY", "off_track", 80, 100),
                IndicatorStatus("XH.BHYT", "Tỷ lệ bao phủ BHYT", "SOCIETY", "achieved", 95, 94, "%"),
                IndicatorStatus("TC.THU", "Thu ngân sách", "FINANCE", "no_data")]
    warnings = [OpenWarning("KT.GRDP", "ECONOMY", "warning", "24-SNNMT", "GRDP thấp hơn lộ trình"),
                OpenWarning("KT.IIP", "ECONOMY", "critical", "24-SCT", "IIP giảm 3 kỳ liên tiếp")]
    dm = dm_facts(statuses, warnings)
    assert (dm.indicators, dm.off_track, dm.warnings) == (3, 2, 2)
    (economy,) = dm.fields
    assert economy.code == "ECONOMY" and economy.name == "Kinh tế"
    assert [s.code for s in economy.off_track] == ["KT.IIP", "KT.GRDP"]
    assert [w.severity for w in economy.warnings] == ["critical", "warning"]
    with pytest.raises(ValueError, match="severity"):
        dm_facts([], [OpenWarning("X", "ECONOMY", "panic", "24", "?")])
