"""The catalogue in the store, on SQLite and PostgreSQL: imports are all or nothing and
idempotent, every content change is a new version (old ones kept), lifecycle moves record who,
when and why, only live indicators are served, and every write leaves an audit line."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from chiso.catalog.catalogue import DEFINITIONS_CATALOGUE, catalogue_yaml, load_catalogue, parse_catalogue
from chiso.catalog.workbook import write_workbook
from chiso.errors import ChisoError, LoadError, NotAllowedError, NotFoundError
from chiso.store import repo_catalogue
from chiso.store.database import Database
from chiso.store.models_catalogue import CatalogueImport, IndicatorVersion, LifecycleTransition
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_catalogue import (
    current_catalogue,
    import_catalogue,
    indicator_history,
    indicator_version,
    lifecycle_log,
    live_indicators,
    move_indicator,
)
from tests.catalog.test_catalogue import catalogue_doc, entry, finance

DAY = dt.date(2026, 3, 2)


def write(tmp_path: Path, doc: dict[str, Any], name: str = "danh-muc.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def changed(code: str, **attrs: Any) -> list[dict[str, Any]]:
    """The finance entries with one of them changed."""
    return [{**e, **attrs} if e["code"] == code else e for e in finance()]


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t))  # type: ignore[return-value]
                     for t in (CatalogueImport, IndicatorVersion, LifecycleTransition))


def imported(db: Database, path: Path, by: str = "Văn phòng UBND tỉnh", day: dt.date = DAY, **kw: Any):
    with db.session() as s:
        return import_catalogue(s, path, by=by, today=day, **kw)


def test_first_import_creates_version_one_and_an_entry_transition(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_doc(*finance()))
    report = imported(db, path)
    assert report.created == ["TC.THU_NSNN", "TC.DU_TOAN", "TC.TY_LE_THU", "HC.CHI_SO_766"]
    assert (report.versioned, report.unchanged, report.changed) == ([], [], True)
    assert counts(db) == (1, 4, 4)
    with db.session() as s:
        c = current_catalogue(s, "24")
        assert (c.version, list(c.fields)[:2], len(c)) == ("2025.1", ["ECONOMY", "FINANCE"], 4)
        assert c["TC.THU_NSNN"].targets[0].value == 62000
        assert c["TC.THU_NSNN"].valid_from == DAY           # none in the file: the import day
        assert c["TC.DU_TOAN"].valid_from == dt.date(2026, 1, 1)
        assert set(live_indicators(s, "24")) == {"TC.THU_NSNN", "TC.DU_TOAN"}
        h = indicator_history(s, "TC.THU_NSNN")
        (move,) = h.transitions
        assert (move.from_state, move.to_state, move.by) == (None, "approved", "Văn phòng UBND tỉnh")
        assert "danh-muc.yaml" in move.comment
        entry_ = audit_entries(s, action="catalogue.import")[0]
    assert entry_.actor == "Văn phòng UBND tỉnh"
    assert entry_.detail["created"] == report.created and entry_.detail["province"] == "24"


def test_importing_the_same_content_again_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_doc(*finance()))
    imported(db, path)
    again = imported(db, path, day=DAY + dt.timedelta(days=30))
    assert (again.created, again.versioned, again.changed) == ([], [], False)
    assert len(again.unchanged) == 4
    assert counts(db) == (1, 4, 4)
    with db.session() as s:
        assert len(audit_entries(s, action="catalogue.import")) == 1


def test_the_exported_file_imports_as_unchanged(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    with db.session() as s:
        c = current_catalogue(s, "24")
    (tmp_path / "xuat.yaml").write_text(catalogue_yaml(c), encoding="utf-8")
    write_workbook(c, tmp_path / "xuat.xlsx")
    for name in ("xuat.yaml", "xuat.xlsx"):
        assert imported(db, tmp_path / name, day=DAY + dt.timedelta(days=3)).changed is False
    assert counts(db) == (1, 4, 4)


@pytest.mark.parametrize("attrs, what", [
    ({"formula": "TC.THU_NSNN / TC.DU_TOAN * 1000"}, ["formula"]),
    ({"targets": [{"period": "2026", "value": 95}]}, ["targets"]),
    ({"thresholds": {"on_track": 0.97, "at_risk": 0.9}}, ["thresholds"]),
    ({"name": "Tỷ lệ thu ngân sách so với dự toán"}, ["name"]),
])
def test_a_content_change_makes_the_next_version_and_keeps_the_old(
        db: Database, tmp_path: Path, attrs: dict, what: list[str]) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    later = DAY + dt.timedelta(days=40)
    report = imported(db, write(tmp_path, catalogue_doc(*changed("TC.TY_LE_THU", **attrs))), day=later)
    assert report.versioned == [("TC.TY_LE_THU", 2)] and len(report.unchanged) == 3
    assert counts(db) == (2, 5, 4)
    with db.session() as s:
        old, new = indicator_version(s, "TC.TY_LE_THU", 1), indicator_version(s, "TC.TY_LE_THU", 2)
        assert old.formula == "TC.THU_NSNN / TC.DU_TOAN * 100" and old.version == 1
        assert (old.valid_from, old.valid_to) == (DAY, later - dt.timedelta(days=1))
        assert (new.valid_from, new.valid_to, new.status) == (later, None, "candidate")
        assert indicator_version(s, "TC.TY_LE_THU") == new
        assert current_catalogue(s, "24")["TC.TY_LE_THU"] == new
        h = indicator_history(s, "TC.TY_LE_THU")
        assert [(v.version, list(v.changed)) for v in h.versions] == [(1, []), (2, what)]
        assert audit_entries(s, action="catalogue.import")[0].detail["versioned"] == ["TC.TY_LE_THU v2"]


def test_a_new_version_keeps_the_lifecycle_state(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    imported(db, write(tmp_path, catalogue_doc(*changed("TC.THU_NSNN", unit="triệu đồng"))))
    with db.session() as s:
        ind = indicator_version(s, "TC.THU_NSNN")
        assert (ind.version, ind.status, ind.live) == (2, "approved", True)
        # two versions on the same day: the old one is closed on that day
        assert indicator_version(s, "TC.THU_NSNN", 1).valid_to == DAY


def test_a_later_valid_from_in_the_file_starts_the_new_version(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    start = dt.date(2027, 1, 1)
    report = imported(db, write(tmp_path, catalogue_doc(*changed("TC.DU_TOAN", valid_from=start.isoformat()))))
    assert report.versioned == [("TC.DU_TOAN", 2)]
    with db.session() as s:
        assert indicator_version(s, "TC.DU_TOAN", 1).valid_to == dt.date(2026, 12, 31)
        assert indicator_version(s, "TC.DU_TOAN").valid_from == start


def test_a_new_version_cannot_start_before_the_current_one(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    doc = catalogue_doc(*changed("TC.DU_TOAN", valid_from="2025-01-01", unit="triệu đồng"))
    with pytest.raises(LoadError, match="cannot start on 2025-01-01, before version 1"):
        imported(db, write(tmp_path, doc))
    assert counts(db) == (1, 4, 4)


def test_a_refused_import_writes_nothing(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    bad = changed("TC.DU_TOAN", unit="triệu đồng") + [entry("TC.MOI", owner="24-XYZ")]
    with pytest.raises(LoadError) as caught:
        imported(db, write(tmp_path, catalogue_doc(*bad)))
    assert [p.column for p in caught.value.problems] == ["indicators[4].owner"]
    assert counts(db) == (1, 4, 4)
    with db.session() as s:
        assert indicator_version(s, "TC.DU_TOAN").unit == "tỷ đồng"
        assert len(audit_entries(s, action="catalogue.import")) == 1


def test_a_file_may_not_change_a_lifecycle_state(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    with pytest.raises(LoadError) as caught:
        imported(db, write(tmp_path, catalogue_doc(*changed("TC.TY_LE_THU", status="approved"))))
    (p,) = caught.value.problems
    assert p.column == "indicators[2].status"
    assert "candidate in the store, approved in the file" in p.reason and "chiso catalog move" in p.reason
    assert counts(db) == (1, 4, 4)


def test_a_file_without_status_leaves_the_stored_state(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    bare = [{k: v for k, v in e.items() if k != "status"} for e in finance()]
    assert imported(db, write(tmp_path, catalogue_doc(*bare))).changed is False


def test_references_and_cycles_reach_into_the_stored_catalogue(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    more = write(tmp_path, catalogue_doc(entry("TC.GAP_DOI", formula="TC.TY_LE_THU * 2")), "them.yaml")
    report = imported(db, more)
    assert report.created == ["TC.GAP_DOI"] and len(report.not_in_file) == 4
    with db.session() as s:
        assert len(current_catalogue(s, "24")) == 5
    loop = write(tmp_path, catalogue_doc(entry("TC.THU_NSNN", formula="TC.GAP_DOI - 1", status="approved",
                                               group="outcome", cumulative=True)), "vong.yaml")
    with pytest.raises(LoadError, match="TC.THU_NSNN → TC.GAP_DOI → TC.TY_LE_THU → TC.THU_NSNN"):
        imported(db, loop)


def test_a_workbook_imports_like_yaml(db: Database, tmp_path: Path) -> None:
    c = parse_catalogue(yaml.safe_dump(catalogue_doc(*finance()), allow_unicode=True))
    report = imported(db, write_workbook(c, tmp_path / "danh-muc.xlsx"))
    assert len(report.created) == 4
    with db.session() as s:
        assert current_catalogue(s, "24") == c.__class__(
            "24", "2025.1", c.fields, {k: v.model_copy(update={"valid_from": v.valid_from or DAY})
                                       for k, v in c.indicators.items()})


def test_an_import_needs_someone(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ChisoError, match="who imports"):
        imported(db, write(tmp_path, catalogue_doc(*finance())), by=" ")


# ---------------------------------------------------------------- lifecycle
def test_moves_through_the_six_steps_are_recorded(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    steps = [("standardised", "Sở Tài chính thống nhất thuộc tính"), ("unified", "Tổ công tác rà soát"),
             ("approved", "Quyết định 123/QĐ-UBND"), ("in_operation", "Đã kết nối TABMIS")]
    for state, why in steps:
        with db.session() as s:
            move_indicator(s, "TC.TY_LE_THU", state, by="Trần Thị B", comment=why)
    with db.session() as s:
        assert "TC.TY_LE_THU" in live_indicators(s, "24")
        moves = indicator_history(s, "TC.TY_LE_THU").transitions
        assert [(m.from_state, m.to_state, m.comment) for m in moves[1:]] == [
            ("candidate", "standardised", steps[0][1]), ("standardised", "unified", steps[1][1]),
            ("unified", "approved", steps[2][1]), ("approved", "in_operation", steps[3][1])]
        assert all(m.by == "Trần Thị B" and m.at.tzinfo is not None for m in moves[1:])
        audit = audit_entries(s, action="catalogue.move")
        assert [(a.detail["from"], a.detail["to"]) for a in reversed(audit)] == [
            (m.from_state, m.to_state) for m in moves[1:]]
        assert len(lifecycle_log(s, "24")) == 8


def test_rework_and_retirement_take_an_indicator_off_the_dashboard(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    with db.session() as s:
        move_indicator(s, "TC.THU_NSNN", "standardised", by="A", comment="Sửa công thức luỹ kế")
        move_indicator(s, "TC.DU_TOAN", "retired", by="A", comment="Thay bằng chỉ số khác")
    with db.session() as s:
        assert repo_catalogue.live_indicators(s, "24") == {}
        assert repo_catalogue.current_catalogue(s, "24")["TC.DU_TOAN"].status == "retired"
        assert repo_catalogue.indicator_version(s, "TC.DU_TOAN", 1).status == "retired"
        assert indicator_history(s, "TC.DU_TOAN").transitions[-1].to_state == "retired"


@pytest.mark.parametrize("code, state, comment, error, reason", [
    ("TC.TY_LE_THU", "approved", "nhanh", NotAllowedError, "cannot move from candidate to approved"),
    ("TC.TY_LE_THU", "standardised", "  ", NotAllowedError, "needs a comment"),
    ("TC.TY_LE_THU", "candidate", "lý do", NotAllowedError, "already candidate"),
    ("TC.KHONG_CO", "standardised", "lý do", NotFoundError, "no indicator 'TC.KHONG_CO'"),
])
def test_a_refused_move_writes_nothing(db: Database, tmp_path: Path, code: str, state: str, comment: str,
                                       error: type, reason: str) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    with pytest.raises(error, match=reason):
        with db.session() as s:
            move_indicator(s, code, state, by="A", comment=comment)
    assert counts(db) == (1, 4, 4)
    with db.session() as s:
        assert indicator_version(s, "TC.TY_LE_THU").status == "candidate"
        assert audit_entries(s, action="catalogue.move") == []


def test_the_database_refuses_a_transition_without_a_comment(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(LifecycleTransition(province="24", code="TC.DU_TOAN", version=1, from_state="approved",
                                      to_state="retired", at=dt.datetime.now(dt.UTC), by="A", comment=" "))
            s.flush()


def test_unknown_versions_and_provinces_are_clear_errors(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    with db.session() as s:
        with pytest.raises(NotFoundError, match="TC.DU_TOAN has no version 7; its versions are 1"):
            indicator_version(s, "TC.DU_TOAN", 7)
        with pytest.raises(NotFoundError, match="in province 25"):
            indicator_version(s, "TC.DU_TOAN", province="25")
        empty = current_catalogue(s, "25")
        assert (len(empty), empty.version, live_indicators(s, "25")) == (0, "", {})


def test_a_code_in_two_provinces_needs_the_province(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, catalogue_doc(*finance())))
    other = catalogue_doc(entry("TC.DU_TOAN", owner="25-STC"), province="25")
    imported(db, write(tmp_path, other, "phu-tho.yaml"))
    with db.session() as s:
        with pytest.raises(ChisoError, match="provinces 24, 25: name the province"):
            indicator_version(s, "TC.DU_TOAN")
        assert indicator_version(s, "TC.DU_TOAN", province="25").owner == "25-STC"


@pytest.mark.slow
def test_the_bac_ninh_sample_imports_once(db: Database) -> None:
    sample = load_catalogue(DEFINITIONS_CATALOGUE)
    first = imported(db, DEFINITIONS_CATALOGUE)
    assert len(first.created) == len(sample)
    assert imported(db, DEFINITIONS_CATALOGUE).changed is False
    with db.session() as s:
        assert set(live_indicators(s, "24")) == set(sample.live())
        assert len(lifecycle_log(s, "24")) == len(sample)
