"""Writing DHIS2 data value sets: ``dataValueSets`` JSON and its CSV form, code id scheme.

The observations are those of ``chiso.reports.sdmx`` (``value_observations``,
``score_observations``); each becomes a data value: ``dataElement`` the indicator's code (a
766 score item ``766.TOTAL``, ``766.<group>``, ``766.<criterion>``), ``period`` in DHIS2's
format (``202608``, ``2026Q3``, ``2026W48``), ``orgUnit`` the unit's Decision 19 code,
``categoryOptionCombo`` the breakdown (``default``: none), ``attributeOptionCombo`` the source
system (``default``: the indicator's own, decision 285), ``value`` the number written exactly,
``comment`` the note. The file is read back by ``chiso.collect.exchange.dhis2`` and by DHIS2's
``POST /api/dataValueSets?idScheme=code`` once the data elements, org units and combinations
carry these codes.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping

from chiso.catalog.indicator import Indicator
from chiso.collect.exchange.dhis2 import CSV_COLUMNS, DEFAULT, SCORE_PREFIX
from chiso.collect.exchange.observations import Observation
from chiso.collect.exchange.periods import to_dhis2
from chiso.collect.exchange.structure import DM

__all__ = ["data_values", "to_dhis2_csv", "to_dhis2_json"]


def data_values(kind: str, observations: Iterable[Observation],
                catalogue: Mapping[str, Indicator] | None = None) -> list[dict[str, str]]:
    """The data values of ``kind`` (values or scores), in DHIS2's keys."""
    catalogue = catalogue or {}
    out = []
    for o in observations:
        own = catalogue.get(o.subject) if kind == DM else None
        source = o.source if o.source and (own is None or o.source != own.source_system) else None
        element = o.subject if kind == DM else f"{SCORE_PREFIX}{o.subject}"
        value = {"dataElement": element, "period": to_dhis2(o.period), "orgUnit": o.unit,
                 "categoryOptionCombo": o.breakdown or DEFAULT, "attributeOptionCombo": source or DEFAULT,
                 "value": o.value}
        if o.note:
            value["comment"] = o.note
        out.append(value)
    return out


def to_dhis2_json(kind: str, observations: Iterable[Observation],
                  catalogue: Mapping[str, Indicator] | None = None) -> str:
    """A ``dataValueSets`` JSON document."""
    return json.dumps({"dataValues": data_values(kind, observations, catalogue)}, ensure_ascii=False, indent=1) + "\n"


def to_dhis2_csv(kind: str, observations: Iterable[Observation],
                 catalogue: Mapping[str, Indicator] | None = None) -> str:
    """A data value set as DHIS2's CSV (its columns, in its order, with a header)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    keys = {"dataelement": "dataElement", "period": "period", "orgunit": "orgUnit",
            "categoryoptioncombo": "categoryOptionCombo", "attributeoptioncombo": "attributeOptionCombo",
            "value": "value", "comment": "comment"}
    for v in data_values(kind, observations, catalogue):
        writer.writerow([v.get(keys[c], "") if c in keys else ("false" if c in ("followup", "deleted") else "")
                         for c in CSV_COLUMNS])
    return out.getvalue()
