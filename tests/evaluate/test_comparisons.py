"""Comparisons (so sánh): a unit against the national average, its province's units of the same
level, its peer provinces, the same period last year and the period before — on hand-made
score tables whose averages are worked out here by hand."""
from __future__ import annotations

import datetime as dt
import doctest

import polars as pl
import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.errors import SettingsError, UnknownUnitError
from chiso.evaluate import comparisons as comparisons_module
from chiso.evaluate.comparisons import (
    PeerRule,
    compare,
    covered,
    last_year_window,
    nearest_in_population,
    peer_provinces,
    peer_rule,
)
from chiso.evaluate.scores import ScoreTable
from chiso.units.model import Unit
from chiso.units.registry import UnitTree

DEF = load_index_definition(DEFAULT_INDEX)
GROUPS = [g.code for g in DEF.groups]
D = dt.date

# six provinces (code, population, total, rank), one department and two communes of "24"
PROVINCES = [("01", 8_000_000, 90.0, 2), ("24", 3_500_000, 80.0, 4), ("25", 3_600_000, 92.0, 1),
             ("31", 4_000_000, 70.0, 6), ("33", 3_200_000, 85.0, 3), ("04", 500_000, 75.0, 5)]


def tree() -> UnitTree:
    units = [Unit("VN", "Việt Nam", "nation", "quốc gia", None, None)]
    units += [Unit(c, f"Tỉnh {c}", "province", "tỉnh", "VN", c, population=p) for c, p, _, _ in PROVINCES]
    units += [Unit("24-STC", "Sở Tài chính", "department", "sở", "24", "24"),
              Unit("24-SYT", "Sở Y tế", "department", "sở", "24", "24"),
              Unit("07210", "Phường Kinh Bắc", "commune", "phường", "24", "24"),
              Unit("07213", "Phường Võ Cường", "commune", "phường", "24", "24")]
    return UnitTree.from_units(units)


def groups_for(total: float) -> dict[str, float]:
    """Group scores summing to ``total``: the first group takes what the others leave (each of
    the other five a fixed share), so that group averages are easy to work out."""
    rest = {g: round(total / 10, 2) for g in GROUPS[1:]}
    return {GROUPS[0]: round(total - sum(rest.values()), 2), **rest}


def row(code, name, level, province, total, rank, peers, previous_total=None, previous_rank=None):
    return {"unit_code": code, "name": name, "level": level, "parent_code": "VN" if level == "province" else province,
            "province_code": province, **groups_for(total), "total": total, "rank": rank, "peers": peers,
            "previous_total": previous_total, "previous_rank": previous_rank,
            "score_change": None if previous_total is None else round(total - previous_total, 2)}


def table(window: str = "2026-W48", previous: str | None = "2026-W47", shift: float = 0.0) -> ScoreTable:
    rows = [row(c, f"Tỉnh {c}", "province", c, t + shift, r, 6, t - 1.5 if previous else None,
                r if previous else None) for c, _, t, r in PROVINCES]
    rows += [row("24-STC", "Sở Tài chính", "department", "24", 88.0 + shift, 1, 2, 87.0 if previous else None, 2),
             row("24-SYT", "Sở Y tế", "department", "24", 78.0 + shift, 2, 2, 79.0 if previous else None, 1),
             row("07210", "Phường Kinh Bắc", "commune", "24", 60.0 + shift, 2, 2),
             row("07213", "Phường Võ Cường", "commune", "24", 65.0 + shift, 1, 2)]
    units = pl.DataFrame(rows, schema_overrides={"previous_total": pl.Float64, "previous_rank": pl.Int64,
                                                 "score_change": pl.Float64})
    return ScoreTable(DEF, window, units, pl.DataFrame(), previous)


TREE = tree()
BY_POPULATION = PeerRule(group=(), count=3)


def test_module_doctests():
    assert doctest.testmod(comparisons_module).failed == 0


def test_national_average_of_the_provinces():
    c = compare(table(), "24", TREE, rule=BY_POPULATION, first_day=D(2025, 12, 1))
    # (90 + 80 + 92 + 70 + 85 + 75) / 6 = 82.0
    assert c.national.total == 82.0
    assert c.national.difference == -2.0
    assert sorted(m.code for m in c.national.members) == ["01", "04", "24", "25", "31", "33"]
    # every group: its mean over the six provinces, and Bắc Ninh's difference from it
    for g in GROUPS:
        mean = sum(groups_for(t)[g] for _, _, t, _ in PROVINCES) / 6
        assert c.national.groups[g] == pytest.approx(round(mean, 2), abs=0.005)
        assert c.national.group_differences[g] == pytest.approx(groups_for(80.0)[g] - c.national.groups[g],
                                                                abs=0.006)
    assert c.province is None  # a province has no province average of its level
    assert c.total == 80.0 and c.groups == groups_for(80.0)


def test_department_and_commune_also_against_their_province():
    c = compare(table(), "24-SYT", TREE, rule=BY_POPULATION)
    assert c.national.total == 82.0 and c.national.difference == -4.0
    assert c.province.total == 83.0  # (88 + 78) / 2
    assert c.province.difference == -5.0
    assert {m.code for m in c.province.members} == {"24-STC", "24-SYT"}
    commune = compare(table(), "07213", TREE, rule=BY_POPULATION)
    assert commune.province.total == 62.5 and commune.province.difference == 2.5
    assert {m.code for m in commune.province.members} == {"07210", "07213"}
    # peer groups are of provinces
    assert commune.peers.total is None and commune.peers.reason == "provinces_only"


def test_peers_nearest_in_population():
    c = compare(table(), "24", TREE, rule=BY_POPULATION)
    # 3.5 M: 25 (3.6 M, 0.1 M away), 33 (3.2 M, 0.3 M), 31 (4.0 M, 0.5 M); not 01 (8 M) nor 04 (0.5 M)
    assert [m.code for m in c.peers.members] == ["25", "33", "31"]
    assert [m.population for m in c.peers.members] == [3_600_000, 3_200_000, 4_000_000]
    assert c.peers.basis == "population"
    assert c.peers.total == 82.33  # (92 + 85 + 70) / 3 = 82.333…
    assert c.peers.difference == -2.33
    # Bắc Ninh (80) among itself and its three peers: behind 92 and 85, ahead of 70
    assert (c.peers.rank, c.peers.of) == (3, 4)
    assert compare(table(), "24", TREE, rule=PeerRule((), 1)).peers.members[0].code == "25"


def test_peers_from_the_setting(monkeypatch):
    monkeypatch.setenv("CHISO_PROVINCE", "24")
    monkeypatch.setenv("CHISO_PEER_PROVINCES", "01, 04")
    rule = peer_rule()
    assert rule.group == ("01", "04", "24")
    c = compare(table(), "24", TREE, rule=rule)
    assert c.peers.basis == "setting"
    assert [m.code for m in c.peers.members] == ["01", "04"]
    assert c.peers.total == 82.5 and (c.peers.rank, c.peers.of) == (2, 3)
    # a member of the group compares with the others, the home province among them
    assert [m.code for m in compare(table(), "04", TREE, rule=rule).peers.members] == ["01", "24"]
    # a province outside the group: nearest in population
    assert compare(table(), "31", TREE, rule=rule).peers.basis == "population"
    monkeypatch.setenv("CHISO_PEER_PROVINCES", "01,Hà Nội")
    with pytest.raises(SettingsError):
        peer_rule()


def test_peer_count_setting(monkeypatch):
    monkeypatch.delenv("CHISO_PEER_PROVINCES", raising=False)
    monkeypatch.setenv("CHISO_PEER_COUNT", "2")
    assert peer_rule() == PeerRule((), 2)
    monkeypatch.setenv("CHISO_PEER_COUNT", "0")
    with pytest.raises(SettingsError):
        peer_rule()
    monkeypatch.delenv("CHISO_PEER_COUNT")
    assert peer_rule().count == 5


def test_nearest_in_population_ties_and_scope():
    assert nearest_in_population("24", {"24": 100, "31": 110, "25": 90, "01": 300}, 2) == ("25", "31")
    # only the provinces given (those scored) can be peers
    assert peer_provinces("24", {"24": 100, "01": 300}, PeerRule((), 5)) == (("01",), "population")


def test_last_period_is_the_tables_own_change():
    c = compare(table(), "24", TREE, rule=BY_POPULATION)
    assert c.last_period.window == "2026-W47"
    assert c.last_period.total == 78.5 and c.last_period.difference == 1.5
    assert c.last_period.rank == 4
    none = compare(table(previous=None), "24", TREE, rule=BY_POPULATION)
    assert none.last_period.total is None and none.last_period.reason == "no_previous"


def test_last_year_when_the_records_reach_back():
    now, before = table(), table("2025-W48", "2025-W47", shift=-6.0)
    c = compare(now, "24", TREE, last_year=before, first_day=D(2024, 1, 1), rule=BY_POPULATION)
    assert c.last_year.window == "2025-W48"
    assert c.last_year.total == 74.0 and c.last_year.difference == 6.0
    assert c.last_year.rank == 4 and c.last_year.of == 6
    assert c.last_year.groups == groups_for(74.0)
    assert all(c.last_year.group_differences[g] == pytest.approx(groups_for(80.0)[g] - groups_for(74.0)[g], abs=1e-9)
               for g in GROUPS)
    # the wrong window's table is refused
    with pytest.raises(ValueError):
        compare(now, "24", TREE, last_year=table("2025-W47"), rule=BY_POPULATION)


def test_last_year_missing_data_says_why():
    c = compare(table(), "24", TREE, first_day=D(2025, 12, 1), rule=BY_POPULATION)
    assert c.last_year.total is None and c.last_year.difference is None
    assert c.last_year.reason == "no_history" and c.last_year.since == D(2025, 12, 1)
    assert c.last_year.window == "2025-W48"
    assert not c.last_year.available
    # an empty store: no first day at all
    assert compare(table(), "24", TREE, rule=BY_POPULATION).last_year.reason == "no_history"
    # the records cover the window but no table was given, or the unit had no score then
    assert compare(table(), "24", TREE, first_day=D(2020, 1, 1), rule=BY_POPULATION).last_year.reason == "not_scored"
    earlier = table("2025-W48")
    earlier = ScoreTable(DEF, "2025-W48", earlier.units.filter(pl.col("unit_code") != "24"), pl.DataFrame())
    gone = compare(table(), "24", TREE, last_year=earlier, first_day=D(2020, 1, 1), rule=BY_POPULATION)
    assert gone.last_year.reason == "not_scored"


def test_which_last_year_windows_are_covered():
    first = D(2025, 12, 1)
    assert last_year_window("2026-W48", first) is None  # 2025-W48 is 24–30/11/2025
    assert last_year_window("2026-W50", first).label == "2025-W50"  # 08–14/12/2025
    assert last_year_window("2026-W49", first).label == "2025-W49"  # starts on 01/12/2025 itself
    assert last_year_window("2026-12", first).label == "2025-12"
    assert last_year_window("2026-Q4", first) is None  # 2025-Q4 is covered only from December
    assert not covered("2025-W48", None)


def test_unknown_unit():
    with pytest.raises(UnknownUnitError):
        compare(table(), "99", TREE, rule=BY_POPULATION)


def test_references_in_page_order():
    assert [r.kind for r in compare(table(), "24", TREE, rule=BY_POPULATION).references()] == [
        "national", "peers", "last_year", "last_period"]
    assert [r.kind for r in compare(table(), "07210", TREE, rule=BY_POPULATION).references()] == [
        "national", "province", "peers", "last_year", "last_period"]
