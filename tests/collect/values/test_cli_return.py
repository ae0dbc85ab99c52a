"""``chiso values return`` end to end: the head returns a submitted period with a comment, the
officer submits it again (a real store, the shipped Bắc Ninh catalogue, real files)."""
from __future__ import annotations

import json

from .test_cli import csv, run, said, store  # noqa: F401  (the store fixture)


def test_return_then_resubmit_then_approve(store):  # noqa: F811
    first = csv(store, "dien.csv", "KT.DIEN_CN_XD,24,2026-07,830,\n")
    assert run("values", "submit", first, "--as", "24-SCT", "--by", "Lê Văn Cường").exit_code == 0
    args = ("values", "return", "--indicator", "KT.DIEN_CN_XD", "--period", "2026-07", "--as", "24-SCT")
    officer = run(*args, "--by", "Lê Văn Cường", "--role", "officer", "--comment", "sai")
    assert officer.exit_code == 2 and "only the head of the owner agency" in said(officer)
    blank = run(*args, "--by", "Giám đốc Sở", "--role", "head", "--comment", " ")
    assert blank.exit_code == 2 and "needs a comment" in said(blank)
    head = run(*args, "--by", "Giám đốc Sở", "--role", "head", "--comment", "Sản lượng tháng 7 chưa khớp EVN")
    assert head.exit_code == 0 and "returned" in head.stdout, head.output
    states = json.loads(run("values", "states", "--format", "json").stdout)
    assert [(s["state"], s["returned_by"], s["return_comment"]) for s in states] == [
        ("returned", "Giám đốc Sở", "Sản lượng tháng 7 chưa khớp EVN")]
    approve = ("values", "approve", "--indicator", "KT.DIEN_CN_XD", "--period", "2026-07", "--as", "24-SCT",
               "--by", "Giám đốc Sở", "--role", "head")
    refused = run(*approve)
    assert refused.exit_code != 0 and "only a submitted period can be approved" in said(refused)
    fix = csv(store, "sua.csv", "KT.DIEN_CN_XD,24,2026-07,835,\n")
    again = run("values", "submit", fix, "--as", "24-SCT", "--by", "Lê Văn Cường", "--format", "json")
    assert again.exit_code == 0, again.output
    doc = json.loads(again.stdout)
    assert (doc["corrected"], doc["periods"]) == (1, {"KT.DIEN_CN_XD@2026-07": "submitted"})
    assert run(*approve).exit_code == 0
