"""Bắc Ninh's sample DM catalogue (chiso/catalog/definitions/catalogue-24.yaml)."""
from __future__ import annotations

import collections
import unicodedata

import pytest
import yaml

from chiso.catalog.catalogue import load_catalogue
from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.indicator import GROUPS, LIVE_STATES, CatalogueSpec
from chiso.demo.indicators import CATALOGUE_PATH
from chiso.formula import parse_formula
from chiso.periods.windows import parse_window
from chiso.units import ascii_name, load_units


@pytest.fixture(scope="module")
def spec() -> CatalogueSpec:
    with open(CATALOGUE_PATH, encoding="utf-8") as f:
        return CatalogueSpec.model_validate(yaml.safe_load(f))


@pytest.fixture(scope="module")
def by_code(spec):
    return {i.code: i for i in spec.indicators}


def test_the_file_is_bac_ninhs_and_large_enough(spec):
    assert spec.province == "24"
    assert len(spec.indicators) >= 60
    assert len({i.code for i in spec.indicators}) == len(spec.indicators)


def test_every_field_and_group_cell_has_at_least_two_indicators(spec):
    cells = collections.Counter((i.field, i.group) for i in spec.indicators)
    fields = [f.code for f in spec.fields]
    assert fields == ["ECONOMY", "FINANCE", "INVESTMENT", "ENTERPRISE", "SOCIETY", "ADMINISTRATION"]
    thin = [(f, g, cells[(f, g)]) for f in fields for g in GROUPS if cells[(f, g)] < 2]
    assert thin == []


def test_every_owner_is_a_department_of_bac_ninh(spec):
    tree = load_units(["24"])
    departments = {u.code for u in tree.units(province="24", level="department")}
    assert {i.owner for i in spec.indicators} <= departments
    # the owners are many agencies, not one office doing everything
    assert len({i.owner for i in spec.indicators}) >= 12


def test_the_766_index_and_its_six_groups_are_index_fed(spec):
    fed = [i for i in spec.indicators if i.index is not None]
    groups = {g.code for g in load_index_definition().groups}
    assert len(groups) == 6
    assert sorted(str(i.index.group) for i in fed) == sorted(groups | {"None"})
    for i in fed:
        assert (i.group, i.field, i.formula, i.owner) == ("synthetic", "ADMINISTRATION", None, "24-TTPVHCC")
        assert i.index.definition == "INDEX_766"
        assert set(i.levels) == {"province", "department", "commune"}


def test_every_formula_parses_and_names_known_indicators(spec, by_code):
    formulas = [i for i in spec.indicators if i.formula]
    assert len(formulas) >= 20
    for i in formulas:
        refs = parse_formula(i.formula).references
        assert refs, i.code
        assert refs <= set(by_code), (i.code, refs - set(by_code))
        assert i.code not in refs


def test_aggregation_inputs_are_known_and_ratios_match_their_formula(spec, by_code):
    for i in spec.indicators:
        agg = i.aggregation
        named = {agg.weight, agg.numerator, agg.denominator} - {None}
        assert named <= set(by_code), i.code
        if "ratio_of_sums" in (agg.units, agg.periods):
            refs = parse_formula(i.formula).references
            assert {agg.numerator, agg.denominator} == refs, i.code


def test_no_indicator_depends_on_itself(spec, by_code):
    edges = {i.code: set(parse_formula(i.formula).references) if i.formula else set() for i in spec.indicators}
    for i in spec.indicators:
        edges[i.code] |= {i.aggregation.numerator, i.aggregation.denominator, i.aggregation.weight} - {None}
    state: dict[str, int] = {}

    def visit(code: str, trail: tuple[str, ...]) -> None:
        if state.get(code) == 2:
            return
        assert state.get(code) != 1, " → ".join(trail + (code,))
        state[code] = 1
        for ref in edges[code]:
            visit(ref, trail + (code,))
        state[code] = 2

    for code in edges:
        visit(code, ())


def test_the_catalogue_loader_accepts_the_file():
    """Cross-entry rules of chiso.catalog.catalogue (owners, targets, index groups, cycles)."""
    catalogue = load_catalogue(CATALOGUE_PATH)
    assert len(catalogue) >= 60


def test_names_are_vietnamese_with_diacritics_and_english(spec):
    for i in spec.indicators:
        assert unicodedata.is_normalized("NFC", i.name), i.code
        assert any(ord(c) > 127 for c in i.name), f"{i.code}: {i.name!r} has no Vietnamese letters"
        assert i.name_en and ascii_name(i.name_en) == i.name_en, f"{i.code}: English name with diacritics"
        assert len(i.definition) > 30, i.code


def test_attributes_are_real_world(spec, by_code):
    units = collections.Counter(i.unit for i in spec.indicators)
    for u in ("%", "tỷ đồng", "doanh nghiệp", "dự án", "lượt khách", "hồ sơ"):
        assert units[u] >= 1, u
    freq = {i.frequency for i in spec.indicators}
    assert {"weekly", "monthly", "quarterly", "yearly"} <= freq
    assert by_code["DN.THANH_LAP_MOI"].frequency == "weekly"
    assert by_code["DT.GIAI_NGAN_DTC"].frequency == "weekly"
    assert by_code["NS.THU_NSNN"].frequency == "monthly"
    assert by_code["KT.GRDP_SS"].frequency == "quarterly"
    assert by_code["XH.TY_LE_HO_NGHEO"].frequency == "yearly"
    assert by_code["XH.TY_LE_HO_NGHEO"].polarity == "lower"
    assert by_code["NS.THU_NSNN"].owner == "24-STC"
    assert by_code["HC.VB_QPPL"].owner == "24-STP"
    assert any(i.cumulative for i in spec.indicators)
    rules = {i.aggregation.units for i in spec.indicators} | {i.aggregation.periods for i in spec.indicators}
    assert {"sum", "mean", "last", "ratio_of_sums"} <= rules
    assert any("commune" in i.levels for i in spec.indicators if i.collected)
    assert any("department" in i.levels for i in spec.indicators if i.collected)
    for i in spec.indicators:
        assert i.source_system and i.steward and i.legal_basis, i.code
        assert i.version == 1 and i.valid_from is not None, i.code
        assert i.range.min is not None and i.range.max is not None and i.range.min < i.range.max, i.code


def test_targets_are_well_formed_and_grdp_growth_has_its_sources(spec, by_code):
    for i in spec.indicators:
        for t in i.targets:
            assert parse_window(t.period).kind == "year", (i.code, t.period)
            assert t.basis, i.code
            assert i.range.min <= t.value <= i.range.max, (i.code, t.value)
    growth = {t.period: t for t in by_code["KT.GRDP_TANG_LK"].targets}
    assert "25/NQ-CP" in growth["2025"].basis and "minh hoạ" in growth["2025"].basis
    assert growth["2026"].value == 12.5


def test_the_lifecycle_is_visible(spec):
    statuses = collections.Counter(i.status for i in spec.indicators)
    live = sum(statuses[s] for s in LIVE_STATES)
    assert live / len(spec.indicators) > 0.85
    assert statuses["candidate"] >= 1 and statuses["standardised"] >= 1
