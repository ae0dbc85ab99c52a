"""``chiso definitions …``: the versions of the index definition and what changed between two."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from chiso.catalog.index_definition import load_index_definition
from chiso.cli.common import Format, definition, echo, emit, handled
from chiso.cli.output import to_json

app = typer.Typer(help="Phiên bản phương pháp tính chỉ số 766: danh sách, so sánh / index definition versions.",
                  no_args_is_help=True)


class DiffFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("list")
@handled
def list_(file: Annotated[Optional[str], typer.Option("--file", help="a definition file (default: the one in force, "
                                                      "CHISO_INDEX_DEFINITION or the shipped one)")] = None,
          format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """The versions of the index definition, oldest first, with the days each is in force."""
    d = load_index_definition(Path(file)) if file else definition()
    rows = [{"version": v.version, "valid_from": v.valid_from.isoformat(),
             "valid_to": v.valid_to.isoformat() if v.valid_to else None,
             "max": v.max_total, "max_determined": v.max_determined,
             "undetermined": ", ".join(c.code for c in v.undetermined) or None,
             "note": v.note or None, "path": v.path} for v in d.versions]
    brief = [{k: r[k] for k in ("version", "valid_from", "valid_to", "max_determined", "undetermined")} for r in rows]
    emit(format.value, {"code": d.code, "versions": rows}, rows, f"{d.code}: các phiên bản phương pháp tính",
         table_rows=brief)


@app.command()
@handled
def diff(a: Annotated[str, typer.Argument(help="a version label (2026.1) of the definition in force, a file, "
                                          "or FILE@LABEL")],
         b: Annotated[str, typer.Argument(help="the same, for the version compared with A")],
         format: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.text) -> None:
    """What changes from version A to version B: criteria, groups, measures, maxima and
    settings added, removed or changed, one plain Vietnamese line each."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.catalog.definition_versions import diff_document, diff_lines, resolve

    current = definition()
    first, second = resolve(current, a), resolve(current, b)
    if format == DiffFormat.json:
        echo(to_json(diff_document(first, second)))
    else:
        echo("\n".join(diff_lines(first, second)))
