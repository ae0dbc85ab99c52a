"""``chiso formula …``: check a formula, show the SQL it compiles to."""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from chiso.cli.common import echo, handled
from chiso.cli.output import to_json
from chiso.errors import FormulaError

app = typer.Typer(help="Công thức chỉ số: kiểm tra, chuẩn hoá, biên dịch SQL / indicator formulas.",
                  no_args_is_help=True)


def check_document(text: str, sql_target: str | None = None) -> dict:
    """What ``chiso formula check`` prints: normalised text, references, period functions."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.formula import parse_formula

    f = parse_formula(text)
    doc = {"formula": f.text, "references": sorted(f.references),
           "period_functions": [{"function": fn, "indicator": code}
                                for fn, code in sorted(f.period_references)]}
    if sql_target is not None:
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.engine.dialects import dialect
        from chiso.engine.formulas import formula_select

        doc["sql"] = dialect(sql_target).render(formula_select("F", f, "values_work", "periods"),
                                               pretty=True)
    return doc


class CheckFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def check(formula: Annotated[str, typer.Argument(help='the formula, e.g. "ytd(NS_THU) / annual(NS_DU_TOAN) * 100"')],
          format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.table,
          sql: Annotated[Optional[str], typer.Option(help="also show the SQL for duckdb, postgres or spark")] = None,
          ) -> None:
    """Check a formula: print its normalised form and the indicators it uses, or the
    error with a caret under the column (exit code 2)."""
    import sys

    @handled
    def run() -> None:
        if sql is not None and sql not in ("duckdb", "postgres", "spark"):
            raise ValueError(f"--sql takes duckdb, postgres or spark, not {sql!r}")
        try:
            doc = check_document(formula, sql)
        except FormulaError as e:
            # plain text: the caret must stay under its column (no wrapping, no markup)
            sys.stderr.write(f"error: {e}\n")
            raise typer.Exit(2) from None
        if format == CheckFormat.json:
            echo(to_json(doc))
            return
        echo(f"công thức / formula: {doc['formula']}")
        echo(f"chỉ số dùng / references: {', '.join(doc['references']) or '—'}")
        for p in doc["period_functions"]:
            echo(f"  {p['function']}({p['indicator']})")
        if sql:
            echo(doc["sql"])

    run()
