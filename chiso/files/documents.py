"""JSON and YAML documents sent to chiso (a catalogue, values as JSON): read within the limits,
every text in Unicode NFC.

JSON is scanned for its depth before it is parsed (``guards.json_too_deep``); YAML is walked
event by event first — deeper than the limit, or with an anchor or alias (the "billion laughs"
bomb is made of them), it is refused before a single object is built. A text holding a NUL
character (``\\u0000``, ``\\0``) is refused at its line: no database keeps it. A JSON number a
float cannot hold (``1e-400``, which would be 0; ``1e400``, infinity) is kept as the text
written, for whoever judges it to refuse by name rather than store 0.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from chiso.errors import LoadError, Problem
from chiso.files.encoding import read_text
from chiso.files.guards import check_size, json_too_deep, refuse
from chiso.files.limits import Limits, current_limits
from chiso.files.reasons import text

#: libyaml's safe loader when it is there (ten times faster), else PyYAML's own.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def nfc(value: Any) -> Any:
    """Every text in ``value`` (keys too) in NFC: "ệ" typed or pasted the same."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


def has_nul(value: Any) -> bool:
    """Whether a text in ``value`` (keys too) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


#: How a NUL is written in JSON and YAML text.
_NUL = re.compile(r"\\(?:u0000|0|x00|U00000000)")


def _without_nul(data: Any, source: str, name: str) -> Any:
    if has_nul(data):
        found = _NUL.search(source)
        raise refuse(name, text("file.nul"), row=source.count("\n", 0, found.start()) + 1 if found else None)
    return data


_NONZERO = re.compile(r"[1-9]")


def json_number(literal: str) -> float | str:
    """A JSON number with a fraction or an exponent: a float, or its text when a float would
    lose it (``1e-400`` read as 0, ``1e400`` as infinity)."""
    value = float(literal)
    if math.isinf(value) or (value == 0 and _NONZERO.search(re.split("[eE]", literal)[0])):
        return literal
    return value


def parse_json(data: str | bytes, name: str, limits: Limits | None = None) -> Any:
    """JSON text parsed within the depth limit, texts in NFC."""
    limits = limits or current_limits()
    raw = data.encode("utf-8") if isinstance(data, str) else data
    line = json_too_deep(raw, limits.max_depth)
    if line is not None:
        raise refuse(name, text("file.depth", limit=limits.max_depth), row=line)
    try:
        parsed = json.loads(data, parse_float=json_number)
    except json.JSONDecodeError as exc:
        raise refuse(name, text("file.bad_json", message=exc.msg, line=exc.lineno, column=exc.colno)) from None
    except RecursionError:  # the scan above bounds the depth; this only guards a tiny recursion limit
        raise refuse(name, text("file.depth", limit=limits.max_depth)) from None
    return nfc(_without_nul(parsed, data if isinstance(data, str) else data.decode("utf-8", "replace"), name))


def check_yaml(source: str, name: str, limits: Limits | None = None) -> None:
    """Refuse YAML nested deeper than the limit or using anchors and aliases, from its events."""
    limits = limits or current_limits()
    depth = 0
    events = yaml.parse(source, Loader=YAML_LOADER)  # libyaml's parser when present: no objects built
    try:
        for event in events:
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise refuse(name, text("file.alias"), row=event.start_mark.line + 1)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > limits.max_depth:
                    raise refuse(name, text("file.depth", limit=limits.max_depth), row=event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own bound (1000), met first
            raise refuse(name, text("file.depth", limit=limits.max_depth),
                         row=mark.line + 1 if mark else None) from None
        raise yaml_error(exc, name) from None


def yaml_error(exc: yaml.YAMLError, name: str) -> LoadError:
    """A YAML syntax error as a LoadError at its line."""
    mark = getattr(exc, "problem_mark", None)
    return LoadError([Problem(name, mark.line + 1 if mark else None, None,
                              text("file.bad_yaml", message=getattr(exc, "problem", None) or exc))], total=1)


def parse_yaml(source: str, name: str, limits: Limits | None = None) -> Any:
    """YAML text parsed within the limits (no aliases), texts in NFC."""
    check_yaml(source, name, limits)
    try:
        data = yaml.load(source, Loader=YAML_LOADER)  # noqa: S506 - a safe loader, checked above
    except yaml.YAMLError as exc:
        raise yaml_error(exc, name) from None
    return nfc(_without_nul(data, source, name))


def read_document(path: str | Path, fmt: str, name: str | None = None, limits: Limits | None = None) -> tuple[Any, str]:
    """A JSON or YAML file: (its data, its text in NFC); a LoadError naming the file if it cannot be read."""
    path = Path(path)
    name = name or str(path)
    limits = limits or current_limits()
    if not path.is_file():
        raise refuse(name, text("file.missing"))
    check_size(path, name, limits.max_bytes)
    source = unicodedata.normalize("NFC", read_text(path, name))
    data = parse_json(source, name, limits) if fmt == "json" else parse_yaml(source, name, limits)
    return data, source
