"""``chiso units``: the unit hierarchy, and the boundaries of a province's communes.

``chiso units [--province P] [--level L]`` lists units (as before); ``chiso units boundaries
import FILE.geojson`` reads a province's own GIS file of its communes
(``chiso.store.repo_shapes.import_file``): every feature's code checked against the unit list,
geometry repaired and simplified; a refused file writes nothing and names every problem
(file, feature, property, reason) with exit code 1. ``chiso units boundaries list`` counts the
shapes stored per province. The provinces' shapes ship with chiso (docs/maps.md).
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from chiso.cli.common import Format, echo, emit, err, handled, store_session
from chiso.cli.crosswalk import app as crosswalk_app
from chiso.errors import LoadError

app = typer.Typer(help="Đơn vị / units: list them; import the boundaries of a province's communes.",
                  invoke_without_command=True)
boundaries_app = typer.Typer(help="Ranh giới xã / commune boundaries: import a province's GIS file (GeoJSON), "
                                  "list what is stored.", no_args_is_help=True)
app.add_typer(boundaries_app, name="boundaries")
app.add_typer(crosswalk_app, name="crosswalk")


class Level(str, Enum):
    nation = "nation"
    province = "province"
    department = "department"
    commune = "commune"


FormatOpt = Annotated[Format, typer.Option("--format", "-f")]


@app.callback()
def units(ctx: typer.Context,
          province: Annotated[Optional[str], typer.Option(help="province code, e.g. 24")] = None,
          level: Annotated[Optional[Level], typer.Option()] = None,
          format: FormatOpt = Format.table) -> None:
    """List organisation units (đơn vị): provinces, departments, communes/wards."""
    if ctx.invoked_subcommand is not None:
        return
    handled(_list_units)(province, level, format)


def _list_units(province: str | None, level: Level | None, format: Format) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.units import load_units, unit_to_dict

    tree = load_units()
    if province is not None:
        tree.get(province)
    rows = [unit_to_dict(u) for u in tree.units(province=province, level=level.value if level else None)]
    emit(format, rows, rows, f"{len(rows)} units")


@boundaries_app.command("import")
def import_boundaries(
        file: Annotated[Path, typer.Argument(help="the province's GIS file: GeoJSON FeatureCollection in "
                                                  "longitude/latitude (WGS 84), one feature per commune")],
        province: Annotated[Optional[str], typer.Option("--province", "-p", help="every feature must be a "
                                                        "commune of this province (code, e.g. 24)")] = None,
        code_field: Annotated[str, typer.Option("--code-field", help="the property holding the commune's "
                                                "official code")] = "code",
        by: Annotated[str, typer.Option("--by", help="who imports (recorded in the audit log)")] = "cli",
        format: FormatOpt = Format.table) -> None:
    """Import commune boundaries; a bad file: exit 1, every problem named, nothing written."""
    handled(_import)(file, province, code_field, by, format)


def _import(file: Path, province: str | None, code_field: str, by: str, format: Format) -> None:
    # lazy: only this command needs them; `chiso --help` stays light (decision 44)
    from chiso.store.repo_shapes import import_file
    from chiso.units import load_units

    tree = load_units()
    try:
        with store_session() as session:
            result = import_file(session, file, tree=tree, province=province, code_field=code_field, actor=by,
                                 name=file.name)
    except LoadError as exc:  # a bad file: exit 1 with every problem (other errors: exit 2)
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    prepared = result.prepared
    missing = [{"code": c, "name": tree.get(c).name} for c in result.missing]
    doc = {"file": result.file, "sha256": result.sha, "provinces": list(prepared.provinces),
           "shapes": len(prepared.shapes), "created": result.created, "changed": result.changed,
           "unchanged": result.unchanged, "repaired": result.repaired,
           "vertices": {"read": prepared.vertices_in, "stored": prepared.vertices_out}, "missing": missing}
    if format == Format.json:
        emit(format, doc, [], "boundaries")
        return
    if format == Format.csv:
        emit(format, doc, [{"code": m["code"], "name": m["name"], "shape": "missing"} for m in missing], "missing")
        return
    echo(f"{result.file}: {len(prepared.shapes)} ranh giới / shapes — {result.created} mới / created, "
         f"{result.changed} thay đổi / changed, {result.unchanged} không đổi / unchanged; "
         f"{len(result.repaired)} đã sửa hình / repaired; đỉnh / vertices {prepared.vertices_in:,} → "
         f"{prepared.vertices_out:,}")
    if missing:
        echo(f"{len(missing)} xã, phường chưa có ranh giới / communes without a shape:")
        for m in missing:
            echo(f"  {m['code']}  {m['name']}")
    else:
        echo("Mọi xã, phường của tỉnh đều có ranh giới / every commune of the province has a shape.")


@boundaries_app.command("list")
@handled
def list_boundaries(province: Annotated[Optional[str], typer.Option("--province", "-p",
                                                                    help="only this province")] = None,
                    format: FormatOpt = Format.table) -> None:
    """How many communes of each province have a stored shape, and which file it came from."""
    # lazy: only this command needs them; `chiso --help` stays light (decision 44)
    from chiso.store.repo_shapes import count_shapes, last_import
    from chiso.units import load_units

    tree = load_units()
    provinces = [tree.get(province)] if province else tree.units(level="province")
    rows = []
    with store_session() as session:
        for p in provinces:
            n = count_shapes(session, province=p.code, level="commune")
            if not n and not province:
                continue
            last = last_import(session, p.code)
            rows.append({"province": p.code, "name": p.name, "shapes": n,
                         "communes": len(tree.units(province=p.code, level="commune")),
                         "file": last[0] if last else None,
                         "imported_at": last[1].isoformat() if last else None})
    emit(format, rows, rows, f"{len(rows)} provinces with commune shapes")
