"""A pull connector for records: a one-stop system's HTTP JSON API → the record store (issue 15).

An http connector with ``target: records`` asks its source for the records of one kind
(dossiers, procedures, publications or petitions) changed since its **cursor**, page by
page, and loads each page through the same path as ``chiso load``
(``chiso.collect.load.load_and_record``: one reader, the same validation, derivation, change
log and load register; all of a page or none of it; records of the connector's own province
only). The cursor — the largest value of the
source's cursor field (``updated_at``) committed so far — is kept in the relational store
(``connector_cursors``) and moves only **after** a page has committed: a run that fails on
page 3 keeps pages 1–2 and the cursor they reached, and the next run resumes there. Pages
re-read after a failure load as ``unchanged`` (the record store's upsert is idempotent by
record id), so nothing is lost or counted twice.

Reading a page is retried with jittered exponential backoff, a bounded number of times;
a 429 or 503's ``Retry-After`` is honoured (up to CHISO_CONNECTOR_MAX_WAIT seconds); a
4xx other than 429 is not retried (asking again will not help). A connector whose cursor has
not moved for ``stale_after`` is **stale**, reported as every stale connector is
(``chiso connectors status``). See docs/collection.md, "Records from a one-stop system".
"""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chiso import settings
from chiso.catalog.records import RECORD_KINDS
from chiso.collect.connectors import jsonpath
from chiso.collect.connectors.sources import FetchError, mapped, secret_from_env
from chiso.collect.load import load_batch
from chiso.errors import ChisoError, LoadError, NotAllowedError
from chiso.store import repo_connectors
from chiso.store.models_values import Connector
from chiso.store.records_base import RecordStore

DEFAULT_STALE_AFTER = "1d"
DEFAULT_ATTEMPTS = 5
DEFAULT_BACKOFF = 1.0
DEFAULT_MAX_PAGES = 10_000
_DURATION = re.compile(r"^(\d+)\s*(m|h|d)$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

#: How a run waits between attempts (a module attribute so a test can see the waits asked for;
#: it still waits).
SLEEP: Callable[[float], None] = time.sleep


def duration(text: str, what: str = "stale_after") -> dt.timedelta:
    """``90m``, ``2h``, ``1d``."""
    m = _DURATION.match(str(text).strip())
    if not m or int(m[1]) == 0:
        raise ChisoError(f"{what} {text!r}: write a duration such as 90m, 2h or 1d")
    return dt.timedelta(**{_UNITS[m[2]]: int(m[1])})


def _positive(config: Mapping[str, Any], key: str, kind: type) -> None:
    if key in config:
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or (
                kind is int and not float(value).is_integer()):
            raise ChisoError(f"a records connector's {key} is a positive {'whole ' if kind is int else ''}"
                             f"number, not {value!r}")


def check_records_config(config: Mapping[str, Any]) -> None:
    """What ``sources.check_config`` leaves to the records connector: paging, cursor, retries."""
    if ("cursor_param" in config) != ("cursor_field" in config):
        raise ChisoError("a since-cursor needs cursor_param (the query parameter) and cursor_field (the "
                         "record field that advances it), both")
    paging = [k for k in ("next_path", "page_param", "offset_param") if k in config]
    if len(paging) > 1:
        raise ChisoError(f"page with one of next_path, page_param or offset_param, not {' and '.join(paging)}")
    if "next_path" in config:
        jsonpath.parse(config["next_path"])
    if ("size_param" in config) != ("page_size" in config):
        raise ChisoError("size_param (the query parameter) and page_size (its value) go together")
    for key in ("page_size", "max_pages", "max_attempts"):
        _positive(config, key, int)
    _positive(config, "backoff_seconds", float)
    duration(config.get("stale_after", DEFAULT_STALE_AFTER))


def stale_after(connector: Connector) -> dt.timedelta:
    return duration(connector.config.get("stale_after", DEFAULT_STALE_AFTER))


def is_stale(connector: Connector, cursor_advanced_at: dt.datetime | None, now: dt.datetime) -> bool:
    """The cursor has not moved for ``stale_after`` (counted from creation if it never moved)."""
    return now - (cursor_advanced_at or connector.created_at) > stale_after(connector)


# --------------------------------------------------------------------------- HTTP with retries

def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _backoff(base: float, attempt: int, cap: float) -> float:
    """Exponential backoff with jitter: between half and all of ``base · 2^(attempt−1)``."""
    full = min(cap, base * 2 ** (attempt - 1))
    return full / 2 + random.uniform(0, full / 2)


def get_json(url: str, headers: Mapping[str, str], *, timeout: float, attempts: int, backoff: float,
             max_wait: float, body: Any = None) -> Any:
    """GET ``url`` — or, with ``body``, POST it as JSON — and read JSON, retrying what may pass
    (network errors, 429, 5xx)."""
    last = ""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    sent = dict(headers) if data is None else {**headers, "Content-Type": "application/json; charset=utf-8"}
    for attempt in range(1, attempts + 1):
        wait = None
        try:
            request = urllib.request.Request(url, data=data, headers=sent, method="GET" if data is None else "POST")
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code != 429 and exc.code < 500:
                raise FetchError(f"{url} answered HTTP {exc.code} {exc.reason} (not retried)") from None
            last = f"HTTP {exc.code} {exc.reason}"
            wait = _retry_after(exc.headers.get("Retry-After") if exc.headers else None, time.time())
            if wait is not None and wait > max_wait:
                raise FetchError(f"{url} answered {last} and asks to wait {wait:.0f} s, longer than "
                                 f"CHISO_CONNECTOR_MAX_WAIT ({max_wait:.0f} s)") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            last = f"cannot reach it: {getattr(exc, 'reason', exc)}"
        else:
            try:
                return json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise FetchError(f"{url} did not answer JSON: {exc}") from None
        if attempt < attempts:
            SLEEP(wait if wait is not None else _backoff(backoff, attempt, max_wait))
    raise FetchError(f"{url}: {last} ({attempts} attempts)")


def json_headers(config: Mapping[str, Any]) -> dict[str, str]:
    """The headers of a JSON request: ``Accept``, and the configured auth header with its secret
    read from the environment (``auth_env``)."""
    headers = {"Accept": "application/json"}
    if "auth_header" in config:
        secret = secret_from_env(config["auth_env"])
        if not secret.isascii():
            raise FetchError(f"the value of {config['auth_env']} cannot be sent as an HTTP header: "
                             "it holds non-ASCII characters")
        headers[config["auth_header"]] = secret
    return headers


# --------------------------------------------------------------------------- pages

def with_params(url: str, params: Mapping[str, Any]) -> str:
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items()]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def same_origin(base: str, link: str) -> str:
    """The next-page link, if it stays on the source's own scheme, host and port: the auth header
    goes with every request, and a link elsewhere must not carry it away."""
    one, two = urllib.parse.urlsplit(base), urllib.parse.urlsplit(link)
    if (one.scheme, one.netloc) != (two.scheme, two.netloc):
        raise FetchError(f"the next-page link {link!r} leaves the source {one.scheme}://{one.netloc}: refused")
    return link


def _order_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value))
    return (1, str(value))


def _stored_key(stored: str | None, like: Any) -> tuple[int, Any] | None:
    """The kept cursor (text) as comparable with a record's cursor value."""
    if stored is None:
        return None
    if isinstance(like, (int, float)) and not isinstance(like, bool):
        try:
            return (0, float(stored))
        except ValueError:
            return (1, stored)
    return (1, stored)


def _cursor_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _ours(raw: list[Any], fields: Mapping[str, str], columns: tuple[str, ...], url: str) -> list[dict[str, Any]]:
    """The page's records under our column names; the source's other keys are left out."""
    out = []
    for n, record in enumerate(mapped(raw, fields), start=1):
        if not isinstance(record, Mapping):
            raise FetchError(f"{url}: record {n} is not a JSON object")
        out.append({k: v for k, v in record.items() if k in columns})
    return out


@dataclass
class RecordsRun:
    """What a run of a records connector did."""

    status: str            # accepted | unchanged | refused | failed
    rows: int              # records in the pages committed
    message: str


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records).encode("utf-8")


def run_records(db, connector: Connector, store: RecordStore | None, units,
                now: dt.datetime | None = None) -> RecordsRun:
    """Pull every page changed since the cursor; load each, then move the cursor (``now``: the
    run's time, kept as when the cursor moved). Never raises."""
    config = connector.config
    kind = config["kind"]
    if store is None:
        return RecordsRun("failed", 0, "a records connector needs the record store (chiso connectors run opens it)")
    with db.session() as session:
        row = repo_connectors.get_cursor(session, session.get(Connector, connector.id))
        start = row.cursor if row is not None else None
    done = {"pages": 0, "rows": 0, "inserted": 0, "updated": 0, "unchanged": 0}
    cursor = start
    try:
        headers = json_headers(config)
        max_wait = float(settings.whole_number("CHISO_CONNECTOR_MAX_WAIT", minimum=0))
        attempts = int(config.get("max_attempts", DEFAULT_ATTEMPTS))
        backoff = float(config.get("backoff_seconds", DEFAULT_BACKOFF))
        timeout = float(config.get("timeout", 30))
        columns = RECORD_KINDS[kind].columns
        field = config.get("cursor_field")
        params: dict[str, Any] = {}
        if field and start is not None:
            params[config["cursor_param"]] = start
        if "size_param" in config:
            params[config["size_param"]] = config["page_size"]
        page, offset, url = 1, 0, None
        province = units.get(connector.as_unit).province_code

        def own(code: str) -> bool:
            """Records of the connector's own province only (an unknown unit: the validator names it)."""
            return code not in units or units.get(code).province_code == province

        last_key = None  # records must come in ascending cursor order across the run's pages
        for number in range(1, int(config.get("max_pages", DEFAULT_MAX_PAGES)) + 1):
            if url is None or "next_path" not in config:
                extra = ({config["page_param"]: page} if "page_param" in config else
                         {config["offset_param"]: offset} if "offset_param" in config else {})
                url = with_params(config["url"], {**params, **extra})
            document = get_json(url, headers, timeout=timeout, attempts=attempts, backoff=backoff,
                                max_wait=max_wait)
            raw = jsonpath.records(document, config.get("path", "$"))
            page_max = None
            if field:
                for n, record in enumerate(raw, start=1):
                    if not isinstance(record, Mapping) or record.get(field) in (None, ""):
                        raise FetchError(f"{url}: record {n} has no {field} (the cursor field)")
                    key = _order_key(record[field])
                    if last_key is not None and key < last_key:
                        raise FetchError(
                            f"{url}: record {n} comes before the one read earlier in {field} order "
                            f"({record[field]!r}); the source must return records in ascending order of "
                            f"{field}, or resuming from the cursor could skip some")
                    last_key, page_max = key, record[field]
            records = _ours(raw, config.get("fields", {}), columns, url)
            if records:
                # the same load as `chiso load` and the ingest API: one reader, one validator
                report = load_batch(_jsonl(records), "jsonl", kind, store, units, db,
                                    loaded_by=f"connector:{connector.name}", may_write_for=own,
                                    name=f"connector {connector.name}, page {number}",
                                    action="connector.records").report
                new_cursor = cursor
                if page_max is not None and (cursor is None
                                             or _order_key(page_max) > _stored_key(cursor, page_max)):
                    new_cursor = _cursor_text(page_max)  # never backwards (a source ignoring the cursor)
                with db.session() as session:
                    repo_connectors.commit_page(session, session.get(Connector, connector.id),
                                                cursor=new_cursor, records=len(records), batch=report.batch,
                                                at=now)
                cursor = new_cursor
                done["pages"] += 1
                done["rows"] += report.rows
                for k in ("inserted", "updated", "unchanged"):
                    done[k] += getattr(report, k)
            if "next_path" in config:
                links = jsonpath.select(document, config["next_path"])
                link = links[0] if links else None
                if not link:
                    break
                url = same_origin(config["url"], urllib.parse.urljoin(url, str(link)))
            elif "page_param" in config or "offset_param" in config:
                if not raw or ("page_size" in config and len(raw) < int(config["page_size"])):
                    break
                page, offset = page + 1, offset + len(raw)
            else:
                break
        else:
            return _finish(done, cursor, start, f"; stopped after max_pages ({number}): the next run goes "
                           "on from the cursor")
    except (LoadError, NotAllowedError) as exc:
        return RecordsRun("refused", done["rows"], _failed(done, cursor, str(exc)))  # names the page
    except (FetchError, ChisoError) as exc:
        return RecordsRun("failed", done["rows"], _failed(done, cursor, str(exc)))
    except Exception as exc:  # noqa: BLE001 - a run never dies silently
        return RecordsRun("failed", done["rows"], _failed(done, cursor, f"{type(exc).__name__}: {exc}"))
    return _finish(done, cursor, start, "")


def _counts(done: Mapping[str, int]) -> str:
    return (f"{done['pages']} page(s), {done['inserted']} inserted, {done['updated']} updated, "
            f"{done['unchanged']} unchanged")


def _finish(done: Mapping[str, int], cursor: str | None, start: str | None, note: str) -> RecordsRun:
    status = "accepted" if done["inserted"] or done["updated"] else "unchanged"
    moved = f"cursor {start} → {cursor}" if cursor != start else f"cursor {cursor}"
    return RecordsRun(status, done["rows"], f"{_counts(done)}; {moved}{note}")


def _failed(done: Mapping[str, int], cursor: str | None, error: str) -> str:
    text = error if len(error) <= 2000 else error[:2000] + " …"
    return (f"{text} — committed before it: {_counts(done)}; cursor {cursor} (the next run resumes from "
            "there)")
