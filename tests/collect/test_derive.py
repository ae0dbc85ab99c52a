"""Derived values: working-day deadlines, catalogue flags, provinces and defaults."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from chiso.collect import derive as derive_module
from chiso.collect.derive import add_working_days
from chiso.collect.load import load_paths
from chiso.errors import LoadError
from chiso.periods.holidays import DEFAULT_HOLIDAYS, load_holidays, parse_holidays

PROCEDURES = ("unit_code,procedure_code,name,statutory_days,full_online_eligible,paper_result\n"
              "24-SYT,P1,Cấp giấy phép,3,true,false\n"
              "07210,P2,Chứng thực,0,false,true\n")


@pytest.mark.parametrize("start, days, end", [
    (date(2026, 8, 14), 3, date(2026, 8, 19)),   # Friday + 3 working days → Wednesday
    (date(2026, 8, 15), 3, date(2026, 8, 20)),   # received on a Saturday: counted from Monday
    (date(2026, 8, 14), 0, date(2026, 8, 14)),
    # 15 working days: Saturday 22 August is worked (make-up day), 31 August (swapped),
    # 1 and 2 September (Quốc khánh) are off
    (date(2026, 8, 14), 15, date(2026, 9, 8)),
    (date(2026, 2, 13), 1, date(2026, 2, 23)),   # Friday before the Tết break → the Monday after it
    (date(2026, 9, 2), 0, date(2026, 9, 3)),     # received on a holiday: counted from the next working day
])
def test_add_working_days(start, days, end):
    ends, beyond = add_working_days(pl.Series([start]), days)
    assert ends.to_list() == [end] and beyond.to_list() == [False]


def test_add_working_days_columns_nulls_and_extra_days_off():
    starts = pl.Series([date(2026, 8, 31), None, date(2026, 8, 14)])
    days = pl.Series([3, 2, None])
    ends, beyond = add_working_days(starts, days)
    # 31 August is off: counted from Thursday 3 September
    assert ends.to_list() == [date(2026, 9, 8), None, None] and beyond.to_list() == [False] * 3
    # a day off of the province's on top of the calendar (a list of dates)
    assert add_working_days(starts, days, [date(2026, 9, 4)])[0].to_list()[0] == date(2026, 9, 9)


def test_add_working_days_beyond_the_calendar_is_flagged():
    cal = load_holidays().working_days()
    starts = pl.Series([date(2023, 12, 28), date(2027, 12, 24), date(2027, 12, 1)])
    ends, beyond = add_working_days(starts, pl.Series([1, 10, 5]), cal)
    assert beyond.to_list() == [True, True, False]
    assert ends.to_list() == [None, None, date(2027, 12, 8)]


def test_a_calendar_of_another_copy(tmp_path):
    text = DEFAULT_HOLIDAYS.read_text(encoding="utf-8").replace(
        "      - {date: 2026-04-30, holiday: reunification, basis: statutory}\n",
        "      - {date: 2026-04-29, holiday: other, name: Ngày nghỉ của tỉnh, basis: announced}\n"
        "      - {date: 2026-04-30, holiday: reunification, basis: statutory}\n")
    own = parse_holidays(text, path="own.yaml")
    # Tuesday 28 April + 1: 29 (the province's), 30/4 and 1/5 off → Monday 4 May
    assert add_working_days(pl.Series([date(2026, 4, 28)]), 1, own)[0].to_list() == [date(2026, 5, 4)]
    assert add_working_days(pl.Series([date(2026, 4, 28)]), 1)[0].to_list() == [date(2026, 4, 29)]


def test_dossier_appointment_and_flags_from_the_same_load(write, duck, units):
    procs = write("procedures.csv", PROCEDURES)
    dossiers = write("dossiers.csv",
                     "id,unit_code,procedure_code,received_date,appointment_date,channel,result_paper\n"
                     "D1,24-SYT,P1,14/08/2026,,online,\n"
                     "D2,07210,P2,2026-08-15,,direct,false\n"
                     "D3,07210,P9,2026-08-14,2026-08-20,direct,\n")
    load_paths([dossiers, procs], duck, units)  # dossiers listed first: procedures still go first
    d1, d2, d3 = duck.fetch("dossiers")
    assert d1["appointment_date"] == date(2026, 8, 19)
    assert (d1["full_online_eligible"], d1["result_paper"]) == (True, False)
    assert d2["appointment_date"] == date(2026, 8, 17)  # Saturday + 0 working days → Monday
    assert (d2["full_online_eligible"], d2["result_paper"]) == (False, False)  # the file's own value wins
    # unknown procedure, appointment given: judged, with the catalogue's fallbacks
    assert d3["appointment_date"] == date(2026, 8, 20)
    assert (d3["full_online_eligible"], d3["result_paper"]) == (False, True)
    assert {d["province_code"] for d in (d1, d2, d3)} == {"24"}
    assert d1["supplement_count"] == 0 and d1["synced_national"] is False and d1["rating"] is None


def test_procedures_already_in_the_store_are_used(write, duck, units):
    load_paths([write("procedures.csv", PROCEDURES)], duck, units)
    load_paths([write("dossiers.csv", "id,unit_code,procedure_code,received_date,channel\n"
                                      "D1,24-SYT,P1,2026-08-14,online\n")], duck, units)
    assert duck.fetch("dossiers")[0]["appointment_date"] == date(2026, 8, 19)


def test_a_procedure_in_the_load_replaces_the_stored_one(write, duck, units):
    load_paths([write("procedures.csv", PROCEDURES)], duck, units)
    newer = write("procedures_v2.csv", "unit_code,procedure_code,name,statutory_days\n24-SYT,P1,Cấp giấy phép,5\n")
    dossiers = write("dossiers.csv", "id,unit_code,procedure_code,received_date,channel\n"
                                     "D1,24-SYT,P1,2026-08-14,online\n")
    load_paths([newer, dossiers], duck, units)
    assert duck.fetch("dossiers")[0]["appointment_date"] == date(2026, 8, 21)


def test_unknown_procedure_without_appointment_is_refused(write, duck, units):
    path = write("dossiers.csv", "id,unit_code,procedure_code,received_date,channel\n"
                                 "D1,24-SYT,P1,2026-08-14,online\n"
                                 "D2,07210,P1,2026-08-14,online\n")
    load_paths([write("procedures.csv", PROCEDURES)], duck, units)
    with pytest.raises(LoadError) as err:
        load_paths([path], duck, units)
    [p] = err.value.problems
    assert (p.file, p.row, p.column, p.value) == (str(path), 3, "procedure_code", "P1")
    assert "not in the procedure catalogue of unit 07210" in p.reason
    assert duck.count("dossiers") == 0


def test_petition_due_date_is_fifteen_working_days(write, duck, units):
    path = write("petitions.csv", "id,unit_code,received_date,due_date\n"
                                  "K1,00004,2026-08-14,\nK2,24,2026-08-14,2026-08-20\n")
    load_paths([path], duck, units)
    k1, k2 = duck.fetch("petitions")
    # Mon–Fri alone would give 4 September; the make-up Saturday 22/8 and the days off
    # 31/8, 1/9, 2/9 give 8 September
    assert k1["due_date"] == date(2026, 9, 8) and k1["province_code"] == "01"
    assert k2["due_date"] == date(2026, 8, 20)
    assert k1["dissatisfied"] is False and k1["recomplained"] is False


def test_appointment_dates_count_the_holidays(write, duck, units):
    procs = write("procedures.csv", PROCEDURES)
    dossiers = write("dossiers.csv", "id,unit_code,procedure_code,received_date,channel\n"
                                     "D1,24-SYT,P1,2026-02-12,online\n"  # Thursday before the Tết break
                                     "D2,24-SYT,P1,2026-04-29,online\n"  # Wednesday before 30/4 and 1/5
                                     "D3,24-SYT,P1,2026-01-08,online\n")  # make-up Saturday 10/1 worked
    load_paths([procs, dossiers], duck, units)
    by_id = {d["id"]: d["appointment_date"] for d in duck.fetch("dossiers")}
    assert by_id == {"D1": date(2026, 2, 24), "D2": date(2026, 5, 6), "D3": date(2026, 1, 12)}


def test_deadlines_beyond_the_holiday_calendar_are_refused(write, duck, units):
    procs = write("procedures.csv", PROCEDURES)
    dossiers = write("dossiers.csv", "id,unit_code,procedure_code,received_date,appointment_date,channel\n"
                                     "D1,24-SYT,P1,2023-05-02,,online\n"
                                     "D2,24-SYT,P1,2023-05-02,2023-05-05,online\n"  # given: nothing to derive
                                     "D3,24-SYT,P1,2027-12-29,,online\n")  # 3 working days reach into 2028
    petitions = write("petitions.csv", "id,unit_code,received_date,due_date\n"
                                       "K1,00004,2027-12-20,\nK2,00004,2027-12-20,2028-01-10\n")
    with pytest.raises(LoadError) as err:
        load_paths([procs, dossiers, petitions], duck, units)
    problems = {(p.file.rsplit("/", 1)[-1], p.row, p.column, p.value): p.reason for p in err.value.problems}
    assert set(problems) == {("dossiers.csv", 2, "received_date", "2023-05-02"),
                             ("dossiers.csv", 4, "received_date", "2027-12-29"),
                             ("petitions.csv", 2, "received_date", "2027-12-20")}
    reason = problems[("dossiers.csv", 2, "received_date", "2023-05-02")]
    assert "appointment_date is empty" in reason and "3 working days" in reason and "2024–2027" in reason
    assert "CHISO_HOLIDAYS" in reason
    assert "due_date is empty" in problems[("petitions.csv", 2, "received_date", "2027-12-20")]
    assert duck.count("dossiers") == 0 and duck.count("petitions") == 0 and duck.count("procedures") == 0


def test_the_holidays_setting_reaches_loading(write, duck, units, tmp_path, monkeypatch):
    own = tmp_path / "holidays.yaml"
    own.write_text(DEFAULT_HOLIDAYS.read_text(encoding="utf-8").replace(
        "      - {date: 2026-04-30, holiday: reunification, basis: statutory}\n",
        "      - {date: 2026-04-29, holiday: other, name: Ngày nghỉ của tỉnh, basis: announced}\n"
        "      - {date: 2026-04-30, holiday: reunification, basis: statutory}\n"), encoding="utf-8")
    monkeypatch.setenv("CHISO_HOLIDAYS", str(own))
    load_paths([write("petitions.csv", "id,unit_code,received_date\nK1,00004,2026-04-28\n")], duck, units)
    # 15 working days from Tuesday 28 April, with 29/4 (the province's), 30/4 and 1/5 off
    assert duck.fetch("petitions")[0]["due_date"] == date(2026, 5, 22)


@pytest.mark.parametrize("listed", [20_000, 1])  # the pairs listed, or (past the limit) the units
def test_a_load_reads_only_the_stored_procedures_its_dossiers_name(write, store, units, monkeypatch, listed):
    """The stored catalogue is read for the dossiers' (unit, procedure) pairs only, not every
    procedure of their units (a pushed batch: a few thousand rows, not the units' whole
    catalogue) — with the same derived dates either way, on DuckDB and PostgreSQL."""
    monkeypatch.setattr(derive_module, "PAIRS_LISTED", listed)
    load_paths([write("procedures.csv", PROCEDURES + "24-SYT,P3,Đăng ký,10,false,true\n"
                                                     "24-SYT,P'4,Cấp lại,2,false,true\n")], store, units)
    read = []
    plain = store.query_arrow

    def watched(sql, params=None):
        table = plain(sql, params)
        if "statutory_days" in sql:
            read.append(sorted(table.to_pylist(), key=lambda r: r["procedure_code"]))
        return table

    monkeypatch.setattr(store, "query_arrow", watched)
    load_paths([write("dossiers.csv", "id,unit_code,procedure_code,received_date,channel\n"
                                      "D1,24-SYT,P1,2026-08-14,online\n"
                                      "D2,24-SYT,P'4,2026-08-14,direct\n"
                                      "D3,24-SYT,P1,2026-08-17,direct\n")], store, units)
    named = {"P1", "P'4"} if listed > 1 else {"P1", "P3", "P'4"}  # past the limit: the unit's catalogue
    assert [{r["procedure_code"] for r in rows} for rows in read] == [named]
    monkeypatch.setattr(store, "query_arrow", plain)
    due = {d["id"]: d["appointment_date"] for d in store.fetch("dossiers")}
    assert due == {"D1": date(2026, 8, 19), "D2": date(2026, 8, 18), "D3": date(2026, 8, 20)}
