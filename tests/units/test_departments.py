"""The departments file: shipped content, override rules and validation errors."""
from __future__ import annotations

import textwrap

import pytest

from chiso.errors import DefinitionError
from chiso.units import DEPARTMENT_TYPES, Unit, load_units
from chiso.units.departments import (
    DEPARTMENTS_PATH,
    department_units,
    load_department_plan,
    parse_department_plan,
    read_yaml,
)

PROVINCES = {"01", "24", "79"}

DEFAULT = """\
default:
  - {abbreviation: VPUBND, type: văn phòng, name: "Văn phòng Ủy ban nhân dân {tier}",
     name_en: "{tier_en} People's Committee Office"}
  - {abbreviation: SYT, type: sở, name: Sở Y tế, name_en: Department of Health}
  - {abbreviation: SVHTTDL, type: sở, name: "Sở Văn hóa, Thể thao và Du lịch",
     name_en: "Department of Culture, Sports and Tourism"}
  - {abbreviation: SNGV, type: sở, name: Sở Ngoại vụ, name_en: Department of Foreign Affairs}
"""


def plan_from(tmp_path, text: str, provinces=PROVINCES):
    path = tmp_path / "departments.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_department_plan(provinces, path), str(path)


def test_shipped_file_is_valid_and_typed():
    codes = {p.code for p in load_units().provinces()}
    plan = load_department_plan(codes)
    assert plan.path == str(DEPARTMENTS_PATH)
    assert 17 <= len(plan.default) <= 24
    for code in codes:
        specs = plan.specs_for(code)
        abbreviations = [s.abbreviation for s in specs]
        assert len(abbreviations) == len(set(abbreviations)), code
        assert all(s.type in DEPARTMENT_TYPES for s in specs)
    assert set(plan.by_province) <= codes


def test_overrides_rename_remove_add_in_order(tmp_path):
    plan, _ = plan_from(tmp_path, DEFAULT + """\
provinces:
  "01":
    rename:
      SVHTTDL: {abbreviation: SVHTT, name: Sở Văn hóa và Thể thao, name_en: Department of Culture and Sports}
    add:
      - {abbreviation: SDL, type: sở, name: Sở Du lịch, name_en: Department of Tourism, after: SVHTT}
      - {abbreviation: SQHKT, type: sở, name: Sở Quy hoạch – Kiến trúc, name_en: Department of Planning and Architecture}
  "24":
    remove: [SNGV]
""")
    assert [s.abbreviation for s in plan.specs_for("01")] == ["VPUBND", "SYT", "SVHTT", "SDL", "SNGV", "SQHKT"]
    assert plan.specs_for("01")[2].type == "sở"  # a rename keeps the fields it does not change
    assert [s.abbreviation for s in plan.specs_for("24")] == ["VPUBND", "SYT", "SVHTTDL"]
    assert plan.specs_for("79") == plan.default


def test_units_fill_placeholders_per_province(tmp_path):
    plan, _ = plan_from(tmp_path, DEFAULT + """\
provinces:
  "24":
    add:
      - {abbreviation: BQLKKT, type: ban, name: "Ban Quản lý Khu kinh tế {tier} {province}",
         name_en: "{province_en} Economic Zone Authority"}
""")
    province = Unit("24", "Bắc Ninh", "province", "tỉnh", "VN", "24")
    units = department_units(province, plan, short="Bắc Ninh", short_en="Bac Ninh")
    assert [u.code for u in units] == ["24-VPUBND", "24-SYT", "24-SVHTTDL", "24-SNGV", "24-BQLKKT"]
    assert units[0].name == "Văn phòng Ủy ban nhân dân tỉnh"
    assert units[0].name_en == "Provincial People's Committee Office"
    assert units[-1].name == "Ban Quản lý Khu kinh tế tỉnh Bắc Ninh"
    assert units[-1].name_en == "Bac Ninh Economic Zone Authority"
    assert all(u.level == "department" and u.parent_code == "24" and u.population == 0 for u in units)
    city = Unit("01", "Thành phố Hà Nội", "province", "thành phố trung ương", "VN", "01")
    hanoi = department_units(city, plan, short="Hà Nội", short_en="Ha Noi")
    assert hanoi[0].name == "Văn phòng Ủy ban nhân dân thành phố"
    assert hanoi[0].name_en == "City People's Committee Office"


ERRORS = [
    # (file text, where, reason)
    (DEFAULT + "  - {abbreviation: SYT, type: sở, name: Sở Y tế 2, name_en: Health 2}\n",
     "default[4]", "duplicate abbreviation 'SYT'"),
    ("default:\n  - {abbreviation: SYT, type: sở, name_en: Department of Health}\n",
     "default[0]", "missing field 'name'"),
    ("default:\n  - {abbreviation: SYT, type: sở, name: Sở Y tế, name_en: Health, note: x}\n",
     "default[0].note", "unknown field"),
    ("default:\n  - {abbreviation: syt, type: sở, name: Sở Y tế, name_en: Health}\n",
     "default[0].abbreviation", "capital ASCII"),
    ("default:\n  - {abbreviation: SYT, type: bộ, name: Sở Y tế, name_en: Health}\n",
     "default[0].type", "unknown type 'bộ'"),
    ("default:\n  - {abbreviation: SYT, type: sở, name: 'Sở Y tế {tinh}', name_en: Health}\n",
     "default[0].name", r"unknown placeholder \{tinh\}"),
    ("default:\n  - {abbreviation: SYT, type: sở, name: '', name_en: Health}\n",
     "default[0].name", "non-empty text"),
    ("default: []\n", "default", "empty"),
    ("defaults: []\n", "(top level).defaults", "unknown field"),
    ("- a\n- b\n", "(top level)", "expected a mapping"),
    (DEFAULT + 'provinces:\n  "99": {remove: [SYT]}\n', 'provinces["99"]', "unknown province code '99'"),
    (DEFAULT + "provinces:\n  24: {remove: [SYT]}\n", 'provinces["24"]', "quoted two-digit"),
    (DEFAULT + 'provinces:\n  "24": {remove: [SXD]}\n', 'provinces["24"].remove[0]', "no department 'SXD'"),
    (DEFAULT + 'provinces:\n  "24": {rename: {SXD: {name: Sở Xây dựng}}}\n', 'provinces["24"].rename.SXD', "no department 'SXD'"),
    (DEFAULT + 'provinces:\n  "24": {rename: {SYT: {}}}\n', 'provinces["24"].rename.SYT', "at least one field"),
    (DEFAULT + 'provinces:\n  "24": {rename: {SYT: {abbreviation: SNGV}}}\n', 'provinces["24"] (resulting list)',
     "duplicate abbreviation 'SNGV'"),
    (DEFAULT + 'provinces:\n  "24":\n    add: [{abbreviation: SYT, type: sở, name: Y tế, name_en: Health}]\n',
     'provinces["24"] (resulting list)', "duplicate abbreviation 'SYT'"),
    (DEFAULT + 'provinces:\n  "24":\n    add: [{abbreviation: SDL, type: sở, name: Sở Du lịch, name_en: Tourism, after: SXX}]\n',
     'provinces["24"].add[0].after', "no department 'SXX'"),
    (DEFAULT + 'provinces:\n  "24":\n    add: [{abbreviation: SDL, name: Sở Du lịch, name_en: Tourism}]\n',
     'provinces["24"].add[0]', "missing field 'type'"),
    (DEFAULT + 'provinces:\n  "24": {drop: [SYT]}\n', 'provinces["24"].drop', "unknown field"),
    (DEFAULT + 'provinces:\n  "24": {remove: [SNGV]}\n  "24": {remove: [SYT]}\n', "line 10", r"duplicate key '24' \(first at line 9\)"),
    ("default: [\n", "line 2", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "where", "reason"), ERRORS)
def test_errors_name_the_file_and_the_place(tmp_path, text, where, reason):
    with pytest.raises(DefinitionError, match=reason) as caught:
        plan_from(tmp_path, text)
    error = caught.value
    assert error.path == str(tmp_path / "departments.yaml")
    assert error.where is not None and error.where.startswith(where), error.where
    assert str(error).startswith(f"{error.path}: {error.where}: ")


def test_missing_file_is_a_definition_error(tmp_path):
    with pytest.raises(DefinitionError, match="cannot read") as caught:
        read_yaml(tmp_path / "nope.yaml")
    assert caught.value.path.endswith("nope.yaml")


def test_parse_checks_provinces_against_the_given_list():
    data = {"default": [{"abbreviation": "SYT", "type": "sở", "name": "Sở Y tế", "name_en": "Health"}],
            "provinces": {"24": {"remove": ["SYT"]}}}
    assert [s.abbreviation for s in parse_department_plan(data, "x.yaml", {"24"}).specs_for("24")] == []
    with pytest.raises(DefinitionError, match="known: 01"):
        parse_department_plan(data, "x.yaml", {"01"})
