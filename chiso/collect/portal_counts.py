"""Counts given directly, as the National Public Service Portal publishes them.

A CSV with the columns ``unit_code,unit_name,parent_code,level,criterion,numerator,
denominator,score``: one row per unit and criterion (or group). ``level`` is PROVINCE,
DEPARTMENT or COMMUNE; ``criterion`` is a criterion code or a group code of the index
definition; ``score`` (optional) is an official score taken as given — for a group code,
that group's score. The units named need not exist in the store: the file defines them.
A department's or commune's province is found by following ``parent_code`` up to a
PROVINCE row (or, when the parent is not in the file, the parent code itself).

Codes are read through the unit-code crosswalk (``chiso.units.crosswalk``): a ``unit_code``
or ``parent_code`` the portal writes in its own ids (``H44`` for Phú Thọ, ``H44.23`` for one
of its departments) becomes today's code (``25``, ``25-SYT``) by the rows a province imported
(``chiso units crosswalk import``), so the same counts score the same whichever way they are
coded. A portal id the crosswalk does not know, or one it maps ambiguously, refuses the file
(nobody re-codes by hand, and no unit "H44" is scored beside "25").
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from chiso.catalog.index_definition import IndexDefinition
from chiso.errors import LoadError, Problem
from chiso.units.crosswalk import PORTAL_ID, Crosswalk, load_crosswalk

COLUMNS = ("unit_code", "unit_name", "parent_code", "level", "criterion", "numerator", "denominator", "score")
REQUIRED = ("unit_code", "unit_name", "level", "criterion")
LEVELS = {"PROVINCE": "province", "DEPARTMENT": "department", "COMMUNE": "commune"}


@dataclass(frozen=True)
class PortalCounts:
    """What a counts file says: its units, criterion inputs and official group scores."""

    path: str
    units: pl.DataFrame  # unit_code, name, level, parent_code, province_code
    inputs: pl.DataFrame  # unit_code, criterion, numerator, denominator, given_ratio, given_points, inherited
    group_scores: pl.DataFrame  # unit_code, group, points
    recoded: dict[str, str] = field(default_factory=dict)  # a foreign code in the file → today's code


def _number(text: str) -> float | None:
    t = (text or "").strip().replace(" ", "")
    if t == "":
        return None
    if "," in t and "." not in t:
        t = t.replace(",", ".")  # Vietnamese decimal comma: 15,68
    value = float(t)
    if math.isnan(value) or math.isinf(value):
        raise ValueError("not a finite number")
    return value


def recode(code: str, crosswalk: Crosswalk) -> tuple[str, str | None]:
    """A file's unit code as today's: (code, None), or (code as written, why it cannot be read)."""
    if not code or not (PORTAL_ID.match(code) or crosswalk.knows(code, "portal")):
        return code, None
    t = crosswalk.translate(code, "portal")
    return (t.targets[0], None) if t.ok else (code, t.reason)


def read_portal_counts(path: str | Path, definition: IndexDefinition,
                       crosswalk: Crosswalk | None = None) -> PortalCounts:
    """Read and check a counts file; refuses it whole (LoadError) on any problem. ``crosswalk``:
    the one in force (``chiso.store.repo_crosswalk.load``); the shipped one when None, which
    knows no portal id."""
    crosswalk = crosswalk if crosswalk is not None else load_crosswalk(communes=False)
    recoded: dict[str, str] = {}
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise LoadError([Problem(name, None, None, f"cannot read the file: {err.strerror}")]) from None
    except UnicodeDecodeError:
        raise LoadError([Problem(name, None, None, "not UTF-8 text")]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    for c in missing:
        problems.append(Problem(name, None, c, f"missing column; expected {', '.join(COLUMNS)}"))
    for c in unknown:
        problems.append(Problem(name, None, c, f"unknown column; expected {', '.join(COLUMNS)}"))
    if problems:
        raise LoadError(problems)

    criteria = {c.code: c for c in definition.criteria}
    groups = {g.code: g for g in definition.groups}
    units: dict[str, dict] = {}
    seen: dict[tuple[str, str], int] = {}
    inputs, group_rows = [], []
    for i, raw in enumerate(reader, start=1):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}

        def bad(column, reason, value=None):
            problems.append(Problem(name, i, column, reason, value))

        for c in REQUIRED:
            if not row.get(c):
                bad(c, "empty")
        code, crit = row.get("unit_code", ""), row.get("criterion", "")
        for column in ("unit_code", "parent_code"):
            written = row.get(column, "")
            today, why = recode(written, crosswalk)
            if why:
                bad(column, why, written)
            elif today != written:
                recoded[written] = row[column] = today
        code = row.get("unit_code", "")
        level = LEVELS.get(row.get("level", "").upper())
        if row.get("level") and level is None:
            bad("level", "must be PROVINCE, DEPARTMENT or COMMUNE", row["level"])
        known = crit in criteria or crit in groups
        if crit and not known:
            bad("criterion", "not a criterion or group code of " + definition.code, crit)
        nums = {}
        for c in ("numerator", "denominator", "score"):
            try:
                nums[c] = _number(row.get(c, ""))
            except ValueError:
                bad(c, "not a number", row.get(c))
                nums[c] = None
            if nums[c] is not None and nums[c] < 0:
                bad(c, "must not be negative", row.get(c))
        if not code or not crit or not known or level is None:
            continue
        if (code, crit) in seen:
            bad("criterion", f"{crit} for unit {code} is given twice (also row {seen[(code, crit)]})")
            continue
        seen[(code, crit)] = i
        unit = {"unit_code": code, "name": row.get("unit_name", ""), "level": level,
                "parent_code": row.get("parent_code") or None}
        if code in units:
            prev = units[code]
            for k in ("name", "level", "parent_code"):
                if unit[k] != prev[k] and unit[k] is not None:
                    bad({"name": "unit_name"}.get(k, k), f"differs from row {prev['_row']} for unit {code}",
                        str(unit[k]))
        else:
            units[code] = {**unit, "_row": i}
        num, den, score = nums["numerator"], nums["denominator"], nums["score"]
        if crit in groups:
            g = groups[crit]
            if score is None:
                bad("score", f"a group row ({crit}) needs its score")
            elif score > g.max + 1e-9:
                bad("score", f"above the group's maximum {g.max:g}", row.get("score"))
            else:
                group_rows.append({"unit_code": code, "group": crit, "points": score})
            continue
        c = criteria[crit]
        if score is not None and score > c.max + 1e-9:
            bad("score", f"above the criterion's maximum {c.max:g}", row.get("score"))
        if score is None and c.attested is None and (num is None or den is None):
            bad("numerator" if num is None else "denominator", "needed when no score is given")
        if num is not None and den is not None and num > den:
            bad("numerator", f"larger than the denominator ({den:g})", row.get("numerator"))
        inputs.append({"unit_code": code, "criterion": crit, "numerator": num, "denominator": den,
                       "given_ratio": c.attested if (score is None and num is None and c.attested is not None)
                       else None,
                       "given_points": score, "inherited": False})
    if not seen and not problems:
        problems.append(Problem(name, None, None, "the file has no rows"))
    # province of each unit: follow parents up to a PROVINCE row
    for code, u in units.items():
        seen_codes, cur = {code}, u
        while cur["level"] != "province" and cur["parent_code"] in units:
            cur = units[cur["parent_code"]]
            if cur["unit_code"] in seen_codes:
                problems.append(Problem(name, u["_row"], "parent_code", "parents form a cycle", u["parent_code"]))
                break
            seen_codes.add(cur["unit_code"])
        if u["level"] == "province":
            u["province_code"] = code
        elif cur["level"] == "province":
            u["province_code"] = cur["unit_code"]
        elif u["parent_code"]:
            u["province_code"] = cur["parent_code"] if cur is not u else u["parent_code"]
        else:
            problems.append(Problem(name, u["_row"], "parent_code", f"a {u['level']} needs its parent (province)"))
            u["province_code"] = None
    if problems:
        raise LoadError(problems[:1000], total=len(problems))

    unit_frame = pl.DataFrame([{k: v for k, v in u.items() if k != "_row"} for u in units.values()],
                              schema={"unit_code": pl.Utf8, "name": pl.Utf8, "level": pl.Utf8,
                                      "parent_code": pl.Utf8, "province_code": pl.Utf8})
    input_frame = pl.DataFrame(inputs, schema={"unit_code": pl.Utf8, "criterion": pl.Utf8,
                                               "numerator": pl.Float64, "denominator": pl.Float64,
                                               "given_ratio": pl.Float64, "given_points": pl.Float64,
                                               "inherited": pl.Boolean})
    group_frame = pl.DataFrame(group_rows, schema={"unit_code": pl.Utf8, "group": pl.Utf8, "points": pl.Float64})
    return PortalCounts(name, unit_frame, input_frame, group_frame, recoded)
