"""A small JSON path: ``$.data[*]``, ``$.result.items``, ``$['số liệu'][0].rows[*]``.

Steps are ``.name``, ``['name']``, ``[n]`` (an index) and ``[*]`` (every element). Only
selection — no filters or expressions — because a connector only needs to say where the
records sit in a response.

>>> select({"data": [{"v": 1}, {"v": 2}]}, "$.data[*]")
[{'v': 1}, {'v': 2}]
>>> select({"a": {"b": [10, 20]}}, "$.a.b[1]")
[20]
"""
from __future__ import annotations

import re
from typing import Any

from chiso.errors import ChisoError

_STEP = re.compile(r"""\.(?P<name>[^.\[\]]+)|\[(?P<index>-?\d+)\]|\[(?P<all>\*)\]|\[(?P<q>['"])(?P<key>.*?)(?P=q)\]""")

Step = tuple[str, Any]  # ("key", name) | ("index", n) | ("all", None)


def parse(path: str) -> list[Step]:
    """The steps of a path; a ChisoError points at the first character it cannot read."""
    text = path.strip()
    if not text.startswith("$"):
        raise ChisoError(f"JSON path {path!r} must start with $ (e.g. $.data[*])")
    steps: list[Step] = []
    at = 1
    while at < len(text):
        m = _STEP.match(text, at)
        if m is None:
            raise ChisoError(f"JSON path {path!r}: cannot read {text[at:]!r} at column {at + 1}; "
                             "use .name, ['name'], [0] or [*]")
        if m["name"] is not None:
            steps.append(("key", m["name"]))
        elif m["key"] is not None:
            steps.append(("key", m["key"]))
        elif m["index"] is not None:
            steps.append(("index", int(m["index"])))
        else:
            steps.append(("all", None))
        at = m.end()
    return steps


def select(document: Any, path: str) -> list[Any]:
    """Every value the path reaches, in document order (missing keys reach nothing)."""
    current = [document]
    for kind, arg in parse(path):
        nxt: list[Any] = []
        for value in current:
            if kind == "key" and isinstance(value, dict) and arg in value:
                nxt.append(value[arg])
            elif kind == "index" and isinstance(value, list) and -len(value) <= arg < len(value):
                nxt.append(value[arg])
            elif kind == "all" and isinstance(value, list):
                nxt.extend(value)
            elif kind == "all" and isinstance(value, dict):
                nxt.extend(value.values())
        current = nxt
    return current


def records(document: Any, path: str) -> list[Any]:
    """The records a path selects: its matches, or the elements of the one list it reaches."""
    found = select(document, path)
    if len(found) == 1 and isinstance(found[0], list):
        return list(found[0])
    return found
