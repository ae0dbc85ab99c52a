"""The definition's declared reasons (``measures.<name>.reasons``): checked on load — unknown
fields refused, `when` and `value` compiled against the record kind, placeholders known —
and the shipped 766 definition gives every explained criterion's numerator measures reasons."""
from __future__ import annotations

import copy

import pytest
import yaml

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition, parse_index_definition
from chiso.errors import DefinitionError

SHIPPED = yaml.safe_load(DEFAULT_INDEX.read_text(encoding="utf-8"))


def with_reasons(measure: str, reasons: list[dict]):
    raw = copy.deepcopy(SHIPPED)
    raw["measures"][measure]["reasons"] = reasons
    return parse_index_definition(yaml.safe_dump(raw, allow_unicode=True), "copy.yaml")


def refused(measure: str, reasons: list[dict]) -> DefinitionError:
    with pytest.raises(DefinitionError) as err:
        with_reasons(measure, reasons)
    assert err.value.path == "copy.yaml"
    return err.value


def test_the_shipped_definition_explains_every_numerator_measure():
    d = load_index_definition(DEFAULT_INDEX)
    for c in d.criteria:
        if c.attested is not None:
            continue
        for _, name in c.numerator:
            m = d.measures[name]
            assert m.reasons, f"{c.code}: {name} has no reasons"
            for r in m.reasons:
                assert r.vi and r.en and "{" not in r.vi.replace("{value}", "")
                assert (r.when is None) == (m.distinct is not None)
    on_time = d.measures["on_time"]
    # a setting written into the text; the value left to the engine
    assert on_time.reasons[0].vi == "yêu cầu bổ sung {value} lần (quá 1 lần)"
    assert on_time.reasons[0].value.sql() == "supplement_count"


def test_a_reason_is_read_with_its_setting_and_value():
    d = with_reasons("synced", [{"when": "NOT synced_national AND channel = 'online'",
                                 "vi": "chưa đồng bộ, {value} ngày (quá {max_supplement_requests})",
                                 "en": "not synchronised ({value})", "value": "supplement_days"}])
    r = d.measures["synced"].reasons[0]
    assert r.vi == "chưa đồng bộ, {value} ngày (quá 1)" and r.when.sql() == "NOT synced_national AND channel = 'online'"
    assert r.value is not None


@pytest.mark.parametrize("reasons, where, says", [
    ([{"when": "NOT synced_national", "vi": "a", "en": "b", "text": "c"}], "measures.synced.reasons[0].text",
     "Extra inputs are not permitted"),
    ([{"when": "NOT synced_national", "vi": "a"}], "measures.synced.reasons[0].en", "Field required"),
    ([{"when": "NOT synced_nationwide", "vi": "a", "en": "b"}], "measures.synced.reasons[0].when",
     "unknown name 'synced_nationwide'"),
    ([{"when": "NOT synced_national", "vi": "a", "en": "b", "value": "DAYS(received_date)"}],
     "measures.synced.reasons[0].value", "unknown function"),
    ([{"vi": "a", "en": "b"}], "measures.synced.reasons[0]", "needs `when`"),
    ([{"when": "NOT synced_national", "vi": "trễ {value} ngày", "en": "b"}], "measures.synced.reasons[0].vi",
     "{value} needs a `value`"),
    ([{"when": "NOT synced_national", "vi": "trễ ngày", "en": "late", "value": "supplement_days"}],
     "measures.synced.reasons[0]", "neither text says {value}"),
    ([{"when": "NOT synced_national", "vi": "quá {gioi_han}", "en": "b"}], "measures.synced.reasons[0].vi",
     "unknown placeholder {gioi_han}"),
    ([{"when": "NOT synced_national", "vi": "{value} x", "en": "{value} y", "value": "supplement_days > 2"}],
     "measures.synced.reasons[0].value", "is a number"),
])
def test_broken_reasons_are_refused_where_they_are(reasons, where, says):
    err = refused("synced", reasons)
    assert err.where == where
    assert says in str(err)


def test_a_distinct_measure_gives_reasons_without_conditions():
    err = refused("procedures_paid_online", [{"when": "NOT paid_online", "vi": "a", "en": "b"}])
    assert err.where == "measures.procedures_paid_online.reasons[0]" and "no `when`" in str(err)
    d = with_reasons("procedures_paid_online", [{"vi": "không có hồ sơ", "en": "none"}])
    assert d.measures["procedures_paid_online"].reasons[0].when is None


def test_a_measure_counting_every_record_has_no_reasons():
    err = refused("received", [{"when": "NOT synced_national", "vi": "a", "en": "b"}])
    assert "counting every record" in str(err)
