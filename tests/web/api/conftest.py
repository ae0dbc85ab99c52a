"""A small Bắc Ninh world for the API tests: a record store (for scores), a relational store
with a DM catalogue, values, warnings, and one account + API token per role.

Everything goes through the real parts — the generator and loader for records, the
catalogue import, collection's ``submit_batch``, the warning rules, the security
module's accounts and tokens — so the API is tested over what they really store.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

CATALOGUE = """\
province: "24"
version: "thử nghiệm API"
indicators:
  - code: NS.CHI
    name: Chi ngân sách
    name_en: Budget spending
    definition: Chi ngân sách nhà nước trên địa bàn, lũy kế từ đầu năm.
    group: process
    field: FINANCE
    unit: tỷ đồng
    cumulative: true
    frequency: monthly
    deadline_days: 5
    source_system: TABMIS
    owner: 24-STC
    status: in_operation
    valid_from: 2026-01-01
    targets: [{period: "2026", value: 1200}]
  - code: HC.DUNG_HAN
    name: Tỷ lệ hồ sơ giải quyết đúng hạn
    name_en: Dossiers settled on time
    definition: Số hồ sơ đúng hạn trên tổng số hồ sơ đã giải quyết.
    group: output
    field: ADMINISTRATION
    unit: "%"
    frequency: monthly
    source_system: HTTTGQTTHC
    owner: 24-VPUBND
    status: candidate
    valid_from: 2026-01-01
  - code: HC.PHAN_ANH
    name: Số phản ánh, kiến nghị đã xử lý
    name_en: Petitions handled
    definition: Số phản ánh, kiến nghị của người dân, doanh nghiệp đã được xử lý.
    group: output
    field: ADMINISTRATION
    unit: phản ánh
    frequency: monthly
    deadline_days: 5
    source_system: HTTTGQTTHC
    owner: 24-VPUBND
    status: approved
    valid_from: 2026-01-01
"""

PASSWORD = "mật-khẩu-thử-nghiệm-2026"


@dataclass(frozen=True)
class World:
    """What the tests reach: the client, the database, tokens by account name."""

    client: TestClient
    database: object
    tokens: dict[str, str]
    url: str

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


#: account name → (role, unit)
ACCOUNTS = {
    "quantri": ("admin", "24"),
    "lanhdao": ("leader", "24"),
    "xem": ("viewer", "24"),
    "truong.stc": ("head", "24-STC"),
    "canbo.stc": ("officer", "24-STC"),
    "truong.vp": ("head", "24-VPUBND"),
    "canbo.vp": ("officer", "24-VPUBND"),
    "lanhdao.hn": ("leader", "01"),
}


def spending_rows(months: range, per_month: float = 60.0) -> list[dict]:
    """NS.CHI for the province, cumulative, well below the 1,200 yearly target."""
    return [{"indicator": "NS.CHI", "unit": "24", "period": f"2026-{m:02d}", "value": per_month * m}
            for m in months]


def build_world(tmp: Path) -> World:
    from chiso.collect.load import load_paths
    from chiso.collect.values import Submitter, batch_from_records, submit_batch
    from chiso.demo.generate import generate_for
    from chiso.evaluate.dm.service import refresh_warnings
    from chiso.store.database import init_store
    from chiso.store.records import open_records
    from chiso.store.repo_catalogue import import_catalogue, live_indicators
    from chiso.units import load_units
    from chiso.web.app import create_app
    from chiso.web.security import accounts, tokens

    tree = load_units()
    files = generate_for(tmp / "gen", provinces=["24"], dossiers=6_000, seed=5,
                         start=dt.date(2026, 7, 1), end=dt.date(2026, 8, 30))
    records = open_records(f"duckdb:///{tmp / 'records.duckdb'}")
    load_paths([str(p) for paths in files.values() for p in paths], records, tree)

    url = f"sqlite:///{(tmp / 'chiso.sqlite').as_posix()}"
    db = init_store(url)
    path = tmp / "catalogue.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    with db.session() as s:
        import_catalogue(s, path, by="thiết lập thử nghiệm", units=tree)
    with db.session() as s:
        catalogue = live_indicators(s, "24")
    who = Submitter(as_unit="24-STC", by="canbo.stc", role="officer")
    submit_batch(db, batch_from_records("chi-2026.json", spending_rows(range(1, 7))), who, catalogue, tree)
    with db.session() as s:
        refresh_warnings(s, "24", today=dt.date(2026, 7, 20), units=tree)

    tokens_by_name = {}
    for name, (role, unit) in ACCOUNTS.items():
        accounts.create_account(db, "thiết lập", username=name, password=PASSWORD, role=role, unit_code=unit,
                                tree=tree)
        tokens_by_name[name] = tokens.create(db, "thiết lập", name, "thử nghiệm", "read write").secret
    tokens_by_name["xem.doc"] = tokens.create(db, "thiết lập", "quantri", "chỉ đọc", "read").secret
    app = create_app(store=records, tree=tree, database_url=url)
    return World(TestClient(app), db, tokens_by_name, url), records


@pytest.fixture(scope="package")
def world(tmp_path_factory):
    w, records = build_world(tmp_path_factory.mktemp("api"))
    with w.client:
        yield w
    w.database.dispose()
    records.close()
