"""What a file sent to chiso may hold, from the ``CHISO_FILE_*`` settings (docs/settings.md)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from chiso import settings


@dataclass(frozen=True)
class Limits:
    """The bounds a file is read within; every one is checked as early and cheaply as it can be."""

    max_bytes: int            # the file on disk
    max_unpacked_bytes: int   # what a compressed file (xlsx, parquet) unpacks to, from its directory
    max_ratio: int            # unpacked ÷ packed of any part of a workbook
    max_rows: int             # data rows
    max_columns: int
    max_cell_chars: int
    max_depth: int            # nesting of lists and objects (JSON, YAML)
    max_problems: int         # problems after which checking stops (the report says "at least")
    max_parts: int = 10_000   # files inside a workbook

    def but(self, **changes) -> Limits:
        return replace(self, **changes)


def current_limits(env: dict[str, str] | None = None) -> Limits:
    """The limits the settings give (read each time: a test or a server may change them)."""
    n = lambda name: settings.whole_number(name, env)
    return Limits(max_bytes=n("CHISO_FILE_MAX_BYTES"), max_unpacked_bytes=n("CHISO_FILE_MAX_UNPACKED_BYTES"),
                  max_ratio=n("CHISO_FILE_MAX_RATIO"), max_rows=n("CHISO_FILE_MAX_ROWS"),
                  max_columns=n("CHISO_FILE_MAX_COLUMNS"), max_cell_chars=n("CHISO_FILE_MAX_CELL_CHARS"),
                  max_depth=n("CHISO_FILE_MAX_DEPTH"), max_problems=n("CHISO_FILE_MAX_PROBLEMS"))


def values_limits(env: dict[str, str] | None = None) -> Limits:
    """The limits of a file of indicator values: fewer rows (``CHISO_VALUES_MAX_ROWS``)."""
    base = current_limits(env)
    return base.but(max_rows=min(base.max_rows, settings.whole_number("CHISO_VALUES_MAX_ROWS", env)))


def upload_max_bytes(env: dict[str, str] | None = None) -> int:
    """The largest file the web pages and the API accept (``CHISO_UPLOAD_MAX_BYTES``)."""
    return settings.whole_number("CHISO_UPLOAD_MAX_BYTES", env)
