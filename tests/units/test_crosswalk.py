"""The unit-code crosswalk (chiso.units.crosswalk), pure: the shipped provinces, the official
conversion table's layout read into commune and district rows (a hand-written fixture in that
layout, tests/fixtures/crosswalk: merged, split, kept, renamed), translation in every scheme
(found, ambiguous, unknown), versions by date, old series re-aggregated into today's units by
hand-computed sums, and the checks of imported rows."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from chiso.errors import ChisoError, DefinitionError, LoadError
from chiso.units import load_units
from chiso.units.boundaries import load_mergers
from chiso.units.crosswalk import (
    CROSSWALK_PATH,
    EFFECTIVE_2025,
    Crosswalk,
    CrosswalkRow,
    check_rows,
    conversion_layout,
    conversion_rows,
    dated_translate,
    load_crosswalk,
    regroup,
    scheme_at,
    shipped,
    translate,
)

TREE = load_units()
CW = load_crosswalk()
#: A hand-written table in the official conversion table's layout (made-up old units; see its README).
TABLE = Path(__file__).parents[1] / "fixtures" / "crosswalk" / "bang_chuyen_doi_thu.csv"


def records(text: str) -> list[tuple[int, list[str]]]:
    """A CSV text's rows numbered as a spreadsheet shows them (a quoted line break stays in its row)."""
    return list(enumerate(csv.reader(text.splitlines(keepends=True)), start=1))


FIXTURE = records(TABLE.read_text(encoding="utf-8"))
COMMUNES = conversion_rows(FIXTURE, file=TABLE.name)
#: The crosswalk once a province has imported the table.
CWC = load_crosswalk(COMMUNES)
V1, V2 = dt.date(2026, 1, 1), dt.date(2026, 9, 1)


def portal(code: str, target: str, version: str = "p1", valid_from: dt.date = V1, relation: str = "same",
           level: str = "province") -> CrosswalkRow:
    return CrosswalkRow("portal", code, target, relation, version, valid_from, level, "", "test")


# ------------------------------------------------------------------ shipped: provinces
def test_every_pre_2025_province_translates_to_the_one_it_merged_into():
    mergers = load_mergers()
    assert len(mergers.before) == 63
    for old, new in mergers.merged_into().items():
        t = CW.translate(old, "before_2025")
        assert t.ok and t.targets == (new,), t
    provinces = [r for r in CW.rows("before_2025") if r.level == "province"]
    assert len(provinces) == 63
    assert sum(r.relation == "same" for r in provinces) == 11  # Nghị quyết 202/2025/QH15: 11 unchanged
    assert sum(r.relation == "merged_into" for r in provinces) == 52


def test_phu_tho_is_three_old_provinces_and_old_codes_are_read_in_their_scheme():
    assert {r.code for r in CW.rows("before_2025") if r.target == "25" and r.level == "province"} == {"25", "26", "17"}
    old = CW.translate("24", "before_2025")  # Bắc Giang before 1/7/2025
    assert old.ok and old.target == "24" and old.rows[0].name == "Bắc Giang" and old.relation == "merged_into"
    assert CW.translate("27", "before_2025").target == "24"  # Bắc Ninh then, Bắc Ninh now: 27 → 24
    assert CW.translate("27", "decision19").target == "27"   # today's code 27 is read as itself
    assert "Vĩnh Phúc" in CW.translate("26", "before_2025").reason


def test_a_code_is_read_in_the_scheme_of_its_date():
    assert scheme_at(dt.date(2025, 6, 30)) == "before_2025" and scheme_at(EFFECTIVE_2025) == "decision19"
    # a figure of June 2025 coded 26 is Vĩnh Phúc's, today Phú Thọ's; one of July 2025 coded 24 is Bắc Ninh's
    assert dated_translate("26", dt.date(2025, 6, 15), CW).target == "25"
    assert dated_translate("24", dt.date(2025, 7, 15), CW).target == "24"
    assert dated_translate("27", dt.date(2025, 6, 15), CW).target == "24"


# ------------------------------------------------------------------ the official conversion table (imported)
def test_no_commune_table_ships():
    assert not [r for r in CW.rows() if r.level in ("commune", "district")]
    assert not list(CROSSWALK_PATH.parent.glob("*.csv"))  # the conversion table is imported, never shipped
    assert CW.translate("90001", "before_2025").status == "unknown"


def test_the_table_s_layout_is_recognised_by_its_header_rows():
    layout = conversion_layout(FIXTURE)
    assert layout is not None and layout.header_row == 3  # under a title row and the group heading
    assert layout.position["new_name"] == 1 and layout.header["old_code"] == "Mã Xã cũ"
    assert conversion_layout(records("scheme,code,target,relation,valid_from\nportal,H44,25,same,2026-01-01\n")) is None


def test_each_old_commune_gets_the_relation_its_notes_say():
    by_code = {(r.code, r.target): r for r in COMMUNES if r.level == "commune"}
    relation = {k: r.relation for k, r in by_code.items()}
    assert relation == {
        ("90001", "00004"): "merged_into", ("90002", "00004"): "merged_into",   # Nhập toàn bộ
        ("90003", "00004"): "split_from", ("90003", "00008"): "split_from",     # Nhập một phần (two rows)
        ("90004", "00008"): "merged_into",
        ("90005", "00175"): "merged_into",   # "Yên Hoà" found as the registry's "Yên Hòa"
        ("04792", "04792"): "same",          # Giữ nguyên, same code
        ("90006", "04831"): "renamed",       # Đổi loại hình (Thị trấn → Xã)
        ("90007", "04876"): "merged_into",
        ("90008", "04876"): "split_from",    # no note: the table does not say "whole"
    }  # the coastal area without a code gives no row
    assert all((r.version, r.valid_from, r.source) == ("2025-07-01", EFFECTIVE_2025, TABLE.name) for r in COMMUNES)
    assert by_code[("90006", "04831")].name == "Thị trấn Thử Sáu"
    districts = {(r.code, r.target, r.relation) for r in COMMUNES if r.level == "district"}
    assert districts == {("901", "01", "part_of"), ("902", "01", "part_of"), ("903", "25", "part_of"),
                         ("904", "25", "part_of")}


def test_a_wholly_merged_commune_translates_and_a_split_one_is_ambiguous():
    whole = CWC.translate("90001", "before_2025")
    assert whole.ok and whole.target == "00004" and whole.relation == "merged_into"
    assert TREE.get("00004").name == "Phường Ba Đình"
    split = CWC.translate("90003", "before_2025")
    assert split.status == "ambiguous" and split.target is None
    assert split.targets == ("00004", "00008") and split.relation == "split_from"
    assert "90003 (Phường Thử Ba) đã bị chia, một phần nhập vào 00004, 00008" in split.reason
    partial = CWC.translate("90008", "before_2025")  # one target, but only a part: still not summed
    assert partial.status == "ambiguous" and partial.targets == ("04876",)
    kept, renamed = CWC.translate("04792", "before_2025"), CWC.translate("90006", "before_2025")
    assert (kept.target, kept.relation) == ("04792", "same") and (renamed.target, renamed.relation) == ("04831", "renamed")


def test_the_table_s_new_codes_are_not_taken_new_communes_are_found_by_name():
    # the published table came with the draft, whose codes are not all the final list's: the name decides
    text = TABLE.read_text(encoding="utf-8").replace("Phường Ngọc Hà,00008,Phường Thử Bốn", "Phường Ngọc Hà,00226,Phường Thử Bốn")
    rows = conversion_rows(records(text), file="t.csv")
    assert {r.target for r in rows if r.code == "90004"} == {"00008"}


def test_an_old_district_lies_in_its_new_province():
    t = CWC.translate("901", "before_2025")
    assert t.ok and t.target == "01" and t.relation == "part_of" and t.rows[0].level == "district"
    assert t.rows[0].name == "Quận Thử Nghiệm"
    assert CWC.translate("904", "before_2025").target == "25"


def test_merged_cells_continue_the_row_above():
    # a workbook with the new commune's cells merged reads them in the first row only
    text = TABLE.read_text(encoding="utf-8")
    text = text.replace("Thành phố Hà Nội (01),Phường Ba Đình,00004,Phường Thử Hai", ",,,Phường Thử Hai")
    text = text.replace("Tỉnh Phú Thọ (25),Xã Cao Sơn,04876,Xã Thử Tám", ",,,Xã Thử Tám")
    assert conversion_rows(records(text), file=TABLE.name) == COMMUNES


def bad_table(**changes: str) -> list[str]:
    text = TABLE.read_text(encoding="utf-8")
    for old, new in changes.values():
        assert old in text
        text = text.replace(old, new, 1)
    with pytest.raises(LoadError) as info:
        conversion_rows(records(text), file="bang.csv")
    return [str(p) for p in info.value.problems]


def test_a_bad_table_names_file_row_column_and_reason_and_gives_nothing():
    got = bad_table(
        province=("Thành phố Hà Nội (01),Phường Ba Đình,00004,Phường Thử Một", "Hà Nội,Phường Ba Đình,00004,Phường Thử Một"),
        old_province=("Thành phố Hà Nội (01),Phường Ba Đình,00004,Phường Thử Hai",
                      "Thành phố Hà Nội (99),Phường Ba Đình,00004,Phường Thử Hai"),
        name=("Phường Ngọc Hà,00008,Phường Thử Bốn", "Phường Ngọc Hà Mới,00008,Phường Thử Bốn"),
        code=("Phường Yên Hoà,00175,Phường Thử Năm", "Phường Yên Hoà,00004,Phường Thử Năm"),
        old_code=("Thị trấn Thử Sáu,90006", "Thị trấn Thử Sáu,9OOO6"),
        district=("Xã Thử Bảy,90007,Nhập toàn bộ,Huyện Thử Bắc (904)", "Xã Thử Bảy,90007,Nhập toàn bộ,Huyện Thử Bắc"),
    )
    assert got == [
        "bang.csv, dòng 5, cột 'Tỉnh, thành phố': phải ghi mã tỉnh trong ngoặc, như 'Tỉnh Phú Thọ (25)' "
        "(giá trị 'Hà Nội')",
        "bang.csv, dòng 6, cột 'Tỉnh, thành phố': tỉnh 99 không phải tỉnh hiện nay (Nghị quyết 202/2025/QH15) "
        "(giá trị 'Thành phố Hà Nội (99)')",
        "bang.csv, dòng 9, cột 'Tên Xã mới': không tìm thấy xã, phường 'Phường Ngọc Hà Mới' của tỉnh 01 trong danh "
        "mục hiện nay (Quyết định 19/2025/QĐ-TTg) (giá trị 'Phường Ngọc Hà Mới')",
        "bang.csv, dòng 10, cột 'Mã Xã mới': mã 00004 đã ghi cho 00004 ở dòng 7, ở đây cho 00175 (Phường Yên Hoà) "
        "(giá trị '00004')",
        "bang.csv, dòng 13, cột 'Mã Xã cũ': mã xã cũ phải là dãy chữ số (định dạng cột là văn bản để giữ số 0 đầu) "
        "(giá trị '9OOO6')",
        "bang.csv, dòng 14, cột 'Quận/huyện': phải ghi mã quận, huyện trong ngoặc, như 'Huyện Tam Nông (227)' "
        "(giá trị 'Huyện Thử Bắc')",
    ]


def test_a_table_without_its_columns_is_refused():
    text = TABLE.read_text(encoding="utf-8").replace(",Ghi chú,", ",Ghi chép,", 1)
    with pytest.raises(LoadError) as info:
        conversion_rows(records(text), file="bang.csv")
    assert [str(p) for p in info.value.problems] == ["bang.csv, dòng 3: dòng tiêu đề thiếu cột 'Ghi chú'"]


def test_imported_communes_can_be_left_out_for_provinces_and_portal_ids():
    lean = load_crosswalk(COMMUNES, communes=False)
    assert lean.translate("90001", "before_2025").status == "unknown" and lean.translate("26", "before_2025").ok


def test_unknown_codes_and_schemes():
    t = CW.translate("H44", "portal")
    assert t.status == "unknown" and t.targets == () and "chiso units crosswalk import" in t.reason
    assert CW.translate("99", "before_2025").status == "unknown"
    assert not CW.rows("portal")  # no portal id ships: no source publishes them
    with pytest.raises(ChisoError, match="hệ mã"):
        CW.translate("25", "gso")


# ------------------------------------------------------------------ imported rows and versions
def test_imported_rows_translate_and_versions_follow_the_date():
    rows = [portal("H44", "25"), portal("H44.23", "25-SYT", level="department"),
            portal("H99", "25", "p2", V2, "renamed")]
    cw = load_crosswalk(rows, communes=False)
    assert translate("H44", "portal", crosswalk=cw).target == "25"
    assert translate("H44", "portal", rows=rows).target == "25"
    assert cw.translate("H44.23", "portal").target == "25-SYT"
    # H12 pointed at 25 first, at 24 from the second version on
    moved = load_crosswalk([portal("H12", "25"), portal("H12", "24", "p2", V2)], communes=False)
    assert moved.translate("H12", "portal").target == "24"                         # newest
    assert moved.translate("H12", "portal", at=dt.date(2026, 5, 1)).target == "25"  # in force in May
    assert moved.translate("H12", "portal", at=V2).target == "24"
    assert moved.translate("H12", "portal", at=dt.date(2025, 1, 1)).target == "25"  # before both: the oldest


def test_a_version_with_two_dates_is_refused():
    with pytest.raises(ChisoError, match="nhiều ngày hiệu lực"):
        Crosswalk([portal("H44", "25"), portal("H44", "24", valid_from=V2)])


# ------------------------------------------------------------------ re-aggregation
def test_old_series_regrouped_into_todays_provinces():
    old = {"25": 10.0, "26": 5.0, "17": 2.0, "24": 7.0, "27": 3.0, "01": 4.0}
    out = regroup(old, "before_2025", CW)
    # Phú Thọ = Phú Thọ + Vĩnh Phúc + Hòa Bình = 10 + 5 + 2; Bắc Ninh = Bắc Giang + Bắc Ninh = 7 + 3
    assert out.totals == {"25": 17.0, "24": 10.0, "01": 4.0}
    assert out.sources["25"] == ("25", "26", "17") and out.flagged == () and out.unknown == ()


def test_split_communes_are_flagged_not_summed():
    old = [("90001", 3.0), ("90002", 4.0), ("90003", 5.0), ("90003", 1.0), ("90004", 6.0), ("04792", 2.5),
           ("90006", 1.5), ("90008", 9.0), ("99999", 2.0)]
    out = regroup(old, "before_2025", CWC)
    # Ba Đình = Thử Một + Thử Hai; Ngọc Hà = Thử Bốn; Thử Ba (split) and Thử Tám (a part) are in no total
    assert out.totals == {"00004": 7.0, "00008": 6.0, "04792": 2.5, "04831": 1.5}
    assert out.sources["00004"] == ("90001", "90002")
    assert [t.code for t in out.flagged] == ["90003", "90008"] and out.flagged[0].targets == ("00004", "00008")
    assert out.unknown == ("99999",)


def test_portal_series_regroup_with_imported_rows():
    cw = load_crosswalk([portal("H44", "25"), portal("H27", "24")], communes=False)
    assert regroup([("H44", 1.0), ("H27", 2.0), ("H44", 3.0)], "portal", cw).totals == {"25": 4.0, "24": 2.0}


# ------------------------------------------------------------------ checks of a crosswalk file
def rec(n: int, **cells) -> dict:
    base = {"scheme": "portal", "code": "H44", "target": "25", "relation": "same", "valid_from": "2026-01-01"}
    return {"_row": n, **base, **cells}


def check(records, existing: Crosswalk | None = None):
    return check_rows(records, file="ma.csv", existing=existing or load_crosswalk(communes=False),
                      is_unit=TREE.__contains__)


def problems(records, existing: Crosswalk | None = None) -> list[str]:
    with pytest.raises(LoadError) as info:
        check(records, existing)
    assert "nothing was loaded" in str(info.value)
    return [str(p) for p in info.value.problems]


def test_good_rows_become_crosswalk_rows():
    rows = check([rec(2), rec(3, code="H44.23", target="25-SYT", level="department", name="Sở Y tế",
                              version="cong-2026")])
    assert rows[0] == CrosswalkRow("portal", "H44", "25", "same", "2026-01-01", V1, "", "", "ma.csv")
    assert rows[1].version == "cong-2026" and rows[1].level == "department" and rows[1].name == "Sở Y tế"


def test_every_bad_cell_is_named_with_file_row_and_column():
    got = problems([rec(2, scheme="gso"), rec(3, relation="same_as"), rec(4, target="99"), rec(5, valid_from="1/9"),
                    rec(6, code=""), rec(7, code="25"), rec(8, target="1"), rec(9, level="xã")])
    assert got == [
        "ma.csv, dòng 2, cột 'scheme': phải là một trong portal, before_2025 (mã hiện nay không cần dòng chuyển "
        "đổi) (giá trị 'gso')",
        "ma.csv, dòng 3, cột 'relation': phải là một trong same, renamed, merged_into, part_of, split_from "
        "(giá trị 'same_as')",
        "ma.csv, dòng 4, cột 'target': không phải mã một đơn vị hiện nay (Quyết định 19/2025/QĐ-TTg) (giá trị '99')",
        "ma.csv, dòng 5, cột 'valid_from': không phải một ngày (YYYY-MM-DD) (giá trị '1/9')",
        "ma.csv, dòng 6, cột 'code': trống",
        "ma.csv, dòng 7, cột 'code': là mã một đơn vị hiện nay: mã của Cổng (H44, H44.23 …) phải khác mã theo "
        "Quyết định 19 (giá trị '25')",
        "ma.csv, dòng 8, cột 'target': không phải mã một đơn vị hiện nay (Quyết định 19/2025/QĐ-TTg); có phải 01? "
        "(định dạng cột là văn bản để giữ số 0 đầu) (giá trị '1')",
        "ma.csv, dòng 9, cột 'level': phải là một trong province, department, district, commune (giá trị 'xã')",
    ]


def test_two_targets_only_for_a_split_and_no_row_twice():
    got = problems([rec(2), rec(3, target="24"), rec(4, code="H45"), rec(5, code="H45")])
    assert any("dòng 5, cột 'target'" in p and "đã có ở dòng 4" in p for p in got)
    assert any("dòng 2, cột 'relation'" in p and "2 đơn vị đích" in p for p in got)
    split = check([rec(2, relation="split_from"), rec(3, target="24", relation="split_from")])
    assert len(split) == 2


def test_a_changed_mapping_needs_a_new_version():
    existing = load_crosswalk([portal("H44", "25", "2026-01-01")], communes=False)
    assert len(check([rec(2)], existing)) == 1  # the same mapping again: accepted (kept once by the store)
    got = problems([rec(2, target="24")], existing)
    assert len(got) == 1 and "cột 'version'" in got[0] and "cần một phiên bản mới" in got[0]
    assert check([rec(2, target="24", version="2026-09-01", valid_from="2026-09-01")], existing)[0].target == "24"
    # the shipped rows are versions too: a province cannot silently re-map an old province
    shipped = problems([rec(2, scheme="before_2025", code="26", target="24", version="2025-07-01",
                            valid_from="2025-07-01")], load_crosswalk())
    assert "đã có ánh xạ khác: 25 (merged_into)" in shipped[0]


def test_a_version_keeps_one_date_in_a_file():
    got = problems([rec(2, version="v"), rec(3, code="H45", version="v", valid_from="2026-02-01")])
    assert got == ["ma.csv, dòng 3, cột 'valid_from': phiên bản v đã có ngày hiệu lực 2026-01-01 (dòng 2) "
                   "(giá trị '2026-02-01')"]


def test_an_empty_file_is_refused():
    assert problems([]) == ["ma.csv: tệp không có dòng nào"]


def test_a_shipped_commune_table_is_refused(tmp_path):
    listed = tmp_path / "co-bang-xa.yaml"
    listed.write_text("before_2025:\n  version: '2025-07-01'\n  valid_from: 2025-07-01\n"
                      "  communes: {file: bang.csv}\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="chiso units crosswalk import"):
        shipped(str(listed))


def test_a_shipped_portal_id_needs_its_published_source(tmp_path):
    bare = tmp_path / "khong-nguon.yaml"
    bare.write_text("portal:\n  - {code: H44, target: '25', relation: same, valid_from: 2026-01-01}\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="nguồn công bố"):
        shipped(str(bare))
    cited = tmp_path / "co-nguon.yaml"
    cited.write_text("portal:\n  - {code: H44, target: '25', relation: same, valid_from: 2026-01-01,\n"
                     "     source: 'Công văn số …'}\n", encoding="utf-8")
    assert shipped(str(cited)).translate("H44", "portal").target == "25"
