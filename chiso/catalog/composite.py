"""Composite indicators (chỉ số tổng hợp) as versioned, validated definitions.

A synthetic indicator of the catalogue (group ``synthetic``) may be built from other indicators
by the steps every composite index follows (OECD/JRC, *Handbook on Constructing Composite
Indicators*, 2008; COINr): components with their direction, imputation of missing values,
treatment of outliers, normalisation, weights, aggregation, and the levels (sub-pillars → the
index). One YAML file is one version of one composite (``definitions/composites/*.yaml``); a
composite's versions carry ``valid_from`` dates, and a period is computed by the version in
force on its first day (``CompositeBook.in_force``). Format and methods: docs/composite.md.

Loading checks what a mistake could break and names the file and the place of each error
(``components[2].direction``): unknown methods, a component without the parameters its
normalisation needs (goalposts, a target), a pillar that does not exist or a circle of
pillars, weights that are not positive, geometric aggregation of z-scores (which are
negative), two files with the same code and version, versions whose dates go backwards.
Rules that need the catalogue (the target is a synthetic indicator, the components exist)
are ``check_against_catalogue``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chiso import settings
from chiso.errors import DefinitionError
from chiso.formula.parse import CODE_PATTERN

COMPOSITES_DIR = Path(__file__).parent / "definitions" / "composites"

Direction = Literal["higher", "lower"]
Imputation = Literal["none", "mean", "group_mean"]
OutlierMethod = Literal["none", "winsorise_limits", "winsorise_skew_kurtosis"]
Normalisation = Literal["minmax", "zscore", "goalposts", "distance_to_target", "rank"]
WeightMethod = Literal["equal", "manual", "pca"]
Aggregation = Literal["arithmetic", "geometric"]
Perturbation = Literal["uniform", "dirichlet"]
Level = Literal["department", "commune"]

#: The methods in Vietnamese, for pages, the CLI and notes on stored values.
METHOD_NAMES: dict[str, str] = {
    "none": "không", "mean": "trung bình", "group_mean": "trung bình nhóm",
    "winsorise_limits": "cắt đuôi theo ngưỡng phân vị",
    "winsorise_skew_kurtosis": "cắt đuôi theo độ lệch và độ nhọn",
    "minmax": "min-max", "zscore": "điểm chuẩn z", "goalposts": "theo mốc cố định",
    "distance_to_target": "khoảng cách tới mục tiêu", "rank": "thứ hạng",
    "equal": "bằng nhau", "manual": "ấn định", "pca": "theo thành phần chính (PCA)",
    "arithmetic": "trung bình cộng", "geometric": "trung bình nhân",
    "uniform": "đều", "dirichlet": "Dirichlet",
}
#: The name of the index itself as the root of the tree of pillars.
ROOT = "INDEX"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GoalpostSpec(_Strict):
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if not self.high > self.low:
            raise ValueError("mốc trên (high) phải lớn hơn mốc dưới (low)")
        return self


class ComponentSpec(_Strict):
    """One indicator of the composite."""

    indicator: str = Field(pattern=CODE_PATTERN)
    pillar: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    direction: Direction = "higher"
    weight: float | None = Field(default=None, gt=0)
    goalposts: GoalpostSpec | None = None
    target: float | None = None
    cap: float | None = Field(default=None, gt=0)   # distance to target: at most cap × 100
    #: log: the natural logarithm of the value (and of its goalposts and target) is normalised —
    #: incomes, populations, anything whose differences matter in proportion (HDI's income index)
    transform: Literal["none", "log"] = "none"


class PillarSpec(_Strict):
    """A sub-pillar (trụ cột): its components, or its own sub-pillars, aggregated into it."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str = Field(min_length=1)
    name_en: str | None = None
    parent: str | None = None          # None: the index itself
    weight: float | None = Field(default=None, gt=0)
    #: how this pillar's children combine (None: the composite's ``aggregation``)
    aggregation: Aggregation | None = None


class ImputationSpec(_Strict):
    method: Imputation = "none"
    #: for group_mean: group code → the units in it (a unit in no group is not imputed)
    groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _groups(self):
        if self.method == "group_mean" and not self.groups:
            raise ValueError("trung bình nhóm (group_mean) cần khai báo các nhóm đơn vị (groups)")
        seen: dict[str, str] = {}
        for group, units in self.groups.items():
            for unit in units:
                if unit in seen:
                    raise ValueError(f"đơn vị {unit} thuộc hai nhóm: {seen[unit]} và {group}")
                seen[unit] = group
        return self


class OutlierSpec(_Strict):
    """Winsorisation: by quantile limits, or (COINr's rule) while |skew| > ``skew`` and kurtosis
    > ``kurtosis``, the most extreme value set to the next one, at most ``max_points`` times."""

    method: OutlierMethod = "none"
    lower: float = Field(default=0.05, ge=0, lt=0.5)
    upper: float = Field(default=0.95, gt=0.5, le=1)
    skew: float = Field(default=2.0, gt=0)
    kurtosis: float = Field(default=3.5, gt=0)
    max_points: int = Field(default=5, ge=1)


class NormalisationSpec(_Strict):
    method: Normalisation = "minmax"
    low: float = 0.0                    # min-max and goalposts: the scale's ends
    high: float = 100.0
    mean: float = 0.0                   # z-score: the mean and spread it is put on
    sd: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _order(self):
        if not self.high > self.low:
            raise ValueError("đầu trên của thang (high) phải lớn hơn đầu dưới (low)")
        return self


class WeightSpec(_Strict):
    method: WeightMethod = "equal"


class PerturbationSpec(_Strict):
    method: Perturbation = "uniform"
    #: uniform: each weight × U(1 − spread, 1 + spread); dirichlet: concentration 1/spread² × the
    #: nominal shares (the same relative spread, on the simplex)
    spread: float = Field(default=0.25, gt=0, lt=1)


class SensitivitySpec(_Strict):
    runs: int = Field(default=500, ge=10, le=20_000)
    seed: int = 0
    weights: PerturbationSpec = PerturbationSpec()
    normalisation: tuple[Normalisation, ...] = ()    # alternatives drawn with the nominal one
    aggregation: tuple[Aggregation, ...] = ()


class CompositeSpec(_Strict):
    """One version of one composite (the file's shape)."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    target: str = Field(pattern=CODE_PATTERN)
    version: int = Field(ge=1)
    valid_from: dt.date
    name: str = Field(min_length=1)
    name_en: str | None = None
    description: str | None = None
    level: Level = "department"
    components: tuple[ComponentSpec, ...] = Field(min_length=2)
    pillars: tuple[PillarSpec, ...] = Field(min_length=1)
    imputation: ImputationSpec = ImputationSpec()
    outliers: OutlierSpec = OutlierSpec()
    normalisation: NormalisationSpec = NormalisationSpec()
    weights: WeightSpec = WeightSpec()
    aggregation: Aggregation = "arithmetic"
    #: the share of a node's weight a unit must have data for to get a value (1: every component)
    min_coverage: float = Field(default=1.0, gt=0, le=1)
    sensitivity: SensitivitySpec = SensitivitySpec()


@dataclass(frozen=True)
class Composite:
    """A validated composite version, with its tree of pillars resolved."""

    spec: CompositeSpec
    path: str
    sha256: str
    #: node (a pillar or ROOT) → its children (pillar codes or indicator codes), in file order
    children: Mapping[str, tuple[str, ...]]
    #: node → child → nominal weight (before the weight method: manual weights, else 1)
    declared: Mapping[str, Mapping[str, float]]

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def target(self) -> str:
        return self.spec.target

    @property
    def version(self) -> int:
        return self.spec.version

    @property
    def components(self) -> tuple[str, ...]:
        return tuple(c.indicator for c in self.spec.components)

    def component(self, code: str) -> ComponentSpec:
        for c in self.spec.components:
            if c.indicator == code:
                return c
        raise KeyError(code)

    def pillar(self, code: str) -> PillarSpec:
        for p in self.spec.pillars:
            if p.code == code:
                return p
        raise KeyError(code)

    def order(self) -> list[str]:
        """The pillars, children before parents (the order they are aggregated in), then ROOT."""
        out: list[str] = []

        def visit(node: str) -> None:
            for child in self.children.get(node, ()):
                if child in self.children:
                    visit(child)
            out.append(node)
        visit(ROOT)
        return out

    def label(self) -> str:
        return f"{self.code} phiên bản {self.version}"


# ---------------------------------------------------------------- loading
def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_composite(text: str, path: str = "<text>") -> Composite:
    """Validate a composite version given as YAML text; a ``DefinitionError`` names the file and field."""
    raw = settings.yaml_mapping(text, path)
    try:
        spec = CompositeSpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        more = len(err.errors()) - 1
        msg = first["msg"].removeprefix("Value error, ")
        raise DefinitionError(f"không hợp lệ: {msg}" + (f" (và {more} lỗi khác)" if more else ""),
                              path=path, where=_where(first["loc"])) from None
    return _resolve(spec, path, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _fail(message: str, path: str, where: str) -> DefinitionError:
    return DefinitionError(message, path=path, where=where)


def _resolve(spec: CompositeSpec, path: str, sha: str) -> Composite:
    pillars = {p.code: p for p in spec.pillars}
    for i, p in enumerate(spec.pillars):
        if sum(q.code == p.code for q in spec.pillars) > 1:
            raise _fail(f"trụ cột {p.code} khai báo hai lần", path, f"pillars[{i}].code")
        if p.code == ROOT:
            raise _fail(f"{ROOT} là tên của chính chỉ số, không dùng làm trụ cột", path, f"pillars[{i}].code")
        if p.parent is not None and p.parent not in pillars:
            raise _fail(f"trụ cột cha {p.parent} không có trong pillars", path, f"pillars[{i}].parent")
    for i, p in enumerate(spec.pillars):   # a circle of parents
        seen, node = {p.code}, p.parent
        while node is not None:
            if node in seen:
                raise _fail(f"các trụ cột tạo thành vòng tròn qua {p.code}", path, f"pillars[{i}].parent")
            seen.add(node)
            node = pillars[node].parent
    codes = [c.indicator for c in spec.components]
    for i, c in enumerate(spec.components):
        where = f"components[{i}]"
        if codes.count(c.indicator) > 1:
            raise _fail(f"chỉ số {c.indicator} có hai lần trong components", path, f"{where}.indicator")
        if c.pillar not in pillars:
            raise _fail(f"trụ cột {c.pillar} không có trong pillars", path, f"{where}.pillar")
        if any(p.parent == c.pillar for p in spec.pillars):
            raise _fail(f"trụ cột {c.pillar} đã có trụ cột con, không chứa thêm chỉ số thành phần", path,
                        f"{where}.pillar")
        _check_parameters(spec, c, spec.normalisation.method, path, where)
        for alt in spec.sensitivity.normalisation:
            _check_parameters(spec, c, alt, path, where, alternative=True)
        if spec.weights.method == "manual" and c.weight is None:
            raise _fail("trọng số ấn định (manual) cần weight cho mỗi chỉ số thành phần", path, f"{where}.weight")
    children: dict[str, list[str]] = {ROOT: []}
    for p in spec.pillars:
        children.setdefault(p.code, [])
        children.setdefault(p.parent or ROOT, []).append(p.code)
    for c in spec.components:
        children[c.pillar].append(c.indicator)
    for i, p in enumerate(spec.pillars):
        if not children[p.code]:
            raise _fail(f"trụ cột {p.code} không có chỉ số thành phần hay trụ cột con nào", path, f"pillars[{i}]")
        if spec.weights.method == "manual" and p.weight is None and len(children[p.parent or ROOT]) > 1:
            raise _fail("trọng số ấn định (manual) cần weight cho mỗi trụ cột", path, f"pillars[{i}].weight")
    pairs = _method_pairs(spec)
    if spec.normalisation.method == "zscore":
        if spec.aggregation == "geometric":
            raise _fail("trung bình nhân không tổng hợp được điểm chuẩn z (có giá trị âm); chọn trung bình cộng "
                        "hoặc cách chuẩn hoá khác", path, "aggregation")
        for i, p in enumerate(spec.pillars):
            if p.aggregation == "geometric":
                raise _fail("trung bình nhân không tổng hợp được điểm chuẩn z (có giá trị âm)", path,
                            f"pillars[{i}].aggregation")
    if not pairs:
        raise _fail("không có cặp chuẩn hoá – tổng hợp nào dùng được cho phân tích độ nhạy", path, "sensitivity")
    declared: dict[str, dict[str, float]] = {}
    for node, kids in children.items():
        declared[node] = {}
        for kid in kids:
            if kid in pillars:
                w = pillars[kid].weight
            else:
                w = next(c.weight for c in spec.components if c.indicator == kid)
            declared[node][kid] = float(w) if (spec.weights.method == "manual" and w is not None) else 1.0
    return Composite(spec, path, sha, {k: tuple(v) for k, v in children.items()}, declared)


def _check_parameters(spec: CompositeSpec, c: ComponentSpec, method: str, path: str, where: str, *,
                      alternative: bool = False) -> None:
    why = " (một cách chuẩn hoá thay thế trong sensitivity)" if alternative else ""
    if method == "goalposts" and c.goalposts is None:
        raise _fail(f"chuẩn hoá theo mốc cố định cần goalposts {{low, high}}{why}", path, f"{where}.goalposts")
    if method == "distance_to_target":
        if c.target is None:
            raise _fail(f"chuẩn hoá theo khoảng cách tới mục tiêu cần target{why}", path, f"{where}.target")
        if c.target <= 0:
            raise _fail("mục tiêu (target) phải là số dương", path, f"{where}.target")
    if c.transform == "log":
        if c.goalposts is not None and c.goalposts.low <= 0:
            raise _fail("lấy logarit cần mốc dưới (goalposts.low) dương", path, f"{where}.goalposts.low")
        if c.target is not None and c.target <= 0:
            raise _fail("lấy logarit cần mục tiêu (target) dương", path, f"{where}.target")


def _method_pairs(spec: CompositeSpec) -> list[tuple[str, str]]:
    """The (normalisation, aggregation) pairs sensitivity runs draw from: the nominal ones and the
    alternatives, less geometric means of z-scores (z-scores not at all when a pillar is
    aggregated geometrically of its own)."""
    norms = list(dict.fromkeys((spec.normalisation.method, *spec.sensitivity.normalisation)))
    aggs = list(dict.fromkeys((spec.aggregation, *spec.sensitivity.aggregation)))
    geometric_pillar = any(p.aggregation == "geometric" for p in spec.pillars)
    return [(n, a) for n in norms for a in aggs
            if not (n == "zscore" and (a == "geometric" or geometric_pillar))]


def method_pairs(composite: Composite) -> list[tuple[str, str]]:
    return _method_pairs(composite.spec)


@dataclass(frozen=True)
class CompositeBook:
    """Every version of every composite, from one folder."""

    versions: Mapping[str, tuple[Composite, ...]]   # code → versions, oldest first

    def codes(self) -> list[str]:
        return sorted(self.versions)

    def of_target(self, target: str) -> str | None:
        """The composite code that computes an indicator (None: none does)."""
        for code, versions in self.versions.items():
            if any(v.target == target for v in versions):
                return code
        return None

    def get(self, code: str) -> tuple[Composite, ...]:
        found = self.versions.get(code) or self.versions.get(self.of_target(code) or "")
        if not found:
            known = ", ".join(self.codes()) or "chưa có"
            raise DefinitionError(f"không có chỉ số tổng hợp {code!r} (đang có: {known})")
        return found

    def in_force(self, code: str, day: dt.date) -> Composite:
        """The version in force on ``day`` (the latest whose ``valid_from`` is on or before it)."""
        versions = self.get(code)
        chosen = [v for v in versions if v.spec.valid_from <= day]
        if not chosen:
            raise DefinitionError(f"chỉ số tổng hợp {versions[0].code} chưa có phiên bản nào có hiệu lực ngày "
                                  f"{day:%d/%m/%Y} (phiên bản đầu tiên từ {versions[0].spec.valid_from:%d/%m/%Y})")
        return chosen[-1]


def load_composites(folder: str | Path | None = None) -> CompositeBook:
    """Every ``*.yaml`` of ``folder``; without one, the shipped ``definitions/composites`` and the
    province's own folder (``CHISO_COMPOSITES_DIR``) together."""
    folders = [Path(folder)] if folder is not None else [COMPOSITES_DIR]
    own = settings.get("CHISO_COMPOSITES_DIR") if folder is None else None
    if own:
        folders.append(Path(own))
    parsed = []
    for place in folders:
        if not place.is_dir():
            raise DefinitionError("thư mục định nghĩa chỉ số tổng hợp không tồn tại", path=str(place))
        parsed += [parse_composite(p.read_text(encoding="utf-8"), str(p)) for p in sorted(place.glob("*.yaml"))]
    return book_of(parsed)


def book_of(composites: Iterable[Composite]) -> CompositeBook:
    """Versions grouped by code; the same code and version twice, or dates going backwards, refused."""
    by_code: dict[str, list[Composite]] = {}
    for c in composites:
        by_code.setdefault(c.code, []).append(c)
    out: dict[str, tuple[Composite, ...]] = {}
    for code, versions in by_code.items():
        versions.sort(key=lambda c: c.version)
        for a, b in zip(versions, versions[1:], strict=False):
            if a.version == b.version:
                raise DefinitionError(f"{code} phiên bản {a.version} khai báo hai lần (cả ở {a.path})",
                                      path=b.path, where="version")
            if b.spec.valid_from <= a.spec.valid_from:
                raise DefinitionError(f"phiên bản {b.version} phải có hiệu lực sau phiên bản {a.version} "
                                      f"({a.spec.valid_from:%d/%m/%Y})", path=b.path, where="valid_from")
            if b.target != a.target:
                raise DefinitionError(f"mọi phiên bản của {code} tính cùng một chỉ số (phiên bản {a.version}: "
                                      f"{a.target})", path=b.path, where="target")
        out[code] = tuple(versions)
    targets: dict[str, str] = {}
    for code, versions in out.items():
        t = versions[0].target
        if t in targets:
            raise DefinitionError(f"chỉ số {t} đã do chỉ số tổng hợp {targets[t]} tính", path=versions[0].path,
                                  where="target")
        targets[t] = code
    return CompositeBook(out)


def check_against_catalogue(composite: Composite, catalogue: Mapping) -> None:
    """The target is a synthetic indicator of the catalogue and every component is an indicator of
    it, reported at the composite's level (``catalogue``: code → ``Indicator``)."""
    spec, path = composite.spec, composite.path
    target = catalogue.get(spec.target)
    if target is None:
        raise _fail(f"chỉ số đích {spec.target} không có trong bộ chỉ số (hoặc chưa phê duyệt, vận hành)", path,
                    "target")
    if target.group != "synthetic":
        raise _fail(f"chỉ số đích {spec.target} phải thuộc nhóm chỉ số tổng hợp (synthetic), không phải "
                    f"{target.group}", path, "target")
    if target.formula is not None or target.index is not None or target.tasks is not None:
        raise _fail(f"chỉ số đích {spec.target} đã được tính theo cách khác (công thức, bộ chỉ số 766 hoặc "
                    "sổ nhiệm vụ)", path, "target")
    if spec.level not in target.levels:
        raise _fail(f"chỉ số đích {spec.target} không báo cáo ở cấp {spec.level} (levels: "
                    f"{', '.join(target.levels)})", path, "level")
    for i, c in enumerate(spec.components):
        ind = catalogue.get(c.indicator)
        if ind is None:
            raise _fail(f"chỉ số thành phần {c.indicator} không có trong bộ chỉ số (hoặc chưa phê duyệt, vận hành)",
                        path, f"components[{i}].indicator")
        if c.indicator == spec.target:
            raise _fail("chỉ số đích không là thành phần của chính nó", path, f"components[{i}].indicator")
        if spec.level not in ind.levels:
            raise _fail(f"chỉ số thành phần {c.indicator} không có số liệu ở cấp {spec.level}", path,
                        f"components[{i}].indicator")
