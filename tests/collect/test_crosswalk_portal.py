"""Imports carrying the portal's own unit ids read through the crosswalk: a counts file coded
"H44…" scores exactly as the same counts coded by Decision 19; an id the crosswalk does not
know, or maps to a split unit, refuses the file; the portal connector maps the portal's ids
imported into the store (no per-connector units map), on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.collect.connectors.portal import figures_of
from chiso.collect.portal_counts import read_portal_counts
from chiso.errors import LoadError
from chiso.evaluate.scores import score_window
from chiso.store.repo_crosswalk import import_file
from chiso.units import load_units
from chiso.units.crosswalk import CrosswalkRow, load_crosswalk
from tests.collect.connectors.test_portal_connector import UNITS, add, kept, portal, run  # noqa: F401 (fixture)

DEF = load_index_definition(DEFAULT_INDEX)
TREE = load_units()
HEADER = "unit_code,unit_name,parent_code,level,criterion,numerator,denominator,score\n"
V1 = dt.date(2026, 1, 1)


def row(code: str, target: str, relation: str = "same") -> CrosswalkRow:
    return CrosswalkRow("portal", code, target, relation, "2026-01-01", V1, "", "", "ma-cong.csv")


#: As a province imports them (chiso units crosswalk import): the issue's own example H44 ↔ 25,
#: and two of its departments as the portal numbers them.
IMPORTED = [row("H44", "25"), row("H44.23", "25-STC"), row("H44.42", "25-SNV")]
CROSSWALK = load_crosswalk(IMPORTED, communes=False)


def counts(codes: dict[str, str]) -> str:
    """One counts file, its units written with ``codes`` (today's code → the code written)."""
    c = lambda u: codes.get(u, u)  # noqa: E731
    return HEADER + "".join([
        f"{c('25')},Phú Thọ,,PROVINCE,ON_TIME,144625,184513,\n",
        f"{c('25')},Phú Thọ,,PROVINCE,DOSSIER_PAID_ONLINE,82913,98459,\n",
        f"{c('25')},Phú Thọ,,PROVINCE,DOSSIER_RECEIVING_SATISFACTION,144574,184513,\n",
        f"{c('25-STC')},Sở Tài chính,{c('25')},DEPARTMENT,ON_TIME,1520,1610,\n",
        f"{c('25-STC')},Sở Tài chính,{c('25')},DEPARTMENT,DOSSIER_PAID_ONLINE,610,700,\n",
        f"{c('25-SNV')},Sở Nội vụ,{c('25')},DEPARTMENT,ON_TIME,880,1000,\n",
        f"{c('25-SNV')},Sở Nội vụ,{c('25')},DEPARTMENT,DOSSIER_RECEIVING_SATISFACTION,990,1000,\n",
        f"04792,Xã một,{c('25')},COMMUNE,ON_TIME,300,320,\n",
        f"04792,Xã một,{c('25')},COMMUNE,DOSSIER_SYNC,,,\"4,5\"\n",
        f"{c('25')},Phú Thọ,,PROVINCE,PROGRESS,,,18.2\n",
    ])


def scored(path: Path):
    pc = read_portal_counts(path, DEF, crosswalk=CROSSWALK)
    return pc, score_window(DEF, "2026-08", pc.inputs, pc.units, group_overrides=pc.group_scores)


def test_portal_coded_counts_score_equal_to_the_same_counts_coded_by_decision_19(tmp_path: Path):
    decision19 = tmp_path / "qd19.csv"
    decision19.write_text(counts({}), encoding="utf-8")
    coded = tmp_path / "cong.csv"
    coded.write_text(counts({"25": "H44", "25-STC": "H44.23", "25-SNV": "H44.42"}), encoding="utf-8")
    assert "H44" in coded.read_text(encoding="utf-8")
    pc19, ours = scored(decision19)
    pch, theirs = scored(coded)
    assert pch.recoded == {"H44": "25", "H44.23": "25-STC", "H44.42": "25-SNV"} and pc19.recoded == {}
    assert_frame_equal(pch.units, pc19.units)
    assert_frame_equal(pch.inputs, pc19.inputs)
    assert_frame_equal(theirs.units.sort("unit_code"), ours.units.sort("unit_code"))
    assert_frame_equal(theirs.criteria.sort("unit_code", "criterion"), ours.criteria.sort("unit_code", "criterion"))
    assert set(ours.units["unit_code"]) == {"25", "25-STC", "25-SNV", "04792"}


def test_the_same_unit_coded_both_ways_in_one_file_is_one_unit_given_twice(tmp_path: Path):
    path = tmp_path / "hai-cach.csv"
    path.write_text(HEADER + "25,Phú Thọ,,PROVINCE,ON_TIME,8,10,\nH44,Phú Thọ,,PROVINCE,ON_TIME,8,10,\n",
                    encoding="utf-8")
    with pytest.raises(LoadError) as info:
        read_portal_counts(path, DEF, crosswalk=CROSSWALK)
    [problem] = info.value.problems
    assert problem.row == 2 and "ON_TIME for unit 25 is given twice (also row 1)" in problem.reason


def test_a_portal_id_the_crosswalk_does_not_know_refuses_the_file(tmp_path: Path):
    path = tmp_path / "cong.csv"
    path.write_text(HEADER + "H44,Phú Thọ,,PROVINCE,ON_TIME,8,10,\nH44.99,Sở X,H44,DEPARTMENT,ON_TIME,1,2,\n",
                    encoding="utf-8")
    with pytest.raises(LoadError) as info:
        read_portal_counts(path, DEF, crosswalk=CROSSWALK)
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (str(path), 2, "unit_code", "H44.99")
    assert "không có trong bảng chuyển đổi" in problem.reason and "chiso units crosswalk import" in problem.reason
    # without the imported rows (the shipped crosswalk knows no portal id) "H44" itself is refused
    with pytest.raises(LoadError) as info:
        read_portal_counts(path, DEF)
    assert {(p.row, p.column, p.value) for p in info.value.problems} >= {(1, "unit_code", "H44"),
                                                                         (2, "parent_code", "H44")}


def test_a_portal_id_mapped_to_a_split_is_refused_not_guessed(tmp_path: Path):
    cw = load_crosswalk([*IMPORTED, row("H45", "24", "split_from"), row("H45", "25", "split_from")], communes=False)
    path = tmp_path / "chia.csv"
    path.write_text(HEADER + "H45,Ghép,,PROVINCE,ON_TIME,8,10,\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        read_portal_counts(path, DEF, crosswalk=cw)
    assert "đã bị chia, một phần nhập vào 24, 25" in info.value.problems[0].reason


def test_the_connector_maps_portal_ids_through_the_crosswalk():
    document = {"data": [{"id": "H44", "score": 12.5}, {"id": "H44.23", "score": 9.0}, {"id": "H44.77", "score": 1.0},
                         {"id": "00000000-x", "score": 3.0}]}
    spec = {"window": "2026-08", "records": "$.data[*]", "unit": "$.id", "scores": {"$.score": "SATISFACTION"},
            "unmapped": "skip"}
    figures, problems = figures_of(document, spec, window="2026-08", units=TREE, province="25", where="p",
                                   crosswalk=CROSSWALK)
    assert problems == []
    assert [(f.unit_code, f.value) for f in figures] == [("25", 12.5), ("25-STC", 9.0)]  # unknown ids skipped
    figures, problems = figures_of(document, {**spec, "unmapped": "refuse"}, window="2026-08", units=TREE,
                                   province="25", where="p", crosswalk=CROSSWALK)
    assert [(p.row, p.value) for p in problems] == [(3, "H44.77"), (4, "00000000-x")]
    assert "không có trong bảng chuyển đổi" in problems[0].reason
    # the connector's own units map comes first
    figures, _ = figures_of(document, {**spec, "units": {"H44": "25-SNV"}}, window="2026-08", units=TREE,
                            province="25", where="p", crosswalk=CROSSWALK)
    assert figures[0].unit_code == "25-SNV" and figures[1].unit_code == "25-STC"


def test_a_portal_run_uses_the_crosswalk_imported_into_the_store(db, portal, tmp_path: Path):  # noqa: F811
    path = tmp_path / "ma-cong.csv"
    path.write_text("scheme,code,target,relation,valid_from\n"
                    + "".join(f"portal,{theirs},{ours},same,2026-01-01\n" for theirs, ours in UNITS.items()),
                    encoding="utf-8")
    with db.session() as s:
        assert import_file(s, path, actor="Văn phòng UBND", is_unit=TREE.__contains__).inserted == len(UNITS)
    add(db, TREE, portal.url, units={})  # no units map on the connector: the crosswalk maps the ids
    outcome = run(db, TREE)
    assert outcome.status == "accepted", outcome.message
    figures = kept(db)
    assert {u for u, _, _ in figures} == set(UNITS.values())
    assert figures[("25", "SATISFACTION", "score")] == 12.97
    assert len(figures) == 60
