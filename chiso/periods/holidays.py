"""Public holidays (ngày nghỉ lễ, Tết) and working-day arithmetic (ngày làm việc).

Deadlines in the index are counted in working days: Monday to Friday, minus the days
off of state agencies, plus the Saturdays worked to make up a swapped day (ngày làm
bù). The days off ship as data, ``periods/holidays.yaml`` (format:
``docs/holidays.md``); a province may point ``CHISO_HOLIDAYS`` at its own copy. Loading
checks the file and names the file and place of each error.

Listed years are authoritative. For a year that is not listed, ``estimate_year``
applies the file's ``estimate`` rules (lunar dates, Tết and Quốc khánh patterns): the
demo generator uses that for years beyond the list; loading real records never does
(a deadline in a year without official days off is a problem to report, not a guess).

>>> cal = load_holidays()
>>> days = cal.working_days()
>>> ends, ok = days.add(np.array(["2026-08-28"], dtype="datetime64[D]"), np.array([3]))
>>> str(ends[0]), bool(ok[0])  # Friday + 3: Mon 31/8 (swapped), 1/9 and 2/9 are off
('2026-09-07', True)
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chiso import settings
from chiso.errors import DefinitionError

DEFAULT_HOLIDAYS = Path(__file__).parent / "holidays.yaml"

# Bộ luật Lao động 2019, Điều 112 — and the two kinds of day that move a working day.
HOLIDAYS: dict[str, tuple[str, str]] = {
    "new_year": ("Tết Dương lịch", "New Year's Day"),
    "tet": ("Tết Nguyên đán", "Lunar New Year"),
    "hung_kings": ("Giỗ Tổ Hùng Vương", "Hùng Kings' Commemoration Day"),
    "reunification": ("Ngày Chiến thắng 30/4", "Reunification Day"),
    "labour_day": ("Ngày Quốc tế Lao động 1/5", "International Labour Day"),
    "national_day": ("Quốc khánh 2/9", "National Day"),
    "compensatory": ("Nghỉ bù", "Compensatory day off"),
    "swap": ("Nghỉ hoán đổi ngày làm việc", "Swapped working day"),
    "other": ("Ngày nghỉ khác", "Other day off"),
}
Holiday = Literal["new_year", "tet", "hung_kings", "reunification", "labour_day", "national_day",
                  "compensatory", "swap", "other"]
Basis = Literal["statutory", "announced", "computed"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_RANGE_DAYS = 14
_WEEKMASK = "1111100"


# ---------------------------------------------------------------- the file's shape
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DayOffSpec(_Strict):
    date: dt.date | None = None
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    holiday: Holiday
    basis: Basis
    name: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_day_or_a_range(self):
        if (self.date is None) == (self.from_ is None and self.to is None):
            raise ValueError("give either date, or from and to")
        if self.date is None and (self.from_ is None or self.to is None):
            raise ValueError("a range needs both from and to")
        if self.from_ is not None and self.to is not None:
            if self.to < self.from_:
                raise ValueError(f"the range ends ({self.to}) before it starts ({self.from_})")
            if (self.to - self.from_).days + 1 > MAX_RANGE_DAYS:
                raise ValueError(f"a range of days off is at most {MAX_RANGE_DAYS} days")
        if self.holiday == "other" and not self.name:
            raise ValueError("a day off of holiday 'other' needs a name")
        return self

    def days(self) -> list[dt.date]:
        if self.date is not None:
            return [self.date]
        assert self.from_ is not None and self.to is not None
        return [self.from_ + dt.timedelta(days=i) for i in range((self.to - self.from_).days + 1)]


class MakeUpSpec(_Strict):
    date: dt.date
    replaces: dt.date
    basis: Basis
    note: str | None = None


class YearSpec(_Strict):
    days_off: list[DayOffSpec] = Field(min_length=1)
    make_up_days: list[MakeUpSpec] = Field(default_factory=list)

    @field_validator("make_up_days", mode="before")
    @classmethod
    def _none_is_empty(cls, v):
        # `make_up_days:` with nothing under it is YAML's null
        return [] if v is None else v


class LunarSpec(_Strict):
    tet: dt.date
    hung_kings: dt.date


class EstimateSpec(_Strict):
    lunar: dict[int, LunarSpec]
    tet_weekdays_before: dict[Literal[WEEKDAYS], int]  # type: ignore[valid-type]
    national_day_adjacent: dict[Literal[WEEKDAYS], Literal["before", "after"]]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _every_weekday(self):
        for name in ("tet_weekdays_before", "national_day_adjacent"):
            missing = [d for d in WEEKDAYS if d not in getattr(self, name)]
            if missing:
                raise ValueError(f"{name} lacks {', '.join(missing)}")
        if any(not 0 <= n <= 4 for n in self.tet_weekdays_before.values()):
            raise ValueError("tet_weekdays_before must be between 0 and 4 (Tết has 5 weekdays off)")
        return self


class HolidaysSpec(_Strict):
    version: str
    years: dict[int, YearSpec] = Field(min_length=1)
    estimate: EstimateSpec


# ---------------------------------------------------------------- compiled objects
@dataclass(frozen=True)
class DayOff:
    """One day off (ngày nghỉ): a calendar day, its holiday, and why it is off."""

    day: dt.date
    holiday: str
    basis: str
    name: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return self.name or HOLIDAYS[self.holiday][0]


@dataclass(frozen=True)
class MakeUpDay:
    """A weekend day worked (ngày làm bù) in exchange for a swapped day off."""

    day: dt.date
    replaces: dt.date
    basis: str
    note: str = ""


@dataclass(frozen=True)
class HolidayYear:
    year: int
    days_off: tuple[DayOff, ...]
    make_up_days: tuple[MakeUpDay, ...] = ()
    estimated: bool = False

    @property
    def status(self) -> str:
        """``announced`` when every Government choice of the year is known, ``computed``
        when some are chiso's estimate, ``estimated`` for a year not in the file."""
        if self.estimated:
            return "estimated"
        return "computed" if any(d.basis == "computed" for d in self.days_off) else "announced"

    def off(self) -> set[dt.date]:
        return {d.day for d in self.days_off}

    def weekdays_off(self) -> list[dt.date]:
        """The days off that would otherwise be working days (Monday–Friday)."""
        return sorted(d for d in self.off() if d.weekday() < 5)

    def tet_break(self) -> tuple[dt.date, dt.date] | None:
        tet = sorted(d.day for d in self.days_off if d.holiday == "tet")
        return (tet[0], tet[-1]) if tet else None


@dataclass(frozen=True)
class EstimateRule:
    lunar: dict[int, tuple[dt.date, dt.date]]  # year -> (mùng 1 Tết, 10/3 âm lịch)
    tet_weekdays_before: dict[int, int]  # weekday (Monday = 0) of mùng 1 -> weekdays off before it
    national_day_after: dict[int, bool]  # weekday of 2/9 -> the adjacent day is the day after


@dataclass(frozen=True)
class HolidayCalendar:
    """The days off of every listed year, and the rule to estimate other years."""

    version: str
    years: dict[int, HolidayYear]
    rule: EstimateRule
    path: str
    sha256: str = field(default="")

    @property
    def first_year(self) -> int:
        return min(self.years)

    @property
    def last_year(self) -> int:
        return max(self.years)

    def lunar_new_year(self, year: int) -> dt.date:
        """Mùng 1 Tết of ``year`` (from the file's lunar table)."""
        try:
            return self.rule.lunar[year][0]
        except KeyError:
            raise DefinitionError(f"no Lunar New Year date for {year}; the lunar table covers "
                                  f"{min(self.rule.lunar)}–{max(self.rule.lunar)}",
                                  path=self.path, where="estimate.lunar") from None

    def year(self, year: int, *, estimate: bool = False) -> HolidayYear:
        """The days off of ``year``: as listed, or (``estimate``) by the estimate rule."""
        if year in self.years:
            return self.years[year]
        if not estimate:
            raise DefinitionError(f"no days off for {year}: the file lists {self.first_year}–{self.last_year}; "
                                  "add that year (see docs/holidays.md) and point CHISO_HOLIDAYS at the copy",
                                  path=self.path, where="years")
        return estimate_year(self, year)

    def working_days(self, first: dt.date | None = None, last: dt.date | None = None, *,
                     estimate: bool = False) -> WorkingDays:
        """Working-day arithmetic over [first, last] (default: every listed year)."""
        first = first or dt.date(self.first_year, 1, 1)
        last = last or dt.date(self.last_year, 12, 31)
        if last < first:
            raise ValueError(f"the span ends ({last}) before it starts ({first})")
        off: set[dt.date] = set()
        make_up: set[dt.date] = set()
        for y in range(first.year, last.year + 1):
            hy = self.year(y, estimate=estimate)
            off |= hy.off()
            make_up |= {m.day for m in hy.make_up_days}
        return WorkingDays.build(first, last, off, make_up)

    def adjustments(self) -> list[tuple[dt.date, int]]:
        """Where the Monday–Friday count of working days is corrected, and by how much:
        ``(day, -1)`` for a weekday off, ``(day, +1)`` for a make-up day. The predicates'
        WORKDAYS adds their running total (``correction_steps``) to its Monday–Friday
        arithmetic in SQL (``chiso.engine.predicates``)."""
        out: list[tuple[dt.date, int]] = []
        for hy in self.years.values():
            out += [(d, -1) for d in hy.weekdays_off()]
            out += [(m.day, +1) for m in hy.make_up_days]
        return sorted(out)

    def correction_steps(self) -> list[tuple[dt.date, int]]:
        """The running total of ``adjustments()``: ``(day, c)`` says that from ``day`` on
        (until the next step) the Monday–Friday count from before the first listed year
        is corrected by ``c``. Before the first step the correction is 0; after the last
        it stays at the last step's value (years not listed add nothing to it)."""
        out: list[tuple[dt.date, int]] = []
        total = 0
        for day, delta in self.adjustments():
            total += delta
            out.append((day, total))
        return out

    def workdays(self, a: np.ndarray | dt.date, b: np.ndarray | dt.date) -> np.ndarray:
        """WORKDAYS(a, b) of the predicates for any dates: Monday–Friday after ``a`` up to and
        including ``b`` (negative when b < a), corrected by the days off and make-up days
        of the listed years. Inside the listed years this is ``working_days().count``;
        days in years the file does not list count Monday–Friday (docs/holidays.md)."""
        a = np.atleast_1d(np.asarray(a, dtype="datetime64[D]"))
        b = np.atleast_1d(np.asarray(b, dtype="datetime64[D]"))
        lo, hi = np.minimum(a, b), np.maximum(a, b)  # busday_count is not antisymmetric
        weekdays = np.where(b >= a, 1, -1) * np.busday_count(lo + 1, hi + 1, weekmask=_WEEKMASK)
        steps = self.correction_steps()
        if not steps:
            return weekdays
        days = np.array([d for d, _ in steps], dtype="datetime64[D]")
        running = np.array([0] + [c for _, c in steps], dtype=np.int64)
        return (weekdays + running[np.searchsorted(days, b, side="right")]
                - running[np.searchsorted(days, a, side="right")])


@dataclass(frozen=True)
class WorkingDays:
    """Working days over a span, vectorised by look-ups in the sorted array of working days.

    ``add`` counts from the first working day on or after a start (a start on a weekend
    or a day off rolls forward) and says which results fall inside the span.
    """

    first: dt.date
    last: dt.date
    days: np.ndarray  # datetime64[D], sorted: the working days of the span

    @classmethod
    def build(cls, first: dt.date, last: dt.date, off: Iterable[dt.date], make_up: Iterable[dt.date]) -> WorkingDays:
        span = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
        work = np.is_busday(span, weekmask=_WEEKMASK)
        off_arr = np.array(sorted(off), dtype="datetime64[D]")
        up_arr = np.array(sorted(make_up), dtype="datetime64[D]")
        work = (work & ~np.isin(span, off_arr)) | np.isin(span, up_arr)
        return cls(first, last, span[work])

    def is_working_day(self, days: np.ndarray) -> np.ndarray:
        days = np.asarray(days, dtype="datetime64[D]")
        i = np.searchsorted(self.days, days, side="left")
        found = i < len(self.days)
        return found & (self.days[np.minimum(i, len(self.days) - 1)] == days)

    def add(self, starts: np.ndarray, n: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        """(``starts`` + ``n`` working days, inside the span?) for whole columns."""
        starts = np.asarray(starts, dtype="datetime64[D]")
        target = np.searchsorted(self.days, starts, side="left") + np.asarray(n, dtype=np.int64)
        ok = ((starts >= np.datetime64(self.first, "D")) & (starts <= np.datetime64(self.last, "D"))
              & (target >= 0) & (target < len(self.days)))
        ends = self.days[np.clip(target, 0, max(len(self.days) - 1, 0))] if len(self.days) else starts
        return ends, ok

    def count(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Working days after ``a`` up to and including ``b`` (negative when b < a), as
        the predicates' WORKDAYS(a, b)."""
        a = np.asarray(a, dtype="datetime64[D]")
        b = np.asarray(b, dtype="datetime64[D]")
        return np.searchsorted(self.days, b, side="right") - np.searchsorted(self.days, a, side="right")


# ---------------------------------------------------------------- the estimate rule
def _next_weekdays(start: dt.date, n: int, step: int, off: set[dt.date]) -> list[dt.date]:
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5 and d not in off:
            out.append(d)
        d += dt.timedelta(days=step)
    return out


def estimate_year(calendar: HolidayCalendar, year: int) -> HolidayYear:
    """The days off of ``year`` by the file's estimate rules: the Labour Code's fixed days,
    Giỗ Tổ from the lunar table, 5 Tết weekdays placed around mùng 1, the second Quốc
    khánh day next to 2/9, and a compensatory weekday for each holiday on a weekend."""
    rule = calendar.rule
    tet = calendar.lunar_new_year(year)
    hung = rule.lunar[year][1]
    before = rule.tet_weekdays_before[tet.weekday()]
    first = _next_weekdays(tet - dt.timedelta(days=1), before, -1, set())[-1] if before else tet
    tet_days = _next_weekdays(first, 5, 1, set())
    national = dt.date(year, 9, 2)
    adjacent = national + dt.timedelta(days=1 if rule.national_day_after[national.weekday()] else -1)
    fixed = [DayOff(dt.date(year, 1, 1), "new_year", "computed"), DayOff(hung, "hung_kings", "computed"),
             DayOff(dt.date(year, 4, 30), "reunification", "computed"),
             DayOff(dt.date(year, 5, 1), "labour_day", "computed"),
             DayOff(min(national, adjacent), "national_day", "computed"),
             DayOff(max(national, adjacent), "national_day", "computed")]
    days = [DayOff(tet_days[0] + dt.timedelta(days=i), "tet", "computed")
            for i in range((tet_days[-1] - tet_days[0]).days + 1)]
    days += fixed
    off = {d.day for d in days}
    for d in sorted(fixed, key=lambda x: x.day):
        if d.day.weekday() >= 5:  # Điều 111: the next working day is off instead
            comp = _next_weekdays(d.day, 1, 1, off)[0]
            days.append(DayOff(comp, "compensatory", "computed"))
            off.add(comp)
    return HolidayYear(year, tuple(sorted(days, key=lambda x: x.day)), (), estimated=True)


# ---------------------------------------------------------------- loading
def _where(loc: tuple) -> str:
    out, previous = "", None
    for part in loc:
        index = isinstance(part, int) and previous not in ("years", "lunar")  # years are mapping keys
        out += f"[{part}]" if index else (f".{part}" if out else str(part))
        previous = part
    return out.replace(".from_", ".from")


def parse_holidays(text: str, path: str = "<text>") -> HolidayCalendar:
    """Validate and compile a holidays file given as YAML text."""
    raw = settings.yaml_mapping(text, path)
    try:
        spec = HolidaysSpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        more = len(err.errors()) - 1
        msg = first["msg"].removeprefix("Value error, ")
        raise DefinitionError(msg + (f" (and {more} more problems)" if more else ""),
                              path=path, where=_where(first["loc"])) from None
    return _compile(spec, text, path)


def _compile(spec: HolidaysSpec, text: str, path: str) -> HolidayCalendar:
    def fail(message: str, where: str):
        raise DefinitionError(message, path=path, where=where)

    years = sorted(spec.years)
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if gaps:
        fail(f"the years must follow each other; missing {', '.join(map(str, gaps))}", "years")
    lunar = {y: (s.tet, s.hung_kings) for y, s in spec.estimate.lunar.items()}
    for y, (tet, hung) in lunar.items():
        if not dt.date(y, 1, 19) <= tet <= dt.date(y, 2, 21):
            fail(f"mùng 1 Tết {tet} is not between 19 January and 21 February {y}", f"estimate.lunar.{y}.tet")
        if not 60 <= (hung - tet).days <= 105:  # 2 lunar months and 9 days, 3 with a leap month
            fail(f"10/3 âm lịch {hung} is not 2 or 3 (leap) lunar months after mùng 1 Tết {tet}",
                 f"estimate.lunar.{y}.hung_kings")
    compiled: dict[int, HolidayYear] = {}
    for y in years:
        ys, where = spec.years[y], f"years.{y}"
        seen: dict[dt.date, str] = {}
        days_off: list[DayOff] = []
        for i, entry in enumerate(ys.days_off):
            w = f"{where}.days_off[{i}]"
            for d in entry.days():
                if d.year != y:
                    fail(f"{d} is not in {y}", w)
                if d in seen:
                    fail(f"{d} is listed twice (also in {seen[d]})", w)
                seen[d] = w
                days_off.append(DayOff(d, entry.holiday, entry.basis, entry.name or "", entry.note or ""))
            if entry.holiday in ("compensatory", "swap") and any(d.weekday() >= 5 for d in entry.days()):
                fail(f"a {entry.holiday} day off replaces a working day, so it falls on Monday–Friday", w)
            if entry.holiday == "tet" and y in lunar and lunar[y][0] not in entry.days():
                fail(f"the Tết days off do not include mùng 1 Tết ({lunar[y][0]})", w)
        swaps = {d.day for d in days_off if d.holiday == "swap"}
        replaced: set[dt.date] = set()
        make_up: list[MakeUpDay] = []
        for i, m in enumerate(ys.make_up_days):
            w = f"{where}.make_up_days[{i}]"
            if m.date.year != y:
                fail(f"{m.date} is not in {y}", w)
            if m.date.weekday() < 5:
                fail(f"a make-up day (ngày làm bù) is a Saturday or Sunday; {m.date} is a weekday", w)
            if m.date in seen:
                fail(f"{m.date} is also a day off", w)
            if m.replaces not in swaps or m.replaces in replaced:
                fail(f"replaces {m.replaces}, which is not a swap day off of {y} still to make up", w)
            replaced.add(m.replaces)
            make_up.append(MakeUpDay(m.date, m.replaces, m.basis, m.note or ""))
        if swaps - replaced:
            fail(f"swap day(s) off without a make-up day: {', '.join(map(str, sorted(swaps - replaced)))}",
                 f"{where}.make_up_days")
        compiled[y] = HolidayYear(y, tuple(sorted(days_off, key=lambda d: d.day)), tuple(make_up))
    e = spec.estimate
    rule = EstimateRule(lunar, {WEEKDAYS.index(k): v for k, v in e.tet_weekdays_before.items()},
                        {WEEKDAYS.index(k): v == "after" for k, v in e.national_day_adjacent.items()})
    return HolidayCalendar(spec.version, compiled, rule, path, hashlib.sha256(text.encode()).hexdigest())


def load_holidays(path: str | Path | None = None) -> HolidayCalendar:
    """Load a holidays file (``CHISO_HOLIDAYS``, else the shipped one)."""
    return settings.load_definition("CHISO_HOLIDAYS", DEFAULT_HOLIDAYS, parse_holidays, path)
