"""Targets, status, trend and early warnings for direction & management indicators.

Pure functions over indicators (``Mapping[str, Indicator]``), the values relation (a
Polars DataFrame) and plain records; ``service`` connects them to the store. See
docs/evaluation.md.
"""
from __future__ import annotations

from chiso.evaluate.dm.overview import overview
from chiso.evaluate.dm.status import STATUS_LABELS, STATUSES, achievement, assess, assess_values, classify
from chiso.evaluate.dm.targets import (
    Profile,
    ResolvedTarget,
    TargetBook,
    TargetRecord,
    catalogue_targets,
    seasonal_profile,
    seasonal_profiles,
)
from chiso.evaluate.dm.trend import TREND_CLASSES, TREND_LABELS, Trend, TrendSettings, series_trend, trend
from chiso.evaluate.dm.warnings import (
    RULE_NAMES,
    RULES,
    SEVERITIES,
    ConnectorStatus,
    EarlyWarning,
    Evaluation,
    LateValue,
    WarningInputs,
    WarningSettings,
    evaluate_warnings,
)

__all__ = [
    "overview", "STATUS_LABELS", "STATUSES", "achievement", "assess", "assess_values", "classify",
    "Profile", "ResolvedTarget", "TargetBook", "TargetRecord", "catalogue_targets", "seasonal_profile",
    "seasonal_profiles", "TREND_CLASSES", "TREND_LABELS", "Trend", "TrendSettings", "series_trend", "trend",
    "RULE_NAMES", "RULES", "SEVERITIES", "ConnectorStatus", "EarlyWarning", "Evaluation", "LateValue",
    "WarningInputs", "WarningSettings", "evaluate_warnings",
]
