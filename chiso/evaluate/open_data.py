"""Dữ liệu mở (open data): the indicators a province chooses to publish, as anyone may read them.

The catalogue marks an indicator ``public`` (``chiso.catalog.indicator.Indicator.public``); the
open data page (``/du-lieu-mo``, no sign-in) and its CSV and JSON downloads read what this module
assembles, for the province as a whole:

- **only published values.** A value submitted by an owner agency is published once the head of
  that agency approved its period, or the period was locked (``PUBLISHED_STATES``); drafts,
  periods waiting for approval and returned periods are left out *before* anything is derived
  from them, so a province value aggregated from units, a year built from its months and a
  formula indicator are computed from published values alone. Values chiso computes itself,
  without a submission to approve — the 766 index's scores (``index:``) and the counts of the
  task register (``tasks:``) — are published as computed: marking such an indicator public is
  the approval;
- **the status, honestly.** Each value is judged against its target exactly as the dashboard
  judges it (``chiso.evaluate.dm.status.assess``), and one word more: a value that closes its
  target's period (the year's own value against the year's target, or a cumulative indicator's
  December against the year) and did not reach it is ``missed`` (*Không đạt chỉ tiêu*), never
  "at risk" or "behind schedule" — the period is over;
- **what is late.** When the indicator's latest due period (its deadline passed) has no published
  value, ``awaiting`` names it: the page says the figure has not been published, rather than
  passing the older figure off as current;
- **every target and its outcome** (``TargetOutcome``): reached, missed, in progress, or past and
  without a published value.

Nothing of an indicator that is not public (or not live) leaves this module: other indicators'
values are read only to compute a public formula indicator, and are dropped before returning.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.indicator import Indicator
from chiso.errors import NotFoundError
from chiso.evaluate.dm.derived import all_values, index_values
from chiso.evaluate.dm.overview import latest_due
from chiso.evaluate.dm.service import live_indicators, live_since, target_book
from chiso.evaluate.dm.status import assess
from chiso.evaluate.dm.targets import TargetBook
from chiso.evaluate.tasks.indicators import task_values
from chiso.periods.reporting import FREQUENCY_KIND, KINDS, period
from chiso.store.models_values import ValuePeriod
from chiso.store.repo_catalogue import current_catalogue
from chiso.store.repo_values import current_values

#: The period states whose values are published: approved by the owner's head, or locked.
PUBLISHED_STATES = ("approved", "locked")
#: The statuses of a published value, worst first where it matters: ``missed`` is a target whose
#: period is over and was not reached; the others are the dashboard's (chiso.evaluate.dm.status).
STATUSES = ("missed", "off_track", "at_risk", "on_track", "achieved", "no_target", "no_data")
#: What became of a target: reached, missed (its period over), still running, or its period over
#: with no published value.
OUTCOMES = ("achieved", "missed", "in_progress", "not_published")


@dataclass(frozen=True)
class Point:
    """One published value of the province, judged against the target of its period."""

    period: str
    start: dt.date
    end: dt.date
    value: float
    target: float | None
    target_period: str | None
    target_method: str | None
    achievement: float | None
    status: str

    def as_dict(self) -> dict:
        return {"period": self.period, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "value": self.value, "target": self.target, "target_period": self.target_period,
                "target_method": self.target_method, "achievement": self.achievement, "status": self.status}


@dataclass(frozen=True)
class TargetOutcome:
    """A target of the province and what became of it."""

    period: str
    target: float
    basis: str | None
    outcome: str
    value: float | None            # the value that decides it, or the latest on the way
    value_period: str | None
    achievement: float | None

    def as_dict(self) -> dict:
        return {"period": self.period, "target": self.target, "basis": self.basis, "outcome": self.outcome,
                "value": self.value, "value_period": self.value_period, "achievement": self.achievement}


@dataclass(frozen=True)
class PublicIndicator:
    """A public indicator: its catalogue entry, owner, series, latest value and status, targets."""

    indicator: Indicator
    owner_name: str
    field_name: tuple[str, str]
    points: tuple[Point, ...]
    targets: tuple[TargetOutcome, ...]
    awaiting: str | None           # the latest due period without a published value

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest is not None else "no_data"


@dataclass(frozen=True)
class OpenData:
    """What the open data page shows for a province."""

    province: str
    province_name: str
    today: dt.date
    indicators: tuple[PublicIndicator, ...] = ()
    fields: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def get(self, code: str) -> PublicIndicator:
        """A public indicator by code; ``NotFoundError`` for any other code (not in the catalogue,
        not live, or not public: the three are not told apart)."""
        for item in self.indicators:
            if item.code == code:
                return item
        raise NotFoundError(f"không có chỉ số công bố mã {code!r} / no published indicator {code!r}")

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.indicators if i.status == s) for s in STATUSES}


# ---------------------------------------------------------------------------- assembling
def published_pairs(session: Session, codes: list[str]) -> pl.DataFrame:
    """The (indicator, period) pairs of ``codes`` whose period is approved or locked."""
    rows = session.execute(select(ValuePeriod.indicator, ValuePeriod.period)
                           .where(ValuePeriod.state.in_(PUBLISHED_STATES), ValuePeriod.indicator.in_(codes))).all()
    return pl.DataFrame([tuple(r) for r in rows], schema={"indicator": pl.String, "period": pl.String},
                        orient="row")


def published_values(session: Session, province: str, indicators: Mapping[str, Indicator], tree,
                     today: dt.date) -> pl.DataFrame:
    """The values relation of ``indicators`` built from published values only (see the module)."""
    codes = sorted(indicators)
    submitted = current_values(session, province=province, indicators=codes)
    published = submitted.join(published_pairs(session, codes), on=["indicator", "period"], how="semi")
    fed = pl.concat([index_values(session, indicators, tree, province, load_index_definition()),
                     task_values(session, indicators, tree, province, today)], how="vertical")
    return all_values(indicators, published, tree, index_rows=fed)


def _series_rows(values: pl.DataFrame, ind: Indicator, unit: str) -> pl.DataFrame:
    """The unit's rows of the indicator, of its own frequency's kind (else the finest there is)."""
    rows = values.filter((pl.col("indicator") == ind.code) & (pl.col("unit_code") == unit)
                         & pl.col("value").is_not_null())
    if rows.is_empty():
        return rows
    kinds = set(rows["period_kind"].unique().to_list())
    own = FREQUENCY_KIND[ind.frequency]
    kind = own if own in kinds else min(kinds, key=KINDS.index)
    return rows.filter(pl.col("period_kind") == kind).sort("period_end")


def closes_target(ind: Indicator, w, target) -> bool:
    """Whether the value of period ``w`` is the final word on ``target``'s period: the target was
    set for ``w`` itself, or a cumulative indicator's value reaches the end of the target's period
    (December's year to date against the year)."""
    if target.method == "set":
        return True
    return ind.cumulative and period(target.source_period).end == w.end


def judge(ind: Indicator, book: TargetBook, unit: str, label: str, value: float) -> Point:
    """One published value against its target (``missed`` when it closes the target's period)."""
    w = period(label)
    t = book.target(ind.code, unit, w.label)
    ratio, status = assess(value, None if t is None else t.value, ind.polarity, ind.thresholds)
    if t is not None and status in ("on_track", "at_risk", "off_track") and closes_target(ind, w, t):
        status = "missed"
    return Point(period=w.label, start=w.start, end=w.end, value=float(value),
                 target=None if t is None else t.value, target_period=None if t is None else t.source_period,
                 target_method=None if t is None else t.method, achievement=ratio, status=status)


def target_outcomes(ind: Indicator, book: TargetBook, values: pl.DataFrame, unit: str,
                    points: tuple[Point, ...], today: dt.date) -> tuple[TargetOutcome, ...]:
    """Each target of the unit, in period order, with what became of it."""
    mine = values.filter((pl.col("indicator") == ind.code) & (pl.col("unit_code") == unit)
                         & pl.col("value").is_not_null())
    own = {p: v for p, v in mine.select("period", "value").iter_rows()}
    out = []
    for record in sorted(book.records_for(ind.code, unit), key=lambda r: (period(r.period).end, r.period)):
        tw = period(record.period)
        final = own.get(tw.label)
        final_label = tw.label if final is not None else None
        if final is None and ind.cumulative:  # the year to date at the target period's end
            closing = [p for p in points if p.end == tw.end]
            if closing:
                final, final_label = closing[-1].value, closing[-1].period
        if final is not None:
            ratio, status = assess(final, record.value, ind.polarity, ind.thresholds)
            out.append(TargetOutcome(record.period, record.value, record.basis,
                                     "achieved" if status == "achieved" else "missed", final, final_label, ratio))
            continue
        inside = [p for p in points if tw.start <= p.start and p.end <= tw.end]
        latest = inside[-1] if inside else None
        over = tw.end + dt.timedelta(days=ind.deadline_days) < today
        out.append(TargetOutcome(record.period, record.value, record.basis,
                                 "not_published" if over else "in_progress",
                                 None if latest is None else latest.value,
                                 None if latest is None else latest.period,
                                 None if latest is None else latest.achievement))
    return tuple(out)


def open_data(session: Session, province: str, *, tree, today: dt.date | None = None) -> OpenData:
    """The province's public indicators with their published values, targets and status."""
    today = today or dt.date.today()
    province_name = tree.get(province).name
    live = live_indicators(session, province)
    public = {code: ind for code, ind in live.items() if ind.public}
    catalogue = current_catalogue(session, province)
    fields = {code: (spec.name, spec.name_en) for code, spec in catalogue.fields.items()}
    if not public:
        return OpenData(province, province_name, today, (), fields)
    values = published_values(session, province, live, tree, today)
    book = target_book(session, province, live, values)
    since = live_since(session, province)
    order = {code: n for n, code in enumerate(fields)}
    items = []
    for code in sorted(public, key=lambda c: (order.get(public[c].field, len(order)), c)):
        ind = public[code]
        rows = _series_rows(values, ind, province)
        points = tuple(judge(ind, book, province, label, value)
                       for label, value in rows.select("period", "value").iter_rows())
        due = latest_due(ind, today, since.get(code))
        awaiting = due.label if due is not None and (not points or points[-1].end < due.end) else None
        owner = tree.get(ind.owner).name if ind.owner in tree else ind.owner
        items.append(PublicIndicator(ind, owner, fields.get(ind.field, (ind.field, ind.field)), points,
                                     target_outcomes(ind, book, values, province, points, today), awaiting))
    return OpenData(province, province_name, today, tuple(items), fields)


__all__ = ["OUTCOMES", "PUBLISHED_STATES", "STATUSES", "OpenData", "Point", "PublicIndicator", "TargetOutcome",
           "closes_target", "judge", "open_data", "published_pairs", "published_values", "target_outcomes"]
