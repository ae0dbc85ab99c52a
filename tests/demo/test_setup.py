"""chiso init --demo end to end: generate → collect → store → evaluate → store, small."""
import datetime as dt

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.evaluate import kept
from chiso.store import repositories as repo
from chiso.store.database import open_database
from chiso.store.records import open_records


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
    # the weeks' counts are kept next to the records, fresh, and they are what scoring reads
    with open_records(read_only=True) as store:
        entries = kept.entries(store)
        assert {e.kind for e in entries} == {"dossiers", "petitions", "publications"}
        assert all(e.stamp == store.stamp() > 0 and e.plan.grain == "week" for e in entries)
    r = runner.invoke(app, ["rank", "--province", "24", "--level", "commune", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"window": "2026-W46"' in r.stdout
    # a second init keeps the demo (nothing regenerated)
    r = runner.invoke(app, ["init", "--demo", "--dossiers", "6000", "--others", "200", "--today", "2026-11-21"])
    assert r.exit_code == 0
    assert "already loaded" in r.output
