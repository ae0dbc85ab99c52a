"""The command-line reference (docs/cli.md), written from the commands themselves.

    python -m chiso.cli.reference > docs/cli.md

Each command's own ``--help``, at a fixed width, under a heading per command; a test
regenerates the page and compares, so the reference cannot drift from the commands.
"""
from __future__ import annotations

import os

import typer
from typer.testing import CliRunner

from chiso.cli.app import app

WIDTH = 100


def commands(group=None, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group, as the words that name it (the root is ``()``)."""
    group = group or typer.main.get_command(app)
    out = [path]
    for name, command in getattr(group, "commands", {}).items():
        if not command.hidden:
            out += commands(command, (*path, name))
    return out


def help_text(path: tuple[str, ...]) -> str:
    """``chiso PATH --help`` as a terminal WIDTH columns wide prints it, trailing blanks cut."""
    env = {"COLUMNS": str(WIDTH), "TERM": "dumb", "NO_COLOR": "1"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = CliRunner().invoke(app, [*path, "--help"], prog_name="chiso", terminal_width=WIDTH)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def reference() -> str:
    """The reference as Markdown."""
    out = ["# The `chiso` command", "",
           "Generated from the commands by `python -m chiso.cli.reference > docs/cli.md`; a test fails "
           "when this page differs from what the commands print. Results go to standard output; bad input "
           "is refused with a message on standard error and exit code 2.", ""]
    for path in commands():
        out += [f"## `chiso{''.join(' ' + p for p in path)}`", "", "```text", help_text(path), "```", ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(reference(), end="")
