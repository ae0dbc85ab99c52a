"""What an exchange file holds once read: observations, each with the place it came from.

An SDMX or DHIS2 file is read into an ``Exchange``: its observations in the file's order,
each with its row as the user's program numbers it (an SDMX-ML file: the line of the
``<Obs>`` element — the line its start tag ends on, as the XML parser counts; a CSV file: the spreadsheet row, the header being row 1; a DHIS2 JSON
file: the position of the data value in ``dataValues``), the code of its unit as the file
writes it, and the period already as chiso writes it. ``fields`` maps chiso's names of the
parts of a value (``indicator``, ``unit``, ``period``, ``value``…) to the format's own
(``INDICATOR``, ``REF_AREA``, ``TIME_PERIOD``, ``OBS_VALUE``… or ``dataElement``, ``orgUnit``…),
so a problem names the field as the file does.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import ClassVar

from chiso.errors import LoadError, Problem

__all__ = ["Exchange", "Observation", "ObservationProblem"]


@dataclass(frozen=True)
class Observation:
    """One value of an exchange file, its parts as text (``None``: not given)."""

    row: int
    subject: str | None            # an indicator code, or a 766 score item (TOTAL, group, criterion)
    unit: str | None               # the unit's code as the file writes it
    period: str | None             # chiso's label (2026-08, 2026-Q3…), already converted
    value: str | None
    breakdown: str | None = None   # dim=value;… (None: no breakdown)
    measure: str | None = None     # the unit of measure
    status: str | None = None
    note: str | None = None
    source: str | None = None


class ObservationProblem(Problem):
    """A problem of an exchange file: its row is the place the format numbers (a line, a row)."""

    ROW_WORD: ClassVar[str] = "dòng"
    COLUMN_WORD: ClassVar[str] = "trường"
    VALUE_WORD: ClassVar[str] = "giá trị"


@dataclass(frozen=True)
class Exchange:
    """The observations of one exchange file and what the file is."""

    name: str                      # how problems name the file
    format: str                    # sdmx-ml, sdmx-csv, dhis2-json, dhis2-csv
    kind: str                      # values (DM indicator values) or scores (766 scores)
    observations: tuple[Observation, ...]
    fields: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.observations)

    def field_of(self, column: str | None) -> str | None:
        """The format's own name of a part of a value (``unit`` → ``REF_AREA``)."""
        if column is None:
            return None
        return self.fields.get(column, column)

    def with_units(self, units: dict[int, str]) -> Exchange:
        """The same file with the units of some rows re-coded (row → today's code)."""
        obs = tuple(replace(o, unit=units.get(o.row, o.unit)) for o in self.observations)
        return replace(self, observations=obs)


def refuse(problems: list[Problem]) -> LoadError:
    """A LoadError for the problems found reading an exchange file (nothing was written)."""
    return LoadError(problems[:1000], total=len(problems))
