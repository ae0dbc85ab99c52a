"""Computing a composite indicator (chỉ số tổng hợp): pure, on numpy arrays.

The steps follow the OECD/JRC *Handbook on Constructing Composite Indicators* (2008) and COINr's
order — impute, treat outliers, normalise, weight, aggregate up the levels — on a matrix of the
units (rows) by the components (columns) of one period, ``NaN`` where a unit has no value:

- **imputation** (``impute``): none; the component's mean over the units; the mean over the units
  of the unit's group (``imputation.groups``). Imputed cells are reported.
- **outliers** (``winsorise_limits``, ``winsorise_skew_kurtosis``): values clipped to quantile
  limits; or COINr's rule — while |skewness| > 2 and kurtosis > 3.5 (sample statistics as Excel's
  ``SKEW`` and ``KURT``), the most extreme value on the long tail is set to the next one, at most
  ``max_points`` times per component.
- **normalisation** (``normalise``): min-max onto [low, high]; z-score (sample sd) onto mean, sd;
  goalposts (fixed low and high, clipped); distance to target (100 = the target, ``cap``); rank
  (1 = worst … n = best, ties averaged). A ``lower`` component is turned round first.
- **weights** (``node_weights``): equal; manual (the file's); PCA — the squared loadings of the
  first principal component of the correlation matrix of the node's children (Handbook §6.1, the
  one-factor case).
- **aggregation** (``aggregate``): weighted arithmetic or geometric mean of each node's children,
  pillars first, then the index; a unit missing children gets a value only if the weight of the
  children it has reaches ``min_coverage`` (weights renormalised over them).

``sensitivity`` repeats the normalisation, weighting and aggregation ``runs`` times (seeded) with
the weights perturbed and the methods drawn from the alternatives, and gives each unit's rank
interval: the nominal rank, the median and the 5th–95th percentiles of its ranks.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from chiso.catalog.composite import ROOT, ComponentSpec, Composite, method_pairs
from chiso.errors import ChisoError


class CompositeError(ChisoError):
    """A composite cannot be computed from these values (the message says which unit and component)."""


# ---------------------------------------------------------------- imputation
def impute(x: np.ndarray, method: str, groups: Sequence[str | None] = ()) -> tuple[np.ndarray, np.ndarray]:
    """The matrix with missing cells filled (``mean``: the column's mean; ``group_mean``: the mean of
    the column over the units of the row's group, ``groups[i]`` — a unit in no group, or a group with
    no value, stays missing) and the mask of the cells filled."""
    x = np.array(x, dtype=float, copy=True)
    missing = np.isnan(x)
    if method == "none" or not missing.any():
        return x, np.zeros_like(missing)
    if method == "mean":
        means = np.array([np.nanmean(col) if (~np.isnan(col)).any() else np.nan for col in x.T])
        filled = np.where(missing, means[None, :], x)
    elif method == "group_mean":
        filled = x.copy()
        labels = np.array([g if g is not None else "" for g in groups], dtype=object)
        if len(labels) != x.shape[0]:
            raise CompositeError("mỗi đơn vị cần một nhóm (hoặc không nhóm) khi điền trung bình nhóm")
        for g in set(labels) - {""}:
            rows = labels == g
            for j in range(x.shape[1]):
                col = x[rows, j]
                if (~np.isnan(col)).any():
                    filled[rows & missing[:, j], j] = float(np.nanmean(col))
    else:
        raise CompositeError(f"cách điền giá trị thiếu {method!r} không có")
    return filled, missing & ~np.isnan(filled)


# ---------------------------------------------------------------- outliers
def winsorise_limits(col: np.ndarray, lower: float, upper: float) -> tuple[np.ndarray, int]:
    """Values clipped to the column's ``lower`` and ``upper`` quantiles (linear interpolation, R's
    type 7); how many were changed."""
    col = np.array(col, dtype=float, copy=True)
    ok = ~np.isnan(col)
    if ok.sum() < 3:
        return col, 0
    lo, hi = np.quantile(col[ok], [lower, upper])
    clipped = np.where(ok, np.clip(col, lo, hi), np.nan)
    return clipped, int((clipped[ok] != col[ok]).sum())


def skewness(values: np.ndarray) -> float:
    """Sample skewness, adjusted Fisher–Pearson (Excel's ``SKEW``, e1071 type 2)."""
    v = values[~np.isnan(values)]
    n = len(v)
    if n < 3:
        return 0.0
    sd = v.std(ddof=1)
    if sd == 0:
        return 0.0
    return float(n / ((n - 1) * (n - 2)) * (((v - v.mean()) / sd) ** 3).sum())


def kurtosis(values: np.ndarray) -> float:
    """Sample excess kurtosis (Excel's ``KURT``, e1071 type 2)."""
    v = values[~np.isnan(values)]
    n = len(v)
    if n < 4:
        return 0.0
    sd = v.std(ddof=1)
    if sd == 0:
        return 0.0
    s4 = (((v - v.mean()) / sd) ** 4).sum()
    return float(n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * s4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def winsorise_skew_kurtosis(col: np.ndarray, skew_max: float = 2.0, kurt_max: float = 3.5,
                            max_points: int = 5) -> tuple[np.ndarray, int]:
    """COINr's rule: while |skewness| > ``skew_max`` and kurtosis > ``kurt_max``, the most extreme
    value on the side of the skew is set to the next most extreme value; at most ``max_points``
    values. How many were changed."""
    col = np.array(col, dtype=float, copy=True)
    changed = 0
    while changed < max_points:
        s, k = skewness(col), kurtosis(col)
        if not (abs(s) > skew_max and k > kurt_max):
            break
        ok = np.flatnonzero(~np.isnan(col))
        order = ok[np.argsort(col[ok], kind="stable")]
        if s > 0:
            i, nxt = order[-1], col[order[-2]]
        else:
            i, nxt = order[0], col[order[1]]
        if col[i] == nxt:
            break
        col[i] = nxt
        changed += 1
    return col, changed


# ---------------------------------------------------------------- normalisation
def normalise(col: np.ndarray, method: str, component: ComponentSpec, *, low: float = 0.0, high: float = 100.0,
              mean: float = 0.0, sd: float = 1.0, units: Sequence[str] = ()) -> np.ndarray:
    """One component's values on the common scale (``NaN`` stays ``NaN``)."""
    x = np.array(col, dtype=float, copy=True)
    sign = 1.0 if component.direction == "higher" else -1.0
    ok = ~np.isnan(x)
    log = component.transform == "log"
    if log:
        bad = ok & (x <= 0)
        if bad.any():
            who = units[int(np.flatnonzero(bad)[0])] if len(units) else "?"
            raise CompositeError(f"{component.indicator}: không lấy logarit được giá trị {x[bad][0]:g} của "
                                 f"đơn vị {who} (cần số dương)")
        x = np.where(ok, np.log(np.where(ok, x, 1.0)), np.nan)
    if method == "minmax":
        if not ok.any():
            return x
        v = sign * x
        lo, hi = np.nanmin(v), np.nanmax(v)
        if hi == lo:   # a component every unit has the same value of tells nothing: the middle
            return np.where(ok, (low + high) / 2, np.nan)
        return (v - lo) / (hi - lo) * (high - low) + low
    if method == "zscore":
        v = sign * x
        if ok.sum() < 2:
            return np.where(ok, mean, np.nan)
        spread = np.nanstd(v, ddof=1)
        if spread == 0:
            return np.where(ok, mean, np.nan)
        return (v - np.nanmean(v)) / spread * sd + mean
    if method == "goalposts":
        gp = component.goalposts
        if gp is None:
            raise CompositeError(f"{component.indicator}: chuẩn hoá theo mốc cố định cần goalposts")
        g_lo, g_hi = (math.log(gp.low), math.log(gp.high)) if log else (gp.low, gp.high)
        share = (x - g_lo) / (g_hi - g_lo) if sign > 0 else (g_hi - x) / (g_hi - g_lo)
        return np.clip(share, 0.0, 1.0) * (high - low) + low
    if method == "distance_to_target":
        if component.target is None:
            raise CompositeError(f"{component.indicator}: chuẩn hoá theo khoảng cách tới mục tiêu cần target")
        target = math.log(component.target) if log else component.target
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = x / target if sign > 0 else np.where(x > 0, target / x, np.inf)
        out = ratio * 100.0
        if component.cap is not None:
            out = np.minimum(out, component.cap * 100.0)
        if np.isinf(out[ok]).any():
            who = units[int(np.flatnonzero(ok & np.isinf(out))[0])] if len(units) else "?"
            raise CompositeError(f"{component.indicator}: đơn vị {who} có giá trị 0 cho một chỉ số thấp hơn là tốt "
                                 "hơn; khoảng cách tới mục tiêu cần giới hạn trên (cap)")
        return np.where(ok, out, np.nan)
    if method == "rank":
        v = sign * x
        return np.where(ok, _average_rank(v), np.nan)
    raise CompositeError(f"cách chuẩn hoá {method!r} không có")


def _average_rank(v: np.ndarray) -> np.ndarray:
    """Ascending ranks 1…n of the non-missing values, ties given their average rank."""
    out = np.full(v.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(v))
    order = ok[np.argsort(v[ok], kind="stable")]
    values = v[order]
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[j + 1] == values[i]:
            j += 1
        out[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return out


# ---------------------------------------------------------------- weights and aggregation
def pca_weights(block: np.ndarray) -> np.ndarray | None:
    """Weights from the first principal component of the correlation matrix of the columns: its
    squared loadings (they add up to 1). None when it cannot be had: fewer than two columns, fewer
    complete rows than columns + 1, or a constant column."""
    if block.ndim != 2 or block.shape[1] < 2:
        return None
    rows = block[~np.isnan(block).any(axis=1)]
    if rows.shape[0] < block.shape[1] + 1 or (rows.std(axis=0, ddof=1) == 0).any():
        return None
    corr = np.corrcoef(rows, rowvar=False)
    values, vectors = np.linalg.eigh(corr)
    first = vectors[:, int(np.argmax(values))]
    w = first ** 2
    return w / w.sum()


def aggregate(block: np.ndarray, weights: np.ndarray, method: str, min_coverage: float = 1.0,
              names: Sequence[str] = (), units: Sequence[str] = ()) -> np.ndarray:
    """Each row's weighted mean of its columns (``arithmetic`` or ``geometric``), over the columns it
    has, if their weight is at least ``min_coverage`` of the whole; else ``NaN``."""
    w = np.asarray(weights, dtype=float)
    have = ~np.isnan(block)
    cover = (have * w).sum(axis=1) / w.sum()
    enough = cover >= min_coverage - 1e-12
    wsum = (have * w).sum(axis=1)
    out = np.full(block.shape[0], np.nan)
    if method == "arithmetic":
        total = np.where(have, block, 0.0) @ w
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(enough & (wsum > 0), total / wsum, np.nan)
        return out
    if method == "geometric":
        negative = have & (block < 0)
        if negative.any():
            r, c = (int(a[0]) for a in np.nonzero(negative))
            who = units[r] if len(units) else str(r)
            what = names[c] if len(names) else str(c)
            raise CompositeError(f"trung bình nhân cần giá trị không âm: {what} của đơn vị {who} là "
                                 f"{block[r, c]:g}")
        zero = (have & (block == 0)).any(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(have & (block > 0), np.log(np.where(have & (block > 0), block, 1.0)), 0.0)
            mean_log = (logs @ w) / wsum
        out = np.where(enough & (wsum > 0), np.where(zero, 0.0, np.exp(mean_log)), np.nan)
        return out
    raise CompositeError(f"cách tổng hợp {method!r} không có")


def ranks(values: np.ndarray) -> np.ndarray:
    """1 = the highest value; ties share the best rank of their group; ``NaN`` has no rank."""
    out = np.full(values.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(values))
    if not len(ok):
        return out
    v = values[ok]
    for i, idx in enumerate(ok):
        out[idx] = 1 + int((v > v[i]).sum())
    return out


# ---------------------------------------------------------------- the pipeline
@dataclass(frozen=True)
class Prepared:
    """The components after imputation and outlier treatment (what every run normalises)."""

    units: tuple[str, ...]
    components: tuple[str, ...]
    raw: np.ndarray
    treated: np.ndarray
    imputed: np.ndarray                     # bool, cells filled by imputation
    winsorised: Mapping[str, int]           # component → values changed


@dataclass(frozen=True)
class Scores:
    """One run's normalised components, pillar scores, index and ranks."""

    normalisation: str
    aggregation: str
    normalised: np.ndarray
    nodes: Mapping[str, np.ndarray]          # pillar code (and ROOT) → scores per unit
    weights: Mapping[str, Mapping[str, float]]   # node → child → weight (shares adding up to 1)
    index: np.ndarray
    ranks: np.ndarray
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    composite: Composite
    prepared: Prepared
    scores: Scores

    def rows(self) -> list[dict]:
        """Per unit: its index value, rank and pillar scores (units without a value last)."""
        out = []
        for i, unit in enumerate(self.prepared.units):
            out.append({"unit": unit, "value": _num(self.scores.index[i]), "rank": _int(self.scores.ranks[i]),
                        "pillars": {p: _num(self.scores.nodes[p][i]) for p in self.scores.nodes if p != ROOT},
                        "imputed": [c for j, c in enumerate(self.prepared.components)
                                    if self.prepared.imputed[i, j]],
                        "missing": [c for j, c in enumerate(self.prepared.components)
                                    if np.isnan(self.prepared.treated[i, j])]})
        out.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit"]))
        return out


def _num(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _int(v: float) -> int | None:
    return None if math.isnan(v) else int(v)


def prepare(composite: Composite, units: Sequence[str], raw: np.ndarray) -> Prepared:
    """Imputation then outlier treatment of ``raw`` (units × the composite's components)."""
    spec = composite.spec
    raw = np.asarray(raw, dtype=float)
    if raw.shape != (len(units), len(composite.components)):
        raise CompositeError(f"cần {len(units)} đơn vị × {len(composite.components)} chỉ số thành phần, "
                             f"có {raw.shape}")
    group_of = {u: g for g, members in spec.imputation.groups.items() for u in members}
    x, imputed = impute(raw, spec.imputation.method, [group_of.get(u) for u in units])
    changed: dict[str, int] = {}
    for j, code in enumerate(composite.components):
        if spec.outliers.method == "winsorise_limits":
            x[:, j], changed[code] = winsorise_limits(x[:, j], spec.outliers.lower, spec.outliers.upper)
        elif spec.outliers.method == "winsorise_skew_kurtosis":
            x[:, j], changed[code] = winsorise_skew_kurtosis(x[:, j], spec.outliers.skew, spec.outliers.kurtosis,
                                                             spec.outliers.max_points)
        else:
            changed[code] = 0
    return Prepared(tuple(units), composite.components, raw, x, imputed, changed)


def node_weights(composite: Composite, node: str, block: np.ndarray) -> tuple[np.ndarray, str | None]:
    """A node's weights as shares: equal, manual (the file's), or PCA from ``block`` (its children's
    values, units × children) — which falls back to equal weights, with a note, where it cannot be
    had."""
    kids = composite.children[node]
    w = np.array([composite.declared[node][k] for k in kids], dtype=float)
    note = None
    if composite.spec.weights.method == "pca" and len(kids) > 1:
        found = pca_weights(block)
        if found is None:
            note = (f"{node}: không tính được trọng số PCA (ít đơn vị đủ số liệu hoặc có chỉ số không đổi), "
                    "dùng trọng số bằng nhau")
            found = np.ones(len(kids))
        w = found
    return w / w.sum(), note


def score(composite: Composite, prepared: Prepared, *, normalisation: str | None = None,
          aggregation: str | None = None, weights: Mapping[str, Mapping[str, float]] | None = None) -> Scores:
    """Normalise, weight and aggregate up the levels, pillars before their parents (the
    definition's methods and weights unless given; a pillar's own ``aggregation`` always holds)."""
    spec = composite.spec
    norm = normalisation or spec.normalisation.method
    agg = aggregation or spec.aggregation
    n = spec.normalisation
    normalised = np.column_stack([
        normalise(prepared.treated[:, j], norm, composite.component(code), low=n.low, high=n.high, mean=n.mean,
                  sd=n.sd, units=prepared.units)
        for j, code in enumerate(composite.components)])
    col = {c: j for j, c in enumerate(composite.components)}
    nodes: dict[str, np.ndarray] = {}
    notes: list[str] = []
    used: dict[str, dict[str, float]] = {}
    for node in composite.order():
        kids = composite.children[node]
        block = np.column_stack([normalised[:, col[k]] if k in col else nodes[k] for k in kids])
        if weights is not None:
            w = np.array([weights[node][k] for k in kids], dtype=float)
            w = w / w.sum()
        else:
            w, note = node_weights(composite, node, block)
            if note:
                notes.append(note)
        used[node] = {k: float(s) for k, s in zip(kids, w, strict=True)}
        own = None if node == ROOT else composite.pillar(node).aggregation
        nodes[node] = aggregate(block, w, own or agg, spec.min_coverage, names=kids, units=prepared.units)
    index = nodes[ROOT]
    return Scores(norm, agg, normalised, nodes, used, index, ranks(index), tuple(notes))


def compute(composite: Composite, units: Sequence[str], raw: np.ndarray) -> Result:
    """The composite by its definition's methods."""
    prepared = prepare(composite, units, raw)
    return Result(composite, prepared, score(composite, prepared))


# ---------------------------------------------------------------- sensitivity
@dataclass(frozen=True)
class Interval:
    unit: str
    nominal: int | None
    median: float | None
    p05: float | None
    p95: float | None
    best: int | None
    worst: int | None


@dataclass(frozen=True)
class Sensitivity:
    composite: Composite
    runs: int
    seed: int
    pairs: tuple[tuple[str, str], ...]
    intervals: tuple[Interval, ...]
    #: runs × units: every run's ranks (NaN: no value in that run)
    ranks: np.ndarray = field(repr=False)

    def rows(self) -> list[dict]:
        out = [vars(i).copy() for i in self.intervals]
        out.sort(key=lambda r: (r["nominal"] is None, r["nominal"] or 0, r["unit"]))
        return out


def perturb(weights: Mapping[str, Mapping[str, float]], rng: np.random.Generator, method: str,
            spread: float) -> dict[str, dict[str, float]]:
    """Each node's weights perturbed: ``uniform`` — each × U(1 − spread, 1 + spread), then shares;
    ``dirichlet`` — shares drawn from Dirichlet(shares / spread²)."""
    out: dict[str, dict[str, float]] = {}
    for node, kids in weights.items():
        names = list(kids)
        w = np.array([kids[k] for k in names], dtype=float)
        if len(w) > 1:
            if method == "uniform":
                w = w * rng.uniform(1 - spread, 1 + spread, size=len(w))
            else:
                w = rng.dirichlet(np.maximum(w / w.sum() / spread ** 2, 1e-6))
        out[node] = {k: float(v) for k, v in zip(names, w / w.sum(), strict=True)}
    return out


def sensitivity(composite: Composite, units: Sequence[str], raw: np.ndarray, *, runs: int | None = None,
                seed: int | None = None) -> Sensitivity:
    """Each unit's rank over ``runs`` runs with perturbed weights and methods drawn from the
    (normalisation, aggregation) pairs; deterministic for a seed."""
    spec = composite.spec.sensitivity
    runs = runs if runs is not None else spec.runs
    seed = seed if seed is not None else spec.seed
    if runs < 1:
        raise CompositeError("số lần chạy phân tích độ nhạy phải từ 1 trở lên")
    prepared = prepare(composite, units, raw)
    nominal = score(composite, prepared)
    pairs = tuple(method_pairs(composite))
    rng = np.random.default_rng(seed)
    out = np.full((runs, len(units)), np.nan)
    for r in range(runs):
        norm, agg = pairs[int(rng.integers(len(pairs)))]
        weights = perturb(nominal.weights, rng, spec.weights.method, spec.weights.spread)
        out[r] = score(composite, prepared, normalisation=norm, aggregation=agg, weights=weights).ranks
    intervals = []
    for i, unit in enumerate(units):
        col = out[:, i][~np.isnan(out[:, i])]
        if not len(col):
            intervals.append(Interval(unit, _int(nominal.ranks[i]), None, None, None, None, None))
            continue
        p05, med, p95 = np.percentile(col, [5, 50, 95])
        intervals.append(Interval(unit, _int(nominal.ranks[i]), float(med), float(p05), float(p95),
                                  int(col.min()), int(col.max())))
    return Sensitivity(composite, runs, seed, pairs, tuple(intervals), out)
