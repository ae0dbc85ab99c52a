"""``chiso units crosswalk``: the unit-code crosswalk (bảng chuyển đổi mã đơn vị; docs/interop.md).

``import FILE`` keeps a crosswalk file (CSV or XLSX) all or nothing — either the official
conversion table as published (*Bảng chuyển đổi đơn vị hành chính mới – cũ*, recognised by its
header rows: old communes and districts → today's units, one version, ``2025-07-01`` unless
``--version``/``--valid-from`` say otherwise) or rows in columns scheme, code, target, relation,
valid_from, and optionally version, level, name, source (the portal's ids) —
(``chiso.store.repo_crosswalk.import_file``): a refused file writes nothing and names every
problem (file, row, column, reason), exit code 1; importing it again changes nothing; a changed
mapping needs a new version. ``show [CODE]`` translates a code in every scheme that knows it and
lists the old units that make one of today's units; without CODE, what the crosswalk holds.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer

from chiso.cli.common import Format, echo, emit, err, handled, store_session
from chiso.errors import ChisoError, LoadError

app = typer.Typer(help="Bảng chuyển đổi mã đơn vị / unit-code crosswalk: Decision 19 codes, the portal's ids, "
                       "pre-2025 units.", no_args_is_help=True)

FormatOpt = Annotated[Format, typer.Option("--format", "-f")]


def crosswalk_in_force(*, communes: bool = False):
    """The crosswalk a command reading foreign codes uses: the shipped rows and those imported into
    the store — or the shipped rows alone when there is no prepared store (a counts file scored
    without one), so that scoring a file never creates a store."""
    # lazy: only the commands that read foreign codes need them (decision 44)
    from chiso import settings
    from chiso.errors import StoreError
    from chiso.store.database import open_database, require_current
    from chiso.store.repo_crosswalk import load
    from chiso.units.crosswalk import load_crosswalk

    if not settings.get("CHISO_DATABASE_URL") and not Path(settings.database_url().removeprefix("sqlite:///")).exists():
        return load_crosswalk(communes=communes)
    db = open_database()  # a store named but unreachable is an error, not an empty crosswalk
    try:
        require_current(db)
        with db.session() as session:
            return load(session, communes=communes)
    except StoreError:
        return load_crosswalk(communes=communes)
    finally:
        db.dispose()


@app.command("import")
def import_crosswalk(
        file: Annotated[Path, typer.Argument(help="CSV or XLSX: the official conversion table (Bảng chuyển đổi "
                                                  "đơn vị hành chính mới – cũ) as published, or rows with the "
                                                  "columns scheme, code, target, relation, valid_from [, version, "
                                                  "level, name, source]")],
        by: Annotated[str, typer.Option("--by", help="who imports (recorded with the rows and in the audit "
                                                     "log)")] = "cli",
        version: Annotated[Optional[str], typer.Option("--version", help="the conversion table only: the "
                                                       "version's label (default 2025-07-01)")] = None,
        valid_from: Annotated[Optional[str], typer.Option("--valid-from", help="the conversion table only: the "
                                                          "day the version takes effect, YYYY-MM-DD (default "
                                                          "2025-07-01)")] = None,
        format: FormatOpt = Format.table) -> None:
    """Import the conversion table as published, or crosswalk rows; a bad file: exit 1, nothing written."""
    handled(_import)(file, by, version, valid_from, format)


def _import(file: Path, by: str, version: str | None, valid_from: str | None, format: Format) -> None:
    # lazy: only this command needs them; `chiso --help` stays light (decision 44)
    from chiso.store.repo_crosswalk import import_file
    from chiso.units import load_units

    tree = load_units()
    try:
        with store_session() as session:
            result = import_file(session, file, actor=by, is_unit=tree.__contains__, name=file.name,
                                 version=version.strip() if version else None,
                                 valid_from=_date(valid_from, "--valid-from"))
    except LoadError as exc:  # a bad file: exit 1 with every problem (other errors: exit 2)
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    doc = {"file": result.file, "sha256": result.sha256, "rows": result.rows, "inserted": result.inserted,
           "unchanged": result.unchanged, "versions": list(result.versions)}
    if format != Format.table:
        emit(format, doc, [doc], "crosswalk import")
        return
    echo(f"{result.file}: {result.rows} dòng / rows — {result.inserted} mới / new, {result.unchanged} đã có / "
         f"already there; phiên bản / versions: {', '.join(result.versions)}")


def _date(text: str | None, option: str = "--at") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ChisoError(f"{option}: một ngày YYYY-MM-DD, không phải {text!r}") from None


@app.command("show")
@handled
def show(code: Annotated[Optional[str], typer.Argument(help="a code: today's (25), the portal's (H44) or a "
                                                           "pre-2025 one (26)")] = None,
         scheme: Annotated[Optional[str], typer.Option("--scheme", "-s", help="only this scheme: decision19, "
                                                       "portal, before_2025")] = None,
         at: Annotated[Optional[str], typer.Option("--at", help="the version in force on this day "
                                                   "(YYYY-MM-DD); default: the newest")] = None,
         format: FormatOpt = Format.table) -> None:
    """Translate a code (in every scheme that knows it), or summarise the crosswalk."""
    # lazy: only this command needs them; `chiso --help` stays light (decision 44)
    from chiso.store.repo_crosswalk import entries, load
    from chiso.units import load_units
    from chiso.units.crosswalk import FOREIGN, SCHEME_NAMES, check_scheme

    day = _date(at)
    if scheme is not None:
        check_scheme(scheme)
    with store_session() as session:
        cw = load(session)
        imported = entries(session, code)
        stamps = {(e.scheme, e.code, e.version, e.target): (e.source_file, e.imported_by, e.imported_at.isoformat())
                  for e in imported}
    tree = load_units()
    if code is None:
        counts = Counter((r.scheme, r.level or "-", r.relation) for r in cw.rows()
                         if scheme is None or r.scheme == scheme)
        rows = [{"scheme": s, "level": lv, "relation": rel, "rows": n} for (s, lv, rel), n in sorted(counts.items())]
        doc = {"rows": rows, "imported": len(stamps)}
        emit(format, doc, rows, f"bảng chuyển đổi / crosswalk: {len(cw)} dòng / rows ({len(stamps)} nhập / imported)")
        if format == Format.table and not any(r.level in ("commune", "district") for r in cw.rows("before_2025")):
            echo("chưa có xã, phường, quận, huyện trước 01/7/2025: nhập bảng chuyển đổi đơn vị hành chính mới – cũ "
                 "bằng chiso units crosswalk import FILE")
        return
    out = []
    for s in (scheme,) if scheme else FOREIGN:
        if s == "decision19" or not cw.knows(code, s):
            continue
        t = cw.translate(code, s, day)
        for r in t.rows:
            where = stamps.get((r.scheme, r.code, r.version, r.target))
            out.append({"direction": "to", "scheme": s, "code": code, "level": r.level, "name": r.name,
                        "target": r.target,
                        "target_name": tree.get(r.target).name if r.target in tree else "",
                        "relation": r.relation, "status": t.status, "version": r.version,
                        "valid_from": r.valid_from.isoformat(), "source": where[0] if where else r.source,
                        "imported_by": where[1] if where else "", "imported_at": where[2] if where else "",
                        "reason": t.reason})
    if code in tree and scheme in (None, "decision19"):
        for r in cw.rows():
            if r.target != code:
                continue
            where = stamps.get((r.scheme, r.code, r.version, r.target))
            out.append({"direction": "from", "scheme": r.scheme, "code": r.code, "level": r.level, "name": r.name,
                        "target": code, "target_name": tree.get(code).name, "relation": r.relation,
                        "status": "", "version": r.version, "valid_from": r.valid_from.isoformat(),
                        "source": where[0] if where else r.source, "imported_by": where[1] if where else "",
                        "imported_at": where[2] if where else "", "reason": ""})
    if not out:
        names = ", ".join(SCHEME_NAMES[s] for s in ((scheme,) if scheme else FOREIGN))
        raise ChisoError(f"{code}: không có trong bảng chuyển đổi ({names}) và không phải mã đơn vị hiện nay")
    table = [{"": "→" if r["direction"] == "to" else "←", "scheme": r["scheme"], "code": r["code"], "name": r["name"],
              "relation": r["relation"], "target": r["target"], "target_name": r["target_name"],
              "version": r["version"]} for r in out]
    emit(format, {"code": code, "rows": out}, out, f"{code}", table_rows=table)
    if format == Format.table:
        for reason in dict.fromkeys(r["reason"] for r in out if r["reason"]):
            echo(reason)
