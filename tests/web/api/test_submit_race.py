"""Races over the API: the officer and the head of Sở Tài chính upload the first value of the same
indicator × period at the same moment (threads released together, one app, its own store on
SQLite and PostgreSQL). No answer is a 500: one upload inserts, the others get what they would
have got a second later — ``unchanged``, a correction kept in history (with a reason), or 422
with the reason code ``value.correction``. Approving the period at once is one move.

Not the shared demo site (tests/web/site.py): these tests write the first values of periods,
which the site's other tests count.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from chiso.store.database import init_store
from chiso.store.models import AuditEntry
from chiso.store.records import open_records
from chiso.store.repo_catalogue import import_catalogue
from chiso.units import load_units
from chiso.web.app import create_app
from chiso.web.security import accounts, tokens
from tests.factories import race as race_all

CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
PASSWORD = "Mật-khẩu-thử-đua-2026!"
PEOPLE = {"canbo.stc": ("officer", "24-STC"), "giamdoc.stc": ("head", "24-STC")}
CODE = "NS.CHI_NSDP"  # Sở Tài chính's monthly spending, the province as a whole
THREADS = 8
PERIODS = ("2026-01", "2026-02", "2026-03")


@pytest.fixture
def app_and_tokens(store_url, tmp_path):
    tree = load_units()
    db = init_store(store_url, actor="test")
    with db.session() as s:
        import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
    made = {}
    for username, (role, unit) in PEOPLE.items():
        accounts.create_account(db, "test", username=username, password=PASSWORD, role=role, unit_code=unit,
                                tree=tree)
        made[username] = tokens.create(db, "test", username, "đua", "read write").secret
    records = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    app = create_app(store=records, tree=tree, database_url=store_url)
    try:
        yield app, made, db
    finally:
        app.state.ctx.database.dispose()  # the app's own engine (it opens the store by its URL)
        records.close()
        db.dispose()


def race(calls):
    """Each call in its own thread, all released at once; the answers in order (none raised)."""
    outcomes = race_all(calls)
    assert all(exc is None for _, exc in outcomes), [exc for _, exc in outcomes if exc is not None]
    return [answer for answer, _ in outcomes]


def test_officer_and_head_uploading_at_once_get_no_500(app_and_tokens):
    app, made, db = app_and_tokens
    with TestClient(app, raise_server_exceptions=False) as client:  # a server error is a 500 answer
        def upload(n: int, period: str):
            who = "giamdoc.stc" if n % 2 else "canbo.stc"
            value = 100 if n < 2 else 100 + n   # two send the same value; the others one each
            form = {"reason": f"đối chiếu KBNN lần {n}"} if n >= 4 else {}
            text = f"indicator,unit,period,value\n{CODE},24,{period},{value}\n"
            return lambda: client.post("/api/v1/submissions", headers={"Authorization": f"Bearer {made[who]}"},
                                       data=form, files={"file": (f"chi-{n}.csv", text.encode(), "text/csv")})

        head = {"Authorization": f"Bearer {made['giamdoc.stc']}"}
        # one request first: the context opens its store on first use, and two first uses at
        # once would each open one (chiso.web.context.WebContext.database is not guarded)
        assert client.get("/api/v1/values", params={"indicator": CODE}, headers=head).json()["total"] == 0
        for period in PERIODS:
            answers = race([upload(n, period) for n in range(THREADS)])
            statuses = Counter(r.status_code for r in answers)
            assert set(statuses) <= {201, 422}, [(r.status_code, r.text) for r in answers]
            docs = [r.json() for r in answers]
            assert sum(d.get("inserted", 0) for d in docs) == 1
            corrected = sum(d.get("corrected", 0) for d in docs)
            for n, (r, d) in enumerate(zip(answers, docs, strict=True)):
                if r.status_code == 422:
                    assert n < 4 and [p["code"] for p in d["problems"]] == ["value.correction"], d
                    assert d["submission_id"] is not None  # the refusal is registered with its report
                elif d["status"] == "unchanged":
                    assert n < 2
                elif d["corrected"]:
                    assert n >= 4
            values = client.get("/api/v1/values", params={"indicator": CODE, "period": period}, headers=head).json()
            assert values["total"] == 1
            versions = client.get("/api/v1/values/history", params={"indicator": CODE, "unit": "24", "period": period},
                                  headers=head).json()["versions"]
            assert len(versions) == 1 + corrected and [v["current"] for v in versions].count(True) == 1
            assert [v["value"] for v in versions if v["current"]] == [values["items"][0]["value"]]
            # the head approves the period from two tabs at once: one move, the same answer twice
            moves = race([lambda: client.post(f"/api/v1/periods/{CODE}/{period}/approve", headers=head)] * 2)
            assert [(r.status_code, r.json()["state"]) for r in moves] == [(200, "approved")] * 2
    with db.session() as s:
        approved = s.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "values.period.approved")).all()
    assert sorted(approved) == [f"{CODE}@{p}" for p in PERIODS]
