"""Portal counts files: read as the portal publishes them, refused whole with problems that
name the file, the row and the column."""
from __future__ import annotations

from pathlib import Path

import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.collect.portal_counts import read_portal_counts
from chiso.errors import LoadError, Problem

DEF = load_index_definition(DEFAULT_INDEX)
FIXTURES = Path(__file__).parents[1] / "fixtures"
HEADER = "unit_code,unit_name,parent_code,level,criterion,numerator,denominator,score\n"


def write(tmp_path: Path, body: str, header: str = HEADER, name: str = "counts.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def refused(path: Path) -> LoadError:
    with pytest.raises(LoadError) as info:
        read_portal_counts(path, DEF)
    err = info.value
    assert err.problems
    assert all(p.file == str(path) for p in err.problems)
    assert str(path) in str(err)
    assert "nothing was loaded" in str(err)
    return err


def only(err: LoadError) -> Problem:
    assert len(err.problems) == 1, [str(p) for p in err.problems]
    return err.problems[0]


# ------------------------------------------------------------------ accepted files
def test_phu_tho_fixture():
    pc = read_portal_counts(FIXTURES / "phu_tho_2026_08.csv", DEF)
    assert pc.units.to_dicts() == [{"unit_code": "25", "name": "Phú Thọ", "level": "province",
                                    "parent_code": None, "province_code": "25"}]
    on_time = pc.inputs.filter(pc.inputs["criterion"] == "ON_TIME").to_dicts()[0]
    assert (on_time["numerator"], on_time["denominator"], on_time["given_points"]) == (144625.0, 184513.0, None)
    assert pc.inputs.height == 5 and pc.group_scores.height == 0


def test_seed_fixture_group_scores():
    pc = read_portal_counts(FIXTURES / "seed003_week.csv", DEF)
    assert pc.units.height == 3 and pc.inputs.height == 0
    scores = {(r["unit_code"], r["group"]): r["points"] for r in pc.group_scores.to_dicts()}
    assert len(scores) == 18
    assert scores[("24", "ONLINE_SERVICE")] == 8.48 and scores[("31", "PROGRESS")] == 18.95


def test_units_find_their_province_through_parents(tmp_path: Path):
    path = write(tmp_path, "24,Bắc Ninh,,PROVINCE,ON_TIME,8,10,\n"
                           "24-SYT,Sở Y tế,24,DEPARTMENT,ON_TIME,\"1 234\",\"2 000\",\n"
                           "07210,Phường Bắc Giang,24,COMMUNE,ON_TIME,3,4,\n"
                           "07210,Phường Bắc Giang,24,COMMUNE,DOSSIER_SYNC,,,\"4,5\"\n"
                           "99001,Xã Ngoài Tệp,31,commune,ON_TIME,1,1,\n")
    pc = read_portal_counts(path, DEF)
    provinces = {r["unit_code"]: r["province_code"] for r in pc.units.to_dicts()}
    assert provinces == {"24": "24", "24-SYT": "24", "07210": "24", "99001": "31"}
    rows = {(r["unit_code"], r["criterion"]): r for r in pc.inputs.to_dicts()}
    assert rows[("24-SYT", "ON_TIME")]["numerator"] == 1234.0  # thousands separated by a space
    assert rows[("07210", "DOSSIER_SYNC")]["given_points"] == 4.5  # Vietnamese decimal comma


# ------------------------------------------------------------------ refusals
def test_missing_column(tmp_path: Path):
    path = write(tmp_path, "25,Phú Thọ,,PROVINCE,144625,184513,\n",
                 header="unit_code,unit_name,parent_code,level,numerator,denominator,score\n")
    p = only(refused(path))
    assert (p.row, p.column) == (None, "criterion")
    assert "missing column" in p.reason
    assert "column 'criterion'" in str(p)


def test_unknown_column(tmp_path: Path):
    path = write(tmp_path, "25,Phú Thọ,,PROVINCE,ON_TIME,1,2,,x\n", header=HEADER.strip() + ",remark\n")
    p = only(refused(path))
    assert (p.row, p.column) == (None, "remark")


def test_unknown_criterion_code(tmp_path: Path):
    path = write(tmp_path, "25,Phú Thọ,,PROVINCE,ON_TIME,1,2,\n25,Phú Thọ,,PROVINCE,SPEED,1,2,\n")
    p = only(refused(path))
    assert (p.row, p.column, p.value) == (2, "criterion", "SPEED")
    assert f"{path}, row 2, column 'criterion'" in str(p)


def test_non_numeric_numerator(tmp_path: Path):
    path = write(tmp_path, "25,Phú Thọ,,PROVINCE,ON_TIME,many,184513,\n")
    err = refused(path)
    bad = [p for p in err.problems if p.column == "numerator"]
    assert bad and bad[0].row == 1 and bad[0].value == "many"
    assert "not a number" in bad[0].reason


def test_numerator_above_denominator(tmp_path: Path):
    path = write(tmp_path, "25,Phú Thọ,,PROVINCE,DOSSIER_PAID_ONLINE,98460,98459,\n")
    p = only(refused(path))
    assert (p.row, p.column, p.value) == (1, "numerator", "98460")
    assert "larger than the denominator" in p.reason


def test_duplicate_unit_and_criterion(tmp_path: Path):
    path = write(tmp_path, "25,Phú Thọ,,PROVINCE,ON_TIME,1,2,\n"
                           "25,Phú Thọ,,PROVINCE,PAYMENT,,,6.25\n"
                           "25,Phú Thọ,,PROVINCE,ON_TIME,1,2,\n")
    p = only(refused(path))
    assert (p.row, p.column) == (3, "criterion")
    assert "twice" in p.reason and "row 1" in p.reason


def test_group_row_without_score(tmp_path: Path):
    path = write(tmp_path, "24,Bắc Ninh,,PROVINCE,ONLINE_SERVICE,85,100,\n")
    p = only(refused(path))
    assert (p.row, p.column) == (1, "score")
    assert "needs its score" in p.reason


@pytest.mark.parametrize("row, column, words", [
    ("25,Phú Thọ,,PROVINCE,ON_TIME,-1,2,", "numerator", "negative"),
    ("25,Phú Thọ,,PROVINCE,ON_TIME,1,2,25", "score", "maximum"),
    ("25,Phú Thọ,,PROVINCE,PAYMENT,,,10.5", "score", "maximum"),
    ("25,Phú Thọ,,PROVINCE,ON_TIME,1,,", "denominator", "needed"),
    ("25,Phú Thọ,,PROVINCE,ON_TIME,,,", "numerator", "needed"),
    ("25,Phú Thọ,,STATE,ON_TIME,1,2,", "level", "PROVINCE, DEPARTMENT or COMMUNE"),
    (",Phú Thọ,,PROVINCE,ON_TIME,1,2,", "unit_code", "empty"),
    ("25,Phú Thọ,,PROVINCE,ON_TIME,nan,2,", "numerator", "not a number"),
    ("07210,Phường Bắc Giang,,COMMUNE,ON_TIME,1,2,", "parent_code", "needs its parent"),
])
def test_other_cell_problems(tmp_path: Path, row, column, words):
    err = refused(write(tmp_path, row + "\n"))
    p = err.problems[0]  # the first problem is the cell's own (others may follow from it)
    assert (p.row, p.column) == (1, column)
    assert words in p.reason


def test_every_problem_is_reported_and_nothing_is_read(tmp_path: Path):
    path = write(tmp_path, "25,Phú Thọ,,PROVINCE,ON_TIME,3,2,\n"
                           "25,Phú Thọ,,PROVINCE,SPEED,1,2,\n"
                           "24,Bắc Ninh,,PROVINCE,PAYMENT,,,\n")
    err = refused(path)
    assert [(p.row, p.column) for p in err.problems] == [(1, "numerator"), (2, "criterion"), (3, "score")]
    assert "3 problems" in str(err)


def test_empty_and_unreadable_files(tmp_path: Path):
    p = only(refused(write(tmp_path, "")))
    assert p.row is None and "no rows" in p.reason
    missing = tmp_path / "missing.csv"
    with pytest.raises(LoadError) as info:
        read_portal_counts(missing, DEF)
    assert info.value.problems[0].file == str(missing)
    latin = tmp_path / "latin1.csv"
    latin.write_bytes((HEADER + "25,Phú Thọ,,PROVINCE,ON_TIME,1,2,\n").encode("utf-16"))
    with pytest.raises(LoadError, match="UTF-8"):
        read_portal_counts(latin, DEF)
