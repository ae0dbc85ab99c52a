"""A composite computed from a real store and kept as its target indicator's values: components read
from the values relation (weekly values aggregated to the month as the catalogue says), the index
stored as one audited batch whose values name the composite, recomputing after a correction moves
the old value to history, a locked period refused, and the stored values then in the values
relation like any other indicator's."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from chiso.catalog.composite import load_composites
from chiso.collect.values import Submitter, read_batch, reasons, submit_batch
from chiso.errors import LoadError, LockedError
from chiso.evaluate.composite_run import compute_composite, sensitivity_composite, source_of, store_composite
from chiso.evaluate.dm.service import current_values, live_indicators
from chiso.periods.windows import parse_window
from chiso.store import repo_values as repo
from chiso.store.database import Database
from chiso.store.models import AuditEntry
from chiso.store.models_values import IndicatorValue, ValueSubmission
from chiso.store.repo_catalogue import import_catalogue
from chiso.units import load_units

ROOT = Path(__file__).parents[2]
CATALOGUE = ROOT / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
TARGET = ROOT / "tests" / "fixtures" / "composite" / "target-entry.yaml"
TARGET_CODE = "HC.CHI_SO_SO_NGANH"

COMPOSITE = """
code: THU
target: HC.CHI_SO_SO_NGANH
version: 1
valid_from: 2026-01-01
name: Chỉ số thử của các sở
level: department
normalisation: {method: minmax, low: 0, high: 100}
pillars:
  - {code: THU_TUC, name: Thủ tục}
  - {code: DIEN_TU, name: Điện tử}
components:
  - {indicator: HC.HS_QUA_HAN_DANG_XL, pillar: THU_TUC, direction: lower}
  - {indicator: HC.VB_KY_SO, pillar: DIEN_TU}
sensitivity: {runs: 100, seed: 3, normalisation: [rank], aggregation: [geometric]}
"""
#: department → (overdue dossiers at the end of each week of October 2026, share of documents signed)
DATA = {"24-STC": ([9, 6, 4, 2], 96.0), "24-SXD": ([12, 10, 9, 10], 90.0), "24-SYT": ([3, 3, 2, 0], 80.0),
        "24-SCT": ([5, 5, 5, 4], 100.0)}
OCTOBER_WEEKS = ["2026-W40", "2026-W41", "2026-W42", "2026-W43"]   # weeks ending within October


def import_with_target(s, folder: Path) -> None:
    """The sample catalogue with the composite's target indicator (added here until it ships in it)."""
    text = CATALOGUE.read_text(encoding="utf-8")
    if f"code: {TARGET_CODE}\n" not in text:
        text = text.rstrip("\n") + "\n\n" + TARGET.read_text(encoding="utf-8")
    path = folder / "catalogue-24.yaml"
    path.write_text(text, encoding="utf-8")
    import_catalogue(s, path, by="Văn phòng UBND tỉnh", units=load_units(), today=dt.date(2026, 1, 2))


def submission(s):
    return repo.add_submission(s, file_name="thanh-phan.csv", content_sha256="0" * 64, submitted_by="test",
                               role="system", as_unit="24-TTPVHCC", status="accepted")


def write_value(s, sub, code, unit, label, value, source):
    w = parse_window(label)
    repo.insert_value(s, submission=sub, indicator=code, indicator_version=1, unit_code=unit, period=w.label,
                      period_kind=w.kind, period_start=w.start, period_end=w.end, breakdown="", value=float(value),
                      note=None, source=source, late=False, state="submitted")


@pytest.fixture
def store(db: Database, tmp_path: Path) -> Database:
    with db.session() as s:
        import_with_target(s, tmp_path)
        sub = submission(s)
        for unit, (weekly, signed) in DATA.items():
            for label, value in zip(OCTOBER_WEEKS, weekly, strict=True):
                write_value(s, sub, "HC.HS_QUA_HAN_DANG_XL", unit, label, value,
                            "Hệ thống thông tin giải quyết TTHC tỉnh Bắc Ninh")
            write_value(s, sub, "HC.VB_KY_SO", unit, "2026-10", signed, "Hệ thống quản lý văn bản và điều hành tỉnh")
    return db


@pytest.fixture
def book(tmp_path: Path):
    folder = tmp_path / "composites"
    folder.mkdir()
    (folder / "thu.yaml").write_text(COMPOSITE, encoding="utf-8")
    return load_composites(folder)


def test_computed_from_the_values_relation_and_stored(store: Database, book):
    with store.session() as s:
        got, result = compute_composite(s, "24", "THU", "2026-10", book=book)
        # the month's overdue dossiers are the last week's (aggregation periods: last)
        col = got.composite.components.index("HC.HS_QUA_HAN_DANG_XL")
        assert {u: got.raw[got.units.index(u), col] for u in DATA} == {"24-STC": 2, "24-SXD": 10, "24-SYT": 0,
                                                                       "24-SCT": 4}
        by_unit = {r["unit"]: r for r in result.rows()}
        # overdue (lower): SYT 100, STC 80, SCT 60, SXD 0; signed: SCT 100, STC 80, SXD 50, SYT 0
        assert {u: by_unit[u]["value"] for u in DATA} == {"24-STC": 80.0, "24-SCT": 80.0, "24-SYT": 50.0,
                                                          "24-SXD": 25.0}
        assert by_unit["24-STC"]["rank"] == by_unit["24-SCT"]["rank"] == 1 and by_unit["24-SXD"]["rank"] == 4
        assert by_unit["24-SNV"]["value"] is None          # no component value at all
        stored = store_composite(s, got, result, actor="vanphong")
    assert stored.status == "accepted" and stored.inserted == 4 and "24-SNV" in stored.without_value
    with store.session() as s:
        rows = {r.unit_code: r for r in s.scalars(select(IndicatorValue).where(IndicatorValue.indicator == TARGET_CODE))}
        assert {u: r.value for u, r in rows.items()} == {"24-STC": 80.0, "24-SCT": 80.0, "24-SYT": 50.0, "24-SXD": 25.0}
        row = rows["24-STC"]
        assert row.source == source_of(got.composite) == "Chỉ số tổng hợp THU phiên bản 1 (chiso tính)"
        assert row.period == "2026-10" and row.period_kind == "month" and row.recorded_by == "vanphong"
        sub = s.get(ValueSubmission, row.submission_id)
        assert sub.role == "system" and sub.connector == "composite:THU@v1" and sub.as_unit == "24-VPUBND"
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert "values.submit" in actions and actions[-1] == "composite.compute"
        # the stored index is an indicator value like any other: in the values relation that targets,
        # status, warnings and rankings read
        relation = current_values(s, "24", live_indicators(s, "24"))
        october = relation.filter(relation["indicator"] == TARGET_CODE, relation["period"] == "2026-10")
        assert dict(zip(october["unit_code"], october["value"], strict=True)) == {
            "24-STC": 80.0, "24-SCT": 80.0, "24-SYT": 50.0, "24-SXD": 25.0}
    with store.session() as s:    # the same again: nothing written
        got, result = compute_composite(s, "24", "THU", "2026-10", book=book)
        again = store_composite(s, got, result, actor="vanphong")
    assert again.status == "unchanged" and again.unchanged == 4


def test_recomputed_after_a_correction_keeps_history_and_a_lock_refuses(store: Database, book):
    with store.session() as s:
        got, result = compute_composite(s, "24", "THU", "2026-10", book=book)
        store_composite(s, got, result, actor="vanphong")
    with store.session() as s:   # Sở Xây dựng's share of signed documents corrected to 100
        row = repo.current_rows(s, [("HC.VB_KY_SO", "24-SXD", "2026-10", "")])[("HC.VB_KY_SO", "24-SXD", "2026-10", "")]
        sub = repo.add_submission(s, file_name="dinh-chinh.csv", content_sha256="1" * 64, submitted_by="test",
                                  role="system", as_unit="24-VPUBND", status="accepted")
        repo.replace_value(s, row, submission=sub, reason="đính chính", indicator_version=1, value=100.0, note=None,
                           source=row.source, late=False, state="submitted")
    with store.session() as s:
        got, result = compute_composite(s, "24", "THU", "2026-10", book=book)
        stored = store_composite(s, got, result, actor="vanphong")
        assert stored.corrected >= 1
        history = [v for v in repo.value_history(s, TARGET_CODE, "24-SXD") if not v["current"]]
        assert [h["value"] for h in history] == [25.0] and history[0]["reason"] == "tính lại theo THU phiên bản 1"
        repo.set_period_state(s, indicator=TARGET_CODE, period="2026-10", owner="24-VPUBND", state="locked",
                              actor="quantri", role="admin")
    with store.session() as s, pytest.raises(LockedError, match="khoá sổ"):
        got, result = compute_composite(s, "24", "THU", "2026-10", book=book)
        store_composite(s, got, result, actor="vanphong")


def test_sensitivity_from_the_store_and_period_checks(store: Database, book):
    with store.session() as s:
        got, sens = sensitivity_composite(s, "24", "HC.CHI_SO_SO_NGANH", "2026-10", book=book)
        assert sens.runs == 100 and sens.seed == 3
        ranked = [r for r in sens.rows() if r["nominal"] is not None]
        assert [r["unit"] for r in ranked][-1] == "24-SXD"
        assert all(r["p05"] <= r["nominal"] <= r["p95"] for r in ranked)
        with pytest.raises(Exception, match="month"):
            compute_composite(s, "24", "THU", "2026-Q4", book=book)
        with pytest.raises(Exception, match="chưa có phiên bản"):
            compute_composite(s, "24", "THU", "2025-12", book=book)


def test_the_target_is_not_submitted_and_the_refusal_says_why(store: Database, tmp_path: Path):
    """The catalogue declares the target computed (``composite: {definition: CHI_SO_SO_NGANH}``):
    no desk or template offers it, and a file that sends a value for it is refused, naming the
    composite in both languages."""
    with store.session() as s:
        catalogue = live_indicators(s, "24")
    target = catalogue[TARGET_CODE]
    assert target.composite is not None and target.composite.definition == "CHI_SO_SO_NGANH"
    assert not target.collected
    path = tmp_path / "so-nganh.csv"
    path.write_text(f"indicator,unit,period,value\n{TARGET_CODE},24-STC,2026-10,75\n", encoding="utf-8")
    who = Submitter(as_unit="24-VPUBND", by="Văn phòng UBND tỉnh")
    with pytest.raises(LoadError) as refused:
        submit_batch(store, read_batch(path), who, catalogue, load_units(), now=dt.datetime(2026, 11, 3, tzinfo=dt.UTC))
    problem = refused.value.problems[0]
    assert problem.column == "indicator" and problem.row == 2 and problem.value == TARGET_CODE
    assert reasons.code_of(problem.reason, problem.column) == "indicator.composite"
    assert reasons.localise(problem.reason, "vi", problem.column) == (
        "HC.CHI_SO_SO_NGANH được tính từ chỉ số tổng hợp, không nộp số liệu")
