"""Every chiso exception, in one place.

``ChisoError`` is the root; the CLI (and later the web app) turn any of them into a
clear message and a non-zero exit, in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


class ChisoError(Exception):
    """Root of all chiso errors."""


class SettingsError(ChisoError):
    """A setting has a value that cannot be used."""


class DefinitionError(ChisoError):
    """A definition file (index methodology, bands, catalogue) is invalid.

    ``path`` names the file and ``where`` the place inside it (``groups[2].criteria[0].max``).
    """

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None):
        self.path, self.where, self.reason = path, where, message
        prefix = ": ".join(p for p in (path, where) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class PredicateError(DefinitionError):
    """A predicate or measure expression in a definition cannot be compiled."""


class NotFoundError(ChisoError):
    """What was asked for does not exist: no such indicator, version or warning."""


class ConflictError(ChisoError):
    """A change the current state does not allow: a warning already acknowledged or resolved."""


class UnknownUnitError(NotFoundError):
    """A unit code that is not in the hierarchy."""


class WindowError(ChisoError):
    """A window (period) written in a form chiso does not read."""


class WindowYearsError(WindowError):
    """A window in years chiso does not read (``chiso.periods.windows.FIRST_YEAR``–``LAST_YEAR``)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell of an input file."""

    file: str
    row: int | None  # the row as the file's program numbers it (chiso.files.tables.ROW_CONVENTION); None: the file
    column: str | None
    reason: str
    value: str | None = None

    #: How the message names a row, a column and a value (a kind of input may say it otherwise).
    ROW_WORD: ClassVar[str] = "row"
    COLUMN_WORD: ClassVar[str] = "column"
    VALUE_WORD: ClassVar[str] = "value"

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"{self.ROW_WORD} {self.row}")
        if self.column:
            parts.append(f"{self.COLUMN_WORD} {self.column!r}")
        text = ", ".join(parts) + f": {self.reason}"
        if self.value is not None:
            text += f" ({self.VALUE_WORD} {self.value!r})"
        return text


@dataclass
class LoadError(ChisoError):
    """An input file was refused; nothing from it was written."""

    problems: list[Problem] = field(default_factory=list)
    total: int | None = None  # how many problems there were in all (problems may be truncated)
    at_least: bool = False    # checking stopped early: there are at least ``total`` problems

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = self.total if self.total is not None else len(self.problems)
        if self.at_least:
            head = (f"refused: at least {n} problems (checking stopped after the first {len(self.problems)}); "
                    "nothing was loaded")
        elif n > len(self.problems) > 0:
            head = f"refused: {n} problems (the first {len(self.problems)} are listed); nothing was loaded"
        else:
            head = f"refused: {n} problem{'s' if n != 1 else ''}; nothing was loaded"
        lines = [head] + [f"  - {p}" for p in self.problems[:50]]
        if n > 50:
            lines.append(f"  … and {n - 50} more")
        return "\n".join(lines)


class StoreError(ChisoError):
    """The store cannot be opened or is not prepared (run `chiso init`)."""


class FormulaError(ChisoError):
    """A formula cannot be read or compiled; ``column`` (1-based) points at the place."""

    def __init__(self, message: str, *, formula: str = "", column: int | None = None):
        self.formula, self.column, self.reason = formula, column, message
        where = f" at column {column}" if column is not None else ""
        text = f"formula {formula!r}{where}: {message}" if formula else message
        if formula and column is not None:
            text += f"\n  {formula}\n  {' ' * (column - 1)}^"
        super().__init__(text)


class NotAllowedError(ChisoError):
    """A write refused by role or ownership (one data – one source – one owner)."""


class LockedError(NotAllowedError):
    """A write to a locked period (kỳ đã khoá sổ)."""
