"""The index definition: the shipped Decision 766 YAML loads as the domain document says, and
a broken copy is refused with a DefinitionError naming the file and the place."""
from __future__ import annotations

from pathlib import Path

import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition, parse_index_definition
from chiso.errors import DefinitionError, PredicateError

SHIPPED = DEFAULT_INDEX.read_text(encoding="utf-8")

# group -> (max, {criterion: max}) as in shared/domain/service-index-766.md
EXPECTED_GROUPS = {
    "TRANSPARENCY": (18, {"PUBLISH_ON_TIME": 6, "PUBLIC_UPDATE_ON_TIME": 4, "PUBLIC_CONTENT_FULL": 2,
                          "DOSSIER_SYNC": 6}),
    "PROGRESS": (20, {"ON_TIME": 20}),
    "ONLINE_SERVICE": (12, {"FULLY_ONLINE": 12}),
    "PAYMENT": (10, {"FEE_PROCEDURE_INTEGRATED": 2, "PROCEDURE_PAID_ONLINE": 2, "DOSSIER_PAID_ONLINE": 6}),
    "DIGITIZATION": (22, {"ORIGINAL_RESULT_AVAILABLE": 6, "DOSSIER_DIGITIZED": 4, "ELECTRONIC_CERTIFIED_COPY": 2,
                          "REUSED_DIGITIZED_DATA": 2, "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": 4,
                          "CITIZEN_DATA_CONNECTED_DOSSIER": 2, "CITIZEN_DATA_CONNECTED_FORMALITY": 2}),
    "SATISFACTION": (18, {"PETITION_PROCESSING_ON_TIME": 6, "PETITION_HANDLING_SATISFACTION": 6,
                          "DOSSIER_RECEIVING_SATISFACTION": 6}),
}


def test_shipped_definition_has_the_six_groups_and_their_criteria():
    d = load_index_definition(DEFAULT_INDEX)
    assert d.max_total == 100
    assert [g.code for g in d.groups] == list(EXPECTED_GROUPS)
    for g in d.groups:
        gmax, criteria = EXPECTED_GROUPS[g.code]
        assert g.max == gmax
        assert {c.code: c.max for c in g.criteria} == criteria
        assert all(c.group == g.code for c in g.criteria)


def test_shipped_conversions_and_empty_rules_follow_the_domain_document():
    d = load_index_definition(DEFAULT_INDEX)
    full_at = {c.code: c.full_at for c in d.criteria}
    assert full_at["FEE_PROCEDURE_INTEGRATED"] == full_at["PROCEDURE_PAID_ONLINE"] == 0.8
    assert full_at["REUSED_DIGITIZED_DATA"] == 0.8
    assert full_at["DOSSIER_RECEIVING_SATISFACTION"] == 0.9
    assert {c for c, f in full_at.items() if f != 1.0} == {
        "FEE_PROCEDURE_INTEGRATED", "PROCEDURE_PAID_ONLINE", "REUSED_DIGITIZED_DATA",
        "DOSSIER_RECEIVING_SATISFACTION"}
    full_when_empty = {c.code for c in d.criteria if c.when_empty == "full"}
    assert full_when_empty == {"PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"}
    # 100% − (% overdue + % complained) = (on time − complained) / received
    dr = d.criterion("DOSSIER_RECEIVING_SATISFACTION")
    assert dr.numerator == ((1, "on_time"), (-1, "complained"))
    assert dr.denominator == ((1, "received"),)
    assert d.criterion("ELECTRONIC_CERTIFIED_COPY").attested == 1.0
    assert {c.code for c in d.criteria if c.inherit == "province"} == {
        "PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL", "ELECTRONIC_CERTIFIED_COPY"}


def test_shipped_measures_know_which_depend_on_the_window():
    d = load_index_definition(DEFAULT_INDEX)
    dependent = {m.name for m in d.measures.values() if m.window_dependent}
    assert dependent == {"on_time", "finished_paper_result", "electronic_result", "petitions_on_time",
                         "petitions_satisfied"}
    assert {m.name for m in d.measures.values() if m.distinct} == {
        "procedures_paid_online", "procedures_population_db", "procedures_with_fee",
        "procedures_fee_integrated", "procedures_citizen"}
    # settings are substituted as numbers in the predicate
    assert "max_supplement_requests" not in d.measures["on_time"].where.sql()
    assert "supplement_count <= 1" in d.measures["on_time"].where.sql()
    assert d.settings == {"publish_lead_working_days": 5, "public_update_working_days": 5,
                          "max_supplement_requests": 1}


def test_bands_national_and_bac_ninh():
    d = load_index_definition(DEFAULT_INDEX)
    nat = d.bands_for("province", "24")
    assert [nat.band(s).code for s in (90, 89.99, 80, 79.99, 0)] == [
        "excellent", "good", "good", "unclassified", "unclassified"]
    bn = d.bands_for("commune", "24")
    # Bắc Ninh: > 94 top group, 90–94 good, < 90 needs improvement
    assert [bn.band(s).code for s in (94.01, 94, 90, 89.99)] == ["top", "good", "good", "improve"]
    assert d.bands_for("commune", "25") is d.national_bands
    assert nat.band(None) is None


def test_a_province_copy_is_loaded_from_its_path(tmp_path: Path):
    copy = tmp_path / "index-bac-ninh.yaml"
    copy.write_text(SHIPPED.replace("max_supplement_requests: 1", "max_supplement_requests: 2"), encoding="utf-8")
    d = load_index_definition(copy)
    assert d.path == str(copy)
    assert d.settings["max_supplement_requests"] == 2
    assert "supplement_count <= 2" in d.measures["on_time"].where.sql()
    assert d.sha256 != load_index_definition(DEFAULT_INDEX).sha256


# ------------------------------------------------------------------ refusals
def _broken(tmp_path: Path, old: str, new: str, name: str = "broken.yaml") -> Path:
    assert SHIPPED.count(old) == 1, f"the edit must apply exactly once: {old!r}"
    path = tmp_path / name
    path.write_text(SHIPPED.replace(old, new), encoding="utf-8")
    return path


def _refused(path: Path, error: type[DefinitionError] = DefinitionError) -> DefinitionError:
    with pytest.raises(error) as info:
        load_index_definition(path)
    err = info.value
    assert str(path) in str(err), "the message names the file"
    return err


def test_group_max_not_the_sum_of_its_criteria(tmp_path: Path):
    path = _broken(tmp_path, "    name_en: Online payment\n    max: 10\n", "    name_en: Online payment\n    max: 11\n")
    err = _refused(path)
    assert err.where == "groups[3].max"
    assert "groups[3].max" in str(err)
    assert "11" in str(err) and "10" in str(err)


def test_structural_errors_carry_file_and_place_as_attributes(tmp_path: Path):
    path = _broken(tmp_path, "      - code: DOSSIER_DIGITIZED\n", "      - code: DOSSIER_SYNC\n")
    err = _refused(path)
    assert (err.path, err.where) == (str(path), "groups[4].criteria[1].code")


def test_predicate_errors_carry_file_and_place_as_attributes(tmp_path: Path):
    """DefinitionError documents ``path`` = the file and ``where`` = the place inside it; a
    caller (CLI, web form) that shows them separately must get the same for predicate errors."""
    path = _broken(tmp_path, "where: synced_national\n", "where: synced_nationally\n")
    err = _refused(path, PredicateError)
    assert err.path == str(path)
    assert err.where == "measures.synced.where"


def test_unknown_measure_in_a_numerator(tmp_path: Path):
    path = _broken(tmp_path, "numerator: on_time - complained", "numerator: on_time - complaints")
    err = _refused(path, PredicateError)
    assert "groups[5].criteria[2].numerator" in str(err)
    assert "complaints" in str(err)


def test_unknown_measure_in_a_denominator(tmp_path: Path):
    path = _broken(tmp_path, "denominator: eligible_full_online", "denominator: eligible")
    err = _refused(path, PredicateError)
    assert "groups[2].criteria[0].denominator" in str(err)
    assert "'eligible'" in str(err)


def test_predicate_naming_an_unknown_field(tmp_path: Path):
    path = _broken(tmp_path, "where: synced_national\n", "where: synced_nationally\n")
    err = _refused(path, PredicateError)
    assert "measures.synced.where" in str(err)
    assert "synced_nationally" in str(err)


def test_predicate_with_a_field_of_another_record_kind(tmp_path: Path):
    # due_date is a petition field, not a dossier field
    path = _broken(tmp_path, "where: digitized\n", "where: due_date IS NULL\n")
    err = _refused(path, PredicateError)
    assert "measures.digitized.where" in str(err)
    assert "due_date" in str(err)


@pytest.mark.parametrize("predicate, words", [
    ("received_date IN (SELECT received_date FROM dossiers)", ("select", "not allowed")),
    ("EXISTS (SELECT 1)", ("not allowed",)),
    ("SHOUT(channel) = 'online'", ("unknown function", "SHOUT")),
    ("LOWER(channel) = 'online'", ("not allowed",)),
    ("dossiers.digitized", ("qualified",)),
    ("WORKDAYS(received_date) > 1", ("WORKDAYS takes two dates",)),
])
def test_predicate_with_a_forbidden_construct(tmp_path: Path, predicate: str, words: tuple[str, ...]):
    path = _broken(tmp_path, "where: reused_data\n", f'where: "{predicate}"\n')
    err = _refused(path, PredicateError)
    assert "measures.reused_data.where" in str(err)
    for w in words:
        assert w.lower() in str(err).lower()


def test_duplicate_criterion_code(tmp_path: Path):
    path = _broken(tmp_path, "      - code: DOSSIER_DIGITIZED\n", "      - code: DOSSIER_SYNC\n")
    err = _refused(path)
    assert err.where == "groups[4].criteria[1].code"
    assert "duplicate" in str(err) and "DOSSIER_SYNC" in str(err)


def test_criterion_code_equal_to_a_group_code(tmp_path: Path):
    path = _broken(tmp_path, "      - code: ON_TIME\n", "      - code: PROGRESS\n")
    err = _refused(path)
    assert err.where == "groups[1].criteria[0].code"


def test_bad_yaml_names_line_and_column(tmp_path: Path):
    lines = SHIPPED.splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.startswith("groups:"))
    lines.insert(n + 1, "  - code: [UNCLOSED\n")
    path = tmp_path / "bad.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    err = _refused(path)
    assert err.where is not None and err.where.startswith("line ")
    assert "not valid YAML" in str(err)
    line = int(err.where.split()[1].rstrip(","))
    assert n + 1 <= line <= n + 3  # at (or just after) the broken line


@pytest.mark.parametrize("old, new, where", [
    ("        full_at: 0.9\n", "        full_at: 1.5\n", "groups[5].criteria[2].full_at"),
    ("        when_empty: full\n", "        when_empty: always\n", "groups[5].criteria[0].when_empty"),
    ("    records: petitions\n    vi: PAKN", "    records: complaints\n    vi: PAKN",
     "measures.petitions_satisfied.records"),
    ("    distinct: procedure_code\n    where: population_db_used",
     "    distinct: procedure\n    where: population_db_used", "measures.procedures_population_db.distinct"),
])
def test_other_mistakes_are_placed(tmp_path: Path, old: str, new: str, where: str):
    assert old in SHIPPED
    path = tmp_path / "other.yaml"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")  # the first occurrence only
    err = _refused(path)
    assert err.where == where
    assert where in str(err)


def test_parse_index_definition_names_the_given_path():
    with pytest.raises(DefinitionError) as info:
        parse_index_definition("code: [", path="somewhere/index.yaml")
    assert str(info.value).startswith("somewhere/index.yaml: line 1")
    with pytest.raises(DefinitionError, match="expected a mapping"):
        parse_index_definition("- just\n- a list\n", path="list.yaml")


def test_unreadable_file(tmp_path: Path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(DefinitionError) as info:
        load_index_definition(missing)
    assert str(missing) in str(info.value)
