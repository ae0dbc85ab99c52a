"""Text coming in through the web is NFC before any view reads it (chiso.web.nfc)."""
from __future__ import annotations

import unicodedata

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from chiso.web.nfc import NormalisedText

NAME = "Sở Tài chính – Phường Kinh Bắc"
NFD = unicodedata.normalize("NFD", NAME)


def echo_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(NormalisedText)

    @app.api_route("/echo/{word}", methods=["GET", "POST"])
    async def echo(word: str, request: Request):
        body = await request.body()
        form = dict(await request.form()) if request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded") else None
        return {"word": word, "query": dict(request.query_params), "body": body.decode("utf-8", "replace"),
                "raw": body.hex(), "form": form}

    return app


def test_the_decomposed_name_and_the_composed_one_are_one() -> None:
    assert NFD != NAME and unicodedata.normalize("NFC", NFD) == NAME


def test_path_query_json_and_form_arrive_composed() -> None:
    with TestClient(echo_app()) as c:
        r = c.get(f"/echo/{NFD}", params={"q": NFD, "plain": "abc"})
        assert r.json()["word"] == NAME and r.json()["query"] == {"q": NAME, "plain": "abc"}
        r = c.post("/echo/x", json={"name": NFD, "list": [NFD, 1, None], NFD: True})
        assert r.json()["body"] == '{"name": "%s", "list": ["%s", 1, null], "%s": true}' % (NAME, NAME, NAME)
        r = c.post("/echo/x", data={"note": NFD, "n": "1"})
        assert r.json()["form"] == {"note": NAME, "n": "1"}


def test_bodies_already_composed_or_not_text_pass_untouched() -> None:
    with TestClient(echo_app()) as c:
        raw = b'{"name":  "%s"}' % NAME.encode()
        r = c.post("/echo/x", content=raw, headers={"content-type": "application/json"})
        assert r.json()["body"].encode() == raw  # the spacing kept: nothing was rewritten
        broken = b'{"name": "' + NFD.encode() + b'"'
        r = c.post("/echo/x", content=broken, headers={"content-type": "application/json"})
        assert r.json()["body"].encode() == broken  # a broken body reaches the view, which refuses it
        r = c.post("/echo/x", content=b"\xff\xfe", headers={"content-type": "application/json"})
        assert r.json()["raw"] == "fffe"  # undecodable: passed on as it came


def test_a_token_named_in_decomposed_form_is_stored_composed(site) -> None:
    with TestClient(site.app, headers=site.auth("quantri")) as c:
        r = c.post("/api/v1/tokens", json={"name": NFD + " (nfc)", "scope": "read"})
        assert r.status_code == 201, r.text
        listed = c.get("/api/v1/tokens").json()
        names = [t["name"] for t in (listed["items"] if isinstance(listed, dict) else listed)]
        assert NAME + " (nfc)" in names and NFD + " (nfc)" not in names
        prefix = r.json()["prefix"]
        assert c.delete(f"/api/v1/tokens/{prefix}").status_code in (200, 204)
