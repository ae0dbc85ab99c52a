"""The records behind lost points in plain words (``/units/{code}/records`` and its Excel export):
Vietnamese headings and values, procedure and unit names, a reason on every row, the unit's own
records for a criterion counted from them and the province's, said so, for one it inherits,
paging, the workbook's content and who may download it."""
from __future__ import annotations

import html as htmlmod
import io
import re

import openpyxl
import pytest

from chiso.catalog.index_definition import load_index_definition
from chiso.evaluate.service import explain

DEF = load_index_definition()
RAW = ("unit_code", "fully_online", "synced_national", "procedure_code", "received_date", "full_online_eligible",
       ">True<", ">False<", ">direct<", ">online<", ">post<", "_counted", "_reason")


def cells(page: str, column: str) -> list[str]:
    """The text of every cell of one column (``col-reason``, ``col-procedure`` …), tags removed."""
    found = re.findall(rf'<td class="col-{column}"[^>]*>(.*?)</td>', page, flags=re.S)
    return [htmlmod.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in found]


def titles(page: str, column: str) -> list[str]:
    found = re.findall(rf'<td class="col-{column}"[^>]*><span title="([^"]*)">', page)
    return [htmlmod.unescape(t) for t in found]


def get(client, code: str, criterion: str, window: str, **params):
    r = client.get(f"/units/{code}/records", params={"criterion": criterion, "window": window, **params},
                   headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    return r.text


@pytest.fixture(scope="module")
def commune(site):
    """A commune of Bắc Ninh with dossiers lost on time in the week, and its lost total."""
    best = None
    for unit in site.tree.children("24"):
        if unit.level != "commune":
            continue
        found = explain(DEF, site.records, site.tree, unit.code, "ON_TIME", site.window, limit=0)
        lost = found["totals"]["rows"] - found["totals"]["counted"]
        if lost > 0 and (best is None or lost > best[1]):
            best = (unit.code, lost)
    assert best is not None, "the site has no commune losing points on time"
    return best[0]


def test_headings_values_and_reasons_in_vietnamese(clients, window):
    page = get(clients["quantri"], "24", "ON_TIME", window)
    heads = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page)
    assert heads[:7] == ["Mã hồ sơ", "Thủ tục", "Đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả",
                         "Kênh nộp"]
    assert heads[-1] == "Lý do mất điểm"
    assert len(heads) < 12  # a chosen set, not the 23 raw columns
    for raw in RAW:
        assert raw not in page, raw
    assert set(cells(page, "channel")) <= {"Trực tuyến", "Trực tiếp", "Bưu chính"}
    for day in cells(page, "receiveddate") + [d for d in cells(page, "finisheddate") if d != "—"]:
        assert re.fullmatch(r"\d\d/\d\d/\d{4}", day), day
    reasons = cells(page, "reason")
    assert len(reasons) == 20 and all(reasons), reasons
    assert all(re.search(r"(trễ hạn|quá hạn) \d+ ngày|yêu cầu bổ sung|không có ngày hẹn trả", r) for r in reasons)
    # booleans in words where the criterion reads them
    sync = get(clients["quantri"], "24", "DOSSIER_SYNC", window)
    assert "Đồng bộ Cổng DVCQG" in sync and set(cells(sync, "syncednational")) == {"Không"}
    assert set(cells(sync, "reason")) == {"chưa đồng bộ lên Cổng DVCQG"}
    # the criterion's own fact shown, not the one every listed record shares (eligibility)
    online = get(clients["quantri"], "24", "FULLY_ONLINE", window)
    assert ">Trực tuyến toàn trình<" in online and "Thủ tục đủ điều kiện trực tuyến toàn trình" not in online


def test_procedure_and_unit_names_with_their_codes_behind(site, clients, window):
    page = get(clients["quantri"], "24", "DOSSIER_PAID_ONLINE", window)
    names, codes = cells(page, "procedure"), titles(page, "procedure")
    assert names and len(names) == len(codes)
    catalogue = {r["procedure_code"]: r["name"] for r in site.records.query_arrow(
        "SELECT procedure_code, MIN(name) AS name FROM procedures GROUP BY procedure_code").to_pylist()}
    assert names == [catalogue[c] for c in codes]
    assert not any(re.fullmatch(r"[\d.]+", n) for n in names)  # names, not codes
    units = titles(page, "unit")
    assert cells(page, "unit") == [site.tree.get(u).name for u in units]
    assert set(cells(page, "reason")) <= {"không thanh toán trực tuyến"}


def test_a_commune_lists_its_own_records(site, clients, window, commune):
    page = get(clients["quantri"], commune, "ON_TIME", window)
    units = titles(page, "unit")
    assert units and set(units) == {commune}
    assert "chấm chung cho toàn tỉnh" not in page


def test_an_inherited_criterion_says_the_commune_takes_the_province_figure(site, clients, window, commune):
    c = DEF.criterion("PUBLIC_UPDATE_ON_TIME")
    assert c.inherit == "province"
    page = get(clients["quantri"], commune, c.code, window)
    name = site.tree.get(commune).name
    assert f"Tiêu chí này chấm chung cho toàn tỉnh; {name} nhận điểm của tỉnh" in htmlmod.unescape(page)
    province = get(clients["quantri"], "24", c.code, window)
    # the same rows as the province's own list, each with its unit
    assert cells(page, "id") == cells(province, "id") and cells(page, "id")
    assert all(titles(page, "unit"))
    assert "Hồ sơ của toàn tỉnh Bắc Ninh" in htmlmod.unescape(province)


def test_paging_by_the_one_rule(clients, window):
    c, crit = clients["quantri"], "REUSED_DIGITIZED_DATA"
    first = get(c, "24", crit, window)
    total = int(re.search(r"1–20 trong ([\d.]+)", first)[1].replace(".", ""))
    assert total > 40
    second = get(c, "24", crit, window, page=2)
    assert "21–40 trong" in second and 'rel="prev"' in second
    assert not set(cells(first, "id")) & set(cells(second, "id"))
    last = -(-total // 20)
    beyond = get(c, "24", crit, window, page=last + 50)
    assert f"Trang {last}/{last}" in beyond and 'rel="next"' not in beyond
    assert cells(beyond, "id") == cells(get(c, "24", crit, window, page=last), "id")


def test_procedures_lost_are_listed_with_their_own_reason(clients, window):
    page = get(clients["quantri"], "24", "PROCEDURE_PAID_ONLINE", window)
    assert "Thủ tục làm mất điểm" in page
    reasons = cells(page, "reason")
    assert reasons and set(reasons) == {"không có hồ sơ nào thanh toán trực tuyến trong kỳ"}


def test_english(site, window):
    # a client of its own: ``?lang=en`` sets the language cookie, which the shared clients must not keep
    page = get(site.client("quantri"), "24", "ON_TIME", window, lang="en")
    assert "Why it lost points" in page and "Dossier number" in page and "Lý do mất điểm" not in page
    assert all(re.search(r"late|overdue|supplementation|appointment", r) for r in cells(page, "reason"))


def _sheet(body: bytes):
    return openpyxl.load_workbook(io.BytesIO(body)).active


def test_the_excel_export(site, clients, window, commune):
    r = clients["quantri"].get(f"/units/{commune}/records.xlsx", params={"criterion": "ON_TIME", "window": window})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert f"{commune}-ON_TIME-{window}.xlsx" in r.headers["content-disposition"]
    ws = _sheet(r.content)
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Hồ sơ làm mất điểm — Hồ sơ giải quyết đúng hạn"
    assert rows[1][0] == f"{site.tree.get(commune).name} — Tuần 34/2026 (17–23/08)"
    head = next(i for i, row in enumerate(rows) if row[0] == "Mã hồ sơ")
    assert rows[head][-1] == "Lý do mất điểm" and "Kênh nộp" in rows[head]
    data = [row for row in rows[head + 1:] if row[0] is not None]
    found = explain(DEF, site.records, site.tree, commune, "ON_TIME", window, limit=None)
    assert [row[0] for row in data] == [x["id"] for x in found["rows"]]
    assert [row[-1] for row in data] == [x["_reason"] for x in found["rows"]] and all(row[-1] for row in data)
    # dates are dates, shown dd/mm/yyyy
    received = rows[head].index("Ngày tiếp nhận")
    cell = ws.cell(row=head + 2, column=received + 1)
    assert cell.is_date and cell.number_format == "dd/mm/yyyy"
    # every criterion explained exports (the province's, with many rows)
    big = clients["quantri"].get("/units/24/records.xlsx", params={"criterion": "FULLY_ONLINE", "window": window})
    assert big.status_code == 200 and _sheet(big.content).max_row > 20


def test_the_export_follows_the_unit_page_rule(clients, window):
    c = clients["canbo.syt"]
    r = c.get("/units/24-STC/records.xlsx", params={"criterion": "ON_TIME", "window": window})
    assert r.status_code == 403
    assert c.get("/units/24-SYT/records.xlsx", params={"criterion": "ON_TIME", "window": window}).status_code == 200
    assert clients["quantri"].get("/units/24/records.xlsx",
                                  params={"criterion": "NOPE", "window": window}).status_code == 400
