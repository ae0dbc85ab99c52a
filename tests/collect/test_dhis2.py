"""DHIS2 data value sets: periods in DHIS2's format, dataValueSets JSON and CSV (code id scheme)
written and read back — every value preserved on SQLite and PostgreSQL, the same file twice
changing nothing, a bad file refused whole with file, row, field and reason."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chiso.collect.exchange import import_scores, import_values, read_dhis2, recode_units
from chiso.collect.exchange.periods import PeriodError, from_dhis2, to_dhis2
from chiso.errors import LoadError
from chiso.evaluate.service import score_counts_file
from chiso.reports.dhis2 import to_dhis2_csv, to_dhis2_json
from chiso.reports.sdmx import score_observations, value_observations
from chiso.store import repo_portal
from chiso.store.models_values import IndicatorValue
from chiso.units.crosswalk import CrosswalkRow, load_crosswalk
from chiso.units.registry import load_units
from tests.collect.test_sdmx import ADMIN, CATALOGUE, DEF, FIXTURES, NOW, ROWS, STC, _fresh, _seeded, _values


@pytest.fixture(scope="module")
def units():
    return load_units()


@pytest.mark.parametrize(("label", "dhis2"), [("2026-08", "202608"), ("2026-Q3", "2026Q3"), ("2026-W48", "2026W48"),
                                              ("2026", "2026"), ("2026-08-17", "20260817"), ("2026-W01", "2026W01")])
def test_periods_are_written_in_dhis2_format_and_read_back(label, dhis2):
    assert to_dhis2(label) == dhis2
    assert from_dhis2(dhis2) == label


def test_a_one_digit_week_is_read():
    assert from_dhis2("2026W5") == "2026-W05"


@pytest.mark.parametrize(("text", "words"), [("2026S1", "nửa năm"), ("2026BiW3", "hai tuần"), ("202601B", "hai tháng"),
                                             ("2026April", "năm tài chính"), ("2026SunW2", "không bắt đầu từ thứ Hai"),
                                             ("202613", "không tồn tại"), ("26Q1", "không đọc được")])
def test_dhis2_periods_chiso_has_not_are_refused(text, words):
    with pytest.raises(PeriodError, match=words):
        from_dhis2(text)


def test_values_round_trip_through_data_value_set_json(db, units, tmp_path):
    before = _seeded(db, units)
    with db.session() as s:
        observations = value_observations(s, units, CATALOGUE)
    doc = json.loads(to_dhis2_json("values", observations, CATALOGUE))
    assert len(doc["dataValues"]) == len(ROWS)
    assert {"dataElement": "TC.THU_NSNN", "period": "202607", "orgUnit": "24", "categoryOptionCombo": "default",
            "attributeOptionCombo": "KBNN", "value": "1520.5", "comment": "ước tính, chưa quyết toán"} in doc["dataValues"]
    # the indicator's own source system is DHIS2's default attribute option combination
    assert {"dataElement": "DN.THANH_LAP", "period": "2026W34", "orgUnit": "24", "categoryOptionCombo": "sector=CN",
            "attributeOptionCombo": "default", "value": "12"} in doc["dataValues"]
    path = tmp_path / "dvs.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    target = _fresh(tmp_path, "dich")
    try:
        result = import_values(target, read_dhis2(path, "values"), ADMIN, CATALOGUE, units, now=NOW)
        assert (result.status, result.inserted) == ("accepted", len(ROWS))
        assert _values(target) == before
        assert import_values(target, read_dhis2(path, "values"), ADMIN, CATALOGUE, units, now=NOW).status == "unchanged"
    finally:
        target.dispose()
    assert import_values(db, read_dhis2(path, "values"), STC, CATALOGUE, units, now=NOW).status == "unchanged"


def test_values_round_trip_through_dhis2_csv(db, units, tmp_path):
    before = _seeded(db, units)
    with db.session() as s:
        text = to_dhis2_csv("values", value_observations(s, units, CATALOGUE), CATALOGUE)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
                       "storedby", "lastupdated", "comment", "followup", "deleted"]
    assert ["DN.THANH_LAP", "2026W35", "24", "default", "default", "1234567.891", "", "", "", "false", "false"] in rows
    path = tmp_path / "dvs.csv"
    path.write_text(text, encoding="utf-8", newline="")
    target = _fresh(tmp_path, "dich")
    try:
        result = import_values(target, read_dhis2(path, "values"), ADMIN, CATALOGUE, units, now=NOW)
        assert (result.status, result.inserted) == ("accepted", len(ROWS))
        assert _values(target) == before
    finally:
        target.dispose()


def test_a_bad_data_value_set_is_refused_whole(db, units, tmp_path):
    path = tmp_path / "sai.json"
    path.write_text(json.dumps({"dataValues": [
        {"dataElement": "TC.THU_NSNN", "period": "202608", "orgUnit": "24", "value": "10"},
        {"dataElement": "TC.THU_NSNN", "period": "2026S1", "orgUnit": "24", "value": "10"},
        {"dataElement": "TC.THU_NSNN", "period": "202609", "orgUnit": "24", "value": "10", "deleted": True},
        {"dataElement": "TC.THU_NSNN", "period": "202607", "value": "10"},
    ]}), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_dhis2(path, "values")
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        (str(path), 2, "period"), (str(path), 3, "deleted"), (str(path), 4, "orgUnit")]
    path.write_text(json.dumps({"dataValues": [
        {"dataElement": "TC.THU_NSNN", "period": "202608", "orgUnit": "24", "value": "10"},
        {"dataElement": "TC.THU_NSNN", "period": "202607", "orgUnit": "24", "value": "mười"},
        {"dataElement": "TC.THU_NSNN", "period": "202606", "orgUnit": "24", "value": "5",
         "categoryOptionCombo": "sector=CN"},
    ]}), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        import_values(db, read_dhis2(path, "values"), STC, CATALOGUE, units, now=NOW)
    assert {(p.row, p.column) for p in caught.value.problems} >= {(2, "value"), (3, "categoryOptionCombo")}
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(IndicatorValue)) == 0


def test_scores_round_trip_through_dhis2(db, units, tmp_path):
    table = score_counts_file(DEF, str(FIXTURES / "phu_tho_2026_08.csv"), "2026-08")
    observations = score_observations(table)
    doc = json.loads(to_dhis2_json("scores", observations))
    assert {"dataElement": "766.PROGRESS", "period": "202608", "orgUnit": "25", "categoryOptionCombo": "default",
            "attributeOptionCombo": "default", "value": "15.68"} in doc["dataValues"]
    path = tmp_path / "diem.csv"
    path.write_text(to_dhis2_csv("scores", observations), encoding="utf-8", newline="")
    saved = import_scores(db, read_dhis2(path, "scores"), DEF, units, source="dhis2:thu-nghiem", by="quản trị", now=NOW)
    assert saved.inserted == len(observations)
    with db.session() as s:
        kept = {(f["item"], f["unit_code"]): f["value"] for f in repo_portal.figures(s, "2026-08")}
    assert kept == {("total" if o.subject == "TOTAL" else o.subject, o.unit): float(o.value) for o in observations}
    assert import_scores(db, read_dhis2(path, "scores"), DEF, units, source="dhis2:thu-nghiem",
                         by="quản trị").unchanged == len(observations)


def test_a_score_data_element_needs_its_prefix(tmp_path: Path):
    path = tmp_path / "diem.json"
    path.write_text(json.dumps({"dataValues": [{"dataElement": "PROGRESS", "period": "202608", "orgUnit": "25",
                                                "value": "15.68"}]}), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_dhis2(path, "scores")
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "dataElement")]



def test_portal_coded_scores_go_through_the_crosswalk(db, units, tmp_path):
    # the issue's own example, as a row imported into the crosswalk: Phú Thọ is "H44" on the portal, "25" today
    row = CrosswalkRow(scheme="portal", code="H44", target="25", relation="same", version="cong-dvcqg-thu",
                       valid_from=dt.date(2025, 7, 1), level="province", name="Phú Thọ", source="thử nghiệm")
    crosswalk = load_crosswalk([row], communes=False)
    table = score_counts_file(DEF, str(FIXTURES / "phu_tho_2026_08.csv"), "2026-08")
    observations = [o for o in score_observations(table) if o.unit == "25"]
    doc = json.loads(to_dhis2_json("scores", observations))
    for value in doc["dataValues"]:
        value["orgUnit"] = "H44"
    path = tmp_path / "cong.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(LoadError) as caught:  # read as today's codes, "H44" is no unit
        import_scores(db, read_dhis2(path, "scores"), DEF, units, source="cong", by="qt")
    assert {(p.column, p.value) for p in caught.value.problems} == {("orgUnit", "H44")}
    recoded = recode_units(read_dhis2(path, "scores"), crosswalk, "portal")
    import_scores(db, recoded, DEF, units, source="cong", by="qt", now=NOW)
    with db.session() as s:
        kept = {(f["item"], f["unit_code"]): f["value"] for f in repo_portal.figures(s, "2026-08")}
    assert kept == {("total" if o.subject == "TOTAL" else o.subject, "25"): float(o.value) for o in observations}
