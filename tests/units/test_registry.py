"""The official hierarchy built by chiso.units.registry, and UnitTree's lookups."""
from __future__ import annotations

import doctest
import json
import re
import statistics
import time
from collections import Counter

import pytest

from chiso.errors import ChisoError, DefinitionError, UnknownUnitError
from chiso.units import (
    LEVELS,
    NATION_CODE,
    Unit,
    UnitTree,
    departments,
    full_name,
    load_units,
    registry,
    short_name,
    split_population,
    unit_to_dict,
)

# The Bắc Ninh departments the weekly ranking (shared/seeds) names.
SEED_DEPARTMENTS = [
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Sở Dân tộc và Tôn giáo",
    "Ban Quản lý các khu công nghiệp tỉnh",
    "Sở Y tế",
    "Sở Khoa học và Công nghệ",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Tư pháp",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Nội vụ",
    "Sở Công Thương",
    "Sở Giáo dục và Đào tạo",
    "Sở Tài chính",
]


@pytest.fixture(scope="module")
def tree() -> UnitTree:
    return load_units()


# --------------------------------------------------------------------------- the nation


def test_counts_per_level(tree):
    levels = Counter(u.level for u in tree)
    assert levels["nation"] == 1
    assert levels["province"] == 34
    assert levels["commune"] == 3321
    assert len(tree) == sum(levels.values())


def test_code_shapes(tree):
    for unit in tree:
        pattern = {
            "nation": r"VN",
            "province": r"\d{2}",
            "commune": r"\d{5}",
            "department": re.escape(unit.province_code or "") + r"-[A-Z][A-Z0-9]*",
        }[unit.level]
        assert re.fullmatch(pattern, unit.code), unit


def test_codes_unique_and_parents_exist(tree):
    codes = [u.code for u in tree]
    assert len(codes) == len(set(codes))
    for unit in tree:
        if unit.level == "nation":
            assert unit.parent_code is None and unit.province_code is None
            continue
        parent = tree.get(unit.parent_code)
        assert parent.level == ("nation" if unit.level == "province" else "province")
        assert unit.province_code == (unit.code if unit.level == "province" else parent.code)


def test_official_names_and_types(tree):
    assert tree.get("01").name == "Thành phố Hà Nội"
    assert tree.get("01").type == "thành phố trung ương"
    assert tree.get("24").name == "Bắc Ninh"
    assert tree.get("24").type == "tỉnh"
    assert tree.get("07210").name == "Phường Bắc Giang"
    assert tree.get("31078").type == "đặc khu"
    assert tree.get(NATION_CODE).name == "Việt Nam"
    assert {u.type for u in tree.units(level="commune")} == {"phường", "xã", "đặc khu"}


def test_bac_ninh_has_99_communes(tree):
    assert len(tree.units(province="24", level="commune")) == 99


def test_every_province_has_17_to_24_departments(tree):
    for province in tree.provinces():
        n = len(tree.units(province=province.code, level="department"))
        assert 17 <= n <= 24, (province.code, n)


def test_bac_ninh_has_the_seed_departments(tree):
    names = [u.name for u in tree.units(province="24", level="department")]
    missing = [n for n in SEED_DEPARTMENTS if n not in names]
    assert not missing
    assert tree.get("24-SYT").name == "Sở Y tế"
    assert tree.get("24-SDTTG").name_en == "Department of Ethnic Minorities and Religions"
    assert tree.get("24-VPUBND").name_en == "Provincial People's Committee Office"
    assert tree.get("24-BQLKCN").name_en == "Provincial Industrial Parks Management Board"


def test_cities_name_their_departments_as_a_city(tree):
    assert tree.get("01-VPUBND").name == "Văn phòng Ủy ban nhân dân thành phố"
    assert tree.get("79-CA").name == "Công an thành phố"
    assert tree.get("24-CA").name == "Công an tỉnh"


def test_planning_architecture_department_only_in_the_two_big_cities(tree):
    having = {u.province_code for u in tree.units(level="department") if u.name == "Sở Quy hoạch – Kiến trúc"}
    assert having == {"01", "79"}


def test_seed_communes_exist_in_bac_ninh(tree):
    for name in ("Hợp Thịnh", "Bắc Giang", "Tân Tiến", "Việt Yên", "Kinh Bắc"):
        found = tree.find(name, province="24", level="commune")
        assert found and short_name(found[0]) == name


# --------------------------------------------------------------------------- lookups


def test_find_ignores_accents_and_case(tree):
    found = tree.find("Viet Yen")
    assert found and "Việt Yên" in found[0].name
    assert tree.find("VIỆT yên") == found
    assert tree.find("viet   yen") == found


def test_find_ranks_exact_names_first_and_filters(tree):
    assert tree.find("Bắc Ninh")[0].code == "24"
    assert tree.find("ha noi", level="province") == [tree.get("01")]
    communes = tree.find("tan tien", level="commune")
    assert len(communes) > 5 and all(u.level == "commune" for u in communes)
    assert tree.find("tan tien", province="24") == [tree.get("07699")]
    assert tree.find("quy hoach kien truc", province="01") == [tree.get("01-SQHKT")]
    assert tree.find("   ") == []
    assert tree.find("khong co ten nay") == []


def test_unknown_code_raises_with_suggestions(tree):
    with pytest.raises(UnknownUnitError, match=r"unknown unit code '7210'.*'07210' \(Phường Bắc Giang, Bắc Ninh\)"):
        tree.get("7210")
    with pytest.raises(UnknownUnitError, match=r"'24-SYT' \(Sở Y tế, Bắc Ninh\)"):
        tree.get("24-syt")
    with pytest.raises(UnknownUnitError, match=r"'24' \(Bắc Ninh\)"):
        tree.get("bac ninh")
    with pytest.raises(UnknownUnitError, match="unknown unit code '99999'"):
        tree.get("99999")
    with pytest.raises(UnknownUnitError):
        tree.get(24)  # type: ignore[arg-type]


def test_contains(tree):
    assert "24" in tree and "24-SYT" in tree and "07210" in tree and NATION_CODE in tree
    assert "7210" not in tree and 24 not in tree and None not in tree


def test_children(tree):
    assert tree.children(NATION_CODE) == tree.provinces()
    assert tree.children("24", level="department") == tree.units(province="24", level="department")
    kids = tree.children("24")
    assert [u.level for u in kids] == ["department"] * 19 + ["commune"] * 99
    assert tree.children("07210") == []
    with pytest.raises(UnknownUnitError):
        tree.children("00000")
    with pytest.raises(ChisoError, match="unknown level 'comune'"):
        tree.children("24", level="comune")


def test_province_of(tree):
    assert tree.province_of("07210") == tree.get("24")
    assert tree.province_of("24-SYT") == tree.get("24")
    assert tree.province_of("24") == tree.get("24")
    with pytest.raises(ChisoError, match="nation"):
        tree.province_of(NATION_CODE)


def test_stable_order(tree):
    units = tree.units()
    assert units[0].code == NATION_CODE
    provinces = [u.code for u in units if u.level == "province"]
    assert provinces == sorted(provinces) and provinces[0] == "01"
    block = tree.units(province="24")
    assert block[0] == tree.get("24")
    kinds = [u.level for u in block[1:]]
    assert kinds == sorted(kinds, key=["department", "commune"].index)
    communes = [u.code for u in block if u.level == "commune"]
    assert communes == sorted(communes)
    plan = departments.load_department_plan({p.code for p in tree.provinces()})
    yaml_order = [s.abbreviation for s in plan.specs_for("24")]
    assert [u.code for u in block if u.level == "department"] == [f"24-{a}" for a in yaml_order]
    assert tree.units() == units  # the same order every time


def test_units_filters(tree):
    assert tree.units(level="province") == tree.provinces()
    assert tree.units(level="nation") == [tree.get(NATION_CODE)]
    assert all(u.province_code == "24" for u in tree.units(province="24"))
    with pytest.raises(UnknownUnitError, match="not a province"):
        tree.units(province="07210")
    with pytest.raises(ChisoError, match="levels are nation, province, department, commune"):
        tree.units(level="ward")


def test_unit_to_dict_is_json_ready(tree):
    data = unit_to_dict(tree.get("24-SYT"))
    assert data == {
        "code": "24-SYT", "name": "Sở Y tế", "name_en": "Department of Health",
        "level": "department", "type": "sở", "parent": "24", "province": "24", "population": 0,
    }
    out = json.dumps([unit_to_dict(u) for u in tree.units(province="24", level="commune")], ensure_ascii=False)
    assert "Phường Việt Yên" in out
    assert unit_to_dict(tree.get(NATION_CODE))["parent"] is None


def test_short_and_full_names(tree):
    assert short_name(tree.get("01")) == "Hà Nội"
    assert short_name(tree.get("24")) == "Bắc Ninh"
    assert short_name(tree.get("79")) == "Hồ Chí Minh"
    assert short_name(tree.get("09187")) == "Kinh Bắc"
    assert short_name(tree.get("31078")) == "Phú Quốc"
    assert short_name(tree.get("07864")) == "Hợp Thịnh"
    assert short_name(tree.get("24-SYT")) == "Sở Y tế"
    assert full_name(tree.get("24")) == "Tỉnh Bắc Ninh"
    assert full_name(tree.get("01")) == "Thành phố Hà Nội"
    assert full_name(tree.get("07210")) == "Phường Bắc Giang"
    assert tree.get("01").name_en == "Ha Noi City"
    assert tree.get("24").name_en == "Bac Ninh Province"
    assert tree.get("07864").name_en == "Hop Thinh Commune"
    assert tree.get("31078").name_en == "Phu Quoc Special Zone"


def test_docstring_examples_run():
    result = doctest.testmod(registry, verbose=False)
    assert result.attempted >= 5 and result.failed == 0


# --------------------------------------------------------------------------- load_units


def test_load_units_one_province():
    one = load_units(["24"])
    assert [p.code for p in one.provinces()] == ["24"]
    assert len(one) == 1 + 1 + 19 + 99
    assert one.get(NATION_CODE).level == "nation"
    assert one is load_units(["24"]) is load_units("24")
    with pytest.raises(UnknownUnitError, match="only province 24"):
        one.get("01")


def test_load_units_is_cached_and_rejects_non_provinces():
    assert load_units() is load_units(None)
    with pytest.raises(UnknownUnitError, match="not a province"):
        load_units(["07210"])
    with pytest.raises(UnknownUnitError, match="'02'|unknown unit code '2'"):
        load_units(["2"])


def test_building_the_nation_is_fast():
    departments._shipped_plan.cache_clear()  # include reading both YAML files
    start = time.perf_counter()
    built = UnitTree(registry._build_national_units())
    elapsed = time.perf_counter() - start
    assert len(built) == len(load_units())
    assert elapsed < 0.3, f"building the nation took {elapsed:.3f} s"


# --------------------------------------------------------------------------- populations


def test_populations_are_plausible(tree):
    nation = tree.get(NATION_CODE).population
    assert 95_000_000 <= nation <= 110_000_000
    assert nation == sum(p.population for p in tree.provinces())
    assert 8_000_000 <= tree.get("01").population <= 9_500_000
    assert 12_500_000 <= tree.get("79").population <= 14_500_000
    assert 3_200_000 <= tree.get("24").population <= 3_800_000
    for province in tree.provinces():
        communes = tree.units(province=province.code, level="commune")
        assert sum(c.population for c in communes) == province.population, province.code
    assert all(u.population == 0 for u in tree.units(level="department"))


def test_wards_are_larger_than_communes_on_average(tree):
    by_type = {
        kind: statistics.median(u.population for u in tree.units(level="commune") if u.type == kind)
        for kind in ("phường", "xã")
    }
    assert by_type["phường"] > 1.3 * by_type["xã"]
    populations = [u.population for u in tree.units(province="24", level="commune")]
    assert min(populations) > 3_000 and max(populations) < 250_000
    assert len(set(populations)) > 90  # a spread, not one figure repeated


def test_special_zones_take_their_fixed_figures(tree):
    assert tree.get("31078").population == 158_000  # Đặc khu Phú Quốc
    assert tree.get("20333").population == 0  # Đặc khu Hoàng Sa


def test_split_population_is_exact_and_deterministic(tree):
    communes = tree.units(province="24", level="commune")
    first = split_population(1_000_003, communes)
    assert first == split_population(1_000_003, list(reversed(communes)))
    assert sum(first.values()) == 1_000_003
    fixed = split_population(500_000, communes, {"07210": 123_456})
    assert fixed["07210"] == 123_456 and sum(fixed.values()) == 500_000
    with pytest.raises(ValueError, match="exceed"):
        split_population(100, communes, {"07210": 101})


def _write(tmp_path, text: str):
    path = tmp_path / "populations.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        ('provinces: {"24": 100}\n', "provinces", r"no population for 01 \(Hà Nội\)"),
        ('provinces: {"01": 10, "24": 10, "99": 5}\n', 'provinces["99"]', "unknown province code '99'"),
        ('provinces: {"01": 10, 24: 10}\n', 'provinces["24"]', "quoted 2-digit"),
        ('provinces: {"01": 10, "24": -1}\n', 'provinces["24"]', "whole number"),
        ('provinces: {"01": 10, "24": 100}\ncommunes: {"07210": 101}\n', "communes", "exceed"),
        ('provinces: {"01": 10, "24": 100}\ncommunes: {"07211": 1}\n', 'communes["07211"]', "unknown commune code"),
        ('provinces: {"01": 10, "24": 100}\ntowns: {}\n', "towns", "unknown field"),
        ('provinces: {"01": 10, "01": 11, "24": 100}\n', "line 1", "duplicate key '01'"),
    ],
)
def test_population_file_errors_name_file_and_place(tmp_path, text, where, reason):
    path = _write(tmp_path, text)
    with pytest.raises(DefinitionError, match=reason) as caught:
        registry.load_populations({"01": "Hà Nội", "24": "Bắc Ninh"}, {"07210": "24"}, path)
    assert caught.value.path == str(path)
    assert caught.value.where.startswith(where)
    assert str(path) in str(caught.value)


# --------------------------------------------------------------------------- from_units


def _small_units() -> list[Unit]:
    return [
        Unit("VN", "Việt Nam", "nation", "quốc gia", None, None),
        Unit("24-SYT", "Sở Y tế", "department", "sở", "24", "24"),
        Unit("07228", "Phường Đa Mai", "commune", "phường", "24", "24", population=50),
        Unit("24", "Bắc Ninh", "province", "tỉnh", "VN", "24"),
        Unit("07210", "Phường Bắc Giang", "commune", "phường", "24", "24", population=70),
        Unit("24-SNV", "Sở Nội vụ", "department", "sở", "24", "24"),
    ]


def test_from_units_orders_and_answers():
    small = UnitTree.from_units(_small_units())
    assert [u.code for u in small] == ["VN", "24", "24-SYT", "24-SNV", "07210", "07228"]
    assert small.find("da mai") == [small.get("07228")]
    assert small.province_of("07210").code == "24"
    assert len(small) == 6


def test_from_units_without_a_nation():
    units = [
        Unit("24", "Bắc Ninh", "province", "tỉnh", None, "24") if u.code == "24" else u
        for u in _small_units()
        if u.level != "nation"
    ]
    small = UnitTree.from_units(units)
    assert small.provinces()[0].parent_code is None
    assert [u.code for u in small][0] == "24"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda us: us + [Unit("24-SYT", "Sở Y tế", "department", "sở", "24", "24")], "duplicate code"),
        (lambda us: us + [Unit("09999", "Xã Mới", "commune", "xã", "25", "25")], "parent '25' is not among"),
        (lambda us: us + [Unit("09999", "Xã Mới", "commune", "xã", "24-SYT", "24")], "parent must be a province"),
        (lambda us: us + [Unit("09999", "Xã Mới", "commune", "xã", "24", "01")], "province_code is '01'"),
        (lambda us: us + [Unit("09999", "Xã Mới", "commune", "xã", None, None)], "needs a parent"),
        (lambda us: us + [Unit("09999", "Xã Mới", "ward", "xã", "24", "24")], "unknown level"),  # type: ignore[arg-type]
        (lambda us: us + [Unit("", "Không tên", "commune", "xã", "24", "24")], "non-empty"),
        (lambda us: us + [Unit("VN2", "Nước", "nation", "quốc gia", None, None)], "more than one nation"),
    ],
    ids=["duplicate", "missing-parent", "parent-level", "province-code", "orphan", "level", "empty-code",
         "two-nations"],
)
def test_from_units_refuses_broken_hierarchies(change, reason):
    with pytest.raises(DefinitionError, match=reason) as caught:
        UnitTree.from_units(change(_small_units()), source="counts.xlsx")
    assert str(caught.value).startswith("counts.xlsx: unit ")


def test_levels_are_the_model_levels(tree):
    assert set(Counter(u.level for u in tree)) == set(LEVELS)
