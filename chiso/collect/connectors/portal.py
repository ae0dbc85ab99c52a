"""A pull connector for the national portal's published index (Cổng DVCQG; issue 15, part A).

An http connector with ``target: portal`` reads the portal's published index responses — per
unit (province, department, commune) and window, a group's or the total's score and, for its
criteria, the score and the counts behind it — and keeps them in ``portal_figures``
(``chiso.store.repo_portal``) for the reconciliation page (``chiso.evaluate.reconcile``).

The response's shape is the portal's, not ours, so where each figure sits is
**configuration** (the ``portal`` mapping of the connector's config, JSON paths of
``jsonpath.py``), checked when the connector is added (``check_portal_config``):

.. code-block:: yaml

    portal:
      window: current_month          # or a label: 2026-08, 2026-W34, 2026-Q3, 2026
      records: ["$.data.overview", "$.data.evaluation[*]"]   # the units' records
      unit: $.departmentId           # in a record: the portal's id of the unit
      units: {"019d2be3-…": "25"}    # the portal's ids → chiso's unit codes (else the crosswalk's)
      scores: {"$.totalScore": SATISFACTION}   # in a record: path → item (total or a group)
      metrics: $.metrics[*]          # in a record: its criteria
      metric: {code: $.code, score: $.score, numerator: $.numerator, denominator: $.denominator}
      criteria: {SO_HOA_GIAY_TO_GIAI_QUYET: DOSSIER_DIGITIZED}  # the portal's codes → chiso's
      ignore: [PETITION_CLASSIFICATION_TTHC]                      # portal codes not scored by chiso

A unit id the ``units`` map does not name is read through the unit-code crosswalk
(``chiso.units.crosswalk``; the portal ids a province imported with ``chiso units crosswalk
import``): ``H44`` becomes ``25`` without a ``units`` entry per connector.

Reading reuses the records connector's HTTP (``records.get_json``: retries with jittered
backoff, ``Retry-After``, 4xx not retried). Every page is read and mapped before anything
is written: a refused response (a field missing, not a number, an unknown unit or criterion,
one figure given twice with two values) writes nothing, and the error names the connector,
the page, the record, the field's path and the reason. A ``null`` the portal publishes (a
criterion it does not score) is no figure: null is not 0.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from chiso import settings
from chiso.catalog.index_definition import IndexDefinition, load_index_definition
from chiso.collect.connectors import jsonpath
from chiso.collect.connectors.records import (
    DEFAULT_ATTEMPTS,
    DEFAULT_BACKOFF,
    get_json,
    json_headers,
    same_origin,
    with_params,
)
from chiso.collect.connectors.sources import FetchError
from chiso.errors import ChisoError, LoadError, Problem, WindowError
from chiso.periods.windows import Window, month, parse_window, quarter, week_of, year
from chiso.store import repo_crosswalk, repo_portal
from chiso.store.models_portal import FIGURE_KINDS, TOTAL
from chiso.store.models_values import Connector
from chiso.store.repo_portal import Figure
from chiso.units.crosswalk import PORTAL_ID, Crosswalk

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_MAX_PAGES = 100
#: ``current_month``, ``previous_week``…: the window of the run's local date, or the one before.
RELATIVE = re.compile(r"^(current|previous)_(week|month|quarter|year)$")
PORTAL_KEYS = ({"window", "records", "unit"}, {"units", "unmapped", "scores", "metrics", "metric", "criteria",
                                               "ignore"})
METRIC_KEYS = ("code", *FIGURE_KINDS)
_PLACEHOLDER = re.compile(r"\{(year|month|quarter|week|window)\}")


class PortalProblem(Problem):
    """A problem in a portal response: a record of a page, a field's JSON path."""

    ROW_WORD: ClassVar[str] = "record"
    COLUMN_WORD: ClassVar[str] = "field"


# --------------------------------------------------------------------------- config

def _paths(value: Any, what: str) -> list[str]:
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise ChisoError(f"portal {what}: a JSON path or a list of them, e.g. $.data.evaluation[*]")
    for p in paths:
        jsonpath.parse(p)
    return paths


def _codes(definition: IndexDefinition) -> tuple[set[str], set[str]]:
    """(total and group codes, criterion codes) of the index definition."""
    return {TOTAL, *(g.code for g in definition.groups)}, {c.code for c in definition.criteria}


def check_window_spec(spec: Any) -> None:
    if not isinstance(spec, str) or not (RELATIVE.match(spec.strip()) or spec.strip()):
        raise ChisoError("portal window: a label (2026-08, 2026-W34, 2026-Q3, 2026) or current_month, "
                         "previous_week…")
    if RELATIVE.match(spec.strip()):
        return
    try:
        w = parse_window(spec)
    except WindowError as exc:
        raise ChisoError(f"portal window {spec!r}: {exc}") from None
    if w.kind not in ("week", "month", "quarter", "year"):
        raise ChisoError(f"portal window {spec!r}: the portal publishes weeks, months, quarters and years only")


def check_portal_config(config: Mapping[str, Any], units, as_unit: str,
                        definition: IndexDefinition | None = None) -> None:
    """Refuse a portal mapping a run could not follow: paths, codes, units, window."""
    portal = config.get("portal")
    if not isinstance(portal, Mapping):
        raise ChisoError("a portal connector needs its mapping under portal: (window, records, unit, …); "
                         "see docs/collection.md")
    required, optional = PORTAL_KEYS
    missing, unknown = required - set(portal), set(portal) - required - optional
    if missing or unknown:
        parts = ([f"missing {', '.join(sorted(missing))}"] if missing else []) + (
            [f"unknown {', '.join(sorted(unknown))}"] if unknown else [])
        raise ChisoError(f"portal mapping: {'; '.join(parts)} (keys: {', '.join(sorted(required | optional))})")
    check_window_spec(portal["window"])
    _paths(portal["records"], "records")
    _paths(portal["unit"], "unit")
    if portal.get("unmapped", "refuse") not in ("refuse", "skip"):
        raise ChisoError("portal unmapped: refuse (a unit the units map does not name refuses the response) "
                         "or skip")
    definition = definition or load_index_definition()
    items, criteria = _codes(definition)
    scores = portal.get("scores", {})
    if not isinstance(scores, Mapping):
        raise ChisoError("portal scores: a mapping of JSON path → item (total or a group code)")
    for path, item in scores.items():
        _paths(path, "scores")
        if item not in items | criteria:
            raise ChisoError(f"portal scores: {path} → {item!r} is not total, a group or a criterion of "
                             f"{definition.code} ({', '.join(sorted(items))})")
    if ("metrics" in portal) != ("metric" in portal):
        raise ChisoError("portal metrics (where a record's criteria are) and metric (their fields) go together")
    if "metrics" in portal:
        _paths(portal["metrics"], "metrics")
        metric = portal["metric"]
        if not isinstance(metric, Mapping) or "code" not in metric or set(metric) - set(METRIC_KEYS) \
                or not set(metric) & set(FIGURE_KINDS):
            raise ChisoError(f"portal metric: code and at least one of {', '.join(FIGURE_KINDS)}, each a JSON "
                             "path in the criterion's object (code: $.code, score: $.score …)")
        for key, path in metric.items():
            _paths(path, f"metric {key}")
    elif not scores:
        raise ChisoError("a portal mapping names at least one figure: scores, or metrics with metric")
    mapped = portal.get("criteria", {})
    if not isinstance(mapped, Mapping):
        raise ChisoError("portal criteria: a mapping of the portal's criterion codes → chiso's")
    for theirs, ours in mapped.items():
        if ours not in criteria:
            raise ChisoError(f"portal criteria: {theirs} → {ours!r} is not a criterion of {definition.code}")
    ignore = portal.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
        raise ChisoError("portal ignore: a list of the portal's criterion codes chiso does not score")
    codes = portal.get("units", {})
    if not isinstance(codes, Mapping):
        raise ChisoError("portal units: a mapping of the portal's unit ids → chiso's unit codes")
    province = units.get(as_unit).province_code
    for theirs, ours in codes.items():
        if ours not in units:
            raise ChisoError(f"portal units: {theirs} → {ours!r}: no unit has this code")
        if units.get(ours).province_code != province:
            raise ChisoError(f"portal units: {theirs} → {ours!r} is not a unit of province {province}, the "
                             f"province of {as_unit}")
    if "page_param" in config and "next_path" in config:
        raise ChisoError("page with page_param or next_path, not both")
    if "next_path" in config:
        jsonpath.parse(config["next_path"])
    if ("size_param" in config) != ("page_size" in config):
        raise ChisoError("size_param (the query parameter) and page_size (its value) go together")
    if "body" in config and not isinstance(config["body"], Mapping):
        raise ChisoError("body: the JSON object POSTed to the portal (strings may hold {year}, {month}, "
                         "{quarter}, {week}, {window}); without it the connector sends GET")
    params = config.get("params", {})
    if not isinstance(params, Mapping) or not all(isinstance(v, (str, int, float)) for v in params.values()):
        raise ChisoError("params: a mapping of query parameters (values may hold {year}, {month}, {quarter}, "
                         "{week}, {window})")
    for key in ("page_size", "max_pages", "max_attempts"):
        value = config.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ChisoError(f"a portal connector's {key} is a positive whole number, not {value!r}")
    backoff = config.get("backoff_seconds", 1)
    if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or not backoff > 0:
        raise ChisoError(f"a portal connector's backoff_seconds is a positive number, not {backoff!r}")


# --------------------------------------------------------------------------- window

def window_of(spec: str, now: dt.datetime) -> Window:
    """The window a run reads: a label as it is, or the current/previous one of the run's local date."""
    m = RELATIVE.match(spec.strip())
    if not m:
        return parse_window(spec)
    today = now.astimezone(LOCAL).date()
    build = {"week": week_of, "month": lambda d: month(d.year, d.month),
             "quarter": lambda d: quarter(d.year, (d.month - 1) // 3 + 1), "year": lambda d: year(d.year)}[m[2]]
    w = build(today)
    return build(w.start - dt.timedelta(days=1)) if m[1] == "previous" else w


def placeholders(w: Window) -> dict[str, str]:
    """What ``{year}``, ``{month}``, ``{quarter}``, ``{week}``, ``{window}`` stand for in params."""
    iso_year, iso_week, _ = w.start.isocalendar()
    return {"year": str(iso_year if w.kind == "week" else w.start.year), "month": str(w.start.month),
            "quarter": str((w.start.month - 1) // 3 + 1), "week": str(iso_week), "window": w.label}


def filled(value: Any, values: Mapping[str, str]) -> Any:
    """``value`` with the window's placeholders filled in every string, at any depth (a POST body).

    >>> filled({"year": "{year}", "ids": [1, "{month}"]}, {"year": "2026", "month": "8"})
    {'year': '2026', 'ids': [1, '8']}
    """
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values[m[1]], value)
    if isinstance(value, Mapping):
        return {k: filled(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, values) for v in value]
    return value


# --------------------------------------------------------------------------- mapping

def _one(record: Any, path: str) -> tuple[bool, Any]:
    found = jsonpath.select(record, path)
    return (True, found[0]) if found else (False, None)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def figures_of(document: Any, portal: Mapping[str, Any], *, window: str, units, province: str,
               where: str, crosswalk: Crosswalk | None = None) -> tuple[list[Figure], list[Problem]]:
    """The figures of one page (``where``: "connector NAME, page N"), and what is wrong in it.

    A record's unit id is looked up in the connector's ``units`` map first, then in the
    ``crosswalk`` (the portal ids a province imported: ``H44`` → ``25``); an id the crosswalk
    maps to several units, or a portal id (``H44…``) it does not know, is a problem."""
    out: list[Figure] = []
    problems: list[Problem] = []
    codes = portal.get("units", {})
    unmapped = portal.get("unmapped", "refuse")
    criteria = portal.get("criteria", {})
    ignore = set(portal.get("ignore", []))
    metric = portal.get("metric", {})
    n = 0
    for records_path in _paths(portal["records"], "records"):
        for record in jsonpath.records(document, records_path):
            n += 1
            if not isinstance(record, Mapping):
                problems.append(PortalProblem(where, n, records_path, "is not a JSON object"))
                continue
            found, theirs = _one(record, portal["unit"])
            if not found or theirs in (None, ""):
                problems.append(PortalProblem(where, n, portal["unit"], "missing: the unit's id"))
                continue
            theirs = str(theirs)
            known = crosswalk is not None and (crosswalk.knows(theirs, "portal") or bool(PORTAL_ID.match(theirs)))
            if theirs in codes:
                unit = codes[theirs]
            elif known:
                t = crosswalk.translate(theirs, "portal")
                if not t.ok:
                    if unmapped == "skip" and t.status == "unknown":
                        continue
                    problems.append(PortalProblem(where, n, portal["unit"], t.reason, theirs))
                    continue
                unit = t.targets[0]
            elif codes or (unmapped == "skip" and crosswalk is not None and theirs not in units):
                if unmapped == "skip":
                    continue
                problems.append(PortalProblem(where, n, portal["unit"], "the units map does not name this "
                                              "portal unit (add it, or set unmapped: skip)", theirs))
                continue
            else:
                unit = theirs
            if unit not in units:
                problems.append(PortalProblem(where, n, portal["unit"], "no chiso unit has this code", unit))
                continue
            if units.get(unit).province_code != province and unit != province:
                problems.append(PortalProblem(where, n, portal["unit"], f"not a unit of province {province}",
                                              unit))
                continue
            for path, item in portal.get("scores", {}).items():
                found, value = _one(record, path)
                if not found:
                    problems.append(PortalProblem(where, n, path, "missing"))
                elif value is not None:
                    number = _number(value)
                    if number is None:
                        problems.append(PortalProblem(where, n, path, "not a number", repr(value)))
                    else:
                        out.append(Figure(unit, window, item, "score", number))
            if "metrics" not in portal:
                continue
            for i, m in enumerate(jsonpath.records(record, portal["metrics"])):
                at = f"{portal['metrics'].removesuffix('[*]')}[{i}]"
                if not isinstance(m, Mapping):
                    problems.append(PortalProblem(where, n, at, "is not a JSON object"))
                    continue
                found, code = _one(m, metric["code"])
                if not found or not isinstance(code, str) or not code:
                    problems.append(PortalProblem(where, n, at + metric["code"][1:], "missing: the criterion's "
                                                  "code"))
                    continue
                if code in ignore:
                    continue
                ours = criteria.get(code, code)
                for kind in FIGURE_KINDS:
                    if kind not in metric:
                        continue
                    found, value = _one(m, metric[kind])
                    path = at + metric[kind][1:]
                    if not found:
                        problems.append(PortalProblem(where, n, path, f"missing ({code})"))
                    elif value is not None:
                        number = _number(value)
                        if number is None:
                            problems.append(PortalProblem(where, n, path, "not a number", repr(value)))
                        else:
                            out.append(Figure(unit, window, ours, kind, number))
    return out, problems


def _check_codes(figures: Sequence[Figure], definition: IndexDefinition, name: str) -> list[Problem]:
    items, criteria = _codes(definition)
    problems, seen = [], {}
    for f in figures:
        if f.item not in items | criteria:
            problems.append(PortalProblem(f"connector {name}", None, "criteria",
                                          f"{f.item} is not a criterion of {definition.code}: map it under "
                                          "portal.criteria or list it under portal.ignore", f.item))
        key = (f.unit_code, f.window, f.item, f.kind)
        if key in seen and seen[key] != f.value:
            problems.append(PortalProblem(f"connector {name}", None, f.item, f"{f.unit_code} {f.kind} given twice "
                                          f"with two values ({seen[key]:g} and {f.value:g})"))
        seen[key] = f.value
    unique = {p.value or p.reason: p for p in problems}  # one line per unknown code
    return list(unique.values())


# --------------------------------------------------------------------------- run

@dataclass
class PortalRun:
    status: str        # accepted | unchanged | refused | failed
    rows: int
    message: str


def _pages(config: Mapping[str, Any], w: Window, headers: Mapping[str, str]) -> list[tuple[str, Any]]:
    """Every page of the response, read with the records connector's retries."""
    values = placeholders(w)
    params = {k: filled(str(v), values) for k, v in config.get("params", {}).items()}
    body = filled(config["body"], values) if "body" in config else None  # the portal's endpoints take POST
    if "size_param" in config:
        params[config["size_param"]] = config["page_size"]
    max_wait = float(settings.whole_number("CHISO_CONNECTOR_MAX_WAIT", minimum=0))
    read = {"timeout": float(config.get("timeout", 30)), "attempts": int(config.get("max_attempts", DEFAULT_ATTEMPTS)),
            "backoff": float(config.get("backoff_seconds", DEFAULT_BACKOFF)), "max_wait": max_wait}
    pages, page = [], 1
    url = with_params(config["url"], {**params, **({config["page_param"]: page} if "page_param" in config else {})})
    for _ in range(int(config.get("max_pages", DEFAULT_MAX_PAGES))):
        document = get_json(url, headers, **read, body=body)
        pages.append((url, document))
        if "next_path" in config:
            links = jsonpath.select(document, config["next_path"])
            if not links or not links[0]:
                return pages
            url = same_origin(config["url"], urllib.parse.urljoin(url, str(links[0])))
        elif "page_param" in config:
            found = jsonpath.records(document, _paths(config["portal"]["records"], "records")[-1])
            if not found or ("page_size" in config and len(found) < int(config["page_size"])):
                return pages
            page += 1
            url = with_params(config["url"], {**params, config["page_param"]: page})
        else:
            return pages
    raise FetchError(f"more than max_pages ({config.get('max_pages', DEFAULT_MAX_PAGES)}) pages: nothing kept")


def digest(documents: Sequence[Any]) -> str:
    """The hash of the responses as read (canonical JSON: keys sorted, no spaces)."""
    h = hashlib.sha256()
    for d in documents:
        h.update(json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    return h.hexdigest()


def run_portal(db, connector: Connector, units, now: dt.datetime,
               definition: IndexDefinition | None = None) -> PortalRun:
    """Read the portal's pages for the configured window, map them, keep them. Never raises."""
    config = connector.config
    portal = config["portal"]
    try:
        headers = json_headers(config)
        w = window_of(portal["window"], now)
        pages = _pages(config, w, headers)
        province = units.get(connector.as_unit).province_code
        with db.session() as session:
            crosswalk = repo_crosswalk.load(session, communes=False)
        found, problems = [], []
        for number, (_url_read, document) in enumerate(pages, start=1):
            got, wrong = figures_of(document, portal, window=w.label, units=units, province=province,
                                    where=f"connector {connector.name}, page {number}", crosswalk=crosswalk)
            found += got
            problems += wrong
        problems += _check_codes(found, definition or load_index_definition(), connector.name)
        if problems:
            raise LoadError(problems[:1000], total=len(problems))
        if not found:
            raise LoadError([PortalProblem(f"connector {connector.name}", None, "records",
                                           f"no figure found in {len(pages)} page(s): check portal.records "
                                           "and the query parameters")])
        found = list({(f.unit_code, f.window, f.item, f.kind): f for f in found}.values())  # a unit on every page
        sha = digest([d for _, d in pages])
        with db.session() as session:
            saved = repo_portal.save_figures(session, connector.name, found, sha256=sha, at=now,
                                             by=f"connector:{connector.name}")
    except LoadError as exc:
        return PortalRun("refused", 0, _short(f"{exc} — nothing kept"))
    except (FetchError, ChisoError) as exc:
        return PortalRun("failed", 0, _short(f"{exc} — nothing kept"))
    except Exception as exc:  # noqa: BLE001 - a run never dies silently
        return PortalRun("failed", 0, _short(f"{type(exc).__name__}: {exc} — nothing kept"))
    status = "accepted" if saved.inserted or saved.changed else "unchanged"
    return PortalRun(status, len(found), f"window {w.label}: {len(pages)} page(s), {saved.inserted} new, "
                     f"{saved.changed} changed (old values kept in history), {saved.unchanged} unchanged; "
                     f"response {sha[:12]}")


def _short(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else text[:limit] + " …"
