"""The facts a weekly bulletin (bản tin tuần) states, computed from the scores — never typed in.

``build_bulletin`` reads the scores of the window and of the window before (``Scores``), the
weekly series (trend), the same window a year before (``chiso.evaluate.comparisons``: with the
national average and the peer provinces), the province's levers (``chiso.evaluate.whatif``), its bands, the
synchronisation measure of each unit and, when given, the DM indicators' statuses and open
warnings, and returns a typed ``Bulletin``. Text, charts and every format are written from
that object alone, so a figure in the text is always the computed one.

Rules the bulletin follows (``docs/bulletins.md``):

- **nearest provinces**: when the province leads, the province(s) right behind it (equal
  totals together) and its lead over them; otherwise the province right ahead and the gap;
- **"the only locality above N"**: N is the largest whole number below the province's total;
  the bulletin counts the provinces strictly above it;
- **groups**: each group's points, share of its maximum and change against the window before,
  the groups as the bulletin's group view shows them (``chiso.catalog.presentation``: six, or
  five with online services and online payment as one group of 22 points — ``view``); levers,
  losses and focus speak of the same groups;
- **improvement potential**: the groups ranked by the gain if each reached ``share`` (90 %)
  of its maximum (``levers``); the first is "the biggest improvement potential";
- **peers** (departments, communes): ranked, in the province's bands; leaders = the first
  three; the biggest mover = the largest rise in rank (ties: the larger score change); the
  top group and bottom group are the first and last ``group_size`` (10) units; the spread
  among the top group is first minus last of it; the gap is the difference of their means;
- **where points are lost**: for the last unit of each level and for the bottom group, the
  groups by points lost (maximum − points), largest first, each with the criteria of the group
  that lost the most — the causes a bulletin names, never a fixed list;
- **data-synchronisation problems**: units whose share of dossiers synced to the national
  portal (the 766 criterion DOSSIER_SYNC) is below ``sync_below`` (90 %), plus sources the
  caller reports stale (connectors);
- **focus** for the coming weeks, drawn from the levers: groups close to full (≥ 95 % of the
  maximum) to complete, the groups with the largest gain at ``share`` to improve, support for
  the bottom group of communes, the units to resynchronise, the DM indicators off track.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import polars as pl

from chiso.catalog.index_definition import BandSet
from chiso.catalog.presentation import GroupView, present, six_view
from chiso.errors import UnknownUnitError, WindowError
from chiso.evaluate.comparisons import Comparisons, compare
from chiso.evaluate.points import round_half_up
from chiso.evaluate.scores import ScoreTable
from chiso.evaluate.whatif import levers as rank_levers
from chiso.evaluate.whatif import whatif
from chiso.periods.windows import parse_window
from chiso.reports.dm import DMFacts
from chiso.reports.sources import Scores
from chiso.reports.sync import SyncProblem
from chiso.reports.task_section import TaskFacts
from chiso.units import load_units
from chiso.units.registry import short_name

SYNC_CRITERION = "DOSSIER_SYNC"
COMPLETE_FROM = 0.95  # a group at or above this share of its maximum is "close to full"
LOSS_FROM = 0.01  # a group that lost less than this (points) lost nothing worth saying


# ---------------------------------------------------------------- the facts
@dataclass(frozen=True)
class UnitFact:
    """One unit's place this window and the window before."""

    code: str
    name: str
    name_en: str
    level: str
    total: float
    rank: int | None
    peers: int
    previous_total: float | None
    previous_rank: int | None
    score_change: float | None
    rank_change: int | None  # positive = moved up (23rd → 4th is +19)
    band: str | None
    band_label: str | None
    band_label_en: str | None


@dataclass(frozen=True)
class GroupFact:
    """One group of the index for the province."""

    code: str
    name: str
    name_en: str
    points: float
    max: float
    previous_points: float | None
    change: float | None

    @property
    def share(self) -> float:
        return self.points / self.max


@dataclass(frozen=True)
class TrendPoint:
    window: str
    total: float
    rank: int | None


@dataclass(frozen=True)
class LeverFact:
    """A group's improvement potential: the gain if it reached ``target_share`` of its maximum."""

    code: str
    name: str
    name_en: str
    points: float
    max: float
    share: float  # points / max now
    target_share: float
    gain: float  # total gain at target_share (whatif)
    lost: float  # points lost now (gain at full)
    total_after: float


@dataclass(frozen=True)
class ProvinceFacts:
    unit: UnitFact
    short_name: str
    neighbours: tuple[UnitFact, ...]  # right behind (when leading) or right ahead
    leading: bool
    gap: float | None  # lead over the neighbours, or distance to the one ahead
    threshold: int  # the largest whole number below the total
    above_threshold: int  # provinces strictly above it (the province included)
    groups: tuple[GroupFact, ...]
    trend: tuple[TrendPoint, ...]
    ranking: tuple[UnitFact, ...]  # every province, by rank

    @property
    def standing(self) -> str:
        """The one decision the title and the first heading both state:

        ``takes_lead`` (first now, not first the window before), ``keeps_lead`` (first both
        times), ``leads`` (first, no window before to compare), ``rises`` / ``falls`` /
        ``holds`` (its rank against the window before), ``ranked`` (no window before)."""
        u = self.unit
        if u.rank == 1:
            if u.previous_rank is None:
                return "leads"
            return "keeps_lead" if u.previous_rank == 1 else "takes_lead"
        if u.previous_rank is None or u.rank is None:
            return "ranked"
        if u.rank < u.previous_rank:
            return "rises"
        return "falls" if u.rank > u.previous_rank else "holds"

    @property
    def groups_up(self) -> tuple[GroupFact, ...]:
        return tuple(sorted((g for g in self.groups if (g.change or 0) > 0), key=lambda g: (-g.change, g.code)))

    @property
    def groups_down(self) -> tuple[GroupFact, ...]:
        return tuple(sorted((g for g in self.groups if (g.change or 0) < 0), key=lambda g: (g.change, g.code)))

    @property
    def groups_steady(self) -> tuple[GroupFact, ...]:
        return tuple(g for g in self.groups if g.change == 0)

    @property
    def weekly_changes(self) -> tuple[float, ...]:
        """Changes between consecutive windows of the trend (windows that follow each other)."""
        out = []
        for a, b in zip(self.trend, self.trend[1:]):
            if _follows(a.window, b.window):
                out.append(round_half_up(b.total - a.total, 2))
        return tuple(out)


@dataclass(frozen=True)
class LossFact:
    """Points a unit (or a group of units, on average) lost on one group of the index, with
    the criteria of that group that lost the most (``detail``, largest first)."""

    code: str
    name: str
    name_en: str
    points: float
    max: float
    lost: float
    detail: tuple[CriterionLoss, ...] = ()

    @property
    def share(self) -> float:
        return self.points / self.max if self.max else 0.0


@dataclass(frozen=True)
class CriterionLoss:
    code: str
    name: str
    name_en: str
    ratio: float | None
    lost: float


@dataclass(frozen=True)
class UnitLosses:
    """Where a unit lost its points: its groups by points lost, largest first (only groups
    that lost at least ``LOSS_FROM`` points)."""

    unit: UnitFact
    losses: tuple[LossFact, ...]


@dataclass(frozen=True)
class BandFact:
    """One of the province's bands and its units, best first."""

    code: str
    label: str
    label_en: str
    lower: float | None  # the bound a unit must pass (None: the last band)
    lower_strict: bool  # "> 94" (True) or "≥ 90" (False)
    upper: float | None  # the bound of the band above (None: the top band)
    units: tuple[UnitFact, ...]


@dataclass(frozen=True)
class PeerFacts:
    """Departments, or communes, of the province among themselves."""

    level: str
    ranking: tuple[UnitFact, ...]
    bands: tuple[BandFact, ...]
    leaders: tuple[UnitFact, ...]
    biggest_mover: UnitFact | None
    group_size: int
    top_spread: float | None  # first minus last of the top group
    top_mean: float | None
    bottom_mean: float | None
    gap: float | None  # top_mean − bottom_mean
    weakest: UnitLosses | None = None  # the last unit and where it lost its points
    bottom_losses: tuple[LossFact, ...] = ()  # the bottom group's mean losses by group, largest first

    @property
    def bottom_group(self) -> tuple[UnitFact, ...]:
        return self.ranking[-self.group_size:] if self.bottom_mean is not None else ()


@dataclass(frozen=True)
class FocusItem:
    """A recommended focus for the coming weeks, with the figures behind it."""

    kind: str  # complete | improve | support | sync | dm
    code: str = ""
    name: str = ""
    name_en: str = ""
    share: float | None = None
    gain: float | None = None
    lost: float | None = None
    target: float | None = None
    units: tuple[str, ...] = ()
    units_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bulletin:
    """Everything a bulletin states, for one province and one window."""

    province_code: str
    window: str
    previous_window: str | None
    window_start: str | None  # ISO dates when the window is a calendar period
    window_end: str | None
    window_kind: str | None
    index_name: str
    index_name_en: str
    max_total: float
    share: float  # the share levers are imagined at (0.9)
    province: ProvinceFacts
    levers: tuple[LeverFact, ...]
    departments: PeerFacts | None
    communes: PeerFacts | None
    sync_problems: tuple[SyncProblem, ...]
    dm: DMFacts | None
    focus: tuple[FocusItem, ...]
    source: str = "records"
    table: ScoreTable | None = field(default=None, repr=False, compare=False)
    tasks: TaskFacts | None = None  # the assigned tasks (chiso.reports.task_section), when the store has them
    #: the national average, peer provinces, the same week last year, last week
    #: (``chiso.evaluate.comparisons``)
    comparisons: Comparisons | None = None
    group_view: str = "six"  # how the groups are shown (chiso.catalog.presentation): six or five
    #: the version of the method that scored the window and any change of method inside it
    #: (``VersionChoice.as_dict``: ``version``, ``changes``, ``message``, ``message_en``); None: no version chosen
    method: dict | None = None
    #: the criteria whose rule is not settled yet ("chưa xác định"): (name, name_en); while any
    #: is, ``max_total`` is the maximum of the determined part
    undetermined: tuple[tuple[str, str], ...] = ()

    @property
    def top_lever(self) -> LeverFact | None:
        return self.levers[0] if self.levers and self.levers[0].gain > 0 else None

    def to_dict(self) -> dict:
        """Plain data (JSON): every fact, none of the tables."""
        d = asdict(self)
        d.pop("table", None)
        return d


# ---------------------------------------------------------------- helpers
def determined_maxima(definition) -> dict[str, float]:
    """Each group's maximum over its criteria whose rule is settled (its maximum when all are):
    a criterion not yet determined scores nothing, so a group is shown over what it can score."""
    return {g.code: g.max_determined for g in definition.groups}


def _follows(a: str, b: str) -> bool:
    try:
        return parse_window(b).previous().label == parse_window(a).label
    except WindowError:
        return False


def _num(v) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


class Names:
    """Display names: Vietnamese as the unit list writes them; English names of departments
    from the list, proper names of provinces and communes kept with their diacritics."""

    def __init__(self, tree=None):
        if tree is None:
            tree = load_units()
        self.tree = tree

    def _unit(self, code: str):
        try:
            return self.tree.get(code) if code in self.tree else None
        except UnknownUnitError:
            return None

    def short(self, code: str, fallback: str) -> str:
        u = self._unit(code)
        return short_name(u) if u is not None else fallback

    def en(self, code: str, fallback: str, level: str) -> str:
        u = self._unit(code)
        if u is None:
            return fallback
        if level == "department":
            return u.name_en or u.name
        if level == "commune":
            kind = {"xã": "Commune", "phường": "Ward", "đặc khu": "Special Zone"}.get(u.type)
            return f"{short_name(u)} {kind}" if kind else u.name
        return short_name(u)


def _unit_fact(row: dict, names: Names) -> UnitFact:
    code, level = row["unit_code"], row["level"]
    name = row["name"] or code
    return UnitFact(code=code, name=names.short(code, name) if level == "province" else name,
                    name_en=names.en(code, name, level), level=level, total=float(row["total"]),
                    rank=row["rank"], peers=int(row["peers"]), previous_total=_num(row.get("previous_total")),
                    previous_rank=row.get("previous_rank"), score_change=_num(row.get("score_change")),
                    rank_change=row.get("rank_change"), band=row.get("band"), band_label=row.get("band_label"),
                    band_label_en=row.get("band_label_en"))


def _ranked(df: pl.DataFrame, names: Names) -> tuple[UnitFact, ...]:
    return tuple(_unit_fact(r, names) for r in df.sort("rank", "unit_code", nulls_last=True).to_dicts())


def _mean(values: Sequence[float]) -> float:
    return round_half_up(sum(values) / len(values), 2)


# ---------------------------------------------------------------- sections
def province_facts(scores: Scores, province: str, names: Names, view: GroupView | None = None) -> ProvinceFacts:
    table = scores.table
    view = view or six_view(table.definition)
    row = table.unit(province)
    if row["level"] != "province":
        raise UnknownUnitError(f"{province!r} is a {row['level']}, not a province: a bulletin is a province's")
    unit = _unit_fact(row, names)
    provinces = _ranked(table.select(level="province"), names)
    others = [p for p in provinces if p.code != province]
    if unit.rank == 1:
        below = [p for p in others if p.total < unit.total]
        nxt = max((p.total for p in below), default=None)
        neighbours = tuple(p for p in below if p.total == nxt)
        gap = round_half_up(unit.total - nxt, 2) if nxt is not None else None
    else:
        ahead = [p for p in others if p.total > unit.total]
        nxt = min((p.total for p in ahead), default=None)
        neighbours = tuple(p for p in ahead if p.total == nxt)
        gap = round_half_up(nxt - unit.total, 2) if nxt is not None else None
    threshold = math.ceil(unit.total) - 1
    above = sum(1 for p in provinces if p.total > threshold)
    prev_row = None
    if table.previous_window is not None and len(scores.series) >= 2:
        prev_table = scores.series[-2]
        if prev_table.window == table.previous_window:
            rows = prev_table.units.filter(pl.col("unit_code") == province).to_dicts()
            prev_row = rows[0] if rows else None
    groups = []
    before = {r.code: r.points for r in present(prev_row, view)} if prev_row else {}
    for r in present(row, view, maxima=determined_maxima(table.definition)):
        if r.points is None:
            continue  # no criterion of the group is determined yet: nothing to report (never 0)
        pts = float(r.points)
        prev = _num(before.get(r.code)) if prev_row else None
        groups.append(GroupFact(r.code, r.name, r.name_en or r.name, pts, r.max, prev,
                                None if prev is None else round_half_up(pts - prev, 2)))
    trend = []
    for t in scores.series:
        r = t.units.filter(pl.col("unit_code") == province).to_dicts()
        if r:
            trend.append(TrendPoint(t.window, float(r[0]["total"]), r[0]["rank"]))
    return ProvinceFacts(unit, names.short(province, row["name"]), neighbours, unit.rank == 1, gap, threshold,
                         above, tuple(groups), tuple(trend), provinces)


def lever_facts(table: ScoreTable, province: str, share: float, view: GroupView | None = None
                ) -> tuple[LeverFact, ...]:
    """The groups by gain at ``share`` of their maximum, then by points lost. A group a view
    merges is one lever: the gain if the merged group reached ``share`` of its maximum (the
    group-level what-if, ``chiso.evaluate.whatif``, over the merged points and maximum)."""
    d = table.definition
    view = view or six_view(d)
    if not view.merges:
        out = []
        for lv in rank_levers(table, province, share=share):
            if lv["kind"] != "group":
                continue
            g = d.group(lv["code"])
            result = whatif(table, province, {g.code: share})
            out.append(LeverFact(g.code, g.name, g.name_en, lv["points"], lv["max"], lv["points"] / lv["max"], share,
                                 result["gain"], lv["lost"], result["after"]))
        return tuple(out)
    row = table.unit(province)
    total = float(row["total"])
    out = []
    for r in present(row, view, maxima=determined_maxima(d)):
        if r.points is None:
            continue  # not yet determined: no lever
        pts = float(r.points)
        gain = round_half_up(max(0.0, round_half_up(share * r.max, d.digits) - pts), d.digits)
        after = round_half_up(min(d.max_determined, total + gain), d.digits)
        out.append(LeverFact(r.code, r.name, r.name_en or r.name, pts, r.max, pts / r.max, share,
                             round_half_up(after - total, d.digits), round_half_up(r.max - pts, d.digits), after))
    out.sort(key=lambda lv: (-lv.gain, -lv.lost, lv.code))
    return tuple(out)


def _bands(bandset: BandSet, ranking: tuple[UnitFact, ...]) -> tuple[BandFact, ...]:
    out, upper = [], None
    for level in bandset.levels:
        lower = level.gt if level.gt is not None else level.gte
        members = tuple(u for u in ranking if u.band == level.code)
        out.append(BandFact(level.code, level.label, level.label_en, lower, level.gt is not None, upper, members))
        upper = lower
    return tuple(out)


def unit_losses(table: ScoreTable, unit: UnitFact, *, criteria: int = 2, view: GroupView | None = None
                ) -> UnitLosses:
    """Where ``unit`` lost its points: each group's (as ``view`` shows them) maximum minus its
    points, largest first, with the group's criteria that lost the most (when the table has
    them: a portal counts file may give a group's score alone)."""
    d = table.definition
    view = view or six_view(d)
    row = table.unit(unit.code)
    crit = table.unit_criteria(unit.code)
    out = []
    for g in present(row, view, maxima=determined_maxima(d)):
        if g.points is None:
            continue  # not yet determined: nothing lost
        pts = float(g.points)
        lost = round_half_up(g.max - pts, 2)
        if lost < LOSS_FROM:
            continue
        detail = []
        members = list(g.members)
        if crit.height and sum(len(d.group(m).criteria) for m in members) > 1:  # one criterion: the group says it
            rows = (crit.filter(pl.col("group").is_in(members) & pl.col("lost").is_not_null() & (pl.col("lost") > 0))
                    .sort("lost", descending=True).head(criteria).to_dicts())
            for r in rows:
                c = d.criterion(r["criterion"])
                detail.append(CriterionLoss(c.code, c.name, c.name_en, _num(r["ratio"]), round_half_up(r["lost"], 2)))
        out.append(LossFact(g.code, g.name, g.name_en or g.name, pts, g.max, lost, tuple(detail)))
    out.sort(key=lambda x: (-x.lost, x.code))
    return UnitLosses(unit, tuple(out))


def group_losses(table: ScoreTable, units: Sequence[UnitFact], view: GroupView | None = None
                 ) -> tuple[LossFact, ...]:
    """The mean points ``units`` lost on each group (as ``view`` shows them), largest first."""
    if not units:
        return ()
    view = view or six_view(table.definition)
    maxima = determined_maxima(table.definition)
    rows = [{g.code: g for g in present(table.unit(u.code), view, maxima=maxima)} for u in units]
    out = []
    for g in view.groups:
        if all(r[g.code].points is None for r in rows):
            continue  # not yet determined: nothing lost
        top = rows[0][g.code].max  # the determined part's maximum
        pts = sum(float(r[g.code].points or 0.0) for r in rows) / len(rows)
        lost = round_half_up(top - pts, 2)
        if lost >= LOSS_FROM:
            out.append(LossFact(g.code, g.name, g.name_en or g.name, round_half_up(pts, 2), top, lost))
    out.sort(key=lambda x: (-x.lost, x.code))
    return tuple(out)


def peer_facts(table: ScoreTable, province: str, level: str, names: Names, group_size: int,
               view: GroupView | None = None) -> PeerFacts | None:
    ranking = _ranked(table.select(province=province, level=level), names)
    if not ranking:
        return None
    bands = _bands(table.definition.bands_for(level, province), ranking)
    movers = [u for u in ranking if (u.rank_change or 0) > 0]
    mover = max(movers, key=lambda u: (u.rank_change, u.score_change or 0.0, -(u.rank or 0)), default=None)
    n = min(group_size, len(ranking))
    top = [u.total for u in ranking[:n]]
    spread = round_half_up(top[0] - top[-1], 2) if n >= 2 else None
    top_mean = bottom_mean = gap = None
    if len(ranking) >= 2 * group_size:
        top_mean, bottom_mean = _mean(top), _mean([u.total for u in ranking[-group_size:]])
        gap = round_half_up(sum(top) / n - sum(u.total for u in ranking[-group_size:]) / group_size, 2)
    weakest = unit_losses(table, ranking[-1], view=view) if len(ranking) >= 2 else None
    bottom = group_losses(table, ranking[-group_size:], view) if bottom_mean is not None else ()
    return PeerFacts(level, ranking, bands, ranking[:3], mover, group_size, spread, top_mean, bottom_mean, gap,
                     weakest, bottom)


def sync_problems(table: ScoreTable, province: str, names: Names, sync_below: float,
                  stale: Iterable[SyncProblem] = ()) -> tuple[SyncProblem, ...]:
    """Units of the province whose synced share is below ``sync_below``, worst first; then
    the stale sources the caller reports."""
    units = table.select(province=province).select("unit_code", "name", "level")
    crit = (table.criteria.filter(pl.col("criterion") == SYNC_CRITERION)
            .join(units, on="unit_code", how="inner")
            .filter(pl.col("denominator").is_not_null() & (pl.col("denominator") > 0))
            .filter(pl.col("numerator") / pl.col("denominator") < sync_below))
    out = []
    for r in crit.sort(pl.col("numerator") / pl.col("denominator"), "unit_code").to_dicts():
        name = names.short(r["unit_code"], r["name"]) if r["level"] == "province" else r["name"]
        out.append(SyncProblem(r["unit_code"], name, names.en(r["unit_code"], r["name"], r["level"]), r["level"],
                               "records", r["numerator"], r["denominator"]))
    return tuple(out) + tuple(stale)


def focus_items(province: ProvinceFacts, levers: tuple[LeverFact, ...], communes: PeerFacts | None,
                problems: tuple[SyncProblem, ...], dm: DMFacts | None, bandset: BandSet | None,
                *, complete: int = 2, improve: int = 2) -> tuple[FocusItem, ...]:
    out: list[FocusItem] = []
    close = sorted((g for g in province.groups if COMPLETE_FROM <= g.share < 1),
                   key=lambda g: (-(g.max - g.points), g.code))
    for g in close[:complete]:
        out.append(FocusItem("complete", g.code, g.name, g.name_en, share=g.share,
                             lost=round_half_up(g.max - g.points, 2)))
    for lv in [x for x in levers if x.gain > 0 and x.share < COMPLETE_FROM][:improve]:
        out.append(FocusItem("improve", lv.code, lv.name, lv.name_en, share=lv.share, gain=lv.gain,
                             target=lv.target_share))
    if communes is not None and communes.bottom_mean is not None and bandset is not None:
        # the aim for the bottom group: the lower bound of the band above the last one
        bounds = [lv.gt if lv.gt is not None else lv.gte for lv in bandset.levels[:-1]]
        aim = bounds[-1] if bounds else None
        if aim is not None and communes.bottom_mean < aim:
            out.append(FocusItem("support", share=None, target=aim, gain=communes.gap,
                                 units=tuple(u.name for u in communes.bottom_group),
                                 units_en=tuple(u.name_en for u in communes.bottom_group)))
    if problems:
        out.append(FocusItem("sync", units=tuple(p.name for p in problems),
                             units_en=tuple(p.name_en for p in problems)))
    if dm is not None and dm.off_track:
        off = [s for f in dm.fields for s in f.off_track if s.status == "off_track"] or \
              [s for f in dm.fields for s in f.off_track]
        out.append(FocusItem("dm", units=tuple(s.name for s in off[:5]),
                             units_en=tuple(s.name_en or s.name for s in off[:5])))
    return tuple(out)


# ---------------------------------------------------------------- the bulletin
def build_bulletin(scores: Scores, province: str, *, dm: DMFacts | None = None, tree=None,
                   share: float = 0.9, group_size: int = 10, sync_below: float = 0.9,
                   stale: Iterable[SyncProblem] = (), tasks: TaskFacts | None = None,
                   view: GroupView | None = None) -> Bulletin:
    """Compute every fact of ``province``'s bulletin for the scores' window, its groups as ``view``
    shows them (default: the definition's own six)."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], not {share}")
    table = scores.table
    d = table.definition
    names = Names(tree)
    view = view or six_view(d)
    pf = province_facts(scores, province, names, view)
    levers = lever_facts(table, province, share, view)
    departments = peer_facts(table, province, "department", names, group_size, view)
    communes = peer_facts(table, province, "commune", names, group_size, view)
    problems = sync_problems(table, province, names, sync_below, stale)
    try:  # a counts file without a window has nothing to compare with
        parse_window(table.window)
        comparisons = compare(table, province, names.tree, last_year=scores.last_year, first_day=scores.first_day)
    except WindowError:
        comparisons = None
    focus = focus_items(pf, levers, communes, problems, dm, d.bands_for("commune", province))
    try:
        w = parse_window(table.window)
        start, end, kind = w.start.isoformat(), w.end.isoformat(), w.kind
    except WindowError:
        start = end = kind = None
    # the total's scale: the determined part's maximum while some rule is not settled (100 otherwise)
    return Bulletin(province, table.window, table.previous_window, start, end, kind, d.name, d.name_en,
                    d.max_determined, share, pf, levers, departments, communes, problems, dm, focus, scores.source,
                    table, tasks, comparisons, view.code,
                    table.method.as_dict() if table.method is not None else None,
                    tuple((c.name, c.name_en or c.name) for c in d.undetermined))
