"""docs/cli.md is what the commands print: regenerate it with ``python -m chiso.cli.reference``."""
from __future__ import annotations

import re
from pathlib import Path

from chiso.cli.reference import commands, reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _year_free(text: str) -> str:
    # ``chiso generate --year`` defaults to the current year
    return re.sub(r"\[default: 20\d\d\]", "[default: YEAR]", text)


def test_the_cli_reference_is_what_the_commands_print() -> None:
    assert _year_free(DOC.read_text()) == _year_free(reference()), \
        "docs/cli.md is stale: run `python -m chiso.cli.reference > docs/cli.md`"


def test_every_command_has_a_section_and_a_help_text() -> None:
    found = commands()
    assert ("values", "submit") in found and ("users", "token", "create") in found
    text = DOC.read_text()
    for path in found:
        assert f"## `chiso{''.join(' ' + p for p in path)}`" in text
