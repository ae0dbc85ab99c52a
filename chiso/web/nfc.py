"""Văn bản chuẩn NFC (text in one normal form): every text a request brings in — the path, the
query parameters, a form, a JSON body — is put in Unicode NFC before any view sees it.

"Sở Tài chính" typed on a Mac, pasted from a PDF or sent by another system in decomposed
form (NFD) is then the same name as everywhere else in chiso: a search finds it, a warning
note or a token name compares equal, and nothing is stored twice in two forms. Files are
put in NFC by the reader (``chiso.files``); multipart bodies (uploads) pass as they are and
their text fields are read through ``nfc_text``.

A pure ASGI middleware: the body is rewritten only when it is JSON or a URL-encoded form
and not already NFC (``unicodedata.is_normalized`` — one quick pass over ASCII-heavy text).
"""
from __future__ import annotations

import json
import unicodedata
from typing import Any
from urllib.parse import parse_qsl, urlencode

from chiso.files.documents import nfc

#: JSON and form bodies larger than this pass as they are (the views' own limits refuse them).
MAX_REWRITE = 8 << 20


def nfc_text(value: str | None) -> str | None:
    """One text in NFC (``None`` stays ``None``)."""
    return None if value is None else unicodedata.normalize("NFC", value)


def _query(raw: bytes) -> bytes:
    text = raw.decode("latin-1")
    pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="surrogateescape")
    if all(unicodedata.is_normalized("NFC", k) and unicodedata.is_normalized("NFC", v) for k, v in pairs):
        return raw
    return urlencode([(nfc_text(k), nfc_text(v)) for k, v in pairs], encoding="utf-8",
                     errors="surrogateescape").encode("latin-1")


def _body(body: bytes, kind: str) -> bytes:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body  # not text: the view refuses it as it would have
    if kind == "form":
        return _query(body)
    if unicodedata.is_normalized("NFC", text):
        return body
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        return body  # the view answers a broken body with its own 4xx
    return json.dumps(nfc(data), ensure_ascii=False).encode("utf-8")


def _kind(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"content-type":
            v = value.split(b";", 1)[0].strip().lower()
            if v == b"application/json" or v.endswith(b"+json"):
                return "json"
            if v == b"application/x-www-form-urlencoded":
                return "form"
            return None
    return None


class NormalisedText:
    """ASGI middleware: path, query string and JSON/form bodies in NFC."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        query = scope.get("query_string", b"")
        if not unicodedata.is_normalized("NFC", path) or (query and b"%" in query):
            scope = dict(scope, path=unicodedata.normalize("NFC", path), query_string=_query(query))
        kind = _kind(scope.get("headers", [])) if scope.get("method") in ("POST", "PUT", "PATCH") else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > MAX_REWRITE:
                await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks),
                                                "more_body": more}], receive), send)
                return
        body = _body(b"".join(chunks), kind)
        scope = dict(scope, headers=[(k, str(len(body)).encode() if k == b"content-length" else v)
                                     for k, v in scope.get("headers", [])])
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive),
                       send)


def _replay(messages: list[dict], then):
    """A ``receive`` giving ``messages`` first, then what the client sends next (a disconnect)."""
    pending = list(messages)

    async def receive():
        if pending:
            return pending.pop(0)
        return await then()

    return receive
