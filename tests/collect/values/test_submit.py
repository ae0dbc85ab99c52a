"""Submitting values: accepted whole or refused whole, every refusal path, corrections with
history, idempotency, timeliness, completeness, outliers — on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import func, select

from chiso.collect.values import Submitter, ValidationConfig, read_batch, submit_batch
from chiso.errors import LoadError, LockedError, NotAllowedError
from chiso.store.database import Database
from chiso.store.models_values import IndicatorValue, IndicatorValueHistory, ValueSubmission
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_values import VALUES_SCHEMA, current_values, get_period, submissions, value_history

from .conftest import NOW

STC = Submitter(as_unit="24-STC", by="Nguyễn Văn An")


def send(db, catalogue, units, path, who=STC, now=NOW, config=None):
    return submit_batch(db, read_batch(path), who, catalogue, units, config=config, now=now)


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t))
                     for t in (ValueSubmission, IndicatorValue, IndicatorValueHistory))


def test_a_batch_is_accepted_and_forms_the_values_relation(db, catalogue, units, write):
    path = write("thu.csv", "indicator,unit,period,value,note\n"
                            "TC.THU_NSNN,24,2026-07,1520.5,\n"
                            "TC.THU_NSNN,24,2026-08,\"1 610,25\",ước tính\n")
    result = send(db, catalogue, units, path)
    assert (result.status, result.inserted, result.late) == ("accepted", 2, 1)  # July was due 08-05
    assert result.periods == {"TC.THU_NSNN@2026-07": "submitted", "TC.THU_NSNN@2026-08": "submitted"}
    with db.session() as s:
        frame = current_values(s)
        assert frame.schema == pl.Schema(VALUES_SCHEMA)
        assert frame.to_dicts() == [
            {"indicator": "TC.THU_NSNN", "unit_code": "24", "period": "2026-07", "period_kind": "month",
             "period_start": dt.date(2026, 7, 1), "period_end": dt.date(2026, 7, 31), "value": 1520.5,
             "indicator_version": 1},
            {"indicator": "TC.THU_NSNN", "unit_code": "24", "period": "2026-08", "period_kind": "month",
             "period_start": dt.date(2026, 8, 1), "period_end": dt.date(2026, 8, 31), "value": 1610.25,
             "indicator_version": 1}]
        assert current_values(s, province="24", indicators=["XH.HO_NGHEO"]).height == 0
        assert current_values(s, province="01").height == 0
        batch = submissions(s)[0]
        assert (batch.submitted_by, batch.as_unit, batch.role, batch.status, batch.inserted) == (
            "Nguyễn Văn An", "24-STC", "officer", "accepted", 2)
        assert [e.action for e in audit_entries(s)][:3] == [
            "values.period.submitted", "values.period.submitted", "values.submit"]


def test_the_same_batch_again_changes_nothing(db, catalogue, units, write):
    csv = write("thu.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n")
    first = send(db, catalogue, units, csv)
    before = counts(db)
    with db.session() as s:
        audits = len(audit_entries(s, limit=1000))
    # the same content as JSON, later: the same batch
    again = send(db, catalogue, units, write("thu.json", '[{"indicator": "TC.THU_NSNN", "unit": "24", '
                                                         '"period": "2026-08", "value": 1610}]'),
                 now=NOW + dt.timedelta(days=10))
    assert (again.status, again.submission_id, again.unchanged, again.same_as) == (
        "unchanged", None, 1, first.submission_id)
    assert counts(db) == before
    with db.session() as s:
        assert len(audit_entries(s, limit=1000)) == audits


def test_only_the_owner_writes_and_the_refusal_names_it(db, catalogue, units, write):
    path = write("thu.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n")
    with pytest.raises(NotAllowedError) as caught:
        send(db, catalogue, units, path, who=Submitter(as_unit="24-SYT", by="bs. Lan"))
    message = str(caught.value)
    assert "24-STC (Sở Tài chính)" in message and "24-SYT (Sở Y tế)" in message
    assert "thu.csv, row 2, column 'indicator'" in message
    assert counts(db)[1:] == (0, 0)
    with db.session() as s:
        refused = submissions(s)[0]
        assert (refused.status, refused.inserted, refused.as_unit) == ("refused", 0, "24-SYT")
        assert refused.report[0]["row"] == 2 and "Sở Tài chính" in refused.report[0]["reason"]
    # the same refusal again is not registered twice
    with pytest.raises(NotAllowedError):
        send(db, catalogue, units, path, who=Submitter(as_unit="24-SYT", by="bs. Lan"))
    assert counts(db)[0] == 1


def test_an_administrator_may_write_with_a_recorded_reason(db, catalogue, units, write):
    path = write("thu.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n")
    with pytest.raises(NotAllowedError, match="reason"):
        Submitter(as_unit="24-TTPVHCC", by="quản trị", admin=True)
    admin = Submitter(as_unit="24-TTPVHCC", by="quản trị", admin=True,
                      reason="Sở Tài chính mất kết nối TABMIS; nhập hộ theo công văn 12/STC")
    result = send(db, catalogue, units, path, who=admin)
    assert result.inserted == 1
    with db.session() as s:
        batch = submissions(s)[0]
        assert (batch.role, batch.reason) == ("admin", admin.reason)


def test_a_second_source_must_be_named_in_the_catalogue(db, catalogue, units, write):
    path = write("thu.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n")
    with pytest.raises(NotAllowedError) as caught:
        send(db, catalogue, units, path, who=Submitter(as_unit="24-STC", source="EXCEL_TU_LAM"))
    assert "'TABMIS', 'KBNN'" in str(caught.value) and "EXCEL_TU_LAM" in str(caught.value)
    assert counts(db)[1] == 0
    # a per-row source column is checked too
    by_row = write("kb.csv", "indicator,unit,period,value,source\nTC.THU_NSNN,24,2026-08,1610,MISA\n")
    with pytest.raises(NotAllowedError, match="MISA"):
        send(db, catalogue, units, by_row)
    result = send(db, catalogue, units, path, who=Submitter(as_unit="24-STC", source="KBNN"))
    assert result.inserted == 1
    with db.session() as s:
        assert s.scalars(select(IndicatorValue.source)).one() == "KBNN"


@pytest.mark.parametrize("text, row, column, reason", [
    ("indicator,unit,period,value\nKT.KHONG_CO,24,2026-08,1\n", 2, "indicator", "unknown indicator"),
    ("indicator,unit,period,value\nTC.THU_NSNN,99,2026-08,1\n", 2, "unit", "unknown unit"),
    ("indicator,unit,period,value\nTC.THU_NSNN,07210,2026-08,1\n", 2, "unit", "is a commune"),
    ("indicator,unit,period,value\nTC.THU_NSNN,01,2026-08,1\n", 2, "unit", "is not in province 24"),
    ("indicator,unit,period,value\nTC.THU_NSNN,24,2026-Q3,1\n", 2, "period", "write the period as a month"),
    ("indicator,unit,period,value\nTC.THU_NSNN,24,tháng 8,1\n", 2, "period", "cannot read window"),
    ("indicator,unit,period,value\nTC.THU_NSNN,24,2026-12,1\n", 2, "period", "has not begun"),
    ("indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,mười\n", 2, "value", "not a number"),
    ("indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,-5\n", 2, "value", "outside the allowed range"),
    ("indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,5%\n", 2, "value", "measured in tỷ đồng"),
    ("indicator,unit,period,value,measure\nTC.THU_NSNN,24,2026-08,5,triệu đồng\n", 2, "measure",
     "measured in 'tỷ đồng'"),
    ("indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,\n", 2, "value", "required value is empty"),
    ("indicator,unit,period,value\nTC.TY_LE_THU,24,2026-08,5\n", 2, "indicator", "computed by a formula"),
    ("indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1\nTC.THU_NSNN,24,2026-08,2\n", 3,
     "indicator, unit, period, breakdown", "row 2 already gives"),
    ("indicator,unit,period,value,breakdown\nTC.THU_NSNN,24,2026-08,1,sector=A\n", 2, "breakdown",
     "has no breakdowns"),
    ("indicator,unit,period,value,breakdown\nDN.THANH_LAP,24,2026-W34,1,vùng=A\n", 2, "breakdown",
     "breaks down by sector"),
    ("indicator,unit,period\nTC.THU_NSNN,24,2026-08\n", None, "value", "required column missing"),
    ("indicator,unit,period,value,colour\nTC.THU_NSNN,24,2026-08,1,red\n", None, "colour", "unknown column"),
])
def test_bad_rows_refuse_the_batch_naming_row_column_and_reason(sqlite_db, catalogue, units, write, text, row,
                                                                column, reason):
    db = sqlite_db
    with pytest.raises(LoadError) as caught:
        send(db, catalogue, units, write("bad.csv", text))
    problem = caught.value.problems[0]
    assert (problem.file.endswith("bad.csv"), problem.row, problem.column) == (True, row, column)
    assert reason in problem.reason
    assert counts(db)[1:] == (0, 0)


def test_a_batch_with_one_bad_row_writes_nothing(db, catalogue, units, write):
    path = write("thu.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-07,1500\n"
                            "TC.THU_NSNN,24,2026-08,abc\n")
    with pytest.raises(LoadError, match="row 3"):  # the spreadsheet's row: the header is row 1
        send(db, catalogue, units, path)
    with db.session() as s:
        assert current_values(s).height == 0
        assert get_period(s, "TC.THU_NSNN", "2026-07") is None


@pytest.mark.parametrize("name, text", [
    ("v.txt", "x"), ("missing.csv", None), ("broken.json", "[{"), ("object.json", '{"a": 1}'),
    ("empty.csv", "indicator,unit,period,value\n"),
])
def test_unreadable_files_are_refused(sqlite_db, catalogue, units, write, tmp_path, name, text):
    path = write(name, text) if text is not None else tmp_path / name
    with pytest.raises(LoadError) as caught:
        send(sqlite_db, catalogue, units, path)
    assert caught.value.problems[0].file.endswith(name)


def test_a_correction_needs_a_reason_and_keeps_the_old_value(db, catalogue, units, write):
    send(db, catalogue, units, write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n"))
    fixed = write("t8-sua.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1650\n")
    with pytest.raises(LoadError, match="a correction needs a reason") as caught:
        send(db, catalogue, units, fixed)
    assert "value in force 1610" in str(caught.value)
    later = NOW + dt.timedelta(days=1)
    result = send(db, catalogue, units, fixed, now=later,
                  who=Submitter(as_unit="24-STC", by="Trần Thị Bình", reason="số liệu KBNN đối chiếu"))
    assert (result.inserted, result.corrected) == (0, 1)
    with db.session() as s:
        assert current_values(s)["value"].to_list() == [1650.0]
        versions = value_history(s, "TC.THU_NSNN", "24")
    assert [(v["value"], v["current"], v["recorded_by"], v["file_name"].rsplit("/", 1)[-1]) for v in versions] == [
        (1610.0, False, "Nguyễn Văn An", "t8.csv"), (1650.0, True, "Trần Thị Bình", "t8-sua.csv")]
    old = versions[0]
    assert (old["replaced_by"], old["reason"], old["replaced_at"]) == (
        "Trần Thị Bình", "số liệu KBNN đối chiếu", later)


def test_late_values_are_accepted_and_flagged(db, catalogue, units, write):
    path = write("t7.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-07,1500\n"
                           "TC.THU_NSNN,24,2026-08,1610\n")
    # 2026-09-06 in Hà Nội: July was due 2026-08-05 and August 2026-09-05
    result = send(db, catalogue, units, path, now=dt.datetime(2026, 9, 5, 18, 0, tzinfo=dt.UTC))
    assert result.late == 2
    with db.session() as s:
        assert sorted(s.scalars(select(IndicatorValue.late))) == [True, True]
        assert submissions(s)[0].late == 2
    on_time = write("t9.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n")
    assert send(db, catalogue, units, on_time).status == "unchanged"


def test_completeness_refuses_a_submitted_batch_with_missing_communes(db, catalogue, units, write):
    communes = [u.code for u in units.units(province="24", level="commune")]
    who = Submitter(as_unit="24-SNNMT", by="cán bộ")
    half = "indicator,unit,period,value\n" + "".join(f"XH.HO_NGHEO,{c},2025,{i % 7}.5\n"
                                                     for i, c in enumerate(communes[:50]))
    with pytest.raises(LoadError) as caught:
        send(db, catalogue, units, write("half.csv", half), who=who)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column) == (None, "unit")
    assert "49 expected unit(s)" in problem.reason and communes[50] in problem.reason
    assert "--draft" in problem.reason
    # as a draft it is accepted, and stays out of the values relation
    draft = send(db, catalogue, units, write("half.csv", half), who=Submitter(as_unit="24-SNNMT", draft=True))
    assert (draft.inserted, draft.periods) == (50, {"XH.HO_NGHEO@2025": "draft"})
    with db.session() as s:
        assert current_values(s).height == 0
        assert current_values(s, include_drafts=True).height == 50
    rest = "indicator,unit,period,value\n" + "".join(f"XH.HO_NGHEO,{c},2025,3\n" for c in communes[50:])
    done = send(db, catalogue, units, write("rest.csv", rest), who=who)
    assert (done.inserted, done.promoted, done.periods) == (49, 50, {"XH.HO_NGHEO@2025": "submitted"})
    with db.session() as s:
        assert current_values(s, province="24").height == 99
    # flag instead of refuse, when so configured
    flagged = send(db, catalogue, units, write("q.csv", "indicator,unit,period,value\nXH.HO_NGHEO,07210,2024,4\n"),
                   who=who, config=ValidationConfig(completeness="flag"))
    assert flagged.status == "accepted" and "98 expected unit(s)" in flagged.warnings[0].reason


def test_a_draft_cannot_replace_submitted_values(db, catalogue, units, write):
    path = write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n")
    send(db, catalogue, units, path)
    with pytest.raises(LoadError, match="already submitted"):
        send(db, catalogue, units, write("d.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1700\n"),
             who=Submitter(as_unit="24-STC", draft=True))


def history_file(write, values: list[float]):
    rows = "".join(f"TC.THU_NSNN,24,2026-{m:02d},{v}\n" for m, v in enumerate(values, start=1))
    return write("h.csv", "indicator,unit,period,value\n" + rows)


def test_outliers_against_history_are_refused_unless_explained(db, catalogue, units, write):
    send(db, catalogue, units, history_file(write, [100, 104, 98, 102, 96, 100]))
    wild = write("t7.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-07,1000\n")
    with pytest.raises(LoadError) as caught:
        send(db, catalogue, units, wild)
    reason = caught.value.problems[0].reason
    assert "mean 100" in reason and "over 6 earlier periods" in reason and "note" in reason
    explained = write("t7b.csv", "indicator,unit,period,value,note\n"
                                 "TC.THU_NSNN,24,2026-07,1000,thu tiền sử dụng đất dự án lớn\n")
    result = send(db, catalogue, units, explained)
    assert result.inserted == 1 and "accepted with the note" in result.warnings[0].reason
    with db.session() as s:
        assert submissions(s)[0].report[0]["reason"] == result.warnings[0].reason
    # k is configurable: a looser k accepts what the default refuses
    wilder = write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,5000\n")
    with pytest.raises(LoadError, match="mean ± 3·sd"):
        send(db, catalogue, units, wilder)
    loose = send(db, catalogue, units, wilder, config=ValidationConfig(outlier_k=400))
    assert loose.inserted == 1 and not loose.warnings


def test_too_little_history_judges_no_outlier(db, catalogue, units, write):
    send(db, catalogue, units, history_file(write, [100, 101, 99]))
    result = send(db, catalogue, units, write("t4.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-04,9000\n"))
    assert result.inserted == 1


def test_breakdown_rows_are_stored_but_not_in_the_relation(db, catalogue, units, write):
    path = write("dn.csv", "indicator,unit,period,value,breakdown\n"
                           "DN.THANH_LAP,24,2026-W34,120,\n"
                           "DN.THANH_LAP,24,2026-W34,70, sector = công nghiệp \n"
                           "DN.THANH_LAP,24,2026-W34,50,sector=dịch vụ\n")
    assert send(db, catalogue, units, path).inserted == 3
    with db.session() as s:
        assert current_values(s)[["period", "period_kind", "value"]].rows() == [("2026-W34", "week", 120.0)]
        assert sorted(s.scalars(select(IndicatorValue.breakdown))) == ["", "sector=công nghiệp",
                                                                       "sector=dịch vụ"]


def test_xlsx_and_json_lines_read_like_csv(db, catalogue, units, tmp_path, write):
    import xlsxwriter

    xlsx = tmp_path / "thu.xlsx"
    book = xlsxwriter.Workbook(str(xlsx))
    sheet = book.add_worksheet()
    for r, row in enumerate([["Mã chỉ số", "Mã đơn vị", "Kỳ", "Giá trị", "Ghi chú"],
                             ["TC.THU_NSNN", "24", "2026-08", 1610.5, "ước"]]):
        sheet.write_row(r, 0, row)
    book.close()
    batch = read_batch(xlsx)
    assert batch.rows[0].cells == {"indicator": "TC.THU_NSNN", "unit": "24", "period": "2026-08",
                                   "value": "1610.5", "note": "ước"}
    jsonl = write("thu.jsonl", '{"indicator":"TC.THU_NSNN","unit":"24","period":"2026-08","value":1610.5,'
                               '"note":"ước"}\n')
    assert read_batch(jsonl).content_sha256 == batch.content_sha256
    assert send(db, catalogue, units, xlsx).inserted == 1
    assert send(db, catalogue, units, jsonl).status == "unchanged"


def test_states_approve_by_the_owners_head_lock_refuses_writes_unlock_by_admin(db, catalogue, units, write):
    from chiso.collect.values import Actor, approve, lock, unlock
    from chiso.errors import ChisoError

    path = write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n")
    send(db, catalogue, units, path)
    head = Actor("Giám đốc Sở Tài chính", "head", "24-STC")
    with db.session() as s:
        with pytest.raises(NotAllowedError, match=r"only the head .* 24-STC \(Sở Tài chính\)"):
            approve(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08",
                    actor=Actor("cán bộ", "officer", "24-STC"))
        with pytest.raises(NotAllowedError, match="only the head"):
            approve(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08",
                    actor=Actor("Giám đốc Sở Y tế", "head", "24-SYT"))
        with pytest.raises(ChisoError, match="only an approved period can be locked"):
            lock(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=head)
        with pytest.raises(ChisoError, match="has no values"):
            approve(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-07", actor=head)
        assert approve(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=head) == "approved"
        assert lock(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=head) == "locked"
    fix = write("sua.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1650\n")
    admin = Submitter(as_unit="24-STC", by="quản trị", admin=True, reason="đối chiếu")
    for who in (Submitter(as_unit="24-STC", reason="đối chiếu"), admin):
        with pytest.raises(LockedError, match="is locked"):
            send(db, catalogue, units, fix, who=who)
    with db.session() as s:
        assert current_values(s)["value"].to_list() == [1610.0]
        with pytest.raises(NotAllowedError, match="only an administrator"):
            unlock(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=head, reason="sửa")
        with pytest.raises(NotAllowedError, match="needs a reason"):
            unlock(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08",
                   actor=Actor("quản trị", "admin"), reason=" ")
        unlock(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=Actor("quản trị", "admin"),
               reason="Sở Tài chính đề nghị đính chính")
        assert get_period(s, "TC.THU_NSNN", "2026-08").state == "approved"
    # a correction of an approved period sends it back for approval
    result = send(db, catalogue, units, fix, who=Submitter(as_unit="24-STC", reason="đối chiếu"))
    assert (result.corrected, result.periods) == (1, {"TC.THU_NSNN@2026-08": "submitted"})
