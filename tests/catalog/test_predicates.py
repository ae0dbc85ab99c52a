"""Predicates and measure expressions as definition files write them: parsed with SQLGlot,
checked against a whitelist, the record schema and the settings; never evaluated as Python."""
from __future__ import annotations

import doctest

import pytest
from sqlglot import exp

from chiso.catalog import predicates
from chiso.catalog.predicates import parse_measure_expression, parse_predicate, uses_window
from chiso.catalog.records import DOSSIERS, PETITIONS, PROCEDURES, PUBLICATIONS
from chiso.errors import DefinitionError, PredicateError


def test_doctests():
    result = doctest.testmod(predicates)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize("kind, text", [
    (DOSSIERS, "supplement_count <= 1 AND finished_date <= appointment_date + supplement_days"),
    (DOSSIERS, "complaint OR rating = 'dissatisfied'"),
    (DOSSIERS, "NOT digitized AND channel IN ('online', 'post')"),
    (DOSSIERS, "finished_date IS NULL OR finished_date > window_end"),
    (DOSSIERS, "received_date BETWEEN window_start AND window_end"),
    (DOSSIERS, "COALESCE(finished_date, window_end) <= appointment_date"),
    (DOSSIERS, "GREATEST(supplement_days, 0) - LEAST(supplement_count, 3) >= ABS(-1)"),
    (DOSSIERS, "CASE WHEN digitized THEN 1 ELSE 0 END = 1"),
    (DOSSIERS, "rating IS NOT NULL AND rating <> 'neutral' AND rating != 'satisfied'"),
    (PETITIONS, "NOT dissatisfied AND NOT recomplained AND handled_date <= due_date"),
    (PUBLICATIONS, "WORKDAYS(decision_date, legal_effective_date) >= 5"),
    (PUBLICATIONS, "public_date IS NOT NULL AND workdays(decision_date, public_date) <= 5"),
    (PROCEDURES, "has_fee AND fee_payment_integrated AND statutory_days * 2 > 3"),
    (DOSSIERS, "TRUE"),
])
def test_allowed_predicates_parse(kind, text):
    tree = parse_predicate(text, kind)
    assert isinstance(tree, exp.Expression)


def test_settings_become_number_literals():
    tree = parse_predicate("supplement_count <= limit AND supplement_days < ratio", DOSSIERS,
                           settings={"limit": 1.0, "ratio": 2.5})
    assert tree.sql() == "supplement_count <= 1 AND supplement_days < 2.5"
    assert not any(isinstance(n, exp.Column) and n.name in ("limit", "ratio") for n in tree.walk())


def test_a_field_wins_over_a_setting_of_the_same_name():
    tree = parse_predicate("supplement_count <= 1", DOSSIERS, settings={"supplement_count": 7})
    assert tree.sql() == "supplement_count <= 1"


def test_whitespace_and_newlines_are_folded():
    tree = parse_predicate("digitized\n   AND\n reused_data", DOSSIERS)
    assert tree.sql() == "digitized AND reused_data"


def test_uses_window():
    assert uses_window(parse_predicate("finished_date <= window_end", DOSSIERS))
    assert uses_window(parse_predicate("received_date >= window_start", DOSSIERS))
    assert not uses_window(parse_predicate("finished_date <= appointment_date", DOSSIERS))


@pytest.mark.parametrize("kind, text, fragment", [
    (DOSSIERS, "due_date IS NULL", "unknown name 'due_date'"),
    (PETITIONS, "supplement_count > 1", "unknown name 'supplement_count'"),
    (DOSSIERS, "digitised", "unknown name 'digitised'"),
    (DOSSIERS, "dossiers.digitized", "qualified names are not allowed"),
    (DOSSIERS, "received_date IN (SELECT received_date FROM dossiers)", "not allowed"),
    (DOSSIERS, "EXISTS (SELECT 1 FROM dossiers)", "not allowed"),
    (DOSSIERS, "(SELECT COUNT(*) FROM dossiers) > 1", "not allowed"),
    (DOSSIERS, "SHOUT(rating) = 'x'", "unknown function 'SHOUT'"),
    (DOSSIERS, "UPPER(rating) = 'X'", "not allowed"),
    (DOSSIERS, "CAST(supplement_count AS VARCHAR) = '1'", "not allowed"),
    (DOSSIERS, "rating LIKE 'dis%'", "not allowed"),
    (DOSSIERS, "supplement_days / 2 > 1", "not allowed"),
    (DOSSIERS, "read_csv('/etc/passwd') IS NULL", "not allowed"),
    (DOSSIERS, "my_macro(rating) IS NULL", "unknown function"),
    (DOSSIERS, "WORKDAYS(received_date) > 1", "WORKDAYS takes two dates"),
    (DOSSIERS, "WORKDAYS(received_date, finished_date, appointment_date) > 1", "WORKDAYS takes two dates"),
    (DOSSIERS, "WORKDAYS(received_date)", "WORKDAYS takes two dates"),
    (DOSSIERS, "digitized; DROP TABLE dossiers", None),
    (DOSSIERS, "digitized AND (", None),
    (DOSSIERS, "   ", "empty"),
])
def test_forbidden_or_broken_predicates_are_refused(kind, text, fragment):
    with pytest.raises(PredicateError) as info:
        parse_predicate(text, kind, settings={"limit": 1}, where="index.yaml: measures.m.where")
    message = str(info.value)
    assert message.startswith("index.yaml: measures.m.where: ")
    if fragment is not None:
        assert fragment in message
    assert isinstance(info.value, DefinitionError)


def test_unknown_name_lists_fields_and_settings():
    with pytest.raises(PredicateError) as info:
        parse_predicate("limt > 0", PETITIONS, settings={"limit": 1})
    assert "due_date" in str(info.value) and "settings: limit" in str(info.value)


# ------------------------------------------------------------------ measure expressions
MEASURES = {"on_time": 1, "complained": 1, "received": 1, "a": 1}


@pytest.mark.parametrize("text, terms", [
    ("on_time", ((1, "on_time"),)),
    ("on_time - complained", ((1, "on_time"), (-1, "complained"))),
    ("on_time-complained+received", ((1, "on_time"), (-1, "complained"), (1, "received"))),
    ("-on_time + a", ((-1, "on_time"), (1, "a"))),
    ("on_time - - a", ((1, "on_time"), (1, "a"))),
])
def test_measure_expressions(text, terms):
    assert parse_measure_expression(text, MEASURES) == terms


@pytest.mark.parametrize("text, fragment", [
    ("on_time - complaints", "unknown measure 'complaints'"),
    ("on_time complained", "expected + or -"),
    ("on_time -", "ends with an operator"),
    ("", "empty"),
    ("on_time * 2", "expected + or -"),
])
def test_bad_measure_expressions(text, fragment):
    with pytest.raises(PredicateError) as info:
        parse_measure_expression(text, MEASURES, where="f.yaml: groups[0].criteria[0].numerator")
    assert fragment in str(info.value)
    assert str(info.value).startswith("f.yaml: groups[0].criteria[0].numerator: ")
