"""Direction & management indicators (chỉ số chỉ đạo, điều hành): the catalogue entry.

One ``Indicator`` carries the standard attributes of dm-indicator-framework.md. This
module is the shared vocabulary of the catalogue (import/export, lifecycle, store), the
formula language, data collection, targets and warnings, the web app and the bulletins:
they all speak of indicators through these classes.

The catalogue file (``definitions/catalogue-24.yaml`` for Bắc Ninh) is validated on load
against ``CatalogueSpec``; rules that need more than one entry (unknown owner, duplicate
code, formula naming an unknown indicator, a cycle) live in ``chiso.catalog.catalogue``.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chiso.formula.parse import CODE_PATTERN

# ------------------------------------------------------------------ vocabularies
#: The five groups of a DM set: đầu vào, quá trình, kết quả thực hiện nhiệm vụ,
#: kết quả tác động (chính sách), tổng hợp.
GROUPS: dict[str, tuple[str, str]] = {
    "input": ("Chỉ số đầu vào", "Input"),
    "process": ("Chỉ số quá trình", "Process"),
    "output": ("Chỉ số kết quả thực hiện nhiệm vụ", "Task result"),
    "outcome": ("Chỉ số kết quả tác động", "Impact result"),
    "synthetic": ("Chỉ số tổng hợp", "Synthetic"),
}
Group = Literal["input", "process", "output", "outcome", "synthetic"]

#: Bắc Ninh's six field groups (nhóm lĩnh vực) — the default; a catalogue may declare its own.
DEFAULT_FIELDS: dict[str, tuple[str, str]] = {
    "ECONOMY": ("Kinh tế", "Economy"),
    "FINANCE": ("Tài chính – Ngân sách nhà nước", "Finance – State budget"),
    "INVESTMENT": ("Đầu tư – Xây dựng", "Investment – Construction"),
    "ENTERPRISE": ("Doanh nghiệp", "Enterprises"),
    "SOCIETY": ("Xã hội", "Society"),
    "ADMINISTRATION": ("Hành chính công", "Public administration"),
}

#: higher: more is better (revenue); lower: less is better (poverty rate, overdue dossiers).
Polarity = Literal["higher", "lower"]

#: How values combine across units (up the hierarchy) and across periods.
#: sum; mean; weighted_mean (weights: another indicator, ``weight``); last (latest
#: period / not across units); ratio_of_sums (Σ numerator ÷ Σ denominator, both named
#: indicators, × ``scale``); none (does not aggregate).
AggregationRule = Literal["sum", "mean", "weighted_mean", "last", "ratio_of_sums", "none"]

Frequency = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]

#: The six-step lifecycle (quy trình 6 bước) as states, in order, then retirement.
LIFECYCLE: tuple[str, ...] = (
    "needs_identified",   # 1. xác định nhu cầu thông tin
    "candidate",          # 2. lập danh mục đề xuất
    "standardised",       # 3. chuẩn hoá thuộc tính với cơ quan chủ quản
    "unified",            # 4. rà soát, thống nhất
    "approved",           # 5. phê duyệt, ban hành
    "in_operation",       # 6. kết nối dữ liệu, vận hành
    "retired",            # ngừng sử dụng
)
Status = Literal["needs_identified", "candidate", "standardised", "unified", "approved",
                 "in_operation", "retired"]
#: States whose indicators feed the dashboard, rankings, warnings and bulletins.
LIVE_STATES = frozenset({"approved", "in_operation"})

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Aggregation(_Strict):
    """How an indicator's values combine up the unit hierarchy and across periods."""

    units: AggregationRule = "sum"
    periods: AggregationRule = "sum"
    weight: str | None = None        # indicator code, for weighted_mean
    numerator: str | None = None     # indicator codes, for ratio_of_sums
    denominator: str | None = None
    scale: float = 1.0               # e.g. 100 for a percentage from ratio_of_sums

    @model_validator(mode="after")
    def _needs(self):
        rules = {self.units, self.periods}
        if "weighted_mean" in rules and not self.weight:
            raise ValueError("weighted_mean needs `weight` (an indicator code)")
        if "ratio_of_sums" in rules and not (self.numerator and self.denominator):
            raise ValueError("ratio_of_sums needs `numerator` and `denominator` (indicator codes)")
        return self


class Thresholds(_Strict):
    """Warning thresholds, as the share of the target reached (polarity-adjusted).

    For ``higher`` indicators ``achievement = value / target``; for ``lower`` ones
    ``target / value``. ``achievement >= 1`` is achieved; ``>= on_track`` on track;
    ``>= at_risk`` at risk; below that off track.
    """

    on_track: float = Field(default=0.95, gt=0, le=1)
    at_risk: float = Field(default=0.85, gt=0, le=1)

    @model_validator(mode="after")
    def _order(self):
        if self.at_risk > self.on_track:
            raise ValueError("at_risk must not exceed on_track")
        return self


class Target(_Strict):
    """A target (chỉ tiêu) for one period; ``unit`` absent = the owner's province."""

    period: str                      # 2026, 2026-Q3, 2026-08, 2026-W34 (see evaluate.windows)
    value: float
    unit: str | None = None
    basis: str | None = None         # e.g. "Nghị quyết 25/NQ-CP"


class ValueRange(_Strict):
    """Allowed range of a single value (validation on submission)."""

    min: float | None = None
    max: float | None = None


class IndexSource(_Strict):
    """A synthetic indicator fed by the index engine rather than by submissions."""

    definition: str = "INDEX_766"    # index definition code
    group: str | None = None         # a group code (PROGRESS…); None = the total


#: What a task-fed indicator counts: the register's counts per lead unit and date
#: (``chiso.evaluate.tasks.register.COUNTS``; the catalogue cannot import evaluate, so the list
#: is kept here and a test holds the two equal).
TASK_MEASURES: dict[str, tuple[str, str]] = {
    "total": ("nhiệm vụ được giao (lũy kế từ đầu năm)", "tasks assigned (year to date)"),
    "done_on_time": ("hoàn thành đúng hạn", "done on time"),
    "done_late": ("hoàn thành quá hạn", "done late"),
    "open_in_time": ("đang thực hiện trong hạn", "open within deadline"),
    "open_overdue": ("đang thực hiện quá hạn", "open and overdue"),
    "overdue_120": ("quá hạn trên 120 ngày", "over 120 days overdue"),
    "due_soon": ("sắp đến hạn", "due soon"),
    "open": ("đang thực hiện", "open"),
    "updated": ("đang thực hiện, có cập nhật tiến độ", "open, progress updated"),
    "starred_open_overdue": ("trọng tâm, quá hạn", "starred, overdue"),
}
#: The frequencies a task-fed indicator may have (the periods the register is counted at).
TASK_FREQUENCIES = ("weekly", "monthly", "quarterly", "yearly")


class TaskSource(_Strict):
    """An indicator fed by the register of assigned tasks (``chiso.evaluate.tasks``): one of
    its counts at each period's end, for the province (all its tasks) and each lead unit."""

    measure: str

    @model_validator(mode="after")
    def _known(self):
        if self.measure not in TASK_MEASURES:
            raise ValueError(f"unknown task measure {self.measure!r}; one of {', '.join(TASK_MEASURES)}")
        return self


class CompositeSource(_Strict):
    """An indicator computed by a composite definition (``chiso.catalog.composite``: a file of
    ``definitions/composites`` or ``CHISO_COMPOSITES_DIR``) and stored as its values."""

    definition: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")   # the composite's code


class Indicator(_Strict):
    """One catalogue entry (one version of it)."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str                        # Vietnamese
    name_en: str
    definition: str                  # khái niệm, mục đích
    group: Group
    field: str                       # a field code of the catalogue (ECONOMY…)
    unit: str                        # đơn vị tính: "%", "tỷ đồng", "doanh nghiệp"…
    polarity: Polarity = "higher"
    formula: str | None = None       # None = collected directly (a data element)
    aggregation: Aggregation = Aggregation()
    cumulative: bool = False         # values accumulate within the year (revenue to date)
    breakdowns: tuple[str, ...] = ()
    #: the unit levels values are reported for: the province as a whole, each department,
    #: each commune (completeness expects every unit of these levels in the owner's province)
    levels: tuple[Literal["province", "department", "commune"], ...] = ("province",)
    frequency: Frequency = "monthly"
    deadline_days: int = Field(default=5, ge=0)   # days after the period ends
    source_system: str               # the one authoritative source system
    other_sources: tuple[str, ...] = ()           # further sources the catalogue allows
    owner: str                       # exactly one owner agency: a unit code
    steward: str | None = None       # data steward (cán bộ đầu mối)
    targets: tuple[Target, ...] = ()
    thresholds: Thresholds = Thresholds()
    range: ValueRange = ValueRange()
    statistical_code: str | None = None           # counterpart in Decision 05/2023/QĐ-TTg
    counterpart_tolerance: float = Field(default=0.05, ge=0)  # relative
    legal_basis: str | None = None
    status: Status = "candidate"
    version: int = Field(default=1, ge=1)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    index: IndexSource | None = None
    tasks: TaskSource | None = None
    #: computed by a composite definition (docs/composite.md) and stored as its values. Left out of
    #: the stored content while None, so that a catalogue stored before the attribute existed keeps
    #: its content hashes (no new version of every indicator on re-import).
    composite: CompositeSource | None = Field(default=None, exclude_if=lambda value: value is None)
    #: published on the open data page (``/du-lieu-mo``, no sign-in): its approved or locked
    #: values, targets and status. Left out of the stored content while false, so that a catalogue
    #: stored before the attribute existed keeps its content hashes (no new version on re-import).
    public: bool = Field(default=False, exclude_if=lambda value: value is False)

    @model_validator(mode="after")
    def _consistent(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if self.index is not None and self.formula is not None:
            raise ValueError("an indicator fed by the index engine has no formula")
        if self.index is not None and self.group != "synthetic":
            raise ValueError("an indicator fed by the index engine belongs to the synthetic group")
        if self.tasks is not None:
            self._check_tasks()
        if self.composite is not None:
            if self.group != "synthetic":
                raise ValueError("an indicator computed by a composite belongs to the synthetic group")
            if self.formula is not None or self.index is not None or self.tasks is not None:
                raise ValueError("an indicator computed by a composite has no formula, index or task source")
        return self

    def _check_tasks(self) -> None:
        """A count of the register: not typed, not computed, additive across units, a stock at
        the period's end (so a month is its last week, not the sum of its weeks)."""
        if self.formula is not None:
            raise ValueError("an indicator fed by the task register has no formula")
        if self.index is not None:
            raise ValueError("an indicator is fed by the index engine or by the task register, not both")
        if self.aggregation.units != "sum" or self.aggregation.periods != "last":
            raise ValueError("an indicator fed by the task register aggregates {units: sum, periods: last} "
                             "(counts at the period's end add up across units)")
        if self.frequency not in TASK_FREQUENCIES:
            raise ValueError(f"an indicator fed by the task register is counted {', '.join(TASK_FREQUENCIES)}, "
                             f"not {self.frequency}")

    @property
    def live(self) -> bool:
        """Whether it feeds the dashboard, rankings, warnings and bulletins."""
        return self.status in LIVE_STATES

    @property
    def collected(self) -> bool:
        """A data element submitted by its owner (no formula, not from the index engine, the
        task register or a composite)."""
        return self.formula is None and self.index is None and self.tasks is None and self.composite is None


class FieldSpec(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    name_en: str


class CatalogueSpec(_Strict):
    """A catalogue file: its fields and its indicators."""

    province: str                    # province code the catalogue belongs to
    version: str
    fields: tuple[FieldSpec, ...] = tuple(FieldSpec(code=c, name=v, name_en=e)
                                          for c, (v, e) in DEFAULT_FIELDS.items())
    indicators: tuple[Indicator, ...]
