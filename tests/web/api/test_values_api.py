"""Submissions over the API: an accepted upload, a refused one with its row-level report,
ownership, and the period states (approve, lock, unlock)."""
from __future__ import annotations


def upload(world, who, text, name="chi.csv", **form):
    return world.client.post("/api/v1/submissions", headers=world.auth(who), data=form,
                             files={"file": (name, text.encode("utf-8"), "text/csv")})


def test_an_upload_with_errors_is_refused_whole_with_a_row_level_report(world):
    text = ("indicator,unit,period,value\n"
            "NS.CHI_NSDP,24,2026-07,430\n"
            "NS.CHI_NSDP,24,2026-13,480\n"
            "NS.CHI_NSDP,24,2026-09,nhiều\n")
    before = world.client.get("/api/v1/values", params={"indicator": "NS.CHI_NSDP"}, headers=world.auth("quantri"))
    r = upload(world, "canbo.stc", text, "chi-loi.csv")
    assert r.status_code == 422, r.text
    doc = r.json()
    assert doc["status"] == "refused" and "nothing was written" in doc["detail"]
    rows = {(p["row"], p["column"]) for p in doc["problems"]}
    assert (3, "period") in rows and (4, "value") in rows  # the spreadsheet's rows: the header is row 1
    assert all(p["file"] == "chi-loi.csv" for p in doc["problems"])
    # every reason with its stable code and in Vietnamese too
    by_column = {p["column"]: p for p in doc["problems"]}
    assert by_column["value"]["code"] and by_column["value"]["reason_vi"] != by_column["value"]["reason"]
    assert by_column["period"]["reason_vi"].startswith("không đọc được kỳ")
    after = world.client.get("/api/v1/values", params={"indicator": "NS.CHI_NSDP"}, headers=world.auth("quantri"))
    assert after.json()["total"] == before.json()["total"]
    # the refusal is registered with its report, readable by the submitting unit
    report = world.client.get(f"/api/v1/submissions/{doc['submission_id']}", headers=world.auth("canbo.stc"))
    assert report.status_code == 200 and report.json()["status"] == "refused"
    assert {(p["row"], p["column"]) for p in report.json()["report"]} == rows
    r = world.client.get(f"/api/v1/submissions/{doc['submission_id']}", headers=world.auth("canbo.bhxh"))
    assert r.status_code == 403


def test_only_the_owner_agency_submits_and_roles_without_data_are_refused(world, site):
    text = "indicator,unit,period,value\nNS.CHI_NSDP,24,2026-07,430\n"
    r = upload(world, "canbo.bhxh", text)
    assert r.status_code == 403
    assert "24-STC" in r.json()["detail"] and r.json()["problems"][0]["column"] == "indicator"
    r = upload(world, "lanhdao", text)
    assert r.status_code == 403 and "'read' scope" in r.json()["detail"]  # a leader's token only reads
    leader = site.client("lanhdao")
    r = leader.post("/api/v1/submissions", files={"file": ("chi.csv", text.encode("utf-8"), "text/csv")},
                    headers={"X-CSRF-Token": leader.get("/api/v1/me").json()["csrf_token"]})
    assert r.status_code == 403 and "officer or head" in r.json()["detail"]
    r = upload(world, "quantri", text)
    assert r.status_code == 400 and "reason" in r.json()["detail"]


def test_accept_approve_lock_unlock(world):
    c = world.client
    text = "indicator,unit,period,value\nNS.CHI_NSDP,24,2026-07,430\n"
    r = upload(world, "canbo.stc", text, "chi-07.csv")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "accepted" and r.json()["inserted"] == 1
    again = upload(world, "canbo.stc", text, "chi-07.csv")
    assert again.status_code == 201 and again.json()["status"] == "unchanged"
    url = "/api/v1/periods/NS.CHI_NSDP/2026-07/"
    r = c.post(url + "approve", headers=world.auth("canbo.stc"))
    assert r.status_code == 403 and "head" in r.json()["detail"]
    r = c.post(url + "approve", headers=world.auth("giamdoc.bhxh"))
    assert r.status_code == 403 and "24-STC" in r.json()["detail"]
    r = c.post(url + "approve", headers=world.auth("giamdoc.stc"))
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = c.post(url + "lock", headers=world.auth("giamdoc.stc"))
    assert r.status_code == 200 and r.json()["state"] == "locked"
    # a locked period refuses new values: 409 with the row-level report
    r = upload(world, "canbo.stc", "indicator,unit,period,value\nNS.CHI_NSDP,24,2026-07,440\n", reason="đính chính")
    assert r.status_code == 409 and r.json()["problems"][0]["column"] == "period"
    r = c.post(url + "unlock", headers=world.auth("giamdoc.stc"), json={"reason": "đính chính"})
    assert r.status_code == 403 and "administrator" in r.json()["detail"]
    r = c.post(url + "unlock", headers=world.auth("quantri"), json={})
    assert r.status_code == 400
    r = c.post(url + "unlock", headers=world.auth("quantri"), json={"reason": "Sở Tài chính đề nghị đính chính"})
    assert r.status_code == 200 and r.json()["state"] == "approved"
    history = c.get("/api/v1/values/history", params={"indicator": "NS.CHI_NSDP", "unit": "24", "period": "2026-07"},
                    headers=world.auth("giamdoc.stc")).json()["versions"]
    assert history[-1]["value"] == 430 and history[-1]["file_name"] == "chi-07.csv"
