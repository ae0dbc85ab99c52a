"""``chiso formula check``."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from chiso.cli.app import app

runner = CliRunner()


def test_check_prints_the_normalised_formula_and_references():
    result = runner.invoke(app, ["formula", "check", "ytd(NS_THU) ÷ annual(NS_DU_TOAN) × 100"])
    assert result.exit_code == 0, result.output
    assert "ytd(NS_THU) / annual(NS_DU_TOAN) * 100" in result.stdout
    assert "NS_DU_TOAN, NS_THU" in result.stdout


def test_check_json():
    result = runner.invoke(app, ["formula", "check", "--format", "json", "(KT.GRDP / cùng_kỳ(KT.GRDP) - 1) * 100"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "formula": "(KT.GRDP / last_year(KT.GRDP) - 1) * 100", "references": ["KT.GRDP"],
        "period_functions": [{"function": "last_year", "indicator": "KT.GRDP"}]}


def test_check_shows_sql_per_target():
    result = runner.invoke(app, ["formula", "check", "--sql", "postgres", "round(A / B, 2)"])
    assert result.exit_code == 0, result.output
    assert "NULLIF" in result.stdout and "DOUBLE PRECISION" in result.stdout
    bad = runner.invoke(app, ["formula", "check", "--sql", "mysql", "A"])
    assert bad.exit_code == 2 and "duckdb, postgres or spark" in bad.stderr


def test_check_error_has_a_caret_under_the_column():
    result = runner.invoke(app, ["formula", "check", "KT.A + * [b] 2"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: formula 'KT.A + * [b] 2' at column 8: unexpected '*'; expected '(', '-', " \
                       "a number, an indicator code or a function"
    assert lines[2].index("^") == lines[1].index("*")
    assert result.stdout == ""
