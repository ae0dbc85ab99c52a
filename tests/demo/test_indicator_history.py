"""Synthetic history of Bắc Ninh's DM indicators (chiso.demo.indicators)."""
from __future__ import annotations

import csv
import datetime as dt
from statistics import median

import polars as pl
import pytest
from typer.testing import CliRunner

from chiso.catalog.indicator import LIVE_STATES
from chiso.cli.app import app
from chiso.collect.values.batch import read_batch
from chiso.collect.values.rules import Findings, read_rows
from chiso.demo.generate import generate_indicator_submissions
from chiso.demo.indicator_profiles import PROFILES
from chiso.demo.indicator_series import counts
from chiso.demo.indicators import (
    SUBMISSION_COLUMNS,
    VALUES_SCHEMA,
    default_period,
    generated_indicators,
    indicator_history,
    indicator_values,
    sample_catalogue,
    write_submissions,
)
from chiso.periods.windows import parse_window
from chiso.units import load_units

START, END = dt.date(2024, 1, 1), dt.date(2026, 11, 15)


@pytest.fixture(scope="module")
def catalogue():
    return sample_catalogue()


@pytest.fixture(scope="module")
def indicators(catalogue):
    return {i.code: i for i in catalogue.indicators}


@pytest.fixture(scope="module")
def tree():
    return load_units(["24"])


@pytest.fixture(scope="module")
def history(tree):
    return indicator_history(start=START, end=END, seed=0, units=tree)


@pytest.fixture(scope="module")
def frame(history):
    return history.frame


def series(frame, code, unit="24"):
    rows = frame.filter((pl.col("indicator") == code) & (pl.col("unit_code") == unit)).sort("period_start")
    return dict(zip(rows["period"], rows["value"]))


def year_total(frame, code, year, unit="24"):
    return sum(v for p, v in series(frame, code, unit).items() if parse_window(p).start.year == year)


# ------------------------------------------------------------------------ determinism

def test_the_same_seed_gives_the_same_history_and_another_seed_another(tree):
    a = indicator_values(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), seed=5, units=tree)
    b = indicator_values(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), seed=5, units=tree)
    c = indicator_values(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), seed=6, units=tree)
    assert a.equals(b)
    assert not a.equals(c)
    assert a.select("indicator", "unit_code", "period").equals(c.select("indicator", "unit_code", "period"))


# ------------------------------------------------------------------------ coverage

def test_every_live_collected_indicator_has_a_profile_and_a_history(catalogue, frame):
    chosen = {i.code for i in catalogue.indicators if i.collected and i.status in LIVE_STATES}
    assert chosen == {i.code for i in generated_indicators(catalogue)}
    assert chosen <= set(PROFILES)
    assert set(PROFILES) <= {i.code for i in catalogue.indicators if i.collected}   # no stale profiles
    assert set(frame["indicator"].unique()) == chosen
    formula_or_index = {i.code for i in catalogue.indicators if not i.collected}
    assert not formula_or_index & set(frame["indicator"].unique())


def _expected_periods(frequency: str, start: dt.date, end: dt.date, in_advance: bool) -> list[str]:
    """Period labels of a frequency inside [start, end], enumerated day by day."""
    labels: list[str] = []
    d = start
    while d <= end:
        label = {"weekly": f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}", "monthly": f"{d:%Y-%m}",
                 "quarterly": f"{d.year}-Q{(d.month - 1) // 3 + 1}", "yearly": f"{d.year}",
                 "daily": d.isoformat()}[frequency]
        w = parse_window(label)
        if w.start >= start and (w.end <= end or in_advance) and label not in labels:
            labels.append(label)
        d += dt.timedelta(days=1)
    return labels


def test_every_indicator_covers_its_periods_and_its_units(catalogue, frame, history, tree):
    missing = {a.indicator: set(a.periods) for a in history.scenario.anomalies if a.kind == "missing"}
    departments = {u.code for u in tree.units(province="24", level="department")}
    communes = {u.code for u in tree.units(province="24", level="commune")}
    for ind in generated_indicators(catalogue):
        rows = frame.filter(pl.col("indicator") == ind.code)
        in_advance = ind.code in {"NS.DU_TOAN_THU", "NS.DU_TOAN_CHI", "DT.KH_VON_DTC", "DT.SO_DU_AN_DTC",
                                  "DN.KP_HO_TRO_DNNVV"}
        expected = [p for p in _expected_periods(ind.frequency, START, END, in_advance)
                    if p not in missing.get(ind.code, set())]
        known = {"DN.PCI", "XH.BAC_SI", "XH.HDI", "HC.SIPAS", "HC.PAR_INDEX", "HC.DTI"}
        if ind.code not in known:
            assert expected, ind.code
        units = {"24"} | (departments if "department" in ind.levels else set()) \
            | (communes if "commune" in ind.levels else set())
        assert set(rows["unit_code"].unique()) == units, ind.code
        per_unit = rows.sort("period_start").group_by("unit_code").agg("period")
        for unit, got in per_unit.iter_rows():
            assert got == expected, (ind.code, unit)


def test_the_values_relation_has_the_contract_shape(history, indicators):
    values = history.values()
    assert dict(values.schema) == VALUES_SCHEMA
    assert values.filter(pl.col("value").is_null() | pl.col("value").is_nan()).is_empty()
    kinds = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}
    for row in values.unique(["indicator", "period"]).iter_rows(named=True):
        w = parse_window(row["period"])
        assert (w.kind, w.start, w.end) == (row["period_kind"], row["period_start"], row["period_end"])
        assert row["period_kind"] == kinds[indicators[row["indicator"]].frequency]
        assert row["indicator_version"] == indicators[row["indicator"]].version


# ------------------------------------------------------------------------ values

def test_values_lie_in_their_ranges_and_counts_are_whole(frame, indicators):
    for (code,), rows in frame.partition_by("indicator", as_dict=True).items():
        ind = indicators[code]
        lo, hi = rows["value"].min(), rows["value"].max()
        assert ind.range.min <= lo and hi <= ind.range.max, (code, lo, hi)
        if counts(ind):
            assert (rows["value"] == rows["value"].round(0)).all(), code


def test_the_province_is_the_aggregate_of_its_units(frame, indicators):
    for code in ("HC.HS_TIEP_NHAN", "HC.HS_DUNG_HAN", "DN.THANH_LAP_MOI", "DT.GPXD", "XH.HO_NGHEO",
                 "HC.HS_QUA_HAN_DANG_XL", "HC.VB_KY_SO", "XH.DAN_SO"):
        rows = frame.filter(pl.col("indicator") == code)
        province = rows.filter(pl.col("unit_code") == "24").select("period", total="value")
        agg = pl.col("value").mean() if indicators[code].aggregation.units == "mean" else pl.col("value").sum()
        parts = rows.filter(pl.col("unit_code") != "24").group_by("period").agg(agg.alias("parts"))
        both = province.join(parts, on="period")
        assert len(both) == len(province) > 0
        assert ((both["total"] - both["parts"]).abs() <= 0.011 + 1e-6 * both["total"].abs()).all(), code


def test_parts_never_exceed_their_wholes(frame):
    def wide(code):
        return frame.filter(pl.col("indicator") == code).select("unit_code", "period", pl.col("value").alias(code))

    for part, whole in (("HC.HS_DUNG_HAN", "HC.HS_DA_GQ"), ("HC.HS_DA_GQ", "HC.HS_TIEP_NHAN"),
                        ("HC.HS_TRUC_TUYEN", "HC.HS_TIEP_NHAN"),
                        ("NS.QT_DUNG_HAN", "NS.QT_DEN_HAN"), ("XH.HO_NGHEO", "XH.TONG_SO_HO"),
                        ("NS.THU_NOI_DIA", "NS.THU_NSNN")):
        both = wide(part).join(wide(whole), on=["unit_code", "period"])
        assert len(both) > 0
        assert (both[part] <= both[whole]).all(), (part, whole)


def test_magnitudes_are_plausible_for_bac_ninh(frame):
    assert 450_000 < year_total(frame, "KT.GRDP_HH", 2025) < 600_000       # ≈ 522 thousand bn VND
    assert 250_000 < year_total(frame, "KT.GRDP_SS", 2025) < 320_000
    assert 40_000 < year_total(frame, "NS.THU_NSNN", 2025) < 90_000          # tens of thousands bn
    assert 600_000 < year_total(frame, "KT.BAN_LE", 2025) < 900_000
    assert 300_000 < year_total(frame, "HC.HS_TIEP_NHAN", 2025) < 500_000
    weekly = [v for p, v in series(frame, "DN.THANH_LAP_MOI").items() if p.startswith("2025")]
    assert 60 < median(weekly) < 250                                        # ~100+ new firms a week
    assert 3_400_000 < series(frame, "XH.DAN_SO")["2025"] < 3_800_000
    rate = series(frame, "XH.HO_NGHEO")["2025"] / series(frame, "XH.TONG_SO_HO")["2025"] * 100
    assert 0.5 < rate < 2.0
    # a year's budget estimate is known from its first day
    assert series(frame, "NS.DU_TOAN_THU")["2026"] == 64_000


def test_tet_empties_the_one_stop_shops(frame):
    weeks = series(frame, "HC.HS_TIEP_NHAN")
    tet_week = weeks["2026-W08"]             # 14–22 February 2026
    assert tet_week < 0.2 * median(v for p, v in weeks.items() if p.startswith("2026"))
    visitors = series(frame, "KT.KHACH_DU_LICH")
    assert visitors["2026-02"] > 1.5 * visitors["2026-06"]   # spring festivals


# ------------------------------------------------------------------------ scenario

def test_public_investment_disbursement_falls_behind_in_2026(frame):
    plan = series(frame, "DT.KH_VON_DTC")
    done_2025 = year_total(frame, "DT.GIAI_NGAN_DTC", 2025) / plan["2025"]
    done_2026 = year_total(frame, "DT.GIAI_NGAN_DTC", 2026) / plan["2026"]
    elapsed = (END - dt.date(2026, 1, 1)).days / 365
    assert done_2025 > 0.85
    assert done_2026 < 0.8 * elapsed      # off track against the linear path


def test_grdp_growth_is_short_of_its_2026_target(frame, indicators):
    q = series(frame, "KT.GRDP_SS")
    ytd = {y: sum(q[f"{y}-Q{i}"] for i in (1, 2, 3)) for y in (2025, 2026)}
    growth = ytd[2026] / ytd[2025] * 100 - 100
    target = {t.period: t.value for t in indicators["KT.GRDP_TANG_LK"].targets}["2026"]
    assert 8 < growth < target


def test_three_communes_deteriorate(frame, history):
    assert len(history.scenario.deteriorating) == 3
    for commune in history.scenario.deteriorating:
        done, on_time = series(frame, "HC.HS_DA_GQ", commune), series(frame, "HC.HS_DUNG_HAN", commune)
        weeks = list(done)
        rate = lambda ps: sum(on_time[p] for p in ps) / max(sum(done[p] for p in ps), 1)  # noqa: E731
        assert rate(weeks[-3:]) < rate(weeks[-30:-10]) - 0.05, commune


def test_outliers_and_missing_data_are_planted(frame, history):
    kinds = {(a.kind, a.indicator) for a in history.scenario.anomalies}
    assert kinds == {("outlier", "DT.FDI"), ("outlier", "DT.GPXD"), ("missing", "DN.HS_DKDN"),
                     ("missing", "DN.HS_DKDN_DUNG_HAN"), ("missing", "KT.KHACH_DU_LICH")}
    for a in history.scenario.anomalies:
        got = series(frame, a.indicator, a.unit or "24")
        if a.kind == "missing":
            assert not set(a.periods) & set(got)
            assert a.periods[-1] > max(got)       # the latest periods, not holes in the middle
        else:
            (period,) = a.periods
            others = [v for p, v in got.items() if p != period]
            assert got[period] > 3 * median(others), a
    note = frame.filter((pl.col("indicator") == "DT.FDI") & (pl.col("note") != ""))
    assert len(note) == 1


# ------------------------------------------------------------------------ files

@pytest.mark.slow
def test_submission_files_one_per_owner_readable_by_collection(tmp_path, history, catalogue, indicators, tree):
    files = write_submissions(tmp_path, history=history)
    owners = set(history.frame["owner"].unique())
    assert [p.name for p in files] == sorted(f"{o}.csv" for o in owners)
    total = 0
    for path in files:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert tuple(rows[0].keys()) == SUBMISSION_COLUMNS
        assert {indicators[r["indicator"]].owner for r in rows} == {path.stem}
        total += len(rows)
        batch = read_batch(path)
        found = Findings()
        entries = read_rows(batch, indicators, tree, declared_source=None, today=END + dt.timedelta(days=30),
                            found=found)
        assert found.refusing == [], found.refusing[:3]
        assert len(entries) == len(rows)
    assert total == len(history.frame)
    back = pl.read_csv(tmp_path / "24-STC.csv", schema_overrides={"value": pl.Float64, "unit": pl.String})
    mine = history.frame.filter(pl.col("owner") == "24-STC")
    assert back["value"].to_list() == mine["value"].to_list()


def test_writing_again_replaces_the_files(tmp_path, tree):
    first = write_submissions(tmp_path, start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28), seed=1, units=tree)
    (tmp_path / "24-OLD.csv").write_text(",".join(SUBMISSION_COLUMNS) + "\n", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("something else\n", encoding="utf-8")
    again = write_submissions(tmp_path, start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28), seed=1, units=tree)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert not (tmp_path / "24-OLD.csv").exists()
    assert (tmp_path / "notes.csv").exists()


def test_generate_writes_the_year_and_the_two_before_it(tmp_path):
    files = generate_indicator_submissions(tmp_path, year=2026, seed=0, today=dt.date(2026, 3, 4))
    assert files and all(p.parent == tmp_path / "indicators" for p in files)
    periods = {r["period"] for p in files for r in csv.DictReader(p.read_text(encoding="utf-8").splitlines())}
    assert "2024-01" in periods and "2026-02" in periods and "2026-W09" in periods
    assert "2026-03" not in periods and "2026-W10" not in periods   # not over by 1 March 2026
    assert default_period(dt.date(2026, 3, 4)) == (dt.date(2024, 1, 1), dt.date(2026, 3, 1))
    with pytest.raises(ValueError, match="has not started"):
        generate_indicator_submissions(tmp_path, year=2027, today=dt.date(2026, 3, 4))


def test_cli_refuses_indicators_for_another_province(tmp_path):
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--province", "01", "--indicators",
                                      "--dossiers", "10"])
    assert result.exit_code == 2
    assert "Bắc Ninh" in result.output
    assert not any(tmp_path.iterdir())
