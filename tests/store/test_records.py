"""The record store: same upsert, history, fetch and transaction behaviour on DuckDB and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pyarrow as pa
import pytest

from chiso.errors import StoreError
from chiso.store import records_duckdb
from chiso.store.records import open_records, parquet_records
from chiso.store.records_base import UpsertCounts


@pytest.fixture(params=["duckdb", "duckdb-by-index", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path, monkeypatch):
    """DuckDB (a batch matched by a join with the stored keys), DuckDB with every batch's stored
    records looked up by the key's index (as for a small batch against a large table), PostgreSQL."""
    if request.param == "duckdb-by-index":
        monkeypatch.setattr(records_duckdb, "LOOKUP_RATIO", 0)
    if request.param.startswith("duckdb"):
        url = f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}"
    else:
        url, _schema = request.getfixturevalue("postgres_schema")  # tests/conftest.py
    s = open_records(url)
    yield s
    s.close()


def dossiers(**overrides) -> pl.DataFrame:
    base = {
        "id": ["D1", "D2", "D3"],
        "unit_code": ["24-SYT", "24-SYT", "07210"],
        "province_code": ["24", "24", "24"],
        "procedure_code": ["P1", "P1", "P2"],
        "received_date": [date(2026, 8, 14), date(2026, 8, 17), date(2026, 8, 18)],
        "appointment_date": [date(2026, 8, 19), date(2026, 8, 20), date(2026, 8, 21)],
        "channel": ["online", "direct", "post"],
        "fully_online": [True, False, False],
    }
    base.update(overrides)
    return pl.DataFrame(base)


def test_tables_created_with_types_and_idempotent(store):
    store.ensure_tables()  # second time: nothing to do, no error
    for kind in ("dossiers", "petitions", "procedures", "publications"):
        assert store.count(kind) == 0
        assert store.fetch(kind) == []
    t = store.query_arrow(f"SELECT * FROM {store.relation('dossiers')}")
    types = dict(zip(t.column_names, t.schema.types))
    assert types["received_date"] == pa.date32()
    assert types["supplement_count"] == pa.int32()
    assert types["fully_online"] == pa.bool_()
    assert types["channel"] == pa.string()
    assert "_batch" in types
    h = store.query_arrow(f"SELECT * FROM {store.history_relation('dossiers')}")
    assert {"_replaced_at", "_replaced_by_batch", "_batch", "id"} <= set(h.column_names)


def test_upsert_insert_unchanged_update_with_history(store):
    assert store.upsert("dossiers", dossiers(), "b1") == UpsertCounts(3, 0, 0)
    assert store.count("dossiers") == 3
    assert store.upsert("dossiers", dossiers(), "b2") == UpsertCounts(0, 0, 3)
    # unchanged rows are not rewritten: they still carry the first batch
    assert {r["_batch"] for r in store.fetch("dossiers")} == {"b1"}
    assert store.history("dossiers", {"id": "D1"}) == []

    changed = dossiers(channel=["online", "online", "post"], id=["D1", "D2", "D4"])
    assert store.upsert("dossiers", changed, "b3") == UpsertCounts(1, 1, 1)
    assert store.count("dossiers") == 4
    [d2] = store.fetch("dossiers", "id = $1", ["D2"])
    assert d2["channel"] == "online" and d2["_batch"] == "b3"
    [old] = store.history("dossiers", {"id": "D2"})
    assert old["channel"] == "direct" and old["_batch"] == "b1"
    assert old["_replaced_by_batch"] == "b3" and isinstance(old["_replaced_at"], datetime)

    store.upsert("dossiers", dossiers(channel=["post", "post", "post"]).filter(pl.col("id") == "D2"), "b4")
    assert [h["channel"] for h in store.history("dossiers", {"id": "D2"})] == ["direct", "online"]


def test_null_and_value_changes_count_as_changes(store):
    store.upsert("dossiers", dossiers(), "b1")
    finished = dossiers(finished_date=[date(2026, 8, 19), None, None])
    assert store.upsert("dossiers", finished, "b2") == UpsertCounts(0, 1, 2)
    assert store.upsert("dossiers", dossiers(), "b3") == UpsertCounts(0, 1, 2)
    assert [h["finished_date"] for h in store.history("dossiers", {"id": "D1"})] == [None, date(2026, 8, 19)]


def test_absent_optional_columns_take_defaults(store):
    store.upsert("dossiers", dossiers().drop("fully_online", "province_code"), "b1")
    [row] = store.fetch("dossiers", "id = $1", ["D3"])
    assert row["fully_online"] is False and row["supplement_count"] == 0
    assert row["province_code"] is None and row["rating"] is None


def test_composite_key_history(store):
    procs = pl.DataFrame({"unit_code": ["24-SYT", "07210"], "procedure_code": ["P1", "P1"],
                          "name": ["Cấp phép, \"loại A\"\nmới", ""], "statutory_days": [3, 5]})
    assert store.upsert("procedures", procs, "b1") == UpsertCounts(2, 0, 0)
    # text with commas, quotes, a newline, diacritics and an empty string survives staging
    rows = store.fetch("procedures", order_by=["unit_code"])
    assert [r["name"] for r in rows] == ["", "Cấp phép, \"loại A\"\nmới"]
    assert store.upsert("procedures", procs.with_columns(statutory_days=pl.Series([3, 7])), "b2") \
        == UpsertCounts(0, 1, 1)
    [old] = store.history("procedures", {"unit_code": "07210", "procedure_code": "P1"})
    assert old["statutory_days"] == 5
    with pytest.raises(StoreError, match="keyed by"):
        store.history("procedures", {"procedure_code": "P1"})


def test_fetch_where_order_limit_offset(store):
    store.upsert("dossiers", dossiers(), "b1")
    rows = store.fetch("dossiers", "unit_code = $1 AND received_date >= $2", ["24-SYT", date(2026, 8, 15)])
    assert [r["id"] for r in rows] == ["D2"]
    assert [r["id"] for r in store.fetch("dossiers", order_by="received_date DESC", limit=2)] == ["D3", "D2"]
    assert [r["id"] for r in store.fetch("dossiers", order_by=["id"], limit=2, offset=1)] == ["D2", "D3"]
    with pytest.raises(StoreError, match="unknown column"):
        store.fetch("dossiers", order_by=["nope"])
    assert store.query_arrow(f"SELECT count(*) AS n FROM {store.relation('dossiers')} WHERE channel = $1",
                             ["post"]).to_pylist() == [{"n": 1}]


def test_transaction_commits_together_or_not_at_all(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.upsert("dossiers", dossiers(), "b1")
            store.upsert("petitions", pl.DataFrame({"id": ["X"], "unit_code": ["24"],
                                                    "received_date": [date(2026, 1, 5)]}), "b1")
            raise RuntimeError("a later file failed")
    assert store.count("dossiers") == 0 and store.count("petitions") == 0

    with pytest.raises(StoreError):
        with store.transaction():
            store.upsert("dossiers", dossiers(), "b1")
            store.upsert("dossiers", dossiers(channel=["fax", "post", "post"], id=["D7", "D8", "D9"]), "b1")
    assert store.count("dossiers") == 0

    with store.transaction():
        store.upsert("dossiers", dossiers(), "b1")
        store.upsert("petitions", pl.DataFrame({"id": ["X"], "unit_code": ["24"],
                                                "received_date": [date(2026, 1, 5)]}), "b1")
    assert store.count("dossiers") == 3 and store.count("petitions") == 1


def test_upsert_refuses_bad_frames(store):
    with pytest.raises(StoreError, match="more than once"):
        store.upsert("dossiers", dossiers(id=["D1", "D1", "D2"]), "b1")
    with pytest.raises(StoreError, match="unknown column"):
        store.upsert("dossiers", dossiers(colour=["r", "g", "b"]), "b1")
    with pytest.raises(StoreError, match="required"):
        store.upsert("dossiers", dossiers().drop("channel"), "b1")
    with pytest.raises(StoreError, match="failed"):  # the CHECK constraint on an enum
        store.upsert("dossiers", dossiers(channel=["fax", "post", "post"]), "b1")
    with pytest.raises(StoreError, match="unknown record kind"):
        store.upsert("letters", dossiers(), "b1")
    assert store.count("dossiers") == 0


def _statements(store, monkeypatch) -> list[str]:
    seen: list[str] = []
    plain = store._execute
    monkeypatch.setattr(store, "_execute", lambda sql, *a: seen.append(sql) or plain(sql, *a))
    return seen


def test_a_batch_of_changes_is_matched_among_the_records_of_its_own_days(tmp_path, monkeypatch):
    """DuckDB: changes to stored records whose received day stays are found among the stored
    records of the batch's days (row groups of other days skipped) — no key list, no join with
    the whole table."""
    store = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    store.upsert("dossiers", dossiers(), "b1")
    seen = _statements(store, monkeypatch)
    counts = store.upsert("dossiers", dossiers(channel=["online", "post", "post"]), "b2")
    assert counts == UpsertCounts(inserted=0, updated=1, unchanged=2)
    assert any("received_date\" IN (DATE '2026-08-14', DATE '2026-08-17', DATE '2026-08-18')" in sql
               for sql in seen)
    assert not any("INSERT INTO _chiso_found" in sql for sql in seen)  # nothing left to look for
    assert not any('LEFT JOIN "dossiers"' in sql for sql in seen)  # the batch met its own days' records only
    assert [h["channel"] for h in store.history("dossiers", {"id": "D2"})] == ["direct"]
    store.close()


@pytest.mark.parametrize("ratio", [0, records_duckdb.LOOKUP_RATIO])
def test_keys_not_found_on_the_batchs_days_are_looked_up_by_index_where_that_is_quicker(tmp_path, monkeypatch,
                                                                                        ratio):
    """DuckDB: a new record, and one whose received day changed, are not among the records of
    the batch's days; they are looked up by the key's index only where that is quicker — more
    than LOOKUP_RATIO stored rows per key looked up (here 0: always; the default: not for 2
    keys against 3 rows) — else by a join reading every stored key, with the same rows found.
    (PostgreSQL's join finds the keys through its primary-key index.)"""
    monkeypatch.setattr(records_duckdb, "LOOKUP_RATIO", ratio)
    store = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    store.upsert("dossiers", dossiers(), "b1")
    seen = _statements(store, monkeypatch)
    moved = [date(2026, 8, 14), date(2026, 8, 24), date(2026, 9, 1)]  # D2 received on another day
    counts = store.upsert("dossiers", dossiers(id=["D1", "D2", "D9"], received_date=moved), "b2")
    assert counts == UpsertCounts(inserted=1, updated=1, unchanged=1)
    by_index = any(" IN ('D2', 'D9')" in sql or " IN ('D9', 'D2')" in sql for sql in seen)
    assert by_index == (records_duckdb.LOOKUP_RATIO == 0)
    assert [str(r["received_date"]) for r in store.fetch("dossiers", order_by="id")] == \
        ["2026-08-14", "2026-08-24", "2026-08-18", "2026-09-01"]
    assert [str(h["received_date"]) for h in store.history("dossiers", {"id": "D2"})] == ["2026-08-17"]
    # sent again: every key is now on the batch's days
    assert store.upsert("dossiers", dossiers(id=["D1", "D2", "D9"], received_date=moved), "b3") == \
        UpsertCounts(inserted=0, updated=0, unchanged=3)
    store.close()


def test_dialect_and_relation_names(store):
    assert store.dialect in ("duckdb", "postgres")
    assert store.relation("dossiers") == '"dossiers"'
    assert store.history_relation("petitions") == '"petitions_history"'


def test_read_only_duckdb_refuses_writes(tmp_path):
    url = f"duckdb:///{(tmp_path / 'r.duckdb').as_posix()}"
    with pytest.raises(StoreError, match="chiso init"):
        open_records(url, read_only=True)
    with open_records(url) as s:
        s.upsert("dossiers", dossiers(), "b1")
    with open_records(url, read_only=True) as s:
        assert s.count("dossiers") == 3
        with pytest.raises(StoreError, match="read-only"):
            s.upsert("dossiers", dossiers(), "b2")


def test_default_url_comes_from_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHISO_RECORDS_URL", raising=False)
    monkeypatch.setenv("CHISO_THREADS", "2")
    with open_records() as s:
        assert s.dialect == "duckdb"
        assert s.query_arrow("SELECT current_setting('threads') AS t").to_pylist() == [{"t": 2}]
    assert (tmp_path / "data" / "records.duckdb").is_file()


def test_unknown_url_scheme():
    with pytest.raises(StoreError, match="expected duckdb"):
        open_records("mysql://x")


def test_parquet_records_views(tmp_path):
    part = tmp_path / "parts"
    part.mkdir()
    d = dossiers()
    d.head(2).write_parquet(part / "a.parquet")
    d.tail(1).write_parquet(part / "b.parquet")
    single = tmp_path / "procedures.parquet"
    pl.DataFrame({"unit_code": ["24-SYT"], "procedure_code": ["P1"], "name": ["X"],
                  "statutory_days": [3]}).write_parquet(single)
    with parquet_records({"dossiers": str(part / "*.parquet"), "procedures": [str(single)]}) as s:
        assert s.dialect == "duckdb"
        assert s.count("dossiers") == 3 and s.count("procedures") == 1
        assert s.count("petitions") == 0 and s.history("dossiers", {"id": "D1"}) == []
        rows = s.fetch("dossiers", "channel = $1", ["direct"])
        assert [r["id"] for r in rows] == ["D2"]
        assert rows[0]["supplement_count"] == 0  # absent optional column → default
        [proc] = s.fetch("procedures")
        assert proc["paper_result"] is True and proc["statutory_days"] == 3
        got = s.query_arrow(f"SELECT unit_code, count(*) AS n FROM {s.relation('dossiers')} "
                            "GROUP BY unit_code ORDER BY unit_code").to_pylist()
        assert got == [{"unit_code": "07210", "n": 1}, {"unit_code": "24-SYT", "n": 2}]
        with pytest.raises(StoreError, match="Parquet"):
            s.upsert("dossiers", d, "b1")


def test_parquet_records_refuses_missing_required_column(tmp_path):
    path = tmp_path / "d.parquet"
    dossiers().drop("channel").write_parquet(path)
    with pytest.raises(StoreError, match="channel"):
        parquet_records({"dossiers": str(path)})
    with pytest.raises(StoreError, match="unknown record kind"):
        parquet_records({"letters": str(path)})


# ------------------------------------------------------------------ the change log
def test_change_log_names_the_days_of_new_changed_and_moved_records(store):
    assert store.stamp() == 0
    store.upsert("dossiers", dossiers(), "b1")
    s1 = store.stamp()
    assert s1 == 1
    days, everything = store.changed_days("dossiers", 0)
    assert days == {date(2026, 8, 14), date(2026, 8, 17), date(2026, 8, 18)} and not everything
    # identical again: nothing logged, the stamp stays
    store.upsert("dossiers", dossiers(), "b2")
    assert store.stamp() == s1
    # D2 moves from 17 to 20 August, D3 changes in place: old and new days both logged
    moved = dossiers(received_date=[date(2026, 8, 14), date(2026, 8, 20), date(2026, 8, 18)],
                     channel=["online", "direct", "online"])
    store.upsert("dossiers", moved, "b3")
    assert store.stamp() == s1 + 1
    assert store.changed_days("dossiers", s1) == ({date(2026, 8, 17), date(2026, 8, 20), date(2026, 8, 18)}, False)
    assert store.changed_days("petitions", 0) == (set(), False)


def test_change_log_names_the_units_old_and_new(store):
    store.upsert("dossiers", dossiers(), "b1")
    assert store.changed_units("dossiers", 0) == {"24-SYT", "07210"}
    s1 = store.stamp()
    # D1 handed from 24-SYT to 07246: both units logged; D3 changed in place: its own unit
    store.upsert("dossiers", dossiers(unit_code=["07246", "24-SYT", "07210"], channel=["online", "direct", "online"]),
                 "b2")
    assert store.changed_units("dossiers", s1) == {"24-SYT", "07246", "07210"}
    assert store.changed_units("dossiers", store.stamp()) == set()


def test_a_change_log_from_before_units_were_logged_names_every_unit(tmp_path):
    """A store made before the change log had units: the column is added when it is opened,
    and its earlier rows (no unit) mean every unit."""
    path = tmp_path / "records.duckdb"
    old = open_records(f"duckdb:///{path.as_posix()}")
    old.upsert("dossiers", dossiers(), "b1")
    old._execute("ALTER TABLE _record_changes DROP COLUMN unit_code")
    old.close()
    store = open_records(f"duckdb:///{path.as_posix()}")
    try:
        assert store.changed_units("dossiers", 0) is None
        s1 = store.stamp()
        store.upsert("dossiers", dossiers(channel=["online", "post", "post"]), "b2")
        assert store.changed_units("dossiers", s1) == {"24-SYT"}
    finally:
        store.close()


def test_change_log_of_a_kind_without_window_and_of_a_failed_upsert(store):
    procs = pl.DataFrame({"unit_code": ["24-SYT"], "procedure_code": ["P1"], "name": ["Cấp phép hành nghề"],
                          "statutory_days": [3]})
    store.upsert("procedures", procs, "b1")
    assert store.changed_days("procedures", 0) == (set(), True)
    before = store.stamp()
    with pytest.raises(StoreError):
        store.upsert("dossiers", pl.concat([dossiers(), dossiers()]), "bad")  # duplicate keys
    assert store.stamp() == before


@pytest.mark.postgres
def test_the_postgres_change_log_reads_recent_stamps_by_its_index(postgres_schema):
    """The change log grows by a row per unit and day each batch touches: PostgreSQL keeps an
    index on its stamp, made by a writable store (also for a log made before the index was), so
    "what changed after stamp s" reads a few entries — and the plan says so. The windowed kinds
    are indexed by their window field (a batch's days are recounted from their records)."""
    url, _ = postgres_schema
    writer = open_records(url)
    try:
        writer.upsert("dossiers", dossiers(), batch="b1")

        def indexes():
            return {r["indexname"] for r in writer.query_arrow(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = '_record_changes'").to_pylist()}
        assert indexes() == {"_record_changes_stamp"}
        by_day = {r["indexname"] for r in writer.query_arrow(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname LIKE '%\\_idx'").to_pylist()}
        assert by_day == {"dossiers_received_date_idx", "petitions_received_date_idx",
                          "publications_decision_date_idx"}
        writer._execute("DROP INDEX _record_changes_stamp")  # a log from before the index
    finally:
        writer.close()
    reader = open_records(url, read_only=True)
    try:
        assert reader.changed_days("dossiers", 0)[0]  # a read-only store reads the log without it
    finally:
        reader.close()
    writer = open_records(url)
    try:
        assert indexes() == {"_record_changes_stamp"}
        writer._execute("SET enable_seqscan = off")  # a tiny table: ask whether the index serves at all
        plan = writer.query_arrow("EXPLAIN SELECT DISTINCT day FROM _record_changes "
                                  "WHERE kind = 'dossiers' AND stamp > 1").column(0).to_pylist()
        assert any("_record_changes_stamp" in line for line in plan)
        assert writer.changed_days("dossiers", 0)[0] == {date(2026, 8, 14), date(2026, 8, 17), date(2026, 8, 18)}
    finally:
        writer.close()


@pytest.mark.postgres
def test_the_postgres_connection_sets_its_planner_defaults_and_keeps_the_deployers(postgres_schema):
    """chiso's statements run well under a second: the store's connection turns JIT compiling
    off and gives a read's hash its memory — where neither the server's configuration nor the
    URL's options set them (theirs are kept)."""
    url, _ = postgres_schema
    for extra, work_mem in (("", "64MB"), ("%20-cwork_mem%3D8MB", "8MB")):
        store = open_records(url + extra)
        try:
            shown = {k: store.query_arrow(f"SHOW {k}").column(0)[0].as_py() for k in ("jit", "work_mem")}
        finally:
            store.close()
        assert shown == {"jit": "off", "work_mem": work_mem}


@pytest.mark.postgres
def test_a_bulk_upsert_gives_postgres_the_statistics_of_what_it_grew(postgres_schema, monkeypatch):
    """After a bulk load the planner must not plan the next batch on an empty table's guesses
    (the change log read whole instead of through its stamp's index): an upsert of at least
    ANALYZE_AFTER records analyses the tables it grew; a small push leaves it to autovacuum."""
    from chiso.store import records_base

    url, _ = postgres_schema
    store = open_records(url)
    try:
        def analysed() -> set[str]:
            return {r["relname"] for r in store.query_arrow(
                "SELECT relname FROM pg_class WHERE relnamespace = CAST(current_schema() AS regnamespace) "
                "AND relname IN ('dossiers', '_record_changes') AND reltuples >= 0").to_pylist()}
        rows = dossiers()
        monkeypatch.setattr(records_base, "ANALYZE_AFTER", len(rows))
        store.upsert("dossiers", rows, batch="b1")
        assert analysed() == {"dossiers", "_record_changes"}
    finally:
        store.close()
