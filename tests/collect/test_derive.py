"""Derived values: working-day deadlines, catalogue flags, provinces and defaults."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from chiso.collect.derive import add_working_days
from chiso.collect.load import load_paths
from chiso.errors import LoadError

PROCEDURES = ("unit_code,procedure_code,name,statutory_days,full_online_eligible,paper_result\n"
              "24-SYT,P1,Cấp giấy phép,3,true,false\n"
              "07210,P2,Chứng thực,0,false,true\n")


@pytest.mark.parametrize("start, days, end", [
    (date(2026, 8, 14), 3, date(2026, 8, 19)),   # Friday + 3 working days → Wednesday
    (date(2026, 8, 15), 3, date(2026, 8, 20)),   # received on a Saturday: counted from Monday
    (date(2026, 8, 14), 0, date(2026, 8, 14)),
    (date(2026, 8, 14), 15, date(2026, 9, 4)),
])
def test_add_working_days(start, days, end):
    assert add_working_days(pl.Series([start]), days).to_list() == [end]


def test_add_working_days_columns_nulls_and_holidays():
    starts = pl.Series([date(2026, 8, 31), None, date(2026, 8, 14)])
    days = pl.Series([3, 2, None])
    assert add_working_days(starts, days).to_list() == [date(2026, 9, 3), None, None]
    # 1 and 2 September (National Day) off: Monday 31 August + 3 → Monday 7 September
    holidays = [date(2026, 9, 1), date(2026, 9, 2)]
    assert add_working_days(starts, days, holidays).to_list()[0] == date(2026, 9, 7)


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
    assert (p.file, p.row, p.column, p.value) == (str(path), 2, "procedure_code", "P1")
    assert "not in the procedure catalogue of unit 07210" in p.reason
    assert duck.count("dossiers") == 0


def test_petition_due_date_is_fifteen_working_days(write, duck, units):
    path = write("petitions.csv", "id,unit_code,received_date,due_date\n"
                                  "K1,00004,2026-08-14,\nK2,24,2026-08-14,2026-08-20\n")
    load_paths([path], duck, units)
    k1, k2 = duck.fetch("petitions")
    assert k1["due_date"] == date(2026, 9, 4) and k1["province_code"] == "01"
    assert k2["due_date"] == date(2026, 8, 20)
    assert k1["dissatisfied"] is False and k1["recomplained"] is False
