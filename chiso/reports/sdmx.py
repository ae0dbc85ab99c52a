"""Writing SDMX: indicator values and 766 scores as SDMX-ML 2.1 GenericData and SDMX-CSV 1.0,
and the structure message (DSDs, dataflows, concepts, codes) that describes them.

The model and the SDMX-ML are ``sdmx1``'s (``sdmx.model``, ``sdmx.to_xml``). Two things its
2.1 writer leaves out of a data message are put in before the message leaves (decision 281):
the root element of a generic message is ``GenericData`` (sdmx1 2.28 names it
``StructureSpecificData`` whatever the data set), and the header's ``Structure`` carries
``dimensionAtObservation="AllDimensions"`` (chiso writes flat observations). Every message is
then checked against the official SDMX-ML 2.1 schemas
(``chiso.collect.exchange.structure.schema_problems``); one that would not conform is an
error, never a file.

SDMX-CSV is written here with the ``csv`` module (decision 282: sdmx1 2.28's ``to_csv``
returns the text of a pandas frame, not CSV, drops attributes and keeps 7 significant
digits): ``DATAFLOW`` (``AGENCY:DF_ID(1.0)``), the dimensions, ``OBS_VALUE``, the attributes.
Numbers are written exactly (the shortest text that reads back as the same double).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence

import polars as pl
from lxml import etree
from sdmx import message
from sdmx.model import common
from sdmx.model import v21 as model
from sdmx.writer.xml import writer as xml_writer
from sqlalchemy.orm import Session

from chiso.catalog.indicator import Indicator
from chiso.collect.exchange.observations import Observation
from chiso.collect.exchange.periods import to_sdmx
from chiso.collect.exchange.structure import (
    DM,
    NOT_APPLICABLE,
    SCORES,
    TOTAL,
    Flow,
    agency_id,
    flow,
    schema_problems,
    structure_artefacts,
)
from chiso.errors import ChisoError, WindowError
from chiso.evaluate.scores import ScoreTable
from chiso.periods.reporting import period as reporting_period
from chiso.store import repo_values
from chiso.units.registry import UnitTree

__all__ = ["MAX_ROWS", "number_text", "score_observations", "structure_ml", "to_sdmx_csv", "to_sdmx_ml",
           "value_observations"]

#: The most observations one export writes (a larger one is refused: narrow it by indicator,
#: unit, period or province).
MAX_ROWS = 1_000_000
POINTS = "điểm"


def number_text(value: float) -> str:
    """A number as exchange files write it: whole numbers without a decimal point, others as the
    shortest text that reads back as the same double."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


# ------------------------------------------------------------------ what is exported

def value_observations(session: Session, units: UnitTree, catalogue: Mapping[str, Indicator], *,
                       province: str | None = None, indicator: str | None = None, unit: str | None = None,
                       period: str | None = None) -> list[Observation]:
    """The current submitted values (drafts left out), breakdowns included, with their status:
    ``A`` when their period is approved or locked, ``P`` otherwise."""
    rows = repo_values.list_values(session, indicator=indicator, unit=unit, period=period, include_drafts=False,
                                   limit=MAX_ROWS + 1)
    if len(rows) > MAX_ROWS:
        raise ChisoError(f"quá {MAX_ROWS:,} giá trị: thu hẹp bằng chỉ số, đơn vị, kỳ hoặc tỉnh")
    if province is not None:
        inside = {u.code for u in units.units(province=province)} | {province}
        rows = [r for r in rows if r.unit_code in inside]
    states = repo_values.periods_of(session, {(r.indicator, r.period) for r in rows})
    out = []
    for n, r in enumerate(rows, start=1):
        if r.value is None:
            continue
        state = states.get((r.indicator, r.period))
        known = catalogue.get(r.indicator)
        out.append(Observation(row=n, subject=r.indicator, unit=r.unit_code, period=r.period,
                               value=number_text(r.value), breakdown=r.breakdown or None,
                               measure=known.unit if known is not None else None,
                               status="A" if state is not None and state.state in ("approved", "locked") else "P",
                               note=r.note or None, source=r.source))
    return out


def score_observations(table: ScoreTable, *, province: str | None = None, level: str | None = None,
                       criteria: bool = False) -> list[Observation]:
    """A window's 766 scores: each unit's total and group points (and, with ``criteria``, each
    criterion's points; a criterion not yet determined has none and is left out)."""
    try:
        reporting_period(table.window)
    except WindowError:
        raise ChisoError(f"kỳ đánh giá {table.window!r} không phải một ngày, tuần, tháng, quý hay năm: tệp SDMX và "
                         "DHIS2 của chiso chỉ ghi các kỳ này") from None
    units = table.select(province=province, level=level)
    groups = [g.code for g in table.definition.groups]
    out: list[Observation] = []

    def add(item: str, unit: str, value) -> None:
        if value is None:
            return
        out.append(Observation(row=len(out) + 1, subject=item, unit=unit, period=table.window,
                               value=number_text(float(value)), measure=POINTS, status="A"))

    for row in units.to_dicts():
        add(TOTAL, row["unit_code"], row["total"])
        for g in groups:
            add(g, row["unit_code"], row.get(g))
    if criteria:
        codes = units["unit_code"].to_list()
        picked = table.criteria.filter(pl.col("unit_code").is_in(codes))
        for row in picked.to_dicts():
            add(row["criterion"], row["unit_code"], row["points"])
    return out


# ------------------------------------------------------------------ SDMX-ML

def _header(kind: str, prepared: dt.datetime | None) -> message.Header:
    prepared = prepared or dt.datetime.now(dt.UTC).replace(microsecond=0)
    ident = f"CHISO_{kind.upper()}_{prepared.strftime('%Y%m%dT%H%M%S')}"
    return message.Header(id=ident, test=False, prepared=prepared, sender=common.Agency(id=agency_id()))


def _dataset(f: Flow, observations: Iterable[Observation]) -> model.GenericDataSet:
    ds = model.GenericDataSet(structured_by=f.dsd, described_by=f.dataflow)
    measure = f.dsd.measures[0]
    attributes = {a: f.dsd.attributes.get(a) for a in f.attributes}
    batch = []
    for o in observations:
        dims = {f.subject: o.subject, "REF_AREA": o.unit, "TIME_PERIOD": to_sdmx(o.period)}
        if "BREAKDOWN" in f.dimensions:
            dims["BREAKDOWN"] = o.breakdown or NOT_APPLICABLE
        given = {"UNIT_MEASURE": o.measure, "OBS_STATUS": o.status, "OBS_COMMENT": o.note, "DATA_SOURCE": o.source}
        attached = {a: common.AttributeValue(value=given[a], value_for=attributes[a])
                    for a in f.attributes if given.get(a) is not None}
        batch.append(model.Observation(dimension=f.dsd.make_key(common.Key, dims), value=o.value,
                                       value_for=measure, attached_attribute=attached))
    ds.add_obs(batch)
    return ds


def _checked(document: etree._Element, what: str) -> bytes:
    data = etree.tostring(document, encoding="utf-8", xml_declaration=True, pretty_print=True)
    problems = schema_problems(data, what)
    if problems:
        raise ChisoError("chiso tạo ra " + what + " không đúng lược đồ XSD chính thức SDMX-ML 2.1 (lỗi của chiso, "
                         "không ghi tệp):\n" + "\n".join(f"  - {p}" for p in problems))
    return data


def to_sdmx_ml(kind: str, observations: Sequence[Observation], *, prepared: dt.datetime | None = None) -> bytes:
    """A GenericData message of ``kind`` (values or scores), checked against the official XSD."""
    f = flow(kind)
    msg = message.DataMessage(header=_header(kind, prepared), data=[_dataset(f, observations)],
                              observation_dimension=common.AllDimensions)
    root = xml_writer.recurse(msg)
    root.tag = etree.QName(root.nsmap["mes"], "GenericData").text
    mes = root.nsmap["mes"]
    for structure in root.iter(etree.QName(mes, "Structure").text):
        structure.set("dimensionAtObservation", "AllDimensions")
    return _checked(root, "thông điệp SDMX-ML")


def structure_ml(kinds: Iterable[str] = (DM, SCORES), *, prepared: dt.datetime | None = None) -> bytes:
    """The structure message: concepts, status codes, the DSDs and dataflows, checked against the XSD."""
    msg = message.StructureMessage(header=_header("structure", prepared))
    for artefact in structure_artefacts(kinds):
        msg.add(artefact)
    return _checked(xml_writer.recurse(msg), "thông điệp cấu trúc SDMX-ML")


# ------------------------------------------------------------------ SDMX-CSV

def to_sdmx_csv(kind: str, observations: Iterable[Observation]) -> str:
    """SDMX-CSV 1.0 of ``kind``: one row per observation, attributes as columns."""
    f = flow(kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["DATAFLOW", *f.dimensions, "OBS_VALUE", *f.attributes])
    for o in observations:
        dims = {f.subject: o.subject, "REF_AREA": o.unit, "BREAKDOWN": o.breakdown or NOT_APPLICABLE,
                "TIME_PERIOD": to_sdmx(o.period)}
        attrs = {"UNIT_MEASURE": o.measure, "OBS_STATUS": o.status, "OBS_COMMENT": o.note, "DATA_SOURCE": o.source}
        writer.writerow([f.urn_ref, *[dims[d] for d in f.dimensions], o.value, *[attrs[a] or "" for a in f.attributes]])
    return out.getvalue()
