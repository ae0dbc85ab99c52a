"""A composite indicator computed from the store and kept as the target indicator's values.

``compute_composite`` reads the province's values relation (submitted, index-fed, task-fed,
aggregated and formula values: ``chiso.evaluate.dm.service.current_values``), takes each unit of
the composite's level and each component's value for the period, and computes the version in
force on the period's first day (``chiso.evaluate.composite``). ``store_composite`` writes the
index as the target indicator's values — one accepted batch (``value_submissions``: role
``system``, connector ``composite:CODE@vN``, audited), each value's source naming the composite
and its version, a changed value moved to history with the reason — so targets, status,
warnings and rankings apply to it as to any indicator. A locked period is refused; values that
would not change are left alone (the batch comes back ``unchanged``).

``sensitivity_composite`` runs the sensitivity analysis on the same inputs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sqlalchemy.orm import Session

from chiso.catalog.composite import METHOD_NAMES, Composite, CompositeBook, check_against_catalogue, load_composites
from chiso.catalog.indicator import Indicator
from chiso.collect.values.rules import PERIOD_KIND
from chiso.errors import DefinitionError, LockedError, WindowError
from chiso.evaluate.composite import CompositeError, Result, Sensitivity, compute, sensitivity
from chiso.evaluate.dm.service import current_values, live_indicators
from chiso.periods.windows import Window, parse_window
from chiso.store import repo_values as repo
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit
from chiso.units import load_units

#: Decimals a composite value is kept with.
DECIMALS = 4


@dataclass(frozen=True)
class Inputs:
    """What a composite is computed from for one period."""

    composite: Composite
    target: Indicator
    window: Window
    units: tuple[str, ...]
    names: Mapping[str, str]
    raw: np.ndarray


@dataclass
class Stored:
    status: str                       # accepted | unchanged
    submission_id: int | None
    inserted: int = 0
    corrected: int = 0
    unchanged: int = 0
    without_value: list[str] = field(default_factory=list)


def source_of(composite: Composite) -> str:
    """How a stored value names where it came from."""
    return f"Chỉ số tổng hợp {composite.code} phiên bản {composite.version} (chiso tính)"


def note_of(composite: Composite) -> str:
    spec = composite.spec
    return (f"Tính tự động theo {composite.label()} (hiệu lực từ {spec.valid_from:%d/%m/%Y}): chuẩn hoá "
            f"{METHOD_NAMES[spec.normalisation.method]}, trọng số {METHOD_NAMES[spec.weights.method]}, tổng hợp "
            f"{METHOD_NAMES[spec.aggregation]}")


def window_of(period: str, target: Indicator) -> Window:
    """The period, which must be of the target's frequency (a monthly index: a month)."""
    try:
        window = parse_window(period)
    except (WindowError, ValueError) as err:
        raise CompositeError(f"kỳ {period!r} không hợp lệ: {err}") from None
    kind = PERIOD_KIND[target.frequency]
    if window.kind != kind:
        raise CompositeError(f"{target.code} được tính theo kỳ {kind} ({target.frequency}); kỳ {period} là {window.kind}")
    return window


def matrix(values: pl.DataFrame, components: tuple[str, ...], units: tuple[str, ...], window: Window,
           indicators: Mapping[str, Indicator] | None = None) -> np.ndarray:
    """Units × components of one period from the values relation (``NaN``: no value).

    A component the relation has no row of for the period but has weeks of (weeks do not nest in
    months or quarters, so the relation has no month of a weekly indicator) is taken from the weeks
    that end within the period, combined by the component's own ``aggregation.periods`` rule
    (``weeks_into``)."""
    col = {c: j for j, c in enumerate(components)}
    row = {u: i for i, u in enumerate(units)}
    out = np.full((len(units), len(components)), np.nan)
    mine = values.filter(pl.col("unit_code").is_in(list(units)))
    rows = mine.filter(pl.col("period") == window.label, pl.col("indicator").is_in(list(components)))
    for code, unit, value in rows.select("indicator", "unit_code", "value").iter_rows():
        if value is not None and math.isfinite(value):
            out[row[unit], col[code]] = float(value)
    if indicators is not None and window.kind != "week":
        for code in components:
            if code in indicators and np.isnan(out[:, col[code]]).all():
                for unit, value in weeks_into(mine, indicators, code, window).items():
                    out[row[unit], col[code]] = value
    return out


def weeks_into(values: pl.DataFrame, indicators: Mapping[str, Indicator], code: str, window: Window) -> dict[str, float]:
    """Per unit, an indicator's value over the weeks ending within ``window``, by its
    ``aggregation.periods`` rule: sum, mean, last (the last week), ratio of sums (Σ numerator ÷ Σ
    denominator × scale), weighted mean; ``none``: no value."""
    rule = indicators[code].aggregation

    def weeks(indicator: str) -> pl.DataFrame:
        return values.filter(pl.col("indicator") == indicator, pl.col("period_kind") == "week",
                             pl.col("period_end") >= window.start, pl.col("period_end") <= window.end,
                             pl.col("value").is_not_null())
    if rule.periods == "ratio_of_sums":
        num = weeks(rule.numerator).group_by("unit_code").agg(pl.col("value").sum().alias("num"))
        den = weeks(rule.denominator).group_by("unit_code").agg(pl.col("value").sum().alias("den"))
        both = num.join(den, on="unit_code").filter(pl.col("den") != 0)
        return {u: n / d * rule.scale for u, n, d in both.select("unit_code", "num", "den").iter_rows()}
    own = weeks(code)
    if rule.periods == "sum":
        got = own.group_by("unit_code").agg(pl.col("value").sum())
    elif rule.periods == "mean":
        got = own.group_by("unit_code").agg(pl.col("value").mean())
    elif rule.periods == "last":
        got = own.sort("period_end").group_by("unit_code").agg(pl.col("value").last())
    elif rule.periods == "weighted_mean":
        weight = weeks(rule.weight).select("unit_code", "period", pl.col("value").alias("w"))
        got = (own.join(weight, on=["unit_code", "period"])
               .group_by("unit_code").agg(((pl.col("value") * pl.col("w")).sum() / pl.col("w").sum()).alias("value")))
    else:
        return {}
    return {u: float(v) for u, v in got.select("unit_code", "value").iter_rows() if v is not None and math.isfinite(v)}


def inputs(session: Session, province: str, code: str, period: str, *, book: CompositeBook | None = None,
           indicators: Mapping[str, Indicator] | None = None, values: pl.DataFrame | None = None) -> Inputs:
    """The composite version in force for ``period`` and its components' values per unit."""
    book = book or load_composites()
    versions = book.get(code)
    catalogue = indicators if indicators is not None else live_indicators(session, province)
    target = catalogue.get(versions[0].target)
    if target is None:
        raise DefinitionError(f"chỉ số đích {versions[0].target} không có trong các chỉ số đang vận hành của tỉnh "
                              f"{province} (cần được phê duyệt hoặc đang vận hành)", path=versions[0].path,
                              where="target")
    window = window_of(period, target)
    composite = book.in_force(versions[0].code, window.start)
    check_against_catalogue(composite, catalogue)
    tree = load_units()
    units = tuple(u.code for u in tree.children(province) if u.level == composite.spec.level)
    known = set(units)
    for group, members in composite.spec.imputation.groups.items():
        for unit in members:
            if unit not in known:
                raise DefinitionError(f"nhóm {group}: {unit} không phải một đơn vị cấp {composite.spec.level} "
                                      f"của tỉnh {province}", path=composite.path, where=f"imputation.groups.{group}")
    relation = values if values is not None else current_values(session, province, catalogue)
    raw = matrix(relation, composite.components, units, window, catalogue)
    names = {u: tree.get(u).name for u in units}
    return Inputs(composite, target, window, units, names, raw)


def compute_composite(session: Session, province: str, code: str, period: str, **kw) -> tuple[Inputs, Result]:
    got = inputs(session, province, code, period, **kw)
    return got, compute(got.composite, got.units, got.raw)


def sensitivity_composite(session: Session, province: str, code: str, period: str, *, runs: int | None = None,
                          seed: int | None = None, **kw) -> tuple[Inputs, Sensitivity]:
    got = inputs(session, province, code, period, **kw)
    return got, sensitivity(got.composite, got.units, got.raw, runs=runs, seed=seed)


def store_composite(session: Session, got: Inputs, result: Result, *, actor: str,
                    now: dt.datetime | None = None) -> Stored:
    """Keep the index as the target's values for the period (see the module's docstring)."""
    composite, target, window = got.composite, got.target, got.window
    now = now or utcnow()
    if not repo.hold_periods(session, [(target.code, window.label)]):
        raise LockedError(f"{target.code} kỳ {window.label} đang được ghi bởi người khác; thử lại sau")
    state = repo.get_period(session, target.code, window.label)
    if state is not None and state.state == "locked":
        raise LockedError(f"{target.code} kỳ {window.label} đã khoá sổ; mở khoá trước khi tính lại")
    values = {u: round(v, DECIMALS) for u, v in zip(got.units, result.scores.index.tolist(), strict=True)
              if not math.isnan(v)}
    without = [u for u in got.units if u not in values]
    source, note = source_of(composite), note_of(composite)
    current = repo.current_rows(session, [(target.code, u, window.label, "") for u in values])
    inserts, corrections, same = [], [], 0
    for unit, value in values.items():
        row = current.get((target.code, unit, window.label, ""))
        if row is None:
            inserts.append(unit)
        elif row.value is not None and math.isclose(row.value, value, rel_tol=0, abs_tol=10 ** -(DECIMALS + 2)) \
                and row.source == source and row.state == "submitted":
            same += 1
        else:
            corrections.append((unit, row))
    if not inserts and not corrections:
        return Stored("unchanged", None, unchanged=same, without_value=without)
    content = json.dumps({"composite": composite.code, "version": composite.version, "sha": composite.sha256,
                          "period": window.label, "values": values}, sort_keys=True, ensure_ascii=False)
    submission = repo.add_submission(
        session, file_name=f"{composite.code} phiên bản {composite.version} · {window.label}",
        content_sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(), submitted_by=actor, role="system",
        as_unit=target.owner, status="accepted", source=source, connector=f"composite:{composite.code}@v{composite.version}",
        reason=note, rows=len(values), inserted=len(inserts), corrected=len(corrections), unchanged=same, at=now)
    for unit in inserts:
        repo.insert_value(session, submission=submission, indicator=target.code, indicator_version=target.version,
                          unit_code=unit, period=window.label, period_kind=window.kind, period_start=window.start,
                          period_end=window.end, breakdown="", value=values[unit], note=note, source=source,
                          late=False, state="submitted")
    for unit, row in corrections:
        repo.replace_value(session, row, submission=submission,
                           reason=f"tính lại theo {composite.label()}", indicator_version=target.version,
                           value=values[unit], note=note, source=source, late=False, state="submitted")
    audit(session, actor, "composite.compute", "composite", f"{composite.code}@{window.label}",
          {"composite": composite.code, "version": composite.version, "target": target.code,
           "period": window.label, "submission_id": submission.id, "units": len(values),
           "without_value": without, "inserted": len(inserts), "corrected": len(corrections),
           "definition_sha256": composite.sha256})
    session.flush()
    return Stored("accepted", submission.id, len(inserts), len(corrections), same, without)
