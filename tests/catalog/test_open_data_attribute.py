"""The catalogue attribute ``public`` (the open data page, /du-lieu-mo): read from YAML and from the
workbook, written back, versioned like any content, and invisible while false — a catalogue stored
before the attribute existed keeps its content hashes, so importing it again makes no version."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from chiso.catalog.catalogue import (
    catalogue_json,
    catalogue_yaml,
    load_catalogue,
    parse_catalogue,
    validate_catalogue,
)
from chiso.catalog.indicator import Indicator
from chiso.catalog.workbook import BY_KEY, read_workbook, write_workbook
from chiso.errors import LoadError
from chiso.store.repo_catalogue import content_sha256, import_catalogue, indicator_content, indicator_history
from chiso.units import load_units
from tests.catalog.test_catalogue import as_yaml, catalogue_doc, entry

TREE = load_units(["24"])


def test_default_is_not_public_and_false_is_left_out_of_the_content():
    ind = Indicator.model_validate(entry("TC.A"))
    assert ind.public is False
    assert "public" not in indicator_content(ind)
    # the content (and its hash) is what it was before the attribute existed
    before = {k: v for k, v in indicator_content(ind).items()}
    assert content_sha256(indicator_content(ind)) == content_sha256(before)
    shown = Indicator.model_validate(entry("TC.A", public=True))
    assert indicator_content(shown)["public"] is True
    assert content_sha256(indicator_content(shown)) != content_sha256(before)


def test_yaml_reads_and_writes_it():
    text = as_yaml(catalogue_doc(entry("TC.A", public=True), entry("TC.B")))
    cat = parse_catalogue(text)
    assert cat["TC.A"].public is True and cat["TC.B"].public is False
    doc = yaml.safe_load(catalogue_yaml(cat))
    by_code = {i["code"]: i for i in doc["indicators"]}
    assert by_code["TC.A"]["public"] is True and "public" not in by_code["TC.B"]
    assert parse_catalogue(catalogue_yaml(cat)) == cat


def test_a_bad_value_is_refused_with_its_place():
    text = as_yaml(catalogue_doc(entry("TC.A", public="có lẽ")))
    with pytest.raises(LoadError) as refused:
        parse_catalogue(text, path="danh-muc.yaml")
    problem = refused.value.problems[0]
    assert problem.column == "indicators[0].public" and problem.row is not None and problem.file == "danh-muc.yaml"


def test_the_json_export_writes_every_attribute_public_included():
    """Needs the change of chiso/catalog/catalogue.py listed in /tmp/w/changes-p6.md (``indicator_document``
    writes ``public`` when ``full``)."""
    cat = parse_catalogue(as_yaml(catalogue_doc(entry("TC.A", public=True), entry("TC.B"))))
    doc = json.loads(catalogue_json(cat))
    assert [i["public"] for i in doc["indicators"]] == [True, False]


def test_the_workbook_has_a_column_and_reads_it_back(tmp_path):
    """Needs the workbook column listed in /tmp/w/changes-p6.md (``public``, yes/no)."""
    assert BY_KEY["public"].kind == "bool"
    cat = parse_catalogue(as_yaml(catalogue_doc(entry("TC.A", public=True), entry("TC.B"))))
    path = write_workbook(cat, tmp_path / "danh-muc.xlsx", units=TREE.units(province="24"))
    back = read_workbook(path)
    rows = {item["code"]: item for item, _place in back.indicators}
    assert rows["TC.A"]["public"] is True and rows["TC.B"]["public"] is False

    again = validate_catalogue(back, units=TREE)
    assert again["TC.A"].public is True and again["TC.B"].public is False


def test_publishing_is_a_new_version_and_an_unchanged_file_is_none(db, tmp_path):
    first = tmp_path / "v1.yaml"
    first.write_text(as_yaml(catalogue_doc(entry("TC.A", status="approved"), entry("TC.B", status="approved"))),
                     encoding="utf-8")
    with db.session() as s:
        import_catalogue(s, first, by="Văn phòng UBND tỉnh", units=TREE, today=dt.date(2026, 1, 2))
    with db.session() as s:
        again = import_catalogue(s, first, by="Văn phòng UBND tỉnh", units=TREE, today=dt.date(2026, 2, 2))
    assert sorted(again.unchanged) == ["TC.A", "TC.B"] and not again.versioned
    second = tmp_path / "v2.yaml"
    second.write_text(as_yaml(catalogue_doc(entry("TC.A", public=True), entry("TC.B"))), encoding="utf-8")
    with db.session() as s:
        report = import_catalogue(s, second, by="Văn phòng UBND tỉnh", units=TREE, today=dt.date(2026, 3, 2))
    assert report.versioned == [("TC.A", 2)] and report.unchanged == ["TC.B"]
    with db.session() as s:
        history = indicator_history(s, "TC.A", province="24")
    assert history.versions[-1].changed == ("public",)


def test_the_sample_catalogue_publishes_live_indicators_only():
    cat = load_catalogue("chiso/catalog/definitions/catalogue-24.yaml")
    public = [i for i in cat if i.public]
    assert len(public) >= 10
    assert all(i.live for i in public), [i.code for i in public if not i.live]
    assert {"HC.CHI_SO_766", "NS.THU_NSNN_LK", "KT.CPI"} <= {i.code for i in public}
