"""Models and repositories on SQLite and PostgreSQL: round trips, upserts, versions,
bulk results, cascades, adjustments and the audit line each write leaves."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from chiso.errors import Problem, StoreError, UnknownUnitError
from chiso.store.database import Database
from chiso.store.models import (
    AuditEntry,
    CriterionResult,
    Definition,
    LoadBatch,
    ScoreRun,
    UnitResult,
    UnitRow,
)
from chiso.store.repositories import (
    add_adjustment,
    add_definition,
    adjustments_for,
    audit,
    audit_entries,
    count_results,
    current_definition,
    delete_run,
    get_unit,
    latest_run,
    list_definitions,
    list_units,
    load_batches,
    record_load_batch,
    run_results,
    save_score_run,
    save_units,
    unit_source,
)
from chiso.units.model import Unit

INDEX_YAML = "name: service-index-766\ngroups: [TRANSPARENCY, PROGRESS]\n"
WEEK = dict(window="2026-W34", window_start=date(2026, 8, 17), window_end=date(2026, 8, 23))


def units() -> list[Unit]:
    return [
        Unit("VN", "Việt Nam", "nation", "quốc gia", None, None, "Viet Nam", 0),
        Unit("24", "Tỉnh Bắc Ninh", "province", "tỉnh", "VN", "24", "Bac Ninh", 3_600_000),
        Unit("24-SYT", "Sở Y tế", "department", "sở", "24", "24", "Department of Health", 0),
        Unit("07210", "Phường Kinh Bắc", "commune", "phường", "24", "24", "", 52_000),
        Unit("25", "Tỉnh Phú Thọ", "province", "tỉnh", "VN", "25", "Phu Tho", 4_000_000),
    ]


def actions(db: Database) -> list[str]:
    with db.session() as session:
        return [e.action for e in reversed(audit_entries(session, limit=1000))]


def a_definition(db: Database) -> int:
    with db.session() as session:
        return add_definition(session, "index", "service-index-766", "2026.1", date(2026, 1, 1),
                              INDEX_YAML, "tester").id


# --- round trips -------------------------------------------------------------------------

def test_every_model_round_trips(db: Database) -> None:
    at = datetime(2026, 8, 24, 9, 30, tzinfo=timezone(timedelta(hours=7)))  # Hà Nội time
    with db.session() as session:
        session.add(UnitRow(code="24", name="Tỉnh Bắc Ninh", name_en="Bac Ninh", level="province",
                            type="tỉnh", parent_code="VN", province_code="24",
                            population=3_600_000, source="official"))
        definition = Definition(kind="index", name="766", version="1", valid_from=date(2026, 1, 1),
                                content=INDEX_YAML, sha256="ab" * 32, loaded_at=at, loaded_by="u")
        session.add(definition)
        session.flush()
        run = ScoreRun(definition_id=definition.id, source="counts-file", computed_at=at,
                       note="tuần 34", **WEEK)
        run.criterion_results = [CriterionResult(unit_code="24", criterion="ON_TIME",
                                                 numerator=144_625, denominator=184_513,
                                                 ratio=0.7838, points=15.68, max_points=20)]
        run.unit_results = [UnitResult(unit_code="24", level="province", total=92.28, rank=1,
                                       peers=34, band="xuất sắc", score_change=0.5,
                                       rank_change=-2)]
        session.add(run)
        session.add(LoadBatch(record_kind="dossiers", file_name="hồ sơ.xlsx", file_sha256="cd" * 32,
                              rows=3, inserted=0, updated=0, unchanged=0, loaded_at=at,
                              loaded_by="u", status="refused",
                              report=[{"row": 2, "reason": "ngày không hợp lệ"}]))
        session.add(AuditEntry(at=at, actor="u", action="probe", detail={"ý": [1, 2.5, None]}))
        session.flush()
        run_id = run.id

    with db.session() as session:
        unit = session.get(UnitRow, "24")
        assert (unit.name, unit.population, unit.source) == ("Tỉnh Bắc Ninh", 3_600_000, "official")
        run = session.get(ScoreRun, run_id)
        assert (run.window, run.window_start, run.window_end, run.note) == (
            "2026-W34", date(2026, 8, 17), date(2026, 8, 23), "tuần 34")
        assert run.computed_at == at and run.computed_at.tzinfo == UTC
        assert run.computed_at.hour == 2  # 09:30 at UTC+7, kept as 02:30 UTC
        criterion = session.get(CriterionResult, (run_id, "24", "ON_TIME"))
        assert (criterion.numerator, criterion.points, criterion.max_points) == (144_625, 15.68, 20)
        result = session.get(UnitResult, (run_id, "24"))
        assert (result.band, result.rank_change) == ("xuất sắc", -2)
        batch = session.scalars(select(LoadBatch)).one()
        assert batch.report == [{"row": 2, "reason": "ngày không hợp lệ"}]
        assert batch.loaded_at.tzinfo == UTC
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "probe")).one()
        assert entry.detail == {"ý": [1, 2.5, None]}


def test_naive_timestamps_are_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        with db.session() as session:
            session.add(AuditEntry(at=datetime(2026, 1, 1), actor="u", action="probe"))
            session.flush()


def test_check_constraints_guard_enumerations(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.session() as session:
            session.add(UnitRow(code="X", name="X", level="district", type="huyện",
                                parent_code=None, province_code=None, population=0,
                                source="official"))


# --- units -------------------------------------------------------------------------------

def test_save_units_upserts_by_code(db: Database) -> None:
    with db.session() as session:
        first = save_units(session, units(), "official", actor="loader")
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)

    renamed = [u if u.code != "07210" else Unit("07210", "Phường Kinh Bắc mới", "commune", "phường",
                                                 "24", "24", "", 52_000) for u in units()]
    with db.session() as session:
        second = save_units(session, renamed, "official", actor="loader")
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 4)

    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(UnitRow)) == 5
        assert get_unit(session, "07210").name == "Phường Kinh Bắc mới"
        assert get_unit(session, "24-SYT") == units()[2]
        assert get_unit(session, "99") is None
        third = save_units(session, renamed, "official")
        assert (third.inserted, third.updated, third.unchanged) == (0, 0, 5)
        moved = save_units(session, [renamed[3]], "manual")
        assert (moved.updated, unit_source(session, "07210")) == (1, "manual")

    # one audit line per save that changed something; the no-op save left none
    with db.session() as session:
        saves = audit_entries(session, action="units.save")
    assert [e.detail["updated_codes"] for e in reversed(saves)] == [[], ["07210"], ["07210"]]
    assert saves[-1].actor == "loader"


def test_list_units_filters_by_province_and_level(db: Database) -> None:
    with db.session() as session:
        save_units(session, units(), "yaml")
        assert [u.code for u in list_units(session)] == ["07210", "24", "24-SYT", "25", "VN"]
        assert [u.code for u in list_units(session, province="24")] == ["07210", "24", "24-SYT"]
        assert [u.code for u in list_units(session, level="province")] == ["24", "25"]
        assert [u.code for u in list_units(session, province="24", level="commune")] == ["07210"]
        with pytest.raises(StoreError, match="unknown level"):
            list_units(session, level="district")


def test_save_units_refuses_bad_input(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(StoreError, match="source"):
            save_units(session, units(), "guess")
        with pytest.raises(StoreError, match="twice"):
            save_units(session, units() + units()[:1], "official")
        assert list_units(session) == []


# --- definitions ---------------------------------------------------------------------------

def test_add_definition_keeps_every_version(db: Database) -> None:
    with db.session() as session:
        first = add_definition(session, "index", "766", "2026.1", date(2026, 1, 1), INDEX_YAML, "a")
    with db.session() as session:
        again = add_definition(session, "index", "766", "2026.1", date(2026, 1, 1), INDEX_YAML, "b")
    assert again.id == first.id and again.loaded_by == "a"

    with db.session() as session:
        edited = add_definition(session, "index", "766", "2026.1", date(2026, 1, 1),
                                INDEX_YAML + "note: sửa\n", "a")
        newer = add_definition(session, "index", "766", "2026.2", date(2026, 7, 1), INDEX_YAML, "a")
    assert len({first.id, edited.id, newer.id}) == 3
    assert first.sha256 != edited.sha256 and len(first.sha256) == 64

    with db.session() as session:
        stored = list_definitions(session, kind="index")
        assert [(d.version, d.content) for d in stored] == [
            ("2026.1", INDEX_YAML), ("2026.1", INDEX_YAML + "note: sửa\n"), ("2026.2", INDEX_YAML)]
        assert current_definition(session, "index", "766", on=date(2026, 3, 1)).id == edited.id
        assert current_definition(session, "index", "766", on=date(2026, 8, 1)).id == newer.id
        assert current_definition(session, "index", "766", on=date(2025, 1, 1)) is None
    assert actions(db).count("definition.add") == 3


# --- load batches --------------------------------------------------------------------------

def test_record_load_batch_loaded_and_refused(db: Database) -> None:
    with db.session() as session:
        loaded = record_load_batch(session, record_kind="dossiers", file_name="w34.csv",
                                   file_sha256="e" * 64, rows=10, inserted=7, updated=2,
                                   unchanged=1, loaded_by="clerk")
        refused = record_load_batch(
            session, record_kind="petitions", file_name="pakn.xlsx", file_sha256="f" * 64,
            rows=4, status="refused", loaded_by="clerk",
            report=[Problem("pakn.xlsx", 3, "received_on", "not a date", "31/02/2026")])
        with pytest.raises(StoreError, match="refused load wrote nothing"):
            record_load_batch(session, record_kind="x", file_name="x", file_sha256="0" * 64,
                              rows=1, inserted=1, status="refused")
    with db.session() as session:
        assert [b.id for b in load_batches(session)] == [refused.id, loaded.id]
        assert load_batches(session, record_kind="dossiers")[0].inserted == 7
        assert load_batches(session, record_kind="petitions")[0].report == [
            {"file": "pakn.xlsx", "row": 3, "column": "received_on", "reason": "not a date",
             "value": "31/02/2026"}]
        entries = audit_entries(session, action="load")
    assert [(e.actor, e.target_id, e.detail["status"]) for e in reversed(entries)] == [
        ("clerk", str(loaded.id), "loaded"), ("clerk", str(refused.id), "refused")]


# --- score runs ----------------------------------------------------------------------------

def big_run(n_units: int, n_criteria: int) -> tuple[list[dict], list[dict]]:
    criteria = [{"unit_code": f"{u:05d}", "criterion": f"C{c:02d}", "numerator": float(u),
                 "denominator": float(u + c + 1), "ratio": u / (u + c + 1),
                 "points": round(6 * u / (u + c + 1), 2), "max_points": 6.0}
                for u in range(n_units) for c in range(n_criteria)]
    unit_rows = [{"unit_code": f"{u:05d}", "level": "commune", "total": float(u % 100),
                  "rank": u + 1, "peers": n_units, "band": None}
                 for u in range(n_units)]
    return criteria, unit_rows


@pytest.mark.parametrize("n_units", [4_000])
def test_save_score_run_stores_a_province_week(db: Database, n_units: int) -> None:
    definition_id = a_definition(db)
    criteria, unit_rows = big_run(n_units, 25)
    with db.session() as session:
        run_id = save_score_run(session, definition_id=definition_id, source="records",
                                criterion_rows=iter(criteria), unit_rows=unit_rows,
                                actor="scheduler", **WEEK)
    with db.session() as session:
        assert count_results(session, run_id) == (n_units, n_units * 25)
        one = run_results(session, run_id, unit_code="03999")
        assert one.units == [{**unit_rows[3999], "score_change": None, "rank_change": None}]
        assert one.criteria == criteria[3999 * 25:]
        everything = run_results(session, run_id)
        assert everything.criteria == criteria
        assert [u["unit_code"] for u in everything.units] == [u["unit_code"] for u in unit_rows]
        entry = audit_entries(session, action="score.run")[0]
    assert (entry.actor, entry.target_id) == ("scheduler", str(run_id))
    assert entry.detail == {"window": "2026-W34", "definition_id": definition_id,
                            "source": "records", "units": n_units, "criterion_rows": n_units * 25}


def test_latest_run_is_the_most_recent_of_its_window(db: Database) -> None:
    definition_id = a_definition(db)
    ids = []
    for window in ("2026-W34", "2026-W34", "2026-W35"):
        with db.session() as session:
            ids.append(save_score_run(
                session, definition_id=definition_id, window=window,
                window_start=date(2026, 8, 17), window_end=date(2026, 8, 23), source="records",
                criterion_rows=[], unit_rows=[]))
    with db.session() as session:
        assert latest_run(session, "2026-W34").id == ids[1]
        assert latest_run(session, "2026-W35").id == ids[2]
        assert latest_run(session, "2026-W36") is None


@pytest.mark.parametrize("rows, message", [
    ([{"unit_code": "1", "criterion": "A", "max_points": 1},
      {"unit_code": "1", "criterion": "A", "max_points": 1}], "refused"),
    ([{"unit_code": "1", "criterion": "A"}], "missing max_points"),
    ([{"unit_code": "1", "criterion": "A", "max_points": 1, "point": 1}], "unknown point"),
])
def test_save_score_run_refuses_bad_rows_and_writes_nothing(
        db: Database, rows: list[dict], message: str) -> None:
    definition_id = a_definition(db)
    with pytest.raises(StoreError, match=message):
        with db.session() as session:
            save_score_run(session, definition_id=definition_id, source="records",
                           criterion_rows=rows, unit_rows=[], **WEEK)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ScoreRun)) == 0
        assert audit_entries(session, action="score.run") == []


def test_save_score_run_refuses_unknown_definition_and_source(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(StoreError, match="no definition"):
            save_score_run(session, definition_id=999, source="records", criterion_rows=[],
                           unit_rows=[], **WEEK)
        with pytest.raises(StoreError, match="source"):
            save_score_run(session, definition_id=999, source="rumour", criterion_rows=[],
                           unit_rows=[], **WEEK)


def test_deleting_a_run_cascades_to_its_results(db: Database) -> None:
    definition_id = a_definition(db)
    criteria, unit_rows = big_run(30, 5)
    with db.session() as session:
        kept = save_score_run(session, definition_id=definition_id, source="records",
                              criterion_rows=criteria, unit_rows=unit_rows, **WEEK)
        doomed = save_score_run(session, definition_id=definition_id, source="records",
                                criterion_rows=criteria, unit_rows=unit_rows, **WEEK)
    with db.session() as session:
        delete_run(session, doomed, actor="admin")
    with db.session() as session:
        assert count_results(session, doomed) == (0, 0)
        assert count_results(session, kept) == (30, 150)
        assert session.get(ScoreRun, doomed) is None
        entry = audit_entries(session, action="score.delete")[0]
        assert (entry.actor, entry.target_id) == ("admin", str(doomed))


# --- adjustments and audit ---------------------------------------------------------------

def test_adjustments_need_a_unit_and_a_reason(db: Database) -> None:
    with db.session() as session:
        save_units(session, units(), "official")
    with db.session() as session:
        deduction = add_adjustment(session, unit_code="07210", window="2026-W34", points=-2.0,
                                   reason="  lỗi hệ thống đồng bộ  ", created_by="chánh văn phòng")
        add_adjustment(session, unit_code="24-SYT", window="2026-W35", points=-1,
                       reason="lỗi kỹ thuật")
        with pytest.raises(StoreError, match="reason"):
            add_adjustment(session, unit_code="07210", window="2026-W34", points=-2, reason=" ")
        with pytest.raises(UnknownUnitError):
            add_adjustment(session, unit_code="99999", window="2026-W34", points=-2, reason="x")
        with pytest.raises(StoreError, match="non-zero"):
            add_adjustment(session, unit_code="07210", window="2026-W34", points=float("nan"),
                           reason="x")
    with db.session() as session:
        found = adjustments_for(session, "2026-W34")
        assert [(a.id, a.points, a.reason) for a in found] == [
            (deduction.id, -2.0, "lỗi hệ thống đồng bộ")]
        assert found[0].created_at.tzinfo == UTC
        assert adjustments_for(session, "2026-W35", unit_code="07210") == []
        entry = audit_entries(session, action="adjust", limit=1)[0]
    assert entry.detail == {"unit_code": "24-SYT", "window": "2026-W35", "points": -1.0,
                            "reason": "lỗi kỹ thuật"}


def test_audit_entries_newest_first_with_filters(db: Database) -> None:
    with db.session() as session:
        for n in range(5):
            audit(session, "a", "probe" if n % 2 else "other", "thing", n, {"n": n})
    with db.session() as session:
        assert [e.detail["n"] for e in audit_entries(session, action="probe")] == [3, 1]
        assert [e.detail["n"] for e in audit_entries(session, limit=2, target_kind="thing")] == [4, 3]
        assert audit_entries(session, action="probe")[0].target_id == "3"


def test_a_failed_session_leaves_no_audit_line(db: Database) -> None:
    with pytest.raises(RuntimeError):
        with db.session() as session:
            save_units(session, units(), "official")
            raise RuntimeError("boom")
    with db.session() as session:
        assert list_units(session) == []
        assert audit_entries(session, action="units.save") == []
