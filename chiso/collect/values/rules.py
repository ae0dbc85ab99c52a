"""The rules a batch of values must pass before it is accepted (kiểm tra trước khi tiếp nhận).

Each rule is one small function. Row rules turn a written row into an ``Entry`` (a checked
value) or say what is wrong with it; batch rules look at the entries together (duplicates,
the owner, locks, outliers against history, completeness, timeliness). Every finding is a
``Problem`` naming file, row, column and reason, with a ``kind`` that decides how the batch
is refused: ``locked`` (LockedError), ``not_allowed`` (NotAllowedError), ``invalid``
(LoadError) — or ``warning``, which is reported but does not refuse.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from chiso.catalog.indicator import Indicator
from chiso.collect.values import reasons
from chiso.collect.values.batch import COLUMNS, REQUIRED, Batch, RawRow
from chiso.errors import Problem, WindowError
from chiso.periods.windows import Window, parse_window
from chiso.text import fold
from chiso.units.model import Unit

Kind = Literal["invalid", "not_allowed", "locked", "warning"]

#: The period kind each reporting frequency is written in.
PERIOD_KIND: dict[str, str] = {"daily": "day", "weekly": "week", "monthly": "month",
                               "quarterly": "quarter", "yearly": "year"}
EXAMPLE: dict[str, str] = {"day": "2026-08-17", "week": "2026-W34", "month": "2026-08",
                           "quarter": "2026-Q3", "year": "2026"}


@dataclass(frozen=True)
class ValidationConfig:
    """Settings of the value rules.

    ``outlier_k``: a value is an outlier when it lies outside mean ± k·sd of the same
    series' latest ``outlier_window`` earlier values, judged once there are at least
    ``outlier_min_history`` of them. An outlier refuses the batch unless its row explains
    it in ``note`` (then it is a warning). The sd used is at least ``outlier_sd_floor`` ×
    |mean|, and for counts (whole numbers) at least √mean, the noise of a Poisson count — a
    commune's three new enterprises in a week after 1, 0, 1, 0 is ordinary, and counts whose
    mean is below ``outlier_min_count_mean`` are not judged at all. A value outside the band
    is still ordinary when the same period of one of the three earlier years stood out in the
    same direction by at least ``outlier_season_share`` of its deviation (seasonality). Without the floor,
    a smooth, slowly trending series (coverage rising 0.2 points a month, an occupancy rate rising each quarter) has a tiny
    sd, and its next ordinary value would otherwise be judged an outlier. ``completeness``: ``refuse`` a submitted batch
    that leaves an expected unit without a value, or only ``flag`` it.
    """

    outlier_k: float = 3.0
    outlier_min_history: int = 4
    outlier_window: int = 24
    outlier_sd_floor: float = 0.02
    outlier_min_count_mean: float = 10.0
    outlier_season_share: float = 0.5
    completeness: Literal["refuse", "flag"] = "refuse"

    def __post_init__(self) -> None:
        if not (self.outlier_k > 0 and math.isfinite(self.outlier_k)):
            raise ValueError(f"outlier k must be a positive number, not {self.outlier_k}")
        if self.outlier_min_history < 2:
            raise ValueError("outliers need at least 2 earlier values to judge against")
        if self.completeness not in ("refuse", "flag"):
            raise ValueError(f"completeness is 'refuse' or 'flag', not {self.completeness!r}")


@dataclass(frozen=True)
class Finding:
    problem: Problem
    kind: Kind


@dataclass
class Findings:
    """What the rules found, in order. Past ``limit`` refusing findings the file is refused
    anyway: ``full`` tells the rules to stop reading rows, and the report says "at least"."""

    items: list[Finding] = field(default_factory=list)
    limit: int | None = None
    refused: int = 0

    def add(self, kind: Kind, file: str, row: int | None, column: str | None, reason: str,
            value: object | None = None) -> None:
        if kind != "warning":
            self.refused += 1
        self.items.append(Finding(Problem(file, row, column, reason,
                                          None if value is None else str(value)), kind))

    @property
    def full(self) -> bool:
        """Enough problems to refuse the file and to show: checking may stop."""
        return self.limit is not None and self.refused >= self.limit

    def of(self, *kinds: Kind) -> list[Problem]:
        return [f.problem for f in self.items if f.kind in kinds]

    @property
    def refusing(self) -> list[Finding]:
        return [f for f in self.items if f.kind != "warning"]


class Units(Protocol):
    """What the rules need of the unit hierarchy (``chiso.units.registry.UnitTree`` fits)."""

    def __contains__(self, code: object) -> bool: ...

    def get(self, code: str) -> Unit: ...

    def units(self, province: str | None = None, level: str | None = None) -> list[Unit]: ...


@dataclass(frozen=True)
class Entry:
    """A row that passed the row rules: a value ready to be compared and written."""

    row: int
    indicator: Indicator
    unit: Unit
    window: Window
    breakdown: str          # '' for none; else ``dim=value;dim=value`` in the indicator's order
    value: float
    note: str | None
    source: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.indicator.code, self.unit.code, self.window.label, self.breakdown


def describe(unit: Unit) -> str:
    return f"{unit.code} ({unit.name})"


def owner_text(indicator: Indicator, units: Units) -> str:
    return describe(units.get(indicator.owner)) if indicator.owner in units else indicator.owner


# --------------------------------------------------------------------------- columns

def check_columns(batch: Batch, found: Findings) -> bool:
    """Required columns present, no unknown ones; False when rows cannot be read at all."""
    if not batch.rows:
        found.add("invalid", batch.name, None, None, reasons.text("file.empty"))
        return False
    ok = True
    for col in REQUIRED:
        if col not in batch.columns:
            found.add("invalid", batch.name, None, col,
                      reasons.text("column.missing", required=", ".join(REQUIRED),
                                   optional=", ".join(COLUMNS[len(REQUIRED):])))
            ok = False
    for col in batch.columns:
        if col not in COLUMNS:
            found.add("invalid", batch.name, None, col, reasons.text("column.unknown", columns=", ".join(COLUMNS)))
    return ok


# --------------------------------------------------------------------------- row rules

def indicator_of(raw: RawRow, catalogue: Mapping[str, Indicator], file: str,
                 found: Findings) -> Indicator | None:
    code = raw.get("indicator")
    if code is None:
        found.add("invalid", file, raw.row, "indicator", reasons.text("cell.empty"))
        return None
    indicator = catalogue.get(code) or catalogue.get(code.upper())
    if indicator is None:
        found.add("invalid", file, raw.row, "indicator", reasons.text("indicator.unknown"), code)
        return None
    if not indicator.collected:
        how = ("indicator.formula" if indicator.formula is not None else
               "indicator.composite" if indicator.composite is not None else
               "indicator.tasks" if indicator.tasks is not None else "indicator.index")
        found.add("invalid", file, raw.row, "indicator", reasons.text(how, code=indicator.code), code)
        return None
    if indicator.status == "retired":
        found.add("invalid", file, raw.row, "indicator", reasons.text("indicator.retired", code=indicator.code), code)
        return None
    return indicator


def unit_of(raw: RawRow, indicator: Indicator, units: Units, file: str,
            found: Findings) -> Unit | None:
    """A known unit, of a level the indicator is reported at, in the owner's province."""
    code = raw.get("unit")
    if code is None:
        found.add("invalid", file, raw.row, "unit", reasons.text("cell.empty"))
        return None
    if code not in units:
        found.add("invalid", file, raw.row, "unit", reasons.text("unit.unknown"), code)
        return None
    unit = units.get(code)
    if unit.level not in indicator.levels:
        found.add("invalid", file, raw.row, "unit",
                  reasons.text("unit.level", code=indicator.code, levels=", ".join(indicator.levels),
                               unit=describe(unit), level=unit.level), code)
        return None
    owner_province = units.get(indicator.owner).province_code if indicator.owner in units else None
    if owner_province is not None and unit.province_code != owner_province:
        found.add("invalid", file, raw.row, "unit",
                  reasons.text("unit.province", unit=describe(unit), province=owner_province,
                               code=indicator.code), code)
        return None
    return unit


def period_of(raw: RawRow, indicator: Indicator, today: dt.date, file: str,
              found: Findings) -> Window | None:
    """A period written as parse_window writes it, of the indicator's frequency, begun by today."""
    text = raw.get("period")
    if text is None:
        found.add("invalid", file, raw.row, "period", reasons.text("cell.empty"))
        return None
    try:
        window = parse_window(text)
    except WindowError as exc:
        found.add("invalid", file, raw.row, "period", str(exc), text)
        return None
    expected = PERIOD_KIND[indicator.frequency]
    if window.kind != expected:
        found.add("invalid", file, raw.row, "period",
                  reasons.text("period.frequency", code=indicator.code, frequency=indicator.frequency,
                               kind=expected, example=EXAMPLE[expected]), text)
        return None
    if window.start > today:
        found.add("invalid", file, raw.row, "period", reasons.text("period.future", period=window.label), text)
        return None
    if indicator.valid_to is not None and window.start > indicator.valid_to:
        found.add("invalid", file, raw.row, "period",
                  reasons.text("period.after_validity", code=indicator.code, version=indicator.version,
                               date=indicator.valid_to), text)
        return None
    if indicator.valid_from is not None and window.end < indicator.valid_from:
        found.add("invalid", file, raw.row, "period",
                  reasons.text("period.before_validity", code=indicator.code, version=indicator.version,
                               date=indicator.valid_from), text)
        return None
    return window


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_NONZERO_MANTISSA = re.compile(r"[1-9]")  # 1e-400 is not 0, though a float cannot hold it


def parse_number(text: str) -> float | None:
    """A number as offices write it: ``12.5``, ``12,5`` (decimal comma), ``1 234``; else None.

    >>> parse_number("12,5"), parse_number("1 234.5"), parse_number("1.234,5")
    (12.5, 1234.5, None)
    """
    t = text.replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(t):
        return None
    value = float(t.replace(",", "."))
    return value if math.isfinite(value) else None


def value_of(raw: RawRow, indicator: Indicator, file: str, found: Findings) -> float | None:
    """A number in the indicator's unit of measure, within its allowed range."""
    text = raw.get("value")
    if text is None:
        found.add("invalid", file, raw.row, "value", reasons.text("cell.empty"))
        return None
    measure = raw.get("measure")
    body = text
    if body.endswith("%"):
        body = body[:-1].strip()
        if indicator.unit != "%":
            found.add("invalid", file, raw.row, "value",
                      reasons.text("value.percent", code=indicator.code, unit=indicator.unit), text)
            return None
    if measure is not None and fold(measure) != fold(indicator.unit):
        found.add("invalid", file, raw.row, "measure",
                  reasons.text("measure.mismatch", code=indicator.code, unit=repr(indicator.unit),
                               measure=repr(measure)), measure)
        return None
    value = parse_number(body)
    if value is None:
        wrong = reasons.wrong_character(text)
        found.add("invalid", file, raw.row, "value", reasons.text("value.not_number") if wrong is None else
                  reasons.text("value.character", char=repr(wrong[0]), position=wrong[1], text=text), text)
        return None
    if value == 0 and _NONZERO_MANTISSA.search(body.split("e")[0].split("E")[0]):
        found.add("invalid", file, raw.row, "value", reasons.text("value.underflow"), text)
        return None
    low, high = indicator.range.min, indicator.range.max
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{'−∞' if low is None else _num(low)}, {'+∞' if high is None else _num(high)}]"
        found.add("invalid", file, raw.row, "value",
                  reasons.text("value.range", bounds=bounds, code=indicator.code), text)
        return None
    return value


def _num(x: float) -> str:
    return f"{x:g}"


def breakdown_of(raw: RawRow, indicator: Indicator, file: str, found: Findings) -> str | None:
    """``''`` or ``dim=value;…`` over the indicator's breakdowns, in the catalogue's order."""
    text = raw.get("breakdown")
    if text is None:
        return ""
    if not indicator.breakdowns:
        found.add("invalid", file, raw.row, "breakdown", reasons.text("breakdown.none", code=indicator.code), text)
        return None
    parts: dict[str, str] = {}
    for piece in text.split(";"):
        dim, sep, value = (s.strip() for s in piece.partition("="))
        if not sep or not dim or not value:
            found.add("invalid", file, raw.row, "breakdown", reasons.text("breakdown.syntax"), text)
            return None
        if dim not in indicator.breakdowns:
            found.add("invalid", file, raw.row, "breakdown",
                      reasons.text("breakdown.dimension", code=indicator.code,
                                   dimensions=", ".join(indicator.breakdowns), dimension=repr(dim)), text)
            return None
        if dim in parts:
            found.add("invalid", file, raw.row, "breakdown", reasons.text("breakdown.twice", dimension=repr(dim)), text)
            return None
        parts[dim] = value
    return ";".join(f"{d}={parts[d]}" for d in indicator.breakdowns if d in parts)


def source_of(raw: RawRow, indicator: Indicator, declared: str | None, file: str,
              found: Findings) -> str | None:
    """The row's source system: one the catalogue names for the indicator ("một nguồn")."""
    written = raw.get("source")
    if written is not None and declared is not None and written != declared:
        found.add("not_allowed", file, raw.row, "source",
                  reasons.text("source.mismatch", written=repr(written), declared=repr(declared)), written)
        return None
    source = written or declared or indicator.source_system
    allowed = (indicator.source_system, *indicator.other_sources)
    if source not in allowed:
        found.add("not_allowed", file, raw.row, "source",
                  reasons.text("source.not_allowed", code=indicator.code,
                               allowed=", ".join(repr(a) for a in allowed)), source)
        return None
    return source


def read_rows(batch: Batch, catalogue: Mapping[str, Indicator], units: Units, *,
              declared_source: str | None, today: dt.date, found: Findings) -> list[Entry]:
    """Every row through the row rules: the entries of the rows that passed."""
    entries = []
    passed: dict[tuple, Entry] = {}  # a row written again word for word passes as the first did
    for raw in batch.rows:
        if found.full:
            break
        cells = tuple(raw.cells.items())
        if cells in passed:
            entries.append(replace(passed[cells], row=raw.row))
            continue
        indicator = indicator_of(raw, catalogue, batch.name, found)
        if indicator is None:
            continue
        unit = unit_of(raw, indicator, units, batch.name, found)
        window = period_of(raw, indicator, today, batch.name, found)
        value = value_of(raw, indicator, batch.name, found)
        breakdown = breakdown_of(raw, indicator, batch.name, found)
        source = source_of(raw, indicator, declared_source, batch.name, found)
        if None in (unit, window, value, breakdown, source):
            continue
        entries.append(Entry(raw.row, indicator, unit, window, breakdown, value, raw.get("note"), source))
        passed[cells] = entries[-1]
    return entries


# --------------------------------------------------------------------------- batch rules

def check_duplicates(entries: Iterable[Entry], file: str, found: Findings) -> None:
    first: dict[tuple[str, str, str, str], int] = {}
    for e in entries:
        if found.full:
            return
        if e.key in first:
            found.add("invalid", file, e.row, "indicator, unit, period, breakdown",
                      reasons.text("row.duplicate_breakdown" if e.breakdown else "row.duplicate",
                                   first=first[e.key], code=e.indicator.code, unit=e.unit.code,
                                   period=e.window.label, breakdown=e.breakdown),
                      ", ".join(k for k in e.key if k))
        else:
            first[e.key] = e.row


def check_owner(entries: Iterable[Entry], as_unit: str, admin: bool, units: Units, file: str,
                found: Findings) -> None:
    """Only the owner agency writes an indicator's values ("một chủ sở hữu")."""
    if admin:
        return
    refused: dict[str, Entry] = {}
    for e in entries:
        if e.indicator.owner != as_unit and e.indicator.code not in refused:
            refused[e.indicator.code] = e
    who = describe(units.get(as_unit)) if as_unit in units else as_unit
    for code, e in refused.items():
        found.add("not_allowed", file, e.row, "indicator",
                  reasons.text("owner.not_owner", owner=owner_text(e.indicator, units), code=code, who=who),
                  code)


def check_locks(entries: Iterable[Entry], states: Mapping[tuple[str, str], str], draft: bool,
                file: str, found: Findings) -> None:
    """A locked period refuses writes; a submitted one refuses drafts."""
    seen: set[tuple[str, str]] = set()
    for e in entries:
        pair = (e.indicator.code, e.window.label)
        if pair in seen:
            continue
        seen.add(pair)
        state = states.get(pair)
        if state == "locked":
            found.add("locked", file, e.row, "period",
                      reasons.text("period.locked", code=e.indicator.code, period=e.window.label), e.window.label)
        elif draft and state in ("submitted", "approved"):
            found.add("invalid", file, e.row, "period",
                      reasons.text("period.draft_after_submit", code=e.indicator.code, period=e.window.label,
                                   state=state), e.window.label)


def _spread(history: list[float], config: ValidationConfig, value: float) -> tuple[float, float] | None:
    """(mean, sd) a value is judged against, or None when the history cannot judge it."""
    if len(history) < config.outlier_min_history:
        return None
    mean, sd = statistics.fmean(history), statistics.stdev(history)
    if sd == 0:
        return None  # a constant series says nothing about how far a value may move
    sd = max(sd, config.outlier_sd_floor * abs(mean))
    if all(float(x).is_integer() for x in history) and float(value).is_integer() and mean >= 0:
        if mean < config.outlier_min_count_mean:
            return None  # a handful a week: too few to tell an outlier from chance
        sd = max(sd, math.sqrt(mean))  # counts (enterprises, dossiers): at least Poisson noise
    return mean, sd


def _seasonal(z: float, season: list[tuple[float, list[float]]], config: ValidationConfig) -> bool:
    """Whether the same period of an earlier year stood out the same way (a year-end surge of
    disbursement, the Tết dip): then the value is the season, not an error."""
    for value, history in season:
        spread = _spread(history, config, value)
        if spread is None:
            continue
        past = (value - spread[0]) / spread[1]
        if past * z > 0 and abs(past) >= abs(z) * config.outlier_season_share:
            return True
    return False


def check_outlier(e: Entry, history: list[float], config: ValidationConfig, file: str,
                  found: Findings, season: Callable[[Entry], list[tuple[float, list[float]]]] | None = None
                  ) -> None:
    """mean ± k·sd of the series' earlier values, unless the same period of an earlier year
    stood out the same way; explained in the note → only a warning."""
    spread = _spread(history, config, e.value)
    if spread is None:
        return
    mean, sd = spread
    low, high = mean - config.outlier_k * sd, mean + config.outlier_k * sd
    if low <= e.value <= high:
        return
    if season is not None and _seasonal((e.value - mean) / sd, season(e), config):
        return
    fields = {"code": e.indicator.code, "unit": e.unit.code, "mean": f"{mean:.4g}", "sd": f"{sd:.4g}",
              "count": len(history), "low": f"{low:.4g}", "high": f"{high:.4g}", "k": f"{config.outlier_k:g}"}
    if e.note:
        found.add("warning", file, e.row, "value", reasons.text("value.outlier_explained", **fields),
                  _num(e.value))
    else:
        found.add("invalid", file, e.row, "value", reasons.text("value.outlier", **fields), _num(e.value))


def check_outliers(entries: Iterable[Entry], history: Callable[[Entry], list[float]],
                   config: ValidationConfig, file: str, found: Findings,
                   season: Callable[[Entry], list[tuple[float, list[float]]]] | None = None) -> None:
    for e in entries:
        check_outlier(e, history(e), config, file, found, season)


def expected_units(indicator: Indicator, units: Units) -> list[Unit]:
    """Every unit the indicator expects a value from: its levels in the owner's province."""
    if indicator.owner not in units:
        return []
    province = units.get(indicator.owner).province_code
    if province is None:
        return []
    return [u for u in units.units(province=province) if u.level in indicator.levels]


def check_completeness(entries: list[Entry], present: Callable[[str, str], set[str]],
                       units: Units, config: ValidationConfig, file: str,
                       found: Findings) -> None:
    """After this batch, every expected unit has a value for each indicator × period it touches."""
    touched: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        touched.setdefault((e.indicator.code, e.window.label), []).append(e)
    kind: Kind = "invalid" if config.completeness == "refuse" else "warning"
    for (code, period), group in touched.items():
        indicator = group[0].indicator
        have = {e.unit.code for e in group if not e.breakdown} | present(code, period)
        missing = [u for u in expected_units(indicator, units) if u.code not in have]
        if not missing:
            continue
        shown = ", ".join(describe(u) for u in missing[:10]) + (" …" if len(missing) > 10 else "")
        found.add(kind, file, None, "unit",
                  reasons.text("unit.incomplete" if kind == "invalid" else "unit.incomplete_flag",
                               count=len(missing), code=code, period=period, units=shown), f"{code} {period}")


def deadline(indicator: Indicator, window: Window) -> dt.date:
    """The last day a value may arrive on time: the period's end + the indicator's deadline days."""
    return window.end + dt.timedelta(days=indicator.deadline_days)


def is_late(e: Entry, today: dt.date) -> bool:
    """Timeliness: after the deadline a value is accepted but flagged late."""
    return today > deadline(e.indicator, e.window)
