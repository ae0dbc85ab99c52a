"""A small store for the open data tests (tests/web/pages/test_open_data.py and
tests/web/browser/test_open_data_browser.py), built through the real parts: a catalogue file
imported by the catalogue store, values submitted by their owner agencies' officers through
collection, periods approved by the agencies' heads, one period left waiting and one draft.

The catalogue of province 24 (Bắc Ninh):

- ``OD.TY_LE_DUNG_HAN`` — **public**, yearly, a rate (higher is better), owner Sở Tài chính; targets
  2024: 90, 2025: 95, 2026: 95. Approved: 2024 = 92 (achieved), 2025 = 91 — 95.8 % of its target,
  which the dashboard would call "on track", but the year is over: **missed**. 2026 = 99 is a
  **draft** and must never show.
- ``OD.KHACH`` — **public**, monthly, visitors (thousands), owner Sở Công Thương; target 2026-09:
  100 (set for the month). Approved 2026-07 = 90, 2026-08 = 95, 2026-09 = 80 (missed: the month's
  own target); 2026-10 = 120 **submitted, not approved**: not published.
- ``OD.NOI_BO`` — live, **not public**, approved values: must not leak anywhere.
- ``OD.DE_XUAT`` — marked public but only a **candidate**: not published either.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from chiso.collect.values import Submitter, batch_from_records, submit_batch
from chiso.collect.values.states import Actor, approve
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.store.repo_catalogue import import_catalogue, live_indicators
from chiso.units import load_units
from chiso.web.app import create_app

PROVINCE = "24"
NOW = dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC)
#: A day after every period above ended and its deadline passed, before 2026 ends.
TODAY = dt.date(2026, 11, 20)
PUBLIC = ("OD.TY_LE_DUNG_HAN", "OD.KHACH")
HIDDEN = "OD.NOI_BO"
CANDIDATE = "OD.DE_XUAT"
#: A value of the hidden indicator no public answer may contain.
SECRET_VALUE = 7777.25
DRAFT_VALUE = 99.5
WAITING_VALUE = 123.5

CATALOGUE = """\
province: "24"
version: "thu-nghiem"
indicators:
  - code: OD.TY_LE_DUNG_HAN
    name: Tỷ lệ hồ sơ quyết toán đúng hạn
    name_en: Final accounts settled on time
    definition: Số hồ sơ quyết toán được thẩm định đúng hạn so với tổng số hồ sơ đến hạn, nhân 100.
    group: output
    field: FINANCE
    unit: "%"
    aggregation: {units: mean, periods: last}
    frequency: yearly
    deadline_days: 30
    source_system: Hệ thống quản lý ngân sách tỉnh
    owner: 24-STC
    legal_basis: Luật Ngân sách nhà nước
    targets:
      - {period: "2024", value: 90, basis: Nghị quyết HĐND tỉnh}
      - {period: "2025", value: 95, basis: Nghị quyết HĐND tỉnh}
      - {period: "2026", value: 95, basis: Nghị quyết HĐND tỉnh}
    public: true
    status: in_operation
    valid_from: 2024-01-01
  - code: OD.KHACH
    name: Lượt khách tham quan hội chợ
    name_en: Trade fair visitors
    definition: Số lượt khách tham quan các hội chợ do tỉnh tổ chức trong tháng (nghìn lượt).
    group: outcome
    field: ECONOMY
    unit: nghìn lượt
    aggregation: {units: sum, periods: sum}
    frequency: monthly
    deadline_days: 5
    source_system: Báo cáo của Sở Công Thương
    owner: 24-SCT
    targets:
      - {period: "2026-09", value: 100, basis: Kế hoạch xúc tiến thương mại năm 2026}
    public: true
    status: in_operation
    valid_from: 2024-01-01
  - code: OD.NOI_BO
    name: Chi phí nội bộ chưa công khai
    name_en: Internal costs not published
    definition: Chỉ số dùng nội bộ, không công bố.
    group: input
    field: FINANCE
    unit: tỷ đồng
    frequency: yearly
    source_system: Hệ thống nội bộ
    owner: 24-STC
    status: in_operation
    valid_from: 2024-01-01
  - code: OD.DE_XUAT
    name: Chỉ số đang đề xuất
    name_en: A proposed indicator
    definition: Chỉ số còn ở bước đề xuất.
    group: input
    field: FINANCE
    unit: tỷ đồng
    frequency: yearly
    source_system: Hệ thống nội bộ
    owner: 24-STC
    public: true
    status: candidate
    valid_from: 2024-01-01
"""


@dataclass
class OpenDataSite:
    app: object
    db: object
    url: str
    tree: object

    def close(self) -> None:
        self.db.dispose()


def _submit(db, tree, owner: str, rows: list[dict], *, draft: bool = False, name: str = "so-lieu.json") -> None:
    with db.session() as s:
        live = live_indicators(s, PROVINCE)
    submit_batch(db, batch_from_records(name, rows), Submitter(as_unit=owner, by=f"canbo:{owner}", role="officer",
                                                               draft=draft), live, tree, now=NOW)


def approve_periods(db, tree, owner: str, code: str, periods: list[str]) -> None:
    with db.session() as s:
        live = live_indicators(s, PROVINCE)
        for p in periods:
            approve(s, live, tree, indicator=code, period=p, actor=Actor(by=f"giamdoc:{owner}", role="head",
                                                                          as_unit=owner), now=NOW)


def build_open_data_site(folder: Path) -> OpenDataSite:
    tree = load_units()
    url = f"sqlite:///{(folder / 'chiso.sqlite').as_posix()}"
    db = init_store(url)
    path = folder / "danh-muc.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    with db.session() as s:
        import_catalogue(s, path, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2024, 1, 2))
    row = {"unit": PROVINCE}
    _submit(db, tree, "24-STC", [{**row, "indicator": "OD.TY_LE_DUNG_HAN", "period": "2024", "value": 92},
                                 {**row, "indicator": "OD.TY_LE_DUNG_HAN", "period": "2025", "value": 91},
                                 {**row, "indicator": HIDDEN, "period": "2025", "value": SECRET_VALUE}])
    approve_periods(db, tree, "24-STC", "OD.TY_LE_DUNG_HAN", ["2024", "2025"])
    approve_periods(db, tree, "24-STC", HIDDEN, ["2025"])
    _submit(db, tree, "24-STC", [{**row, "indicator": "OD.TY_LE_DUNG_HAN", "period": "2026", "value": DRAFT_VALUE}],
            draft=True, name="nhap.json")
    _submit(db, tree, "24-SCT", [{**row, "indicator": "OD.KHACH", "period": f"2026-{m:02d}", "value": v}
                                 for m, v in ((7, 90), (8, 95), (9, 80))])
    approve_periods(db, tree, "24-SCT", "OD.KHACH", ["2026-07", "2026-08", "2026-09"])
    _submit(db, tree, "24-SCT", [{**row, "indicator": "OD.KHACH", "period": "2026-10", "value": WAITING_VALUE}],
            name="thang-10.json")
    records = open_records(f"duckdb:///{folder / 'records.duckdb'}")
    app = create_app(store=records, tree=tree, database_url=url)
    return OpenDataSite(app=app, db=db, url=url, tree=tree)
