"""Senders' versions under concurrent batches (``load_batch``'s ``version`` column, issue 15).

Two writers push conflicting versions of the same records at the same moment — each through
its own connection to the PostgreSQL record store, as two web workers or a web worker and a
connector run do. The version check must be decided inside the records' write transaction:
whatever the interleaving, every record ends at the highest version sent, with that version's
content, and its history never shows an older version written after a newer one.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from chiso.collect.load import load_batch
from chiso.errors import LoadError, StoreError
from chiso.store.records import open_records
from chiso.store.records_base import REPLACED_AT
from tests.factories import drop_postgres_schema, make_postgres_schema, postgres_records_url, race
from tests.records_data import dossier, load, procedure

D = dt.date
UNIT, PROC = "07210", "1.000001"
KEYS = [f"HSV{i:03d}" for i in range(40)]
ROUNDS = 16  # each round's order is a coin toss: the older batch is stale in about half


def batch(version: int) -> bytes:
    """Every key at ``version``; the version is also written into the record (its
    ``supplement_count``), so a stored record tells which version it came from."""
    rows = [{**dossier(k, UNIT, PROC, D(2026, 8, 17), D(2026, 8, 28), D(2026, 8, 20), supp=version),
             "version": version} for k in KEYS]
    return "".join(json.dumps(r, default=str) + "\n" for r in rows).encode()


@pytest.fixture
def stores(units):
    """Two writers (two connections) and a reader over one fresh PostgreSQL schema."""
    schema = make_postgres_schema()
    url = postgres_records_url(schema)
    opened = [open_records(url) for _ in range(3)]
    try:
        load(opened[0], {"procedures": [procedure(UNIT, PROC)]}, batch="seed")
        yield opened
    finally:
        for s in opened:
            s.close()
        drop_postgres_schema(schema)


@pytest.mark.postgres
def test_concurrent_batches_never_let_an_older_version_win(stores, units):
    newer_writer, older_writer, reader = stores

    def push(store, version):
        return lambda: load_batch(batch(version), "jsonl", "dossiers", store, units, loaded_by="thử")

    stale_seen = 0
    for r in range(ROUNDS):
        # the newer version (odd) and the older one (even) of the same round, released at once;
        # both are newer than everything stored before the round
        newer, older = 2 * r + 1, 2 * r
        (new_report, new_error), (old_report, old_error) = race([push(newer_writer, newer),
                                                                 push(older_writer, older)])
        assert new_error is None and old_error is None, (new_error, old_error)
        assert new_report.stale == ()  # nothing newer than it was ever sent
        # the older batch either went first (then the newer one replaced it) or found the
        # newer one stored and was ignored whole, its keys reported stale
        assert set(old_report.stale) in (set(), set(KEYS))
        stale_seen += bool(old_report.stale)
        written = reader.fetch("dossiers", "id LIKE 'HSV%'", limit=None)
        assert {row["supplement_count"] for row in written} == {newer}, f"round {r}: an older version won"
        assert set(reader.stored_versions("dossiers", KEYS).values()) == {newer}
    top = 2 * ROUNDS - 1
    assert {row["id"]: row["supplement_count"] for row in reader.fetch("dossiers", "id LIKE 'HSV%'", limit=None)} \
        == dict.fromkeys(KEYS, top)
    assert reader.stored_versions("dossiers", KEYS) == dict.fromkeys(KEYS, top)
    for key in KEYS:
        earlier = [h["supplement_count"] for h in sorted(reader.history("dossiers", {"id": key}),
                                                         key=lambda h: h[REPLACED_AT])]
        versions = earlier + [top]
        assert versions == sorted(set(versions)), f"{key}: an older version was written after a newer one: {versions}"
    # the race was real: in some round the older batch reached the store after the newer one
    assert stale_seen > 0


def test_the_versions_lock_is_taken_inside_a_transaction_only(store):
    with pytest.raises(StoreError, match="inside a records transaction"):
        store.lock_versions("dossiers")
    with store.transaction():
        store.lock_versions("dossiers")  # held until the commit (PostgreSQL), nothing to take (DuckDB)
        store.lock_versions("dossiers")  # twice in one transaction: harmless
    with pytest.raises(StoreError, match="unknown record kind"), store.transaction():
        store.lock_versions("tasks")


def test_a_stale_row_is_validated_as_every_row_of_the_batch(store, units):
    """The versions are judged in the write transaction, after the whole batch was validated:
    whether a row is stale depends on what another sender wrote meanwhile, so whether a batch
    is valid must not."""
    load(store, {"procedures": [procedure(UNIT, PROC)]}, batch="seed")
    first = load_batch(batch(5), "jsonl", "dossiers", store, units, loaded_by="thử")
    assert (first.report.files[0].rows, first.report.inserted, first.stale) == (len(KEYS), len(KEYS), ())
    older = batch(4).replace(b'"channel": "online"', b'"channel": "pigeon"', 1)
    with pytest.raises(LoadError) as refused:
        load_batch(older, "jsonl", "dossiers", store, units, loaded_by="thử")
    assert [(p.row, p.column) for p in refused.value.problems] == [(1, "channel")]
    # valid, it is ignored whole: its keys reported stale, nothing written or counted
    again = load_batch(batch(4), "jsonl", "dossiers", store, units, loaded_by="thử")
    assert (again.report.files[0].rows, again.report.updated, again.report.unchanged) == (0, 0, 0)
    assert again.stale == tuple(KEYS)
    assert store.stored_versions("dossiers", KEYS) == dict.fromkeys(KEYS, 5)
