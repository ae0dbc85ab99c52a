"""The values repository on SQLite and PostgreSQL: submissions, the values relation (exact
contract), corrections into history, period states, connectors — each write audited."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy.exc import IntegrityError

from chiso.errors import Problem, StoreError
from chiso.store.database import Database
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_values import (
    VALUES_SCHEMA,
    add_connector,
    add_submission,
    connector_runs,
    current_rows,
    current_values,
    earlier_values,
    get_connector,
    get_period,
    insert_value,
    processed_files,
    record_run,
    remember_file,
    replace_value,
    set_period_state,
    submissions,
    units_with_values,
    value_history,
)

AT = dt.datetime(2026, 9, 3, 3, 0, tzinfo=dt.UTC)


def batch(session, name="t8.csv", by="An", **kw):
    return add_submission(session, file_name=name, content_sha256="a" * 64, submitted_by=by, role="officer",
                          as_unit="24-STC", status="accepted", rows=1, inserted=1, at=kw.pop("at", AT), **kw)


def value(session, sub, indicator="TC.THU", unit="24", period="2026-08", breakdown="", v=1610.0,
          state="submitted", start=dt.date(2026, 8, 1), end=dt.date(2026, 8, 31)):
    return insert_value(session, submission=sub, indicator=indicator, indicator_version=2, unit_code=unit,
                        period=period, period_kind="month", period_start=start, period_end=end,
                        breakdown=breakdown, value=v, note=None, source="TABMIS", late=False, state=state)


def test_current_values_is_the_values_relation(db: Database) -> None:
    with db.session() as s:
        sub = batch(s)
        value(s, sub)
        value(s, sub, unit="07210", v=12.5)
        value(s, sub, breakdown="sector=dịch vụ", v=99.0)          # a breakdown row: not in the relation
        value(s, sub, period="2026-07", start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 31), v=1500.0)
        value(s, sub, indicator="XH.NGHEO", v=3.0, state="draft")  # a draft: not unless asked
        value(s, sub, unit="00004", v=7.0)                          # Hà Nội's commune
    with db.session() as s:
        frame = current_values(s)
        assert frame.schema == pl.Schema(VALUES_SCHEMA)
        assert frame.select("indicator", "unit_code", "period", "value").rows() == [
            ("TC.THU", "00004", "2026-08", 7.0), ("TC.THU", "07210", "2026-08", 12.5),
            ("TC.THU", "24", "2026-07", 1500.0), ("TC.THU", "24", "2026-08", 1610.0)]
        assert frame["indicator_version"].to_list() == [2, 2, 2, 2]
        assert current_values(s, province="24")["unit_code"].to_list() == ["07210", "24", "24"]
        assert current_values(s, indicators=["XH.NGHEO"]).height == 0
        assert current_values(s, indicators=["XH.NGHEO"], include_drafts=True)["value"].to_list() == [3.0]
        assert current_values(s, indicators=[]).schema == pl.Schema(VALUES_SCHEMA)
        assert units_with_values(s, "TC.THU", "2026-08") == {"24", "07210", "00004"}
        wanted = [("TC.THU", "24", "2026-08", "sector=dịch vụ"), ("TC.THU", "24", "2026-09", "")]
        assert set(current_rows(s, wanted)) == {wanted[0]}


def test_one_current_value_per_key(db: Database) -> None:
    with pytest.raises(IntegrityError):
        with db.session() as s:
            sub = batch(s)
            value(s, sub)
            value(s, sub, v=1.0)
            s.flush()


def test_replacing_a_value_keeps_the_old_one_with_who_when_and_why(db: Database) -> None:
    with db.session() as s:
        value(s, batch(s, name="t8.csv", by="An"))
    with db.session() as s:
        row = current_rows(s, [("TC.THU", "24", "2026-08", "")])[("TC.THU", "24", "2026-08", "")]
        later = batch(s, name="t8-sua.csv", by="Bình", at=AT + dt.timedelta(days=2))
        with pytest.raises(StoreError, match="needs a reason"):
            replace_value(s, row, submission=later, reason=" ", indicator_version=2, value=1650.0, note=None,
                          source="KBNN", late=True, state="submitted")
        replace_value(s, row, submission=later, reason="đối chiếu KBNN", indicator_version=2, value=1650.0,
                      note="sửa", source="KBNN", late=True, state="submitted")
    with db.session() as s:
        versions = value_history(s, "TC.THU", "24")
        assert [(v["value"], v["source"], v["file_name"], v["recorded_by"], v["current"]) for v in versions] == [
            (1610.0, "TABMIS", "t8.csv", "An", False), (1650.0, "KBNN", "t8-sua.csv", "Bình", True)]
        assert (versions[0]["replaced_by"], versions[0]["reason"], versions[0]["replaced_at"]) == (
            "Bình", "đối chiếu KBNN", AT + dt.timedelta(days=2))
        assert value_history(s, "TC.THU", "24", period="2026-07") == []


def test_earlier_values_are_the_submitted_series_before_a_period(db: Database) -> None:
    with db.session() as s:
        sub = batch(s)
        for m, v in ((5, 90.0), (6, 100.0), (7, 110.0), (8, 120.0)):
            start = dt.date(2026, m, 1)
            value(s, sub, period=f"2026-{m:02d}", start=start, end=start + dt.timedelta(days=27), v=v)
        value(s, sub, unit="07210", v=5.0)
    with db.session() as s:
        assert earlier_values(s, "TC.THU", "24", "", dt.date(2026, 8, 1)) == [110.0, 100.0, 90.0]
        assert earlier_values(s, "TC.THU", "24", "", dt.date(2026, 8, 1), limit=1) == [110.0]


def test_submissions_are_checked_and_audited(db: Database) -> None:
    with db.session() as s:
        with pytest.raises(StoreError, match="refused submission wrote nothing"):
            add_submission(s, file_name="x", content_sha256="b" * 64, submitted_by="x", role="officer",
                           as_unit="24", status="refused", inserted=1)
        with pytest.raises(StoreError, match="unknown role"):
            add_submission(s, file_name="x", content_sha256="b" * 64, submitted_by="x", role="boss",
                           as_unit="24", status="accepted")
        refused = add_submission(s, file_name="x.csv", content_sha256="b" * 64, submitted_by="Lan",
                                 role="officer", as_unit="24-SYT", status="refused", rows=3,
                                 report=[Problem("x.csv", 2, "value", "not a number", "abc")])
    with db.session() as s:
        assert submissions(s, content_sha256="b" * 64)[0].report == [
            {"file": "x.csv", "row": 2, "column": "value", "reason": "not a number", "value": "abc"}]
        entry = audit_entries(s, action="values.refuse")[0]
        assert (entry.actor, entry.target_id, entry.detail["problems"]) == ("Lan", str(refused.id), 1)


def test_period_states_are_recorded_and_audited(db: Database) -> None:
    with db.session() as s:
        set_period_state(s, indicator="TC.THU", period="2026-08", owner="24-STC", state="submitted",
                         actor="An", role="officer", at=AT)
        set_period_state(s, indicator="TC.THU", period="2026-08", owner="24-STC", state="approved",
                         actor="Giám đốc", role="head", at=AT + dt.timedelta(hours=1))
    with db.session() as s:
        period = get_period(s, "TC.THU", "2026-08")
        assert (period.state, period.approved_by, period.approved_at) == (
            "approved", "Giám đốc", AT + dt.timedelta(hours=1))
        moves = [e.detail for e in audit_entries(s, action="values.period.approved")]
        assert moves == [{"indicator": "TC.THU", "period": "2026-08", "owner": "24-STC", "from": "submitted",
                          "to": "approved", "role": "head", "reason": None}]


def test_connectors_runs_and_files(db: Database) -> None:
    with db.session() as s:
        c = add_connector(s, name="tabmis", kind="sql", as_unit="24-STC", config={"url_env": "TABMIS_URL",
                          "query": "SELECT 1"}, indicators=["TC.THU"], schedule="1h", created_by="qt", at=AT)
        with pytest.raises(StoreError, match="already exists"):
            add_connector(s, name="tabmis", kind="sql", as_unit="24-STC", config={}, indicators=[], schedule="1h")
    with db.session() as s:
        c = get_connector(s, "tabmis")
        record_run(s, c, started_at=AT, status="failed", message="cannot reach the server")
        record_run(s, c, started_at=AT + dt.timedelta(hours=1), status="unchanged")
        remember_file(s, c, sha256="c" * 64, path="/inbox/t8.csv", status="refused", at=AT)
        with pytest.raises(StoreError, match="no connector named 'khac'"):
            get_connector(s, "khac")
    with db.session() as s:
        c = get_connector(s, "tabmis")
        assert (c.last_status, c.last_success_at, c.last_error, c.last_error_at) == (
            "unchanged", AT + dt.timedelta(hours=1), "cannot reach the server", AT)
        assert [r.status for r in connector_runs(s, c)] == ["unchanged", "failed"]
        assert list(processed_files(s, c)) == ["c" * 64]
        assert [e.detail["status"] for e in audit_entries(s, action="connector.run")] == ["unchanged", "failed"]
        assert audit_entries(s, action="connector.add")[0].detail["config"]["url_env"] == "TABMIS_URL"
