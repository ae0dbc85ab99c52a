"""chiso init --demo end to end: generate → collect → store → evaluate → store, small."""
import datetime as dt

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.evaluate import kept
from chiso.store import repositories as repo
from chiso.store.database import init_store, open_database
from chiso.store.records import open_records
from chiso.web.security.demo import demo_reminders, ensure_demo_accounts


@pytest.mark.slow
def test_init_demo_builds_scores_and_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    monkeypatch.delenv("CHISO_RECORDS_URL", raising=False)
    runner = CliRunner()
    r = runner.invoke(app, ["init", "--demo", "--dossiers", "6000", "--others", "200", "--today", "2026-11-21"])
    assert r.exit_code == 0, r.output
    db = open_database()
    try:
        with db.session() as s:
            runs = repo.list_runs(s, limit=100)
            assert len(runs) == 52
            assert runs[0].window_end <= dt.date(2026, 11, 21)
            latest = repo.run_results(s, repo.latest_run(s, "2026-W46").id)
            assert {u["level"] for u in latest.units} >= {"province", "department", "commune"}
            assert latest.criteria, "criterion rows are kept for the latest weeks"
            assert repo.audit_entries(s, action="load")
    finally:
        db.dispose()
    # the weeks' counts are kept next to the records, fresh, and they are what scoring reads;
    # and by day over the same range, for any other window (a month, a quarter, a date range)
    with open_records(read_only=True) as store:
        entries = kept.entries(store)
        assert {e.kind for e in entries if e.plan.grain == "week"} == {"dossiers", "petitions", "publications"}
        assert {e.kind for e in entries} == {"dossiers", "petitions", "publications", "procedures"}
        assert all(e.stamp == store.stamp() > 0 for e in entries)
        assert {e.plan.grain for e in entries} == {"week", "daily", "changes", "static"}
        weeks = [e.plan for e in entries if e.plan.grain == "week"]
        assert {(e.plan.start, e.plan.end) for e in entries if e.by_day} == {(weeks[0].start, weeks[0].end)}
    r = runner.invoke(app, ["rank", "--province", "24", "--level", "commune", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"window": "2026-W46"' in r.stdout
    # the server's demo accounts get today's deadline reminders as notices, once
    db = open_database()
    try:
        ensure_demo_accounts(db, "24")
        made = demo_reminders(db, "24", today=dt.date(2026, 11, 23))
        again = demo_reminders(db, "24", today=dt.date(2026, 11, 23))
    finally:
        db.dispose()
    assert made > 0 and again == 0
    # a second init keeps the demo (nothing regenerated)
    r = runner.invoke(app, ["init", "--demo", "--dossiers", "6000", "--others", "200", "--today", "2026-11-21"])
    assert r.exit_code == 0
    assert "already loaded" in r.output


def test_no_demo_reminders_on_a_store_the_demo_did_not_build(tmp_path):
    db = init_store(f"sqlite:///{tmp_path / 'chiso.sqlite'}")
    try:
        assert demo_reminders(db, "24", today=dt.date(2026, 11, 23)) == 0
    finally:
        db.dispose()
