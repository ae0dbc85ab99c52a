"""The catalogue file: a valid one loads; every refusal names file, place, field and reason,
all problems at once; YAML and JSON exports read back to the same catalogue."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from chiso.catalog.catalogue import (
    Catalogue,
    catalogue_json,
    catalogue_yaml,
    load_catalogue,
    parse_catalogue,
    period_problem,
)
from chiso.catalog.indicator import Indicator
from chiso.errors import LoadError, Problem


# ---------------------------------------------------------------- builders (shared with the other catalogue tests)
def entry(code: str, **attrs: Any) -> dict[str, Any]:
    """A valid indicator entry of Bắc Ninh's finance field, changed by ``attrs``."""
    base = {"code": code, "name": f"Chỉ số {code}", "name_en": f"Indicator {code}",
            "definition": "Khái niệm và mục đích của chỉ số.", "group": "output", "field": "FINANCE",
            "unit": "tỷ đồng", "source_system": "Hệ thống TABMIS", "owner": "24-STC"}
    return {**base, **attrs}


def catalogue_doc(*entries: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"province": "24", "version": "2025.1", **top, "indicators": list(entries)}


def as_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def finance() -> list[dict[str, Any]]:
    """Three related indicators: revenue, the year's estimate, and their ratio."""
    return [
        entry("TC.THU_NSNN", name="Thu ngân sách nhà nước trên địa bàn", group="outcome", cumulative=True,
              status="approved", breakdowns=["loại thu"], levels=["province", "commune"],
              targets=[{"period": "2026", "value": 62000, "basis": "Nghị quyết HĐND tỉnh"},
                       {"period": "2026-Q3", "value": 45000.5, "unit": "24-STC"}]),
        entry("TC.DU_TOAN", name="Dự toán thu ngân sách năm", group="input", frequency="yearly",
              status="approved", valid_from="2026-01-01"),
        entry("TC.TY_LE_THU", name="Tỷ lệ thu so với dự toán", unit="%",
              formula="TC.THU_NSNN / TC.DU_TOAN * 100",
              aggregation={"units": "ratio_of_sums", "periods": "last", "numerator": "TC.THU_NSNN",
                           "denominator": "TC.DU_TOAN", "scale": 100},
              thresholds={"on_track": 0.9, "at_risk": 0.8}, range={"min": 0, "max": 200}),
        entry("HC.CHI_SO_766", name="Chỉ số phục vụ người dân, doanh nghiệp", group="synthetic",
              field="ADMINISTRATION", unit="điểm", owner="24-VPUBND", frequency="weekly",
              aggregation={"units": "none", "periods": "last"}, index={"group": "PROGRESS"}),
    ]


def refused(text: str, **kw: Any) -> list[Problem]:
    with pytest.raises(LoadError) as caught:
        parse_catalogue(text, "danh-muc.yaml", **kw)
    assert all(p.file == "danh-muc.yaml" for p in caught.value.problems)
    return caught.value.problems


def one(problems: list[Problem], column: str) -> Problem:
    found = [p for p in problems if p.column == column]
    assert len(found) == 1, problems
    return found[0]


# ---------------------------------------------------------------- a valid catalogue
def test_a_valid_catalogue_loads_with_its_fields_and_indicators() -> None:
    c = parse_catalogue(as_yaml(catalogue_doc(*finance())), "danh-muc.yaml")
    assert isinstance(c, Catalogue)
    assert (c.province, c.version, len(c)) == ("24", "2025.1", 4)
    assert list(c.fields) == ["ECONOMY", "FINANCE", "INVESTMENT", "ENTERPRISE", "SOCIETY", "ADMINISTRATION"]
    assert c["TC.THU_NSNN"].targets[1].unit == "24-STC"
    assert c.references("TC.TY_LE_THU") == {"TC.THU_NSNN", "TC.DU_TOAN"}
    assert set(c.live()) == {"TC.THU_NSNN", "TC.DU_TOAN"}
    assert [i.code for i in c.select(field="FINANCE", group="input")] == ["TC.DU_TOAN"]
    assert [i.code for i in c.select(status="candidate")] == ["TC.TY_LE_THU", "HC.CHI_SO_766"]
    assert c.spec().indicators[0] == c["TC.THU_NSNN"]


def test_a_catalogue_may_declare_its_own_fields() -> None:
    doc = catalogue_doc(entry("GD.TY_LE", field="EDUCATION", owner="24-SGDDT"),
                        fields=[{"code": "EDUCATION", "name": "Giáo dục", "name_en": "Education"}])
    c = parse_catalogue(as_yaml(doc))
    assert list(c.fields) == ["EDUCATION"]


def test_yaml_export_reads_back_to_the_same_catalogue(tmp_path: Path) -> None:
    c = parse_catalogue(as_yaml(catalogue_doc(*finance())))
    text = catalogue_yaml(c)
    assert "Thu ngân sách nhà nước trên địa bàn" in text  # diacritics kept, not escaped
    path = tmp_path / "xuat.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_catalogue(path) == c


def test_json_export_reads_back_to_the_same_catalogue(tmp_path: Path) -> None:
    c = parse_catalogue(as_yaml(catalogue_doc(*finance())))
    path = tmp_path / "xuat.json"
    path.write_text(catalogue_json(c), encoding="utf-8")
    again = load_catalogue(path)
    assert again == c
    assert json.loads(path.read_text(encoding="utf-8"))["indicators"][0]["deadline_days"] == 5


def test_multi_line_definitions_are_written_as_blocks() -> None:
    c = parse_catalogue(as_yaml(catalogue_doc(entry("TC.A", definition="Dòng một.\nDòng hai."))))
    assert "definition: |-\n    Dòng một.\n    Dòng hai." in catalogue_yaml(c)
    assert parse_catalogue(catalogue_yaml(c)) == c


def test_unquoted_target_periods_are_read_as_periods() -> None:
    text = as_yaml(catalogue_doc(entry("TC.A"))).replace(
        "owner: 24-STC", "owner: 24-STC\n  targets:\n  - {period: 2026, value: 1}\n"
                         "  - {period: 2026-08-17, value: 2}")
    c = parse_catalogue(text)
    assert [t.period for t in c["TC.A"].targets] == ["2026", "2026-08-17"]


# ---------------------------------------------------------------- refusals, one by one
def test_unknown_owner_is_named_with_line_and_field() -> None:
    text = as_yaml(catalogue_doc(entry("TC.A"), entry("TC.B", owner="24-XYZ")))
    p = one(refused(text), "indicators[1].owner")
    assert "TC.B: unknown owner" in p.reason and p.value == "24-XYZ"
    assert text.splitlines()[p.row - 1].strip() == "owner: 24-XYZ"
    assert str(p).startswith(f"danh-muc.yaml, row {p.row}, column 'indicators[1].owner'")


def test_owner_of_another_province_is_refused() -> None:
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A", owner="25-STC")))), "indicators[0].owner")
    assert "not a unit of province 24" in p.reason


def test_duplicate_code_names_the_first_place() -> None:
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A"), entry("TC.B"), entry("TC.A")))),
            "indicators[2].code")
    assert "duplicate code 'TC.A' (first at indicators[0]" in p.reason


def test_unknown_field_is_refused() -> None:
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A", field="SPORT")))), "indicators[0].field")
    assert "unknown field 'SPORT'" in p.reason and "FINANCE" in p.reason


def test_duplicate_field_code_is_refused() -> None:
    fields = [{"code": "F", "name": "Một", "name_en": "One"}, {"code": "F", "name": "Hai", "name_en": "Two"}]
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A", field="F"), fields=fields))), "fields[1].code")
    assert "duplicate field code 'F'" in p.reason


def test_formula_naming_an_unknown_indicator_is_refused() -> None:
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A"), entry("TC.B", formula="TC.A + TC.Z")))),
            "indicators[1].formula")
    assert "names unknown indicator 'TC.Z'" in p.reason


def test_formula_that_cannot_be_read_is_refused_with_the_formula_error() -> None:
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A"), entry("TC.B", formula="TC.A +* 2")))),
            "indicators[1].formula")
    assert "TC.B: formula 'TC.A +* 2'" in p.reason and "column" in p.reason


def test_aggregation_naming_an_unknown_indicator_is_refused() -> None:
    agg = {"units": "weighted_mean", "weight": "TC.POP"}
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A", aggregation=agg)))), "indicators[0].aggregation.weight")
    assert "aggregation weight names unknown indicator 'TC.POP'" in p.reason


@pytest.mark.parametrize("entries, column, path", [
    ([entry("TC.A", formula="TC.B + 1"), entry("TC.B", formula="TC.A * 2")],
     "indicators[0].formula", "TC.A → TC.B → TC.A"),
    ([entry("TC.A", formula="TC.A + 1")], "indicators[0].formula", "TC.A → TC.A"),
    ([entry("TC.A", formula="TC.B"), entry("TC.B", formula="TC.C"), entry("TC.C", formula="TC.A / 2"),
      entry("TC.D", formula="TC.A")],
     "indicators[0].formula", "TC.A → TC.B → TC.C → TC.A"),
    ([entry("TC.A", aggregation={"units": "weighted_mean", "weight": "TC.B"}),
      entry("TC.B", formula="TC.A * 3")],
     "indicators[0].aggregation.weight", "TC.A → TC.B → TC.A"),
])
def test_a_cycle_is_refused_and_named(entries: list[dict], column: str, path: str) -> None:
    problems = refused(as_yaml(catalogue_doc(*entries)))
    cycles = [p for p in problems if "cycle" in p.reason]
    assert len(cycles) == 1, problems
    assert cycles[0].column == column and cycles[0].reason.endswith(path)


def test_index_fed_indicator_must_name_a_known_definition_and_group() -> None:
    doc = catalogue_doc(
        entry("HC.A", group="synthetic", index={"group": "SPEED"}),
        entry("HC.B", group="synthetic", index={"definition": "PAR_INDEX"}))
    problems = refused(as_yaml(doc))
    assert "INDEX_766 has no group 'SPEED'" in one(problems, "indicators[0].index.group").reason
    assert "unknown index definition 'PAR_INDEX'" in one(problems, "indicators[1].index.definition").reason


def test_index_groups_can_be_given_for_another_definition() -> None:
    doc = catalogue_doc(entry("HC.B", group="synthetic", index={"definition": "PAR_INDEX", "group": "G1"}))
    c = parse_catalogue(as_yaml(doc), index={"PAR_INDEX": ["G1", "G2"]})
    assert c["HC.B"].index.group == "G1"


@pytest.mark.parametrize("target, column, reason", [
    ({"period": "2026-13", "value": 1}, "indicators[0].targets[0].period", "no such month"),
    ({"period": "2026-W54", "value": 1}, "indicators[0].targets[0].period", "ISO weeks 01–53"),
    ({"period": "Q3/2026", "value": 1}, "indicators[0].targets[0].period", "a period is written"),
    ({"period": "2026", "value": 1, "unit": "99999"}, "indicators[0].targets[0].unit", "unknown unit"),
    ({"period": "2026", "value": 1, "unit": "25-STC"}, "indicators[0].targets[0].unit",
     "not a unit of province 24"),
])
def test_bad_targets_are_refused(target: dict, column: str, reason: str) -> None:
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A", targets=[target])))), column)
    assert reason in p.reason


def test_a_second_target_for_the_same_period_and_unit_is_refused() -> None:
    targets = [{"period": "2026", "value": 1}, {"period": "2026", "value": 2}]
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A", targets=targets)))), "indicators[0].targets[1]")
    assert "a second target for 2026" in p.reason


def test_range_min_above_max_is_refused() -> None:
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A", range={"min": 5, "max": 1})))), "indicators[0].range")
    assert "min 5 exceeds max 1" in p.reason


@pytest.mark.parametrize("attrs, column, reason", [
    ({"group": "outputs"}, "indicators[0].group", "Input should be"),
    ({"code": "tc.a"}, "indicators[0].code", "String should match pattern"),
    ({"aggregation": {"units": "weighted_mean"}}, "indicators[0].aggregation", "needs `weight`"),
    ({"thresholds": {"on_track": 0.8, "at_risk": 0.9}}, "indicators[0].thresholds", "at_risk must not exceed"),
    ({"colour": "red"}, "indicators[0].colour", "Extra inputs are not permitted"),
    ({"deadline_days": -1}, "indicators[0].deadline_days", "greater than or equal to 0"),
])
def test_an_entry_that_breaks_the_model_is_refused_at_its_field(attrs: dict, column: str, reason: str) -> None:
    attrs = dict(attrs)
    p = one(refused(as_yaml(catalogue_doc(entry(attrs.pop("code", "TC.A"), **attrs)))), column)
    assert reason in p.reason


def test_a_missing_attribute_is_named() -> None:
    bare = entry("TC.A")
    del bare["owner"]
    p = one(refused(as_yaml(catalogue_doc(bare))), "indicators[0].owner")
    assert p.reason == "TC.A: Field required"


@pytest.mark.parametrize("top, column, reason", [
    ({"province": 24}, "province", "in quotes"),
    ({"province": "99"}, "province", "not a province code"),
    ({"province": "24-STC"}, "province", "not a province code"),
    ({"version": None}, "version", "version label is required"),
    ({"decision": "123/QĐ-UBND"}, "decision", "unknown key 'decision'"),
])
def test_top_level_problems_are_named(top: dict, column: str, reason: str) -> None:
    assert reason in one(refused(as_yaml(catalogue_doc(entry("TC.A"), **top))), column).reason


def test_a_file_of_another_province_is_refused_when_importing_for_one() -> None:
    p = one(refused(as_yaml(catalogue_doc(entry("TC.A"))), province="25"), "province")
    assert "the catalogue of province '24', not '25'" in p.reason


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    doc = catalogue_doc(entry("TC.A", owner="24-XYZ", field="SPORT"), entry("TC.B", formula="TC.Q"),
                        entry("TC.A"), entry("TC.C", group="nope"))
    problems = refused(as_yaml(doc))
    assert [p.column for p in problems] == ["indicators[0].field", "indicators[0].owner",
                                            "indicators[1].formula", "indicators[2].code",
                                            "indicators[3].group"]
    assert [p.row for p in problems] == sorted(p.row for p in problems)


def test_an_invalid_entry_does_not_make_references_to_it_unknown() -> None:
    problems = refused(as_yaml(catalogue_doc(entry("TC.A", group="nope"), entry("TC.B", formula="TC.A"))))
    assert [p.column for p in problems] == ["indicators[0].group"]


@pytest.mark.parametrize("text, reason", [
    ("province: '24'\nindicators: [\n", "not valid YAML"),
    ("- a\n- b\n", "expected a mapping"),
    ("province: '24'\nversion: '1'\nindicators: {a: 1}\n", "indicators: expected a list"),
    ("province: '24'\nversion: '1'\n", "indicators: a list is required"),
    ("province: '24'\nversion: '1'\nindicators: []\n", "lists no indicator"),
])
def test_unreadable_files_are_refused(text: str, reason: str) -> None:
    problems = refused(text)
    assert any(reason in p.reason for p in problems), problems


def test_json_problems_name_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "danh-muc.json"
    path.write_text(json.dumps(catalogue_doc(entry("TC.A", owner="24-XYZ")), ensure_ascii=False), "utf-8")
    with pytest.raises(LoadError) as caught:
        load_catalogue(path)
    (p,) = caught.value.problems
    assert (p.file, p.row, p.column) == (str(path), None, "indicators[0].owner")


@pytest.mark.parametrize("name, reason", [("danh-muc.csv", "unsupported file type '.csv'"),
                                          ("missing.yaml", "file not found")])
def test_files_that_are_not_catalogues_are_refused(tmp_path: Path, name: str, reason: str) -> None:
    if name.endswith(".csv"):
        (tmp_path / name).write_text("code\n", encoding="utf-8")
    with pytest.raises(LoadError, match=reason):
        load_catalogue(tmp_path / name)


# ---------------------------------------------------------------- context from the store
def test_references_may_name_known_indicators_outside_the_file() -> None:
    stored = Indicator.model_validate(entry("TC.KHAC"))
    c = parse_catalogue(as_yaml(catalogue_doc(entry("TC.A", formula="TC.KHAC * 2"))), known={"TC.KHAC": stored})
    assert list(c.indicators) == ["TC.A"]


def test_a_cycle_through_a_known_indicator_is_refused() -> None:
    stored = Indicator.model_validate(entry("TC.KHAC", formula="TC.A + 1"))
    problems = refused(as_yaml(catalogue_doc(entry("TC.A", formula="TC.KHAC * 2"))), known={"TC.KHAC": stored})
    assert one(problems, "indicators[0].formula").reason.endswith("TC.A → TC.KHAC → TC.A")


def test_known_indicators_must_keep_their_field() -> None:
    stored = Indicator.model_validate(entry("KT.KHAC", field="ECONOMY"))
    fields = [{"code": "FINANCE", "name": "Tài chính", "name_en": "Finance"}]
    problems = refused(as_yaml(catalogue_doc(entry("TC.A"), fields=fields)), known={"KT.KHAC": stored})
    assert "still used by stored indicator KT.KHAC" in one(problems, "fields").reason


@pytest.mark.parametrize("label, problem", [
    ("2026", None), ("2026-Q4", None), ("2026-08", None), ("2026-W53", None), ("2026-02-28", None),
    ("2025-W53", "2025 has ISO weeks 01–52"), ("2026-02-30", "no such month or day"),
    ("2026-Q5", "a period is written"), ("26", "a period is written"),
])
def test_period_labels(label: str, problem: str | None) -> None:
    found = period_problem(label)
    assert found == problem if problem is None else found.startswith(problem)
