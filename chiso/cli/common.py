"""What every ``chiso`` command shares: output formats, printing, error handling, the store.

Public on purpose: each command module imports these rather than keeping its own copy.
"""
from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from functools import wraps

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from chiso import settings
from chiso.catalog.index_definition import IndexDefinition, load_index_definition
from chiso.cli.output import print_table, to_csv, to_json
from chiso.errors import ChisoError
from chiso.store.database import open_database, require_current


def composed(arg: str) -> str:
    """A command-line argument in Unicode NFC — but a path that exists only as written (a file
    a Mac named in decomposed form) is kept as written, so that it still opens."""
    value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
    nfc = unicodedata.normalize("NFC", value)
    if nfc == value or (os.path.exists(value) and not os.path.exists(nfc)):
        return arg
    return arg[: len(arg) - len(value)] + nfc


class ComposedArgs(TyperGroup):
    """The root command group: every argument in NFC before any command reads it, so that
    ``--as`` a unit, a reason or a name typed in decomposed form is the name chiso keeps."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, [composed(a) for a in args])


#: Messages and progress go to standard error; results to standard output.
err = Console(stderr=True)


class Role(str, Enum):
    """The role a command acts in when it writes values (its ownership rules apply)."""

    officer = "officer"
    head = "head"
    admin = "admin"


class Format(str, Enum):
    """How a command prints its result."""

    table = "table"
    json = "json"
    csv = "csv"


class Level(str, Enum):
    province = "province"
    department = "department"
    commune = "commune"


def handled(fn):
    """Turn any chiso error into a clear message and exit code 2 — in one place."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ChisoError as e:
            err.print(f"[bold red]error:[/] {escape(str(e))}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (KeyError, ValueError) as e:
            msg = e.args[0] if e.args else str(e)
            err.print(f"[bold red]error:[/] {escape(str(msg))}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
    return wrapper


def echo(text: str) -> None:
    """Print a result to standard output, ending it with one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def emit(format: Format | str, document, rows: list[dict], title: str,
         table_rows: list[dict] | None = None) -> None:
    """Print a result in the chosen format: the JSON document, CSV rows, or a table."""
    format = Format(format)
    if format == Format.json:
        echo(to_json(document))
    elif format == Format.csv:
        echo(to_csv(rows))
    else:
        print_table(rows if table_rows is None else table_rows, title=title)


def definition() -> IndexDefinition:
    """The index definition in force (``CHISO_INDEX_DEFINITION`` or the shipped one)."""
    return load_index_definition()


def province_code(code: str | None) -> str:
    """The province a command is about: the one given, else the installation's (settings)."""
    return code or settings.province()


@contextmanager
def store_session() -> Iterator:
    """A session on the prepared store (``chiso init`` first)."""
    db = open_database()
    try:
        require_current(db)
        with db.session() as s:
            yield s
    finally:
        db.dispose()
