"""POST /api/v1/records/{kind}: a batch of records pushed by another system, on the embedded
record store (DuckDB, held writable by the web) and on PostgreSQL records.

Each test has its own small site (its own record store, SQLite register and accounts): the
shared demo site is read by other tests and must not change under them.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import time
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from chiso.catalog.records import RECORD_KINDS
from chiso.engine.counts import CountsPlan
from chiso.errors import NotAllowedError
from chiso.evaluate import kept, service
from chiso.evaluate.counts import compute_counts
from chiso.periods.windows import parse_window
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_loads import record_load_batch, registered_batches
from chiso.units import load_units
from chiso.web.api.records import MEDIA_TYPES, Kind
from chiso.web.app import create_app
from chiso.web.checkpoints import QuietCheckpoint
from chiso.web.security import accounts, tokens
from tests.factories import drop_postgres_schema, make_postgres_schema, postgres_records_url
from tests.records_data import dossier, load, procedure

D = dt.date
PASSWORD = "Mật-khẩu-thử-2026!"
COMMUNE, OTHER_COMMUNE, PROC = "07210", "07246", "1.000001"
WINDOW = "2026-W34"
JSONL = {"Content-Type": "application/x-ndjson"}
#: account → (role, unit, token scopes made for it)
ACCOUNTS = {
    "quantri": ("admin", "24", ("read ingest", "read", "read write")),
    "canbo.xa": ("officer", COMMUNE, ("read ingest",)),
    "xem": ("viewer", "24", ("read",)),
}


def late(i: int, unit: str = COMMUNE) -> dict:
    """A dossier of week 2026-W34 finished after its appointment (late)."""
    return dossier(f"HS{i:03d}", unit, PROC, D(2026, 8, 17), D(2026, 8, 20), D(2026, 8, 25))


def on_time(i: int, unit: str = COMMUNE) -> dict:
    """The same dossier, finished before its appointment (the change a batch brings)."""
    return dossier(f"HS{i:03d}", unit, PROC, D(2026, 8, 17), D(2026, 8, 20), D(2026, 8, 19))


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, default=str, ensure_ascii=False) + "\n" for r in rows).encode()


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if v is None else str(v).lower() if isinstance(v, bool) else v for k, v in r.items()})
    return out.getvalue().encode()


def parquet_bytes(rows: list[dict], dates_as_text: bool = False) -> bytes:
    if dates_as_text:
        rows = [{k: str(v) if isinstance(v, dt.date) else v for k, v in r.items()} for r in rows]
    out = io.BytesIO()
    pl.DataFrame(rows).write_parquet(out)
    return out.getvalue()


@dataclass
class Site:
    client: TestClient
    records: object
    database: object
    tokens: dict[tuple[str, str], str]

    def auth(self, who: str, scope: str = "read ingest") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who, scope]}"}

    def push(self, rows_or_body, who: str = "quantri", kind: str = "dossiers", headers=None, scope="read ingest"):
        body = rows_or_body if isinstance(rows_or_body, bytes) else jsonl(rows_or_body)
        return self.client.post(f"/api/v1/records/{kind}", content=body,
                                headers={**(headers or JSONL), **self.auth(who, scope)})

    def stored(self, ids: list[str]) -> dict[str, dict]:
        marks = ", ".join(f"${i}" for i in range(1, len(ids) + 1))
        return {r["id"]: r for r in self.records.fetch("dossiers", f"id IN ({marks})", ids, limit=None)}

    def on_time_numerator(self, unit: str = COMMUNE) -> float:
        answer = self.client.get("/api/v1/scores", params={"window": WINDOW, "province": "24"},
                                 headers=self.auth("quantri", "read"))
        assert answer.status_code == 200, answer.text
        unit_row = next(u for u in answer.json()["units"] if u["code"] == unit)
        return unit_row["criteria"]["ON_TIME"]["numerator"]


def _build(folder: Path, records, *, store=None) -> Site:
    tree = load_units()
    load(records, {"procedures": [procedure(COMMUNE, PROC), procedure(OTHER_COMMUNE, PROC)],
                   "dossiers": [late(i) for i in range(10)]}, batch="seed")
    url = f"sqlite:///{(folder / 'chiso.sqlite').as_posix()}"
    db = init_store(url)
    made = {}
    for username, (role, unit, scopes) in ACCOUNTS.items():
        accounts.create_account(db, "thiết lập", username=username, password=PASSWORD, role=role, unit_code=unit,
                                tree=tree, display_name=f"Tài khoản {username}")
        for scope in scopes:
            made[username, scope] = tokens.create(db, "thiết lập", username, f"thử {scope}", scope).secret
    app = create_app(store=store or records, tree=tree, database_url=url)
    return Site(TestClient(app), records, db, made)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request, tmp_path: Path, monkeypatch) -> Iterator[Site]:
    """A site whose web holds its record store writable: DuckDB (the ``CHISO_INGEST_WRITER=web``
    arrangement) or PostgreSQL. The tests read the store directly, outside the web's lock, so
    the background checkpoint after a push is put off past the test (the checkpoint tests set
    their own quiet time)."""
    monkeypatch.setenv("CHISO_CHECKPOINT_QUIET_SECONDS", "3600")
    schema = None
    if request.param == "duckdb":
        records = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    else:
        schema = make_postgres_schema()
        records = open_records(postgres_records_url(schema))
    try:
        s = _build(tmp_path, records)
        with s.client:
            yield s
        s.database.dispose()
    finally:
        records.close()
        if schema is not None:
            drop_postgres_schema(schema)


# ------------------------------------------------------------------ what a batch does
def test_a_batch_is_written_logged_registered_and_audited(site):
    answer = site.push([on_time(i) for i in range(10)] + [on_time(i) for i in range(10, 13)])
    assert answer.status_code == 200, answer.text
    stamp = answer.json()
    assert (stamp["kind"], stamp["rows"], stamp["inserted"], stamp["updated"], stamp["unchanged"]) == (
        "dossiers", 13, 3, 10, 0)
    assert stamp["loaded_by"] == "quantri" and stamp["records_stamp"] > 0 and stamp["generation"] >= 1
    assert {r["finished_date"] for r in site.stored([f"HS{i:03d}" for i in range(13)]).values()} == {D(2026, 8, 19)}
    # the change log of chiso load: the earlier version kept in the history table
    assert [h["finished_date"] for h in site.records.history("dossiers", {"id": "HS000"})] == [D(2026, 8, 25)]
    with site.database.session() as s:
        assert stamp["batch"] in registered_batches(s)
        line = audit_entries(s, action="records.ingest")[0]
        assert (line.actor, line.target_id) == ("quantri", stamp["batch"])
        assert {k: line.detail[k] for k in ("kind", "rows", "inserted", "updated", "unchanged")} == {
            "kind": "dossiers", "rows": 13, "inserted": 3, "updated": 10, "unchanged": 0}
    assert site.records.logged_loads()[-1]["loaded_by"] == "quantri"


def test_a_resent_batch_changes_nothing(site):
    batch = jsonl([on_time(i) for i in range(10)])
    first = site.push(batch)
    assert first.status_code == 200, first.text
    again = site.push(batch)
    assert again.status_code == 200, again.text
    assert (again.json()["inserted"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 10)
    assert again.json()["records_stamp"] == first.json()["records_stamp"]  # no change logged
    assert len(site.records.history("dossiers", {"id": "HS000"})) == 1
    assert again.json()["batch"] != first.json()["batch"]  # each batch is its own load, registered


def test_csv_and_parquet_batches_go_the_same_way(site):
    rows = [on_time(i) for i in range(5)]
    by_csv = site.push(csv_bytes(rows), headers={"Content-Type": "text/csv; charset=utf-8"})
    assert by_csv.status_code == 200, by_csv.text
    assert (by_csv.json()["updated"], by_csv.json()["unchanged"]) == (5, 0)
    by_parquet = site.push(parquet_bytes(rows), headers={"Content-Type": "application/vnd.apache.parquet"})
    assert by_parquet.status_code == 200, by_parquet.text
    assert (by_parquet.json()["updated"], by_parquet.json()["unchanged"]) == (0, 5)
    octets = site.push(parquet_bytes([on_time(7)]), headers={"Content-Type": "application/octet-stream"})
    assert (octets.status_code, octets.json()["updated"]) == (200, 1)


# ------------------------------------------------------------------ versions
def versioned(rows: list[dict], version: int) -> list[dict]:
    return [{**r, "version": version} for r in rows]


def test_a_record_older_than_the_stored_version_is_ignored(site):
    newer = site.push(versioned([on_time(1), on_time(2)], 5))
    assert (newer.status_code, newer.json()["updated"], newer.json()["stale"]) == (200, 2, 0), newer.text
    # version 4 of HS001 arrives late (out of order), beside a new version of HS003: HS001 is
    # ignored, HS003 written
    late_delivery = site.push(versioned([late(1)], 4) + versioned([on_time(3)], 1))
    assert late_delivery.status_code == 200, late_delivery.text
    stamp = late_delivery.json()
    assert (stamp["rows"], stamp["updated"], stamp["stale"], stamp["stale_keys"]) == (2, 1, 1, ["HS001"])
    stored = site.stored(["HS001", "HS003"])
    assert stored["HS001"]["finished_date"] == D(2026, 8, 19) and stored["HS003"]["finished_date"] == D(2026, 8, 19)
    # the same version again: written as any batch (identical → unchanged); a newer one: written
    same = site.push(versioned([on_time(1)], 5))
    assert (same.json()["unchanged"], same.json()["stale"]) == (1, 0)
    newest = site.push(versioned([late(1)], 6))
    assert newest.json()["updated"] == 1 and site.stored(["HS001"])["HS001"]["finished_date"] == D(2026, 8, 25)
    # re-sending the version-5 batch now changes nothing: every record of it is stale
    resent = site.push(versioned([on_time(1), on_time(2)], 5))
    assert resent.status_code == 200, resent.text
    assert (resent.json()["inserted"], resent.json()["updated"], resent.json()["unchanged"],
            resent.json()["stale"]) == (0, 0, 1, 1)  # HS002 is still at version 5: identical
    assert site.stored(["HS001"])["HS001"]["finished_date"] == D(2026, 8, 25)
    with site.database.session() as s:
        assert audit_entries(s, action="records.ingest")[0].detail["stale"] == 1
    all_stale = site.push(versioned([on_time(1), late(2)], 0))  # nothing newer in it at all
    assert all_stale.status_code == 200, all_stale.text
    assert (all_stale.json()["rows"], all_stale.json()["stale"], all_stale.json()["updated"]) == (2, 2, 0)
    assert site.stored(["HS002"])["HS002"]["finished_date"] == D(2026, 8, 19)


def test_a_version_that_is_no_whole_number_is_a_problem_of_its_row(site):
    rows = versioned([on_time(1), on_time(2), on_time(3)], 2)
    rows[1]["version"], rows[2]["version"] = "v2", -1
    answer = site.push(rows)
    assert answer.status_code == 422, answer.text
    assert {(2, "version"), (3, "version")} <= _problems(answer)
    assert site.stored(["HS001"])["HS001"]["finished_date"] == D(2026, 8, 25)  # nothing written


# ------------------------------------------------------------------ all or nothing
def _problems(answer) -> set[tuple]:
    return {(p["row"], p["column"]) for p in answer.json()["problems"]}


def test_a_batch_with_problems_is_refused_whole_with_every_problem_named(site):
    rows = [on_time(i) for i in range(6)]
    rows[1] = {**rows[1], "received_date": "2026-02-30"}          # line 2: no such day
    rows[4] = {**rows[4], "channel": "carrier pigeon"}            # line 5: not a channel
    rows[5] = {**rows[5], "unit_code": "99999"}                   # line 6: no such unit
    answer = site.push(rows)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["status"] == "refused" and "nothing was written" in body["detail"]
    assert _problems(answer) >= {(2, "received_date"), (5, "channel"), (6, "unit_code")}
    assert all(p["file"] == "dossiers.jsonl" and p["reason"] for p in body["problems"])
    assert body["total"] == len(body["problems"])
    # nothing written: the good rows 1, 3 and 4 are still late, no new load registered
    assert {r["finished_date"] for r in site.stored(["HS000", "HS002", "HS003"]).values()} == {D(2026, 8, 25)}
    assert site.records.history("dossiers", {"id": "HS000"}) == []
    assert [row["batch"] for row in site.records.logged_loads()] == []


def test_rows_are_numbered_as_the_sender_numbers_them(site):
    rows = [on_time(i) for i in range(4)]
    rows[2] = {**rows[2], "received_date": "not a date"}
    as_csv = site.push(csv_bytes(rows), headers={"Content-Type": "text/csv"})
    assert (as_csv.status_code, _problems(as_csv)) == (422, {(4, "received_date")})  # header = row 1
    as_parquet = site.push(parquet_bytes(rows, dates_as_text=True), headers={"Content-Type": "application/vnd.apache.parquet"})
    assert (as_parquet.status_code, _problems(as_parquet)) == (422, {(3, "received_date")})  # index + 1
    with_blank = jsonl(rows[:2]) + b"\n" + jsonl(rows[2:])
    as_jsonl = site.push(with_blank)
    assert (as_jsonl.status_code, _problems(as_jsonl)) == (422, {(4, "received_date")})  # the line


def test_a_key_twice_in_one_batch_is_a_problem_not_a_half_write(site):
    answer = site.push([on_time(1), on_time(2), {**on_time(1), "finished_date": "2026-08-21"}])
    assert answer.status_code == 422, answer.text
    assert any(p["row"] == 3 for p in answer.json()["problems"])
    assert site.stored(["HS001"])["HS001"]["finished_date"] == D(2026, 8, 25)


# ------------------------------------------------------------------ who may push what
def test_only_a_token_with_the_ingest_scope_pushes(site):
    rows = [on_time(1)]
    for scope in ("read", "read write"):
        refused = site.push(rows, scope=scope)
        assert refused.status_code == 403, refused.text
        assert "read ingest" in refused.json()["detail"]
    anonymous = site.client.post("/api/v1/records/dossiers", content=jsonl(rows), headers=JSONL)
    assert anonymous.status_code == 401
    assert site.stored(["HS001"])["HS001"]["finished_date"] == D(2026, 8, 25)
    # a role that writes no data cannot even be given the scope
    with pytest.raises(NotAllowedError):
        tokens.create(site.database, "thiết lập", "xem", "nạp", "read ingest")
    # and an ingest token writes nothing else (no 'write' scope)
    other = site.client.post("/api/v1/tokens", json={"name": "khác", "scope": "read"},
                             headers=site.auth("quantri"))
    assert other.status_code == 403


def test_a_unit_pushes_only_its_own_records(site):
    mine = site.push([on_time(1)], who="canbo.xa")
    assert (mine.status_code, mine.json()["updated"]) == (200, 1)
    theirs = site.push([on_time(2), on_time(50, OTHER_COMMUNE), on_time(51, OTHER_COMMUNE)], who="canbo.xa")
    assert theirs.status_code == 403, theirs.text
    assert OTHER_COMMUNE in theirs.json()["detail"] and "row 2, 3" in theirs.json()["detail"]
    assert site.stored(["HS002"])["HS002"]["finished_date"] == D(2026, 8, 25)  # nothing written
    assert site.stored(["HS050"]) == {}
    admin = site.push([on_time(50, OTHER_COMMUNE)])  # an administrator any unit
    assert (admin.status_code, admin.json()["inserted"]) == (200, 1)


# ------------------------------------------------------------------ visible without a restart
def unit_page(site) -> str:
    page = site.client.get(f"/units/{COMMUNE}", params={"window": WINDOW}, headers=site.auth("quantri", "read"))
    assert page.status_code == 200
    return page.text


ON_TIME_LABEL = 'Hồ sơ giải quyết đúng hạn <small class="muted">({})</small>'


def test_a_pushed_batch_shows_in_the_next_score_read(site):
    assert site.on_time_numerator() == 0  # read, and cached by the web
    assert ON_TIME_LABEL.format("0,0%") in unit_page(site)
    answer = site.push([on_time(i) for i in range(6)])
    assert answer.status_code == 200, answer.text
    assert site.on_time_numerator() == 6
    assert site.on_time_numerator("24") == 6  # the province's own count, from its units' records
    assert ON_TIME_LABEL.format("60,0%") in unit_page(site)  # 6 of 10 on time, on the unit's page


def test_counts_kept_by_day_follow_a_batch_before_the_answer(site):
    """With counts kept by day the batch's days are recounted in the POST itself: the read
    after it counts a month and a date range from kept counts that are already fresh."""
    definition = site.client.app.state.ctx.definition
    kept.keep_days(definition, site.records, D(2026, 8, 1), D(2026, 8, 31))
    month = CountsPlan(D(2026, 8, 1), D(2026, 8, 31))
    assert site.push([on_time(i) for i in range(4)]).status_code == 200
    assert all(e.stamp == site.records.stamp() for e in kept.entries(site.records))  # refreshed in the POST
    assert site.on_time_numerator() == 4
    got = compute_counts(definition, site.records, [parse_window("2026-08")])
    assert kept.read(definition, site.records, month, "dossiers", False) is not None
    assert got.value("2026-08", COMMUNE, "on_time") == 4 and got.value("2026-08", COMMUNE, "received") == 10


def test_a_batch_drops_the_scores_of_the_windows_it_touches_only(site):
    """The batch's records were received on 17/8/2026 (week 34): the scores of week 33, which
    ended before, stay and are taken as week 34's "week before"; weeks 34, 35 and August go."""
    ctx = site.client.app.state.ctx
    ctx.check_data(claimed=True)  # the register's stamp seen, as the first request's check does
    kept_before = {w: ctx.scores(w) for w in ("2026-W33", "2026-W34", "2026-W35", "2026-08")}
    assert site.push([on_time(i) for i in range(6)]).status_code == 200
    assert ctx.cached_scores("2026-W33") is kept_before["2026-W33"]
    assert [ctx.cached_scores(w) for w in ("2026-W34", "2026-W35", "2026-08")] == [None, None, None]
    week = ctx.scores("2026-W34")
    assert week.unit(COMMUNE)["previous_total"] == kept_before["2026-W33"].unit(COMMUNE)["total"]
    assert site.on_time_numerator() == 6
    # the register now names the batch: the periodic check knows it for this process's own
    ctx.check_data(claimed=True)
    assert ctx.cached_scores("2026-W34") is week and ctx.cached_scores("2026-W33") is kept_before["2026-W33"]
    # a batch that changes nothing drops nothing
    assert site.push([on_time(i) for i in range(6)]).json()["unchanged"] == 6
    assert ctx.cached_scores("2026-W34") is week


def test_the_read_after_a_batch_scores_its_week_only(site, monkeypatch):
    """Week 34 read once (week 33 scored inside it, for the changes, and kept beside it); after
    a batch of week 34 the read scores week 34 and takes week 33 as it was."""
    ctx = site.client.app.state.ctx
    first = ctx.scores("2026-W34")
    bare = first.before
    assert bare is not None and bare.window == "2026-W33" and bare.before is None
    assert site.push([on_time(i) for i in range(3)]).status_code == 200
    scored = []
    plain = service.score_window_counts
    monkeypatch.setattr(service, "score_window_counts", lambda d, window, *a, **k: scored.append(window) or
                        plain(d, window, *a, **k))
    week = ctx.scores("2026-W34")
    assert scored == ["2026-W34"] and week.before is bare
    assert week.unit(COMMUNE)["previous_total"] == bare.unit(COMMUNE)["total"]


def test_a_load_registered_by_another_process_still_drops_every_score(site):
    ctx = site.client.app.state.ctx
    ctx.check_data(claimed=True)
    earlier = ctx.scores("2026-W33")
    assert site.push([on_time(1)]).status_code == 200
    # another process (chiso load) registers a load of its own meanwhile
    with site.database.session() as s:
        record_load_batch(s, record_kind="dossiers", file_name="hs.csv", file_sha256="0" * 64, rows=1, inserted=1,
                          updated=0, unchanged=0, loaded_by="cli", status="loaded", batch="another")
    assert site.push([on_time(2)]).status_code == 200
    assert ctx.cached_scores("2026-W33") is earlier  # the batch itself touched week 34 only
    ctx.check_data(claimed=True)
    assert ctx.cached_scores("2026-W33") is None


# ------------------------------------------------------------------ the store's log folded later
def _wal(site) -> int:
    path = Path(site.records.query_arrow("SELECT path FROM duckdb_databases() WHERE database_name = "
                                         "current_database()").column(0)[0].as_py() + ".wal")
    return path.stat().st_size if path.exists() else 0


def _until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_embedded_store_is_checkpointed_once_pushes_go_quiet(tmp_path, monkeypatch):
    """The answer does not wait for DuckDB to fold its log into the file: the web folds it in
    the background once no batch has come for CHISO_CHECKPOINT_QUIET_SECONDS (here 0)."""
    monkeypatch.setenv("CHISO_CHECKPOINT_QUIET_SECONDS", "0")
    records = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    try:
        s = _build(tmp_path, records)
        with s.client:
            checkpoints = s.client.app.state.ctx.checkpoints
            assert checkpoints.done == 0
            assert s.push([on_time(i) for i in range(10)]).status_code == 200
            assert _until(lambda: checkpoints.done == 1)
            with s.client.app.state.ctx.lock:
                assert _wal(s) == 0
            assert s.on_time_numerator() == 10  # nothing lost by the fold
        s.database.dispose()
    finally:
        records.close()


def test_a_batch_in_the_quiet_time_puts_the_checkpoint_off(site):
    """Batches coming one after the other: one checkpoint after the last, none in between."""
    checkpoints = site.client.app.state.ctx.checkpoints
    checkpoints.quiet = 3600
    timers = []
    for i in range(3):
        assert site.push([on_time(i)]).status_code == 200
        timers.append(checkpoints._timer)
    assert len(set(map(id, timers))) == 3
    assert [t.finished.is_set() for t in timers] == [True, True, False]  # the earlier two called off
    assert checkpoints.done == 0
    checkpoints.close()  # the application's end calls a pending one off too
    assert timers[-1].finished.is_set() and checkpoints.done == 0


def test_the_end_of_the_application_waits_for_a_running_checkpoint():
    """A checkpoint already folding the log when the application ends is waited for, so the
    store is idle when it is closed next (DuckDB refuses to close a busy connection)."""
    started, release, order = threading.Event(), threading.Event(), []

    class SlowStore:
        def checkpoint(self):
            started.set()
            release.wait(10)
            order.append("checkpoint")

    checkpoints = QuietCheckpoint(SlowStore(), threading.Lock(), 0)
    checkpoints.written()
    assert started.wait(10)
    closing = threading.Thread(target=lambda: (checkpoints.close(), order.append("closed")))
    closing.start()
    closing.join(0.2)
    assert closing.is_alive() and order == []  # close waits for the fold
    release.set()
    closing.join(10)
    assert order == ["checkpoint", "closed"]
    checkpoints.written()  # after the end, a late batch arms nothing
    assert checkpoints._timer is None and order == ["checkpoint", "closed"] and checkpoints.done == 1


# ------------------------------------------------------------------ hostile bodies
def test_a_body_over_the_limit_is_refused_before_it_is_read(site, monkeypatch):
    monkeypatch.setenv("CHISO_INGEST_MAX_BYTES", "2048")
    big = jsonl([on_time(i) for i in range(40)])
    assert len(big) > 2048
    answer = site.push(big)
    assert answer.status_code == 413 and "CHISO_INGEST_MAX_BYTES" in answer.json()["detail"]
    chunks = site.client.post("/api/v1/records/dossiers", content=iter([big[:1500], big[1500:]]),
                              headers={**JSONL, **site.auth("quantri")})  # no declared length: counted as read
    assert chunks.status_code == 413


def test_deep_json_a_huge_cell_and_unknown_bodies_are_refused(site, monkeypatch):
    deep = json.dumps({**on_time(1), "channel": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}, default=str)
    answer = site.push(deep.encode() + b"\n")
    assert answer.status_code == 422 and "deep" in json.dumps(answer.json()).lower()
    monkeypatch.setenv("CHISO_FILE_MAX_CELL_CHARS", "1000")
    huge = site.push([{**on_time(1), "id": "H" * 5000}])
    assert huge.status_code == 422, huge.text
    assert huge.json()["problems"][0]["row"] == 1
    assert site.push(b"", headers=JSONL).status_code == 422
    assert site.push(b"\x00\x01garbage", headers={"Content-Type": "application/vnd.apache.parquet"}).status_code == 422
    assert site.push(b"{}", headers={"Content-Type": "application/json"}).status_code == 415
    assert site.push([on_time(1)], kind="tasks").status_code == 422  # not a record kind
    assert site.stored(["HS001"])["HS001"]["finished_date"] == D(2026, 8, 25)


# ------------------------------------------------------------------ where the writes go
def test_a_read_only_duckdb_store_answers_503_naming_the_setting(tmp_path, monkeypatch):
    path = tmp_path / "records.duckdb"
    writer = open_records(f"duckdb:///{path.as_posix()}")
    s = _build(tmp_path, writer)
    writer.close()
    monkeypatch.delenv("CHISO_RECORDS_URL", raising=False)
    reader = open_records(f"duckdb:///{path.as_posix()}", read_only=True)
    try:
        app = create_app(store=reader, tree=load_units(), database_url=f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}")
        with TestClient(app) as client:
            answer = client.post("/api/v1/records/dossiers", content=jsonl([on_time(1)]),
                                 headers={**JSONL, **s.auth("quantri")})
        assert answer.status_code == 503 and "CHISO_INGEST_WRITER" in answer.json()["detail"]
    finally:
        reader.close()
        s.database.dispose()


@pytest.mark.postgres
def test_postgres_records_are_written_on_a_connection_of_the_batch(tmp_path, monkeypatch):
    """The web holds PostgreSQL records read-only; a batch writes through its own connection
    (CHISO_RECORDS_URL), and the web's reads see it at once."""
    schema = make_postgres_schema()
    url = postgres_records_url(schema)
    writer = open_records(url)
    reader = open_records(url, read_only=True)
    try:
        s = _build(tmp_path, writer, store=reader)
        monkeypatch.setenv("CHISO_RECORDS_URL", url)
        with s.client:
            assert s.on_time_numerator() == 0
            answer = s.push([on_time(i) for i in range(4)])
            assert answer.status_code == 200, answer.text
            assert answer.json()["updated"] == 4
            assert s.on_time_numerator() == 4
        s.database.dispose()
    finally:
        reader.close()
        writer.close()
        drop_postgres_schema(schema)


def test_the_route_takes_every_record_kind_and_the_documented_media_types():
    assert set(typing.get_args(Kind)) == set(RECORD_KINDS)
    assert set(MEDIA_TYPES.values()) == {"jsonl", "csv", "parquet"}
