"""``chiso values template``: the pre-filled workbook from the command line, read back by
``chiso values submit`` once filled in."""
from __future__ import annotations

import openpyxl

from chiso.collect.values.template import SHEET

from .test_cli import run, said, store  # noqa: F401 - the store fixture


def test_the_template_command_writes_the_rows_owed_and_the_filled_file_is_accepted(store):  # noqa: F811
    out = store / "mau-sct.xlsx"
    r = run("values", "template", "--as", "24-SCT", "--period", "2026-06", "-o", out)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    rows = [row for row in ws.iter_rows(min_row=2) if row[0].value]
    assert rows and all(row[4].value == "2026-06" for row in rows)
    assert "KT.DIEN_CN_XD" in {row[0].value for row in rows}
    assert f"{len(rows)} rows 24-SCT owes for 2026-06" in said(r)
    value = header.index("Giá trị") + 1
    for i, row in enumerate(rows, start=2):
        ws.cell(row=i, column=value, value=100 + i)
    ws.cell(row=3, column=value, value="1O5")
    wb.save(out)
    bad = run("values", "submit", out, "--as", "24-SCT", "--draft")
    assert bad.exit_code == 2 and "row 3, column 'value': character 'O' at position 2 is not a digit: 1O5" in said(bad)
    ws.cell(row=3, column=value, value=105)
    wb.save(out)
    ok = run("values", "submit", out, "--as", "24-SCT", "--draft", "--format", "json")
    assert ok.exit_code == 0, ok.output
    wrong = run("values", "template", "--as", "24-SCT", "--period", "2026-13", "-o", out)
    assert wrong.exit_code != 0 and "no month 13" in said(wrong)
