"""``chiso catalog``: import, export, list, show, move and trace the indicator catalogue.

Thin: each command gathers options and calls one function of ``chiso.catalog`` or
``chiso.store.repo_catalogue``.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from chiso.cli.common import Format, echo, emit, handled, province_code, store_session
from chiso.cli.output import print_table, to_json
from chiso.errors import ChisoError

app = typer.Typer(help="Danh mục chỉ số / the indicator catalogue: import, export, lifecycle, versions.",
                  no_args_is_help=True)


class ExportFormat(str, Enum):
    yaml = "yaml"
    xlsx = "xlsx"
    json = "json"


class ShowFormat(str, Enum):
    table = "table"
    json = "json"
    yaml = "yaml"


ProvinceOpt = Annotated[Optional[str], typer.Option("--province", "-p",
                                                    help="province code (default: CHISO_PROVINCE)")]
FileOpt = Annotated[Optional[Path], typer.Option("--file", help="read this catalogue file instead of the store")]


def _catalogue(province: str | None, file: Path | None):
    if file is not None:
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.catalog.catalogue import load_catalogue

        return load_catalogue(file, province=province)
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_catalogue import current_catalogue

    with store_session() as session:
        return current_catalogue(session, province_code(province))


@app.command("import")
@handled
def import_(file: Annotated[Path, typer.Argument(help="catalogue file: .yaml, .yml, .json or .xlsx")],
            by: Annotated[str, typer.Option(help="who imports (recorded)")] = "cli",
            province: ProvinceOpt = None,
            format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table") -> None:
    """Import a catalogue file: all or nothing; unchanged content changes nothing; a changed
    indicator gets a new version."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_catalogue import import_catalogue

    with store_session() as session:
        report = import_catalogue(session, file, by=by, province=province)
    rows = report.rows()
    title = (f"catalogue {report.label} of province {report.province}: {len(report.created)} created, "
             f"{len(report.versioned)} new versions, {len(report.unchanged)} unchanged"
             + ("" if report.changed else " — nothing changed"))
    emit(Format(format), report.document(), rows, title)


@app.command()
@handled
def export(format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.yaml,
           out: Annotated[Optional[Path], typer.Option("--out", "-o", help="file to write "
                                                       "(default: standard output; required for xlsx)")] = None,
           province: ProvinceOpt = None, file: FileOpt = None) -> None:
    """Export the current catalogue (latest version of each indicator) as YAML, JSON or a workbook."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.catalog.catalogue import catalogue_json, catalogue_yaml
    catalogue = _catalogue(province, file)
    if not len(catalogue):
        raise ChisoError(f"province {catalogue.province} has no catalogue in the store: "
                         "run `chiso catalog import FILE` first")
    if format == ExportFormat.xlsx:
        if out is None:
            raise ChisoError("a workbook needs --out FILE.xlsx")
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.catalog.workbook import write_workbook

        history: list[dict[str, Any]] = []
        if file is None:
            # lazy: only this command needs it; `chiso --help` stays light (decision 44)
            from chiso.store.repo_catalogue import lifecycle_log

            with store_session() as session:
                history = lifecycle_log(session, catalogue.province)
        write_workbook(catalogue, out, history=history)
        echo(f"{len(catalogue)} indicators written to {out}")
        return
    text = catalogue_yaml(catalogue) if format == ExportFormat.yaml else catalogue_json(catalogue)
    if out is None:
        echo(text)
    else:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        echo(f"{len(catalogue)} indicators written to {out}")


@app.command("list")
@handled
def list_(field: Annotated[Optional[str], typer.Option(help="field code, e.g. FINANCE")] = None,
          group: Annotated[Optional[str], typer.Option(help="input, process, output, outcome, synthetic")] = None,
          status: Annotated[Optional[str], typer.Option(help="lifecycle state")] = None,
          live: Annotated[bool, typer.Option("--live", help="only approved and operating indicators")] = False,
          province: ProvinceOpt = None, file: FileOpt = None,
          format: Annotated[str, typer.Option("--format", "-f", help="table, json or csv")] = "table") -> None:
    """List indicators (latest versions), optionally of one field, group or state."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.catalog.catalogue import indicator_document, list_rows
    from chiso.catalog.indicator import GROUPS, LIFECYCLE

    if group is not None and group not in GROUPS:
        raise ValueError(f"unknown group {group!r}; groups are {', '.join(GROUPS)}")
    if status is not None and status not in LIFECYCLE:
        raise ValueError(f"unknown state {status!r}; states are {', '.join(LIFECYCLE)}")
    catalogue = _catalogue(province, file)
    if field is not None and catalogue.fields and field not in catalogue.fields:
        raise ValueError(f"unknown field {field!r}; fields are {', '.join(catalogue.fields)}")
    chosen = catalogue.select(field=field, group=group, status=status, live=live)
    rows = list_rows(chosen)
    document = {"province": catalogue.province, "version": catalogue.version,
                "indicators": [indicator_document(i, full=True) for i in chosen]}
    emit(Format(format), document, rows, f"{len(rows)} indicators — province {catalogue.province}")


@app.command()
@handled
def show(code: Annotated[str, typer.Argument(help="indicator code")],
         version: Annotated[Optional[int], typer.Option(help="a stored version (default: the latest)")] = None,
         province: ProvinceOpt = None,
         format: Annotated[ShowFormat, typer.Option("--format", "-f")] = ShowFormat.table) -> None:
    """Show every attribute of one indicator (one version of it)."""
    import yaml

    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.catalog.catalogue import indicator_document
    from chiso.store.repo_catalogue import indicator_version

    with store_session() as session:
        ind = indicator_version(session, code, version, province=province)
    doc = indicator_document(ind, full=True)
    if format == ShowFormat.json:
        echo(to_json(doc))
    elif format == ShowFormat.yaml:
        echo(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    else:
        rows = [{"attribute": k, "value": "" if v is None else
                 (v if isinstance(v, (str, int, float)) else to_json(v))} for k, v in _flat(doc)]
        print_table(rows, title=f"{ind.code} — {ind.name} (version {ind.version}, {ind.status})")


def _flat(doc: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for k, v in doc.items():
        if isinstance(v, dict):
            out += _flat(v, f"{prefix}{k}.")
        else:
            out.append((f"{prefix}{k}", v))
    return out


@app.command()
@handled
def move(code: Annotated[str, typer.Argument(help="indicator code")],
         state: Annotated[str, typer.Argument(help="needs_identified, candidate, standardised, unified, "
                                              "approved, in_operation or retired")],
         by: Annotated[str, typer.Option(help="who moves it (recorded)")],
         comment: Annotated[str, typer.Option(help="why: the decision, the meeting, the rework needed")],
         province: ProvinceOpt = None) -> None:
    """Move an indicator to another lifecycle state (forward one step, back for rework, or retire)."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_catalogue import move_indicator

    with store_session() as session:
        done = move_indicator(session, code, state, by=by, comment=comment, province=province)
    echo(f"{code} (version {done.version}): {done.from_state} → {done.to_state}, by {done.by}")


@app.command()
@handled
def history(code: Annotated[str, typer.Argument(help="indicator code")], province: ProvinceOpt = None,
            format: Annotated[str, typer.Option("--format", "-f", help="table, json or csv")] = "table") -> None:
    """The versions of an indicator and its lifecycle moves (who, when, why)."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_catalogue import indicator_history

    with store_session() as session:
        h = indicator_history(session, code, province=province)
    rows = [{"kind": "version", "version": v.version, "at": v.created_at.strftime("%Y-%m-%d %H:%M"),
             "by": v.created_by, "what": f"valid {v.valid_from}…{v.valid_to or ''}"
             + (f"; changed: {', '.join(v.changed)}" if v.changed else "")} for v in h.versions]
    rows += [{"kind": "move", "version": t.version, "at": t.at.strftime("%Y-%m-%d %H:%M"), "by": t.by,
              "what": f"{t.from_state or '—'} → {t.to_state}: {t.comment}"} for t in h.transitions]
    rows.sort(key=lambda r: (r["at"], r["kind"] != "version"))
    if Format(format) == Format.table:
        print_table(rows, title=f"{code} — province {h.province}")
    else:
        emit(Format(format), h.document(), rows, code)


@app.command()
@handled
def check(file: Annotated[Path, typer.Argument(help="catalogue file: .yaml, .yml, .json or .xlsx")],
          province: ProvinceOpt = None) -> None:
    """Validate a catalogue file without importing it; every problem is listed."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.catalog.catalogue import load_catalogue

    catalogue = load_catalogue(file, province=province)
    live = len(catalogue.live())
    echo(f"{file}: {len(catalogue)} indicators in {len(catalogue.fields)} fields, {live} live — valid")
