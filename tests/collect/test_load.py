"""Loading: all files or none, idempotent reloads, history on change (DuckDB and PostgreSQL)."""
from __future__ import annotations

import hashlib
import re

import pytest

from chiso.collect.load import batch_id, load_paths
from chiso.errors import LoadError

PROCS = "unit_code,procedure_code,name,statutory_days\n24-SYT,P1,Cấp giấy phép,3\n"
DOSSIERS = ("id,unit_code,procedure_code,received_date,channel,finished_date\n"
            "D1,24-SYT,P1,2026-08-14,online,2026-08-18\n"
            "D2,24-SYT,P1,14/08/2026,direct,\n")
PETITIONS = "id,unit_code,received_date,handled_date\nK1,07210,2026-08-14,2026-08-20\n"


def counts(store) -> dict[str, int]:
    return {k: store.count(k) for k in ("dossiers", "petitions", "procedures", "publications")}


def test_load_reports_each_file(write, store, units):
    paths = [write("dossiers.csv", DOSSIERS), write("procedures.csv", PROCS),
             write("petitions.csv", PETITIONS)]
    report = load_paths(paths, store, units)
    assert [(f.path, f.kind, f.rows, f.inserted, f.updated, f.unchanged) for f in report.files] == [
        (str(paths[0]), "dossiers", 2, 2, 0, 0), (str(paths[1]), "procedures", 1, 1, 0, 0),
        (str(paths[2]), "petitions", 1, 1, 0, 0)]
    assert [f.sha256 for f in report.files] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}", report.batch)
    assert {f.batch for f in report.files} == {report.batch}
    assert (report.rows, report.inserted) == (4, 4)
    assert {r["_batch"] for r in store.fetch("dossiers")} == {report.batch}
    assert counts(store) == {"dossiers": 2, "petitions": 1, "procedures": 1, "publications": 0}


def test_reloading_the_same_files_changes_nothing(write, store, units):
    paths = [write("procedures.csv", PROCS), write("dossiers.csv", DOSSIERS)]
    first = load_paths(paths, store, units, batch="first")
    again = load_paths(paths, store, units, batch="second")
    assert again.unchanged == 3 and again.inserted == 0 and again.updated == 0
    assert {r["_batch"] for r in store.fetch("dossiers")} == {"first"}
    assert first.batch == "first" and store.history("dossiers", {"id": "D1"}) == []


def test_a_changed_value_is_updated_and_the_old_version_kept(write, store, units):
    load_paths([write("procedures.csv", PROCS), write("dossiers.csv", DOSSIERS)], store, units, batch="b1")
    changed = write("dossiers_fix.csv", DOSSIERS.replace("D2,24-SYT,P1,14/08/2026,direct,",
                                                         "D2,24-SYT,P1,14/08/2026,direct,2026-08-21"))
    report = load_paths([changed], store, units, batch="b2")
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    [now] = store.fetch("dossiers", "id = $1", ["D2"])
    assert str(now["finished_date"]) == "2026-08-21" and now["_batch"] == "b2"
    [old] = store.history("dossiers", {"id": "D2"})
    assert old["finished_date"] is None and old["_batch"] == "b1" and old["_replaced_by_batch"] == "b2"


def test_a_bad_file_among_good_ones_loads_nothing(write, store, units):
    load_paths([write("procedures.csv", PROCS)], store, units)
    before = counts(store)
    good = write("dossiers.csv", DOSSIERS)
    petitions = write("petitions.csv", PETITIONS)
    bad = write("petitions_bad.csv", "id,unit_code,received_date\nK2,07210,2026-08-14\nK3,99999,someday\n")
    with pytest.raises(LoadError) as err:
        load_paths([good, petitions, bad], store, units)
    assert counts(store) == before
    assert {(p.file, p.row, p.column) for p in err.value.problems} == {
        (str(bad), 3, "unit_code"), (str(bad), 3, "received_date")}  # the spreadsheet's row: header = 1
    assert err.value.total == 2
    assert "nothing was loaded" in str(err.value) and "row 3, column 'unit_code'" in str(err.value)


def test_an_unreadable_file_and_a_key_in_two_files_are_both_reported(write, duck, units):
    a = write("dossiers_a.csv", DOSSIERS)
    b = write("dossiers_b.csv", DOSSIERS.splitlines()[0] + "\nD1,24-SYT,P1,2026-08-15,post,\n")
    c = write("notes.txt", "hello")
    procs = write("procedures.csv", PROCS)
    with pytest.raises(LoadError) as err:
        load_paths([a, b, c, procs], duck, units)
    got = {(p.file, p.row, p.column) for p in err.value.problems}
    assert got == {(str(c), None, None), (str(b), 2, "id")}
    assert counts(duck)["procedures"] == 0


def test_kind_can_be_forced(write, duck, units):
    path = write("export-2026.csv", PETITIONS)
    report = load_paths([path], duck, units, kind="petitions")
    assert report.files[0].kind == "petitions" and duck.count("petitions") == 1
    with pytest.raises(LoadError) as err:
        load_paths([path], duck, units, kind="dossiers")  # wrong kind: its columns do not fit
    assert {p.column for p in err.value.problems} >= {"procedure_code", "channel", "handled_date"}


def test_the_problem_cap_keeps_the_true_total(write, duck, units):
    rows = "\n".join(f"K{i},07210,not-a-date" for i in range(50))
    path = write("petitions.csv", "id,unit_code,received_date\n" + rows + "\n")
    with pytest.raises(LoadError) as err:
        load_paths([path], duck, units, max_problems=5)
    assert err.value.total == 50 and len(err.value.problems) == 5
    assert "refused: 50 problems (the first 5 are listed)" in str(err.value)


def test_the_problem_cap_is_a_setting(write, duck, units, monkeypatch):
    monkeypatch.setenv("CHISO_FILE_MAX_PROBLEMS", "7")
    rows = "\n".join(f"K{i},07210,not-a-date" for i in range(30))
    with pytest.raises(LoadError) as err:
        load_paths([write("petitions.csv", "id,unit_code,received_date\n" + rows + "\n")], duck, units)
    assert err.value.total == 30 and len(err.value.problems) == 7 and not err.value.at_least


def test_a_header_only_file_loads_no_rows(write, store, units):
    report = load_paths([write("publications.csv", "id,unit_code,procedure_code,legal_effective_date,"
                                                   "decision_date\n")], store, units)
    assert (report.rows, report.inserted, report.files[0].kind) == (0, 0, "publications")


def test_missing_columns_are_reported_not_crashed_on(write, duck, units):
    path = write("dossiers.csv", "id,procedure_code,channel\nD1,P1,online\n")
    with pytest.raises(LoadError) as err:
        load_paths([path], duck, units)
    assert {(p.row, p.column) for p in err.value.problems} == {(None, "unit_code"), (None, "received_date")}


def test_no_files_is_refused(duck, units):
    with pytest.raises(LoadError, match="no files"):
        load_paths([], duck, units)


def test_batch_id_depends_on_the_files():
    assert batch_id(["aa"]) != batch_id(["ab"])
    assert batch_id(["aa"]).endswith(hashlib.sha256(b"aa").hexdigest()[:8])
