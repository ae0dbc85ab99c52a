"""SDMX exchange: periods in SDMX syntax, messages checked against the official SDMX-ML 2.1 XSD,
indicator values and 766 scores exported and imported back (SDMX-ML and SDMX-CSV) on SQLite and
PostgreSQL — every value preserved, all or nothing, the same file twice changing nothing —, and
refusals naming the file, the row (line), the field and the reason."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.indicator import Indicator, ValueRange
from chiso.collect.exchange import import_scores, import_values, read_sdmx, recode_units, schema_problems
from chiso.collect.exchange.periods import PeriodError, from_sdmx, to_sdmx
from chiso.collect.exchange.structure import flow
from chiso.collect.values import Submitter, batch_from_records, submit_batch
from chiso.errors import ChisoError, LoadError, NotAllowedError, SettingsError
from chiso.evaluate.service import score_counts_file
from chiso.reports.sdmx import score_observations, structure_ml, to_sdmx_csv, to_sdmx_ml, value_observations
from chiso.store import repo_portal
from chiso.store.database import init_store
from chiso.store.models_portal import PortalFigure
from chiso.store.models_values import IndicatorValue, ValueSubmission
from chiso.units.crosswalk import load_crosswalk
from chiso.units.registry import load_units

#: 2026-09-03 10:00 in Hà Nội.
NOW = dt.datetime(2026, 9, 3, 3, 0, tzinfo=dt.UTC)
FIXTURES = Path(__file__).parents[1] / "fixtures"
DEF = load_index_definition()
STC = Submitter(as_unit="24-STC", by="Nguyễn Văn An")
ADMIN = Submitter(as_unit="24", by="quản trị", role="admin", admin=True, reason="nhận số liệu từ hệ thống khác")


def _indicator(code: str, **changes) -> Indicator:
    base = dict(code=code, name=f"Chỉ số {code}", name_en=f"Indicator {code}", definition="thử nghiệm",
                group="outcome", field="FINANCE", unit="tỷ đồng", owner="24-STC", source_system="TABMIS",
                status="in_operation")
    return Indicator(**{**base, **changes})


CATALOGUE = {i.code: i for i in (
    _indicator("TC.THU_NSNN", other_sources=("KBNN",), range=ValueRange(min=0)),
    _indicator("DN.THANH_LAP", field="ENTERPRISE", unit="doanh nghiệp", frequency="weekly", deadline_days=2,
               source_system="DKKD", breakdowns=("sector",)),
)}

#: Values as an agency submits them: a month's revenue from the treasury (another source the
#: catalogue names), with a note; a week's new enterprises by sector; a tiny and a large number.
ROWS = [
    {"indicator": "TC.THU_NSNN", "unit": "24", "period": "2026-07", "value": "1520.5", "note": "ước tính, chưa quyết toán",
     "source": "KBNN"},
    {"indicator": "TC.THU_NSNN", "unit": "24", "period": "2026-08", "value": "0.1", "note": None, "source": None},
    {"indicator": "DN.THANH_LAP", "unit": "24", "period": "2026-W34", "value": "12", "breakdown": "sector=CN"},
    {"indicator": "DN.THANH_LAP", "unit": "24", "period": "2026-W34", "value": "30", "breakdown": "sector=DV"},
    {"indicator": "DN.THANH_LAP", "unit": "24", "period": "2026-W34", "value": "42"},
    {"indicator": "DN.THANH_LAP", "unit": "24", "period": "2026-W35", "value": "1234567.891"},
]


@pytest.fixture(scope="module")
def units():
    return load_units()


def _values(db) -> set[tuple]:
    with db.session() as s:
        return {(r.indicator, r.unit_code, r.period, r.breakdown, r.value, r.note, r.source)
                for r in s.scalars(select(IndicatorValue))}


def _count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _seeded(db, units):
    records = [{k: v for k, v in r.items() if v is not None} for r in ROWS]
    submit_batch(db, batch_from_records("nop.json", records), STC, CATALOGUE, units, now=NOW)
    return _values(db)


def _fresh(tmp_path: Path, name: str):
    return init_store(f"sqlite:///{(tmp_path / name / 'chiso.sqlite').as_posix()}", actor="test")


# ------------------------------------------------------------------ periods

@pytest.mark.parametrize(("label", "sdmx"), [("2026-08", "2026-M08"), ("2026-Q3", "2026-Q3"), ("2026-W48", "2026-W48"),
                                             ("2026", "2026"), ("2026-08-17", "2026-08-17"), ("2026-W01", "2026-W01")])
def test_periods_are_written_in_sdmx_syntax_and_read_back(label, sdmx):
    assert to_sdmx(label) == sdmx
    assert from_sdmx(sdmx) == label


def test_other_sdmx_spellings_of_the_same_period_are_read():
    assert from_sdmx("2026-08") == "2026-08"      # Gregorian year-month
    assert from_sdmx("2026-A1") == "2026"         # the reporting year
    assert from_sdmx(" 2026-M12 ") == "2026-12"


@pytest.mark.parametrize(("text", "words"), [("2026-S1", "nửa năm"), ("2026-01-01/P1Y", "khoảng thời gian"),
                                             ("2026-M13", "không tồn tại"), ("2026-W54", "không tồn tại"),
                                             ("tháng 8", "không đọc được")])
def test_periods_chiso_has_not_are_refused_with_the_reason(text, words):
    with pytest.raises(PeriodError, match=words):
        from_sdmx(text)


# ------------------------------------------------------------------ the official schemas

def test_the_structure_message_conforms_to_the_official_xsd():
    data = structure_ml(prepared=dt.datetime(2026, 9, 3, 3, 0))
    assert schema_problems(data, "cau-truc.xml") == []
    root = etree.fromstring(data)
    ns = {"str": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"}
    dsds = {e.get("id"): [d.get("id") for d in e.iterfind(".//str:DimensionList/*", ns)]
            for e in root.iterfind(".//str:DataStructure", ns)}
    assert dsds == {"DSD_CHISO_DM": ["INDICATOR", "REF_AREA", "BREAKDOWN", "TIME_PERIOD"],
                    "DSD_CHISO_766": ["SCORE_ITEM", "REF_AREA", "TIME_PERIOD"]}
    time = root.find(".//str:TimeDimension/str:LocalRepresentation/str:TextFormat", ns)
    assert time.get("textType") == "ObservationalTimePeriod"
    assert {e.get("id") for e in root.iterfind(".//str:Dataflow", ns)} == {"DF_CHISO_DM", "DF_CHISO_766"}


def test_the_xsd_check_finds_what_is_wrong_with_its_line():
    data = to_sdmx_ml("values", [], prepared=dt.datetime(2026, 9, 3, 3, 0))
    assert schema_problems(data, "x.xml") == []
    broken = data.replace(b' dimensionAtObservation="AllDimensions"', b"")
    found = schema_problems(broken, "x.xml")
    assert found and found[0].file == "x.xml" and found[0].row == 8
    assert "dimensionAtObservation" in found[0].reason and "XSD chính thức" in found[0].reason
    assert schema_problems(b"<a><b></a>", "y.xml")[0].reason.startswith("không phải XML hợp lệ")


# ------------------------------------------------------------------ values round trip

def test_values_go_out_as_sdmx_ml_and_come_back_whole(db, units, tmp_path):
    before = _seeded(db, units)
    with db.session() as s:
        observations = value_observations(s, units, CATALOGUE)
    assert len(observations) == len(ROWS)
    data = to_sdmx_ml("values", observations)
    assert schema_problems(data, "gia-tri.xml") == []
    path = tmp_path / "gia-tri.xml"
    path.write_bytes(data)
    exchange = read_sdmx(path, "values")
    # into a store that has none of them: every value, note, breakdown and source as it was
    target = _fresh(tmp_path, "dich")
    try:
        result = import_values(target, exchange, ADMIN, CATALOGUE, units, now=NOW)
        assert (result.status, result.inserted) == ("accepted", len(ROWS))
        assert _values(target) == before
        # the same file again changes nothing (and writes no batch)
        again = import_values(target, read_sdmx(path, "values"), ADMIN, CATALOGUE, units, now=NOW)
        assert (again.status, again.unchanged) == ("unchanged", len(ROWS))
        assert _count(target, ValueSubmission) == 1
    finally:
        target.dispose()
    # back into the store it came from: unchanged
    home = import_values(db, exchange, STC, CATALOGUE, units, now=NOW)
    assert home.status == "unchanged"
    assert _values(db) == before


def test_values_go_out_as_sdmx_csv_and_come_back_whole(db, units, tmp_path):
    before = _seeded(db, units)
    with db.session() as s:
        text = to_sdmx_csv("values", value_observations(s, units, CATALOGUE))
    lines = text.splitlines()
    assert lines[0] == ("DATAFLOW,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,"
                        "OBS_COMMENT,DATA_SOURCE")
    assert "CHISO:DF_CHISO_DM(1.0),TC.THU_NSNN,24,_Z,2026-M07,1520.5,tỷ đồng,P,\"ước tính, chưa quyết toán\",KBNN" in lines
    assert "CHISO:DF_CHISO_DM(1.0),DN.THANH_LAP,24,sector=CN,2026-W34,12,doanh nghiệp,P,,DKKD" in lines
    path = tmp_path / "gia-tri.csv"
    path.write_text(text, encoding="utf-8", newline="")
    target = _fresh(tmp_path, "dich")
    try:
        result = import_values(target, read_sdmx(path, "values"), ADMIN, CATALOGUE, units, now=NOW)
        assert (result.status, result.inserted) == ("accepted", len(ROWS))
        assert _values(target) == before
    finally:
        target.dispose()


def test_a_structure_specific_message_from_another_system_is_read(tmp_path):
    f = flow("values")
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
  xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:ns1="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=CHISO:DSD_CHISO_DM(1.0):ObsLevelDim:AllDimensions">
  <message:Header>
    <message:ID>IMPORT1</message:ID><message:Test>false</message:Test>
    <message:Prepared>2026-09-03T10:00:00</message:Prepared><message:Sender id="KHAC"/>
    <message:Structure structureID="{f.dsd.id}" namespace="urn:x" dimensionAtObservation="AllDimensions">
      <common:Structure><Ref agencyID="CHISO" id="{f.dsd.id}" version="1.0"/></common:Structure>
    </message:Structure>
  </message:Header>
  <message:DataSet xsi:type="ns1:DataSetType" structureRef="{f.dsd.id}">
    <Obs INDICATOR="TC.THU_NSNN" REF_AREA="24" BREAKDOWN="_Z" TIME_PERIOD="2026-M08" OBS_VALUE="1610.25"/>
    <Obs INDICATOR="TC.THU_NSNN" REF_AREA="24" BREAKDOWN="_Z" TIME_PERIOD="2026-M09" OBS_VALUE="1700"
         OBS_COMMENT="tạm tính"/>
  </message:DataSet>
</message:StructureSpecificData>
"""
    path = tmp_path / "khac.xml"
    path.write_text(text, encoding="utf-8")
    exchange = read_sdmx(path, "values")
    assert [(o.row, o.subject, o.unit, o.period, float(o.value), o.note) for o in exchange.observations] == [
        (14, "TC.THU_NSNN", "24", "2026-08", 1610.25, None), (16, "TC.THU_NSNN", "24", "2026-09", 1700.0, "tạm tính")]  # the line its start tag ends on


def test_a_refused_file_names_file_line_field_and_reason_and_writes_nothing(db, units, tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text("DATAFLOW,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\n"
                    "CHISO:DF_CHISO_DM(1.0),TC.THU_NSNN,24,_Z,2026-S1,10\n"
                    "CHISO:DF_CHISO_766(1.0),TC.THU_NSNN,24,_Z,2026-M08,10\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_sdmx(path, "values")
    problems = [(p.file, p.row, p.column) for p in caught.value.problems]
    assert problems == [(str(path), 2, "TIME_PERIOD"), (str(path), 3, "DATAFLOW")]
    assert "nửa năm" in caught.value.problems[0].reason
    # rules of the values themselves: the field named as the file names it
    path.write_text("DATAFLOW,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\n"
                    "CHISO:DF_CHISO_DM(1.0),TC.THU_NSNN,24,_Z,2026-M08,10\n"
                    "CHISO:DF_CHISO_DM(1.0),TC.KHONG_CO,24,_Z,2026-M08,10\n"
                    "CHISO:DF_CHISO_DM(1.0),TC.THU_NSNN,24,_Z,2026-M07,-5\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        import_values(db, read_sdmx(path, "values"), STC, CATALOGUE, units, now=NOW)
    fields = {(p.row, p.column) for p in caught.value.problems}
    assert {(3, "INDICATOR"), (4, "OBS_VALUE")} <= fields
    assert all(p.file == str(path) for p in caught.value.problems)
    assert _count(db, IndicatorValue) == 0   # all or nothing: the good row was not written either
    with db.session() as s:  # the refusal is registered, with its report, as any values file's
        refused = s.scalars(select(ValueSubmission)).all()
        assert [(r.status, r.file_name) for r in refused] == [("refused", str(path))]


def test_another_agency_cannot_import_values_it_does_not_own(db, units, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("DATAFLOW,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\n"
                    "CHISO:DF_CHISO_DM(1.0),TC.THU_NSNN,24,_Z,2026-M08,10\n", encoding="utf-8")
    with pytest.raises(NotAllowedError):
        import_values(db, read_sdmx(path, "values"), Submitter(as_unit="24-SYT", by="x"), CATALOGUE, units, now=NOW)
    assert _count(db, IndicatorValue) == 0


def test_old_unit_codes_go_through_the_crosswalk(tmp_path):
    # Bắc Ninh's pre-2025 code 27 is today's 24 (merged with Bắc Giang, Nghị quyết 202/2025/QH15)
    path = tmp_path / "cu.csv"
    path.write_text("DATAFLOW,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\n"
                    "CHISO:DF_CHISO_DM(1.0),TC.THU_NSNN,27,_Z,2024-M08,10\n"
                    "CHISO:DF_CHISO_DM(1.0),TC.THU_NSNN,99,_Z,2024-M08,10\n", encoding="utf-8")
    crosswalk = load_crosswalk(communes=False)
    with pytest.raises(LoadError) as caught:
        recode_units(read_sdmx(path, "values"), crosswalk, "before_2025")
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [(3, "REF_AREA", "99")]
    path.write_text("DATAFLOW,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\n"
                    "CHISO:DF_CHISO_DM(1.0),TC.THU_NSNN,27,_Z,2024-M08,10\n", encoding="utf-8")
    recoded = recode_units(read_sdmx(path, "values"), crosswalk, "dated")
    assert [o.unit for o in recoded.observations] == ["24"]


# ------------------------------------------------------------------ 766 scores

@pytest.mark.parametrize("fmt", ["xml", "csv"])
def test_scores_go_out_and_come_back_as_published_figures(db, units, tmp_path, fmt):
    table = score_counts_file(DEF, str(FIXTURES / "phu_tho_2026_08.csv"), "2026-08")
    observations = score_observations(table, criteria=True)
    got = {(o.subject, o.unit): float(o.value) for o in observations}
    # worked by hand in tests/evaluate/test_scores.py: progress 15.68, payment 5.05 + 0.75 + 0.45
    assert got[("PROGRESS", "25")] == 15.68 and got[("PAYMENT", "25")] == 6.25
    assert got[("DOSSIER_PAID_ONLINE", "25")] == 5.05
    path = tmp_path / f"diem.{fmt}"
    if fmt == "xml":
        data = to_sdmx_ml("scores", observations)
        assert schema_problems(data, "diem.xml") == []
        path.write_bytes(data)
    else:
        path.write_text(to_sdmx_csv("scores", observations), encoding="utf-8", newline="")
    exchange = read_sdmx(path, "scores")
    saved = import_scores(db, exchange, DEF, units, source="sdmx:thu-nghiem", by="quản trị", now=NOW)
    assert saved.inserted == len(observations)
    with db.session() as s:
        kept = {(f["item"], f["unit_code"]): f["value"] for f in repo_portal.figures(s, "2026-08")}
    assert kept == {("total" if item == "TOTAL" else item, unit): v for (item, unit), v in got.items()}
    again = import_scores(db, read_sdmx(path, "scores"), DEF, units, source="sdmx:thu-nghiem", by="quản trị")
    assert (again.inserted, again.changed, again.unchanged) == (0, 0, len(observations))


def test_a_score_above_its_maximum_or_of_no_item_is_refused(db, units, tmp_path):
    path = tmp_path / "diem.csv"
    path.write_text("DATAFLOW,SCORE_ITEM,REF_AREA,TIME_PERIOD,OBS_VALUE\n"
                    "CHISO:DF_CHISO_766(1.0),PROGRESS,25,2026-M08,25\n"
                    "CHISO:DF_CHISO_766(1.0),KHONG_CO,25,2026-M08,1\n"
                    "CHISO:DF_CHISO_766(1.0),TOTAL,25,2026-M08,88.5\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        import_scores(db, read_sdmx(path, "scores"), DEF, units, source="s", by="x")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "OBS_VALUE"), (3, "SCORE_ITEM")]
    assert "từ 0 đến 20" in caught.value.problems[0].reason
    assert _count(db, PortalFigure) == 0


def test_the_agency_is_the_provinces_own_when_set(monkeypatch):
    monkeypatch.setenv("CHISO_SDMX_AGENCY", "UBND_BN")
    data = structure_ml(prepared=dt.datetime(2026, 9, 3, 3, 0))
    assert schema_problems(data, "cau-truc.xml") == []
    assert b'agencyID="UBND_BN"' in data and flow("values").urn_ref == "UBND_BN:DF_CHISO_DM(1.0)"
    monkeypatch.setenv("CHISO_SDMX_AGENCY", "UBND Bắc Ninh")
    with pytest.raises(SettingsError, match="CHISO_SDMX_AGENCY"):
        flow("values")


def test_a_year_to_date_window_has_no_sdmx_period():
    table = score_counts_file(DEF, str(FIXTURES / "phu_tho_2026_08.csv"), "ytd:2026-08-17")
    with pytest.raises(ChisoError, match="không phải một ngày, tuần, tháng, quý hay năm"):
        score_observations(table)


def test_sdmx_csv_2_is_read_and_a_deletion_refused(tmp_path):
    path = tmp_path / "v2.csv"
    path.write_text("STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\n"
                    "dataflow,CHISO:DF_CHISO_DM(1.0),I,TC.THU_NSNN,24,_Z,2026-M08,10.5\n", encoding="utf-8")
    assert [(o.row, o.subject, o.period, o.value) for o in read_sdmx(path, "values").observations] == [
        (2, "TC.THU_NSNN", "2026-08", "10.5")]
    path.write_text("STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\n"
                    "dataflow,CHISO:DF_CHISO_DM(1.0),D,TC.THU_NSNN,24,_Z,2026-M08,10.5\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_sdmx(path, "values")
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [(2, "ACTION", "D")]
