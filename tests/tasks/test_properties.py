"""Properties of the states over generated instances and lives (hypothesis): at any date the four
states partition the instances that exist (exactly one state each); ``classify`` answers what
``state_at`` answers, under either policy; the register's counts are additive across units."""
from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.evaluate.tasks.register import COUNTS, counts
from chiso.tasks.model import STATES, Instance, Life
from chiso.tasks.states import Policy, classify, frames, state_at

START = dt.date(2025, 12, 1)
UNITS = ("24-STC", "24-SNV", "07210", "07228")


def days(lo: int = 0, hi: int = 500):
    return st.integers(lo, hi).map(lambda n: START + dt.timedelta(days=n))


@st.composite
def instance_and_life(draw, n: int) -> tuple[Instance, Life]:
    opens = draw(days(0, 300))
    deadline = draw(st.one_of(st.none(), days(0, 420)))
    if deadline is not None and deadline < opens:
        deadline = opens + dt.timedelta(days=draw(st.integers(0, 60)))
    extensions = tuple(sorted(draw(st.lists(st.tuples(days(0, 450), days(0, 480)), max_size=3))))
    completed = draw(st.one_of(st.none(), days(0, 480)))
    accepted = None if completed is None else draw(st.one_of(st.none(), st.just(completed),
                                                             days(0, 500)))
    updates = tuple(sorted(set(draw(st.lists(days(0, 500), max_size=5)))))
    inst = Instance(f"NV-{n}", draw(st.sampled_from(["", "2026-01", "2026-Q1"])), draw(st.sampled_from(UNITS)),
                    opens, deadline, draw(st.booleans()))
    return inst, Life(extensions=extensions, completed_on=completed, accepted_on=accepted, updates=updates)


@st.composite
def registers(draw, max_size: int = 12) -> list[tuple[Instance, Life]]:
    n = draw(st.integers(0, max_size))
    return [draw(instance_and_life(i)) for i in range(n)]


policies = st.builds(Policy, against=st.sampled_from(["approved", "original"]), due_soon_days=st.integers(0, 14),
                     update_days=st.integers(1, 30))


@settings(max_examples=150, deadline=None)
@given(registers(), st.lists(days(), min_size=1, max_size=4), policies)
def test_classify_answers_what_state_at_answers(pairs, dates, policy):
    frame = classify(*frames(pairs), dates, policy)
    got = {(r["id"], r["date"]): (r["state"], r["deadline"], r["overdue_days"], r["bucket"], r["due_soon"],
                                  r["updated"]) for r in frame.to_dicts()}
    want = {}
    for inst, life in pairs:
        for day in dates:
            s = state_at(inst, life, day, policy)
            if s is not None:
                want[(f"{inst.task}|{inst.key}", day)] = (s.state, s.deadline, s.overdue_days, s.bucket, s.due_soon,
                                                          s.updated)
    assert got == want


@settings(max_examples=150, deadline=None)
@given(registers(), days(), policies)
def test_at_any_date_the_four_states_partition_the_instances_that_exist(pairs, day, policy):
    frame = classify(*frames(pairs), [day], policy)
    existing = {f"{i.task}|{i.key}" for i, _ in pairs if i.opens_on <= day}
    assert sorted(frame["id"].to_list()) == sorted(existing)          # each existing instance exactly once
    assert set(frame["state"].to_list()) <= set(STATES)                # in one of the four states
    by_state = {s: set(frame.filter(pl.col("state") == s)["id"].to_list()) for s in STATES}
    assert sum(len(v) for v in by_state.values()) == len(existing)      # disjoint, and together all of them
    assert set().union(*by_state.values()) == existing
    for inst, life in pairs:
        s = state_at(inst, life, day, policy)
        assert (s is None) == (inst.opens_on > day)
        if s is not None:
            assert sum(s.state == name for name in STATES) == 1


@settings(max_examples=120, deadline=None)
@given(registers(max_size=16), st.lists(days(), min_size=1, max_size=3), policies)
def test_counts_are_additive_across_units(pairs, dates, policy):
    states = classify(*frames(pairs), dates, policy)
    per_unit = counts(states)
    whole = counts(states.with_columns(pl.lit("24").alias("lead_unit")))
    summed = (per_unit.group_by("date").agg(pl.col(c).sum() for c in COUNTS).sort("date")) if not per_unit.is_empty() \
        else per_unit.drop("lead_unit")
    assert whole.drop("lead_unit").sort("date").to_dicts() == summed.select("date", *COUNTS).to_dicts()
    # and a split of the units in two groups adds up the same way
    left = counts(states.filter(pl.col("lead_unit").is_in(UNITS[:2])))
    right = counts(states.filter(~pl.col("lead_unit").is_in(UNITS[:2])))
    both = pl.concat([left, right]).group_by("date").agg(pl.col(c).sum() for c in COUNTS).sort("date")
    assert both.select("date", *COUNTS).to_dicts() == summed.select("date", *COUNTS).to_dicts()
