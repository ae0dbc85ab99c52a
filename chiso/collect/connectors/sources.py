"""Fetching rows from source systems: a SQL query, an HTTP JSON endpoint.

Each ``fetch_*`` takes a connector's config and returns records (dicts with the columns of
a values file, after the config's ``fields`` mapping). Secrets never sit in the config:
a database URL with a password, and an HTTP auth header, are read from environment
variables whose *names* the config holds (``url_env``, ``auth_env``).
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from chiso.catalog.records import RECORD_KINDS
from chiso.collect.connectors import jsonpath
from chiso.collect.tasks.columns import KEYS as TASK_KEYS
from chiso.collect.values.batch import COLUMNS
from chiso.errors import ChisoError

CONFIG_KEYS: dict[str, tuple[set[str], set[str]]] = {  # kind → (required, optional)
    "sql": ({"query"}, {"url", "url_env", "fields"}),
    "http": ({"url"}, {"path", "fields", "auth_header", "auth_env", "timeout", "target"}),
    "folder": ({"path"}, set()),
}


#: What a connector's records become: indicator values (the default), assigned tasks in the
#: task register (``target: tasks``, http only; records with the keys of a task item), records
#: of the 766 index (``target: records``, http only: ``chiso.collect.connectors.records``), or the
#: figures the national portal publishes (``target: portal``, http only:
#: ``chiso.collect.connectors.portal``).
TARGETS = ("values", "tasks", "records", "portal")

#: The further keys of an http connector bringing records (checked in detail by
#: ``chiso.collect.connectors.records.check_records_config``).
RECORD_KEYS = {"kind", "cursor_param", "cursor_field", "next_path", "page_param", "offset_param", "size_param",
               "page_size", "max_pages", "max_attempts", "backoff_seconds", "stale_after"}

#: The further keys of an http connector reading the portal's published index (checked in detail
#: by ``chiso.collect.connectors.portal.check_portal_config``); it has no ``path`` or ``fields``:
#: where each figure sits is its ``portal`` mapping.
PORTAL_KEYS = {"portal", "params", "body", "page_param", "size_param", "page_size", "next_path", "max_pages",
               "max_attempts", "backoff_seconds"}


def target_of(config: Mapping[str, Any]) -> str:
    return config.get("target") or "values"


class FetchError(ChisoError):
    """A source system could not be read (connection, query, HTTP status, JSON)."""


def secret_from_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise FetchError(f"environment variable {name} is not set")
    return value


def check_config(kind: str, config: Mapping[str, Any]) -> None:
    """Refuse a config with missing or unknown keys, or a secret written in clear."""
    required, optional = CONFIG_KEYS[kind]
    if kind == "http" and target_of(config) == "records":
        required, optional = required | {"kind"}, optional | RECORD_KEYS - {"kind"}
    if kind == "http" and target_of(config) == "portal":
        required, optional = required | {"portal"}, (optional - {"path", "fields"}) | PORTAL_KEYS - {"portal"}
    missing = required - set(config)
    unknown = set(config) - required - optional
    if missing or unknown:
        parts = ([f"missing {', '.join(sorted(missing))}"] if missing else []) + (
            [f"unknown {', '.join(sorted(unknown))}"] if unknown else [])
        raise ChisoError(f"{kind} connector config: {'; '.join(parts)} (keys: "
                         f"{', '.join(sorted(required | optional))})")
    target = target_of(config)
    if target not in TARGETS:
        raise ChisoError(f"a connector's target is {' or '.join(TARGETS)}, not {target!r}")
    if target == "records" and kind != "http":
        raise ChisoError("records come from an http connector (target: records)")
    if target == "portal" and kind != "http":
        raise ChisoError("the portal's figures come from an http connector (target: portal)")
    if target == "records" and config.get("kind") not in RECORD_KINDS:
        raise ChisoError(f"a records connector's kind is one of {', '.join(RECORD_KINDS)}, "
                         f"not {config.get('kind')!r}")
    ours = (TASK_KEYS if target == "tasks" else RECORD_KINDS[config["kind"]].columns if target == "records"
            else COLUMNS)
    fields = config.get("fields", {})
    if not isinstance(fields, Mapping) or set(fields) - set(ours):
        raise ChisoError(f"fields maps columns {', '.join(ours)} to the source's own names")
    if kind == "sql":
        if ("url" in config) == ("url_env" in config):
            raise ChisoError("a sql connector needs url or url_env (one of them)")
        if "url" in config:
            try:
                url = make_url(config["url"])
            except ArgumentError as exc:
                raise ChisoError(f"cannot read the database URL: {exc}") from None
            if url.password:
                raise ChisoError("the database URL holds a password: put the URL in an environment "
                                 "variable and give its name as url_env")
    if kind == "http":
        if not str(config["url"]).startswith(("http://", "https://")):
            raise ChisoError(f"an http connector's url starts with http:// or https://, not {config['url']!r}")
        jsonpath.parse(config.get("path", "$"))
        if ("auth_header" in config) != ("auth_env" in config):
            raise ChisoError("an auth header needs both auth_header (its name) and auth_env (the "
                             "environment variable holding its value)")


def mapped(records: list[Any], fields: Mapping[str, str]) -> list[Any]:
    """Records renamed from the source's names to ours (``fields``: ours → theirs)."""
    if not fields:
        return records
    theirs = {v: k for k, v in fields.items()}
    return [{theirs.get(k, k): v for k, v in r.items()} if isinstance(r, Mapping) else r for r in records]


def fetch_sql(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run the query; its columns are indicator, unit, period, value (and optional ones)."""
    url = config["url"] if "url" in config else secret_from_env(config["url_env"])
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError) as exc:
        raise FetchError(f"cannot open the source database: {exc}") from None
    try:
        with engine.connect() as connection:
            result = connection.execute(text(config["query"]))
            rows = [dict(r._mapping) for r in result]
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise FetchError(f"the source query failed: {reason}") from None
    finally:
        engine.dispose()
    return mapped(rows, config.get("fields", {}))


def fetch_http(config: Mapping[str, Any]) -> list[Any]:
    """GET the URL, read JSON, select the records with the path, rename the fields."""
    request = urllib.request.Request(config["url"], headers={"Accept": "application/json"})
    if "auth_header" in config:
        secret = secret_from_env(config["auth_env"])
        if not secret.isascii():
            raise FetchError(f"the value of {config['auth_env']} cannot be sent as an HTTP header: "
                             "it holds non-ASCII characters")
        request.add_header(config["auth_header"], secret)
    try:
        with urllib.request.urlopen(request, timeout=float(config.get("timeout", 30))) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{config['url']} answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"cannot reach {config['url']}: {getattr(exc, 'reason', exc)}") from None
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{config['url']} did not answer JSON: {exc}") from None
    return mapped(jsonpath.records(document, config.get("path", "$")), config.get("fields", {}))
