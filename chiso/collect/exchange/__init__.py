"""Exchange formats: SDMX (SDMX-ML 2.1, SDMX-CSV) and DHIS2 data value sets — read and brought in.

``structure`` holds the data structure definitions chiso publishes and the official SDMX-ML
2.1 schemas; ``periods`` the periods as each format writes them; ``sdmx`` and ``dhis2`` read
a file into an ``Exchange`` of observations (``observations``); ``imports`` brings them in:
indicator values through the values' own submission, 766 scores as published figures, foreign
unit codes through the crosswalk. Writing these formats is ``chiso.reports.sdmx`` and
``chiso.reports.dhis2``. See docs/interop.md.
"""
from __future__ import annotations

from chiso.collect.exchange.dhis2 import read_dhis2
from chiso.collect.exchange.imports import (
    UNIT_SCHEMES,
    import_scores,
    import_values,
    recode_units,
    score_figures,
    values_batch,
)
from chiso.collect.exchange.observations import Exchange, Observation, ObservationProblem
from chiso.collect.exchange.sdmx import read_sdmx
from chiso.collect.exchange.structure import DM, KINDS, SCORES, flow, schema_problems

__all__ = ["DM", "KINDS", "SCORES", "UNIT_SCHEMES", "Exchange", "Observation", "ObservationProblem", "flow",
           "import_scores", "import_values", "read_dhis2", "read_sdmx", "recode_units", "schema_problems",
           "score_figures", "values_batch"]
