"""So sánh (comparisons): a unit's 766 score against the national average, its peer
provinces, the same period last year and the period before.

Pure functions over score tables (``chiso.evaluate.scores.ScoreTable``):

- **national** — the mean of the provinces' totals and group scores in the same window
  (every province scored in it, 34 in a national store); for a department or a commune
  also **province** — the mean of its province's units of the same level;
- **peers** — provinces of similar size: the group the setting ``CHISO_PEER_PROVINCES``
  names (its members and ``CHISO_PROVINCE`` compare with one another), else the
  ``CHISO_PEER_COUNT`` provinces nearest in population (``chiso/units/data/populations.yaml``
  through the unit registry); the members, their average and the unit's rank among itself
  and them. Peer groups are of provinces: a department or commune gets none (reason
  ``provinces_only``) — its province's average of the same level is its yardstick;
- **last_year** — the same ISO week / month / quarter a year earlier
  (``chiso.periods.windows.same_window_last_year``), given as that window's score table;
  ``None`` with the reason ``no_history`` when the store's records begin after that window
  starts (a window partly covered would compare a part with a whole);
- **last_period** — the window before, which every table carries (``previous_total``,
  ``score_change``, ``previous_rank``).

Every comparison is a :class:`Reference`: the reference total, the unit's difference from it
(unit − reference, rounded half up to the definition's digits), the same for each group, and
who the reference is made of. Explanations in words are written by the web and report layers
from these fields (``chiso.web.pages.overview.comparisons_context``, the bulletin), never here.

>>> rule = PeerRule(group=(), count=5)
>>> rule.count
5
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from chiso import settings
from chiso.errors import SettingsError
from chiso.evaluate.points import round_half_up
from chiso.evaluate.scores import ScoreTable
from chiso.periods.windows import Window, parse_window, same_window_last_year

#: Why a comparison has no value (``Reference.reason``); the web and reports say it in words.
REASONS = {
    "no_history": "the records begin after the window to compare with starts (``since``: their first day)",
    "not_scored": "the unit has no score in the window to compare with",
    "no_previous": "the table carries no previous window",
    "provinces_only": "peer groups are groups of provinces; a department or commune has none",
    "no_peers": "no peer province is scored in the window",
}
KINDS = ("national", "province", "peers", "last_year", "last_period")


@dataclass(frozen=True)
class Member:
    """One unit a reference is made of: its code, name, total in the reference window, its
    rank among its own peers there and (peer provinces) its population."""

    code: str
    name: str
    total: float | None
    rank: int | None = None
    population: int | None = None


@dataclass(frozen=True)
class Reference:
    """The unit against one reference.

    ``total`` is the reference's total (an average, or the unit's own earlier total) and
    ``difference`` the unit's total minus it; ``groups`` and ``group_differences`` the same
    per group code (``None`` per group where there is nothing to compare with). ``window`` is
    the window the reference is taken from. ``members`` are the units averaged (national:
    the provinces; province: the units of the same level; peers: the peer provinces, without
    the unit; last_year / last_period: the unit itself). ``rank`` / ``of``: the unit's rank
    among itself and the peers (peers), or its rank then among its peers then (last_year,
    last_period). ``basis`` says how peers were chosen: ``setting`` or ``population``.
    ``reason`` (one of :data:`REASONS`) is set when ``total`` is ``None``; ``since`` is the
    records' first day for ``no_history``.
    """

    kind: str
    window: str | None
    total: float | None
    difference: float | None
    groups: Mapping[str, float | None] = field(default_factory=dict)
    group_differences: Mapping[str, float | None] = field(default_factory=dict)
    members: tuple[Member, ...] = ()
    rank: int | None = None
    of: int | None = None
    basis: str | None = None
    reason: str | None = None
    since: dt.date | None = None

    @property
    def available(self) -> bool:
        return self.total is not None


@dataclass(frozen=True)
class Comparisons:
    """A unit's total and group scores in ``window`` and its five comparisons (``province``
    is ``None`` for a province)."""

    unit_code: str
    name: str
    level: str
    province_code: str | None
    window: str
    total: float
    groups: Mapping[str, float]
    national: Reference
    province: Reference | None
    peers: Reference
    last_year: Reference
    last_period: Reference

    def references(self) -> tuple[Reference, ...]:
        """The comparisons in the order pages list them (``province`` left out for a province)."""
        refs = (self.national, self.province, self.peers, self.last_year, self.last_period)
        return tuple(r for r in refs if r is not None)


@dataclass(frozen=True)
class PeerRule:
    """How a province's peers are chosen: ``group`` (the setting ``CHISO_PEER_PROVINCES`` with
    ``CHISO_PROVINCE``: each member compares with the others), else the ``count`` provinces
    nearest in population."""

    group: tuple[str, ...]
    count: int


def peer_rule(env: dict[str, str] | None = None) -> PeerRule:
    """The peer rule of the settings ``CHISO_PEER_PROVINCES``, ``CHISO_PEER_COUNT``, ``CHISO_PROVINCE``."""
    raw = settings.get("CHISO_PEER_PROVINCES", env) or ""
    codes = [c.strip() for c in raw.replace(";", ",").split(",") if c.strip()]
    for c in codes:
        if not (c.isdigit() and len(c) == 2):
            raise SettingsError(f"CHISO_PEER_PROVINCES lists province codes (two digits, comma-separated), "
                                f"not {c!r}")
    group: tuple[str, ...] = ()
    if codes:
        home = settings.province(env)
        group = tuple(sorted(set(codes) | {home}))
    return PeerRule(group=group, count=settings.whole_number("CHISO_PEER_COUNT", env))


def first_record_day(store) -> dt.date | None:
    """The first day with a received dossier in ``store`` (the records reach back to it), or
    ``None`` for an empty store."""
    table = store.query_arrow(f"SELECT MIN(received_date) AS d FROM {store.relation('dossiers')}")
    return table.column("d")[0].as_py()


def covered(window: Window | str, first_day: dt.date | None) -> bool:
    """Whether records reaching back to ``first_day`` cover the whole of ``window``."""
    w = parse_window(window) if isinstance(window, str) else window
    return first_day is not None and first_day <= w.start


def last_year_window(window: Window | str, first_day: dt.date | None) -> Window | None:
    """The window a year before ``window`` when the records cover it (score it and give the
    table to :func:`compare`), else ``None`` (then :func:`compare` says ``no_history``)."""
    earlier = same_window_last_year(window)
    return earlier if covered(earlier, first_day) else None


# ---------------------------------------------------------------- helpers
def _groups(table: ScoreTable) -> list[str]:
    return [g.code for g in table.definition.groups]


def _digits(table: ScoreTable) -> int:
    return table.definition.digits


def _diff(a: float | None, b: float | None, digits: int) -> float | None:
    if a is None or b is None:
        return None
    return round_half_up(a - b, digits)


def _mean(frame: pl.DataFrame, column: str, digits: int) -> float | None:
    values = frame[column].drop_nulls()
    if values.len() == 0:
        return None
    return round_half_up(float(values.mean()), digits)


def _members(frame: pl.DataFrame, populations: Mapping[str, int] | None = None) -> tuple[Member, ...]:
    return tuple(Member(r["unit_code"], r["name"], r["total"], r.get("rank"),
                        (populations or {}).get(r["unit_code"]))
                 for r in frame.select("unit_code", "name", "total", "rank").to_dicts())


def _average(kind: str, table: ScoreTable, me: dict, frame: pl.DataFrame, **extra) -> Reference:
    """The unit against the mean of ``frame``'s units."""
    digits, groups = _digits(table), _groups(table)
    if frame.height == 0:
        return Reference(kind, table.window, None, None, reason=extra.pop("reason", "not_scored"), **extra)
    total = _mean(frame, "total", digits)
    means = {g: _mean(frame, g, digits) for g in groups}
    return Reference(kind, table.window, total, _diff(me["total"], total, digits), means,
                     {g: _diff(me[g], means[g], digits) for g in groups}, **extra)


def _own_earlier(kind: str, me: dict, earlier: dict | None, window: str | None, groups: Sequence[str],
                 digits: int, reason: str | None = None, since: dt.date | None = None) -> Reference:
    """The unit against its own scores in an earlier window."""
    if earlier is None or earlier.get("total") is None:
        return Reference(kind, window, None, None, reason=reason or "not_scored", since=since)
    values = {g: earlier.get(g) for g in groups}
    member = Member(me["unit_code"], me["name"], earlier["total"], earlier.get("rank"))
    return Reference(kind, window, earlier["total"], _diff(me["total"], earlier["total"], digits), values,
                     {g: _diff(me[g], values[g], digits) for g in groups}, (member,),
                     rank=earlier.get("rank"), of=earlier.get("peers"))


def nearest_in_population(code: str, populations: Mapping[str, int], count: int) -> tuple[str, ...]:
    """The ``count`` provinces other than ``code`` whose populations are nearest to its own
    (ties: the smaller code first), in that order.

    >>> nearest_in_population("B", {"A": 100, "B": 200, "C": 260, "D": 150, "E": 900}, 2)
    ('D', 'C')
    """
    mine = populations[code]
    others = sorted((abs(p - mine), c) for c, p in populations.items() if c != code)
    return tuple(c for _, c in others[:count])


def peer_provinces(code: str, populations: Mapping[str, int], rule: PeerRule) -> tuple[tuple[str, ...], str]:
    """A province's peers among ``populations``' provinces (those scored) and how they were
    chosen: the setting's group when the province is in it, else the nearest in population."""
    if code in rule.group:
        return tuple(c for c in rule.group if c != code and c in populations), "setting"
    return nearest_in_population(code, populations, rule.count), "population"


def _competition_rank(total: float, others: Iterable[float | None]) -> int:
    return 1 + sum(1 for t in others if t is not None and t > total)


def _peers(table: ScoreTable, me: dict, tree, rule: PeerRule) -> Reference:
    if me["level"] != "province":
        return Reference("peers", table.window, None, None, reason="provinces_only")
    provinces = table.select(level="province")
    populations = {c: tree.get(c).population for c in provinces["unit_code"].to_list() if c in tree}
    if me["unit_code"] not in populations:
        return Reference("peers", table.window, None, None, reason="not_scored")
    codes, basis = peer_provinces(me["unit_code"], populations, rule)
    if not codes:
        return Reference("peers", table.window, None, None, reason="no_peers", basis=basis)
    order = {c: i for i, c in enumerate(codes)}
    frame = provinces.filter(pl.col("unit_code").is_in(list(codes))).sort(
        pl.col("unit_code").replace_strict(order, return_dtype=pl.Int64))
    ref = _average("peers", table, me, frame, members=_members(frame, populations), basis=basis)
    return replace(ref, rank=_competition_rank(me["total"], frame["total"].to_list()), of=len(codes) + 1)


# ---------------------------------------------------------------- the comparisons
def compare(table: ScoreTable, code: str, tree, *, last_year: ScoreTable | None = None,
            first_day: dt.date | None = None, rule: PeerRule | None = None) -> Comparisons:
    """``code``'s comparisons in ``table``'s window (see the module).

    ``tree``: the unit tree (populations of the provinces); ``last_year``: the score table of
    ``same_window_last_year(table.window)`` (``last_year_window`` says whether the records
    cover it); ``first_day``: the records' first day (``first_record_day``), named by the
    ``no_history`` reason; ``rule``: the peer rule (default: the settings, ``peer_rule``).
    A unit without a score in the table: ``UnknownUnitError``.
    """
    me = table.unit(code)
    digits, groups = _digits(table), _groups(table)
    rule = rule or peer_rule()
    provinces = table.select(level="province")
    national = _average("national", table, me, provinces, members=_members(provinces))
    province = None
    if me["level"] in ("department", "commune"):
        same = table.select(province=me["province_code"], level=me["level"])
        province = _average("province", table, me, same, members=_members(same))
    earlier_window = same_window_last_year(table.window).label
    if last_year is not None and last_year.window != earlier_window:
        raise ValueError(f"last_year is the table of {last_year.window}, not of {earlier_window}")
    if last_year is None:
        reason = "no_history" if not covered(earlier_window, first_day) else "not_scored"
        year_ref = Reference("last_year", earlier_window, None, None, reason=reason, since=first_day)
    else:
        found = last_year.units.filter(pl.col("unit_code") == code).to_dicts()
        year_ref = _own_earlier("last_year", me, found[0] if found else None, earlier_window, groups, digits)
    if table.previous_window is None:
        period_ref = Reference("last_period", None, None, None, reason="no_previous")
    else:
        previous = {"total": me.get("previous_total"), "rank": me.get("previous_rank"), "peers": None}
        period_ref = _own_earlier("last_period", me, previous, table.previous_window, [], digits)
        if period_ref.total is not None and me.get("score_change") is not None:
            # the table's own change (score_change), so that every page shows the same number
            period_ref = replace(period_ref, difference=me["score_change"])
    return Comparisons(
        unit_code=code, name=me["name"], level=me["level"], province_code=me.get("province_code"),
        window=table.window, total=me["total"], groups={g: me[g] for g in groups},
        national=national, province=province, peers=_peers(table, me, tree, rule),
        last_year=year_ref, last_period=period_ref)
