"""Reading SDMX files: SDMX-ML 2.1 (GenericData or StructureSpecificData) and SDMX-CSV.

SDMX-ML is read by ``sdmx1`` (``sdmx.read_sdmx``) against chiso's own DSD
(``structure.flow``): a generic message is first checked against the official SDMX-ML 2.1
XSD (``structure.schema_problems``) and refused, with the line of each problem, when it does
not conform. A structure-specific message's data set is typed by a schema derived from its
DSD, which the official schemas do not hold: its envelope is read and every observation
checked by chiso, as for any file. The XML is parsed without network access, external
entities or a document type (a file with a DOCTYPE is refused: SDMX-ML needs none).

SDMX-CSV (1.0: ``DATAFLOW`` first; 2.0: ``STRUCTURE, STRUCTURE_ID, ACTION``) is read by the one
reader of files (``chiso.files.tables.read_table``), its rows numbered as a spreadsheet
numbers them. Every observation's row, dimensions and period are checked here; nothing is
written (``chiso.collect.exchange.imports`` writes, through the values' and figures' own paths).
"""
from __future__ import annotations

import io
from pathlib import Path

import sdmx
from lxml import etree

from chiso.collect.exchange.observations import Exchange, Observation, ObservationProblem, refuse
from chiso.collect.exchange.periods import PeriodError, from_sdmx
from chiso.collect.exchange.structure import DM, NOT_APPLICABLE, Flow, flow, schema_problems
from chiso.collect.validate import as_text
from chiso.errors import LoadError, Problem
from chiso.files.guards import check_size
from chiso.files.limits import values_limits
from chiso.files.tables import ROW, read_table

__all__ = ["FIELDS", "read_sdmx"]

#: chiso's names of the parts of a value → the DSD's component ids.
FIELDS = {"indicator": "INDICATOR", "unit": "REF_AREA", "period": "TIME_PERIOD", "value": "OBS_VALUE",
          "breakdown": "BREAKDOWN", "measure": "UNIT_MEASURE", "note": "OBS_COMMENT", "source": "DATA_SOURCE",
          "item": "SCORE_ITEM", "status": "OBS_STATUS"}


def read_sdmx(path: str | Path, kind: str = DM, name: str | None = None) -> Exchange:
    """Read an SDMX-ML (``.xml``) or SDMX-CSV (``.csv``) file of ``kind`` (values or scores);
    a LoadError lists every problem (file, row, field, reason) and nothing is read."""
    path = Path(path)
    name = name or str(path)
    f = flow(kind)
    suffix = path.suffix.lower()
    fields = {**FIELDS, "indicator": f.subject}
    if suffix == ".xml":
        return Exchange(name, "sdmx-ml", kind, _read_ml(path, name, f), fields)
    if suffix == ".csv":
        return Exchange(name, "sdmx-csv", kind, _read_csv(path, name, f), fields)
    raise LoadError([ObservationProblem(name, None, None, "tệp SDMX phải là SDMX-ML (.xml) hoặc SDMX-CSV (.csv)")],
                    total=1)


# ------------------------------------------------------------------ SDMX-ML

def _parse(data: bytes, name: str) -> etree._ElementTree:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False, load_dtd=False)
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise refuse([ObservationProblem(name, line, None, f"không phải XML hợp lệ: {exc.msg}")]) from None
    if tree.docinfo.doctype:
        raise refuse([ObservationProblem(name, 1, None, "tệp có khai báo DOCTYPE; SDMX-ML không dùng, chiso không đọc")])
    return tree


def _obs_lines(tree: etree._ElementTree) -> list[int]:
    return [e.sourceline or 0 for e in tree.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "Obs"]


def _read_ml(path: Path, name: str, f: Flow) -> tuple[Observation, ...]:
    limits = values_limits()
    if not path.is_file():
        raise refuse([ObservationProblem(name, None, None, "không có tệp này")])
    check_size(path, name, limits.max_bytes)
    data = path.read_bytes()
    tree = _parse(data, name)
    root = etree.QName(tree.getroot()).localname
    if root not in ("GenericData", "StructureSpecificData", "GenericTimeSeriesData",
                    "StructureSpecificTimeSeriesData"):
        raise refuse([ObservationProblem(name, tree.getroot().sourceline, root,
                                         f"không phải thông điệp dữ liệu SDMX-ML 2.1 (phần tử gốc {root!r})")])
    if root.startswith("Generic"):
        found = schema_problems(tree, name)
        if found:
            raise refuse([ObservationProblem(p.file, p.row, p.column, p.reason) for p in found])
    lines = _obs_lines(tree)
    if len(lines) > limits.max_rows:
        raise refuse([ObservationProblem(name, None, None, f"tệp có {len(lines):,} quan sát, quá giới hạn "
                                                           f"{limits.max_rows:,}")])
    try:
        message = sdmx.read_sdmx(io.BytesIO(data), format="XML", structure=f.dsd, dataflow=f.dataflow)
    except Exception as exc:  # sdmx1 raises many kinds on a message it cannot map to the DSD
        raise refuse([ObservationProblem(name, None, None, f"sdmx1 không đọc được thông điệp theo DSD "
                                                           f"{f.dsd.id}: {exc}")]) from None
    observations = [o for ds in message.data for o in ds.obs]
    if len(observations) != len(lines):  # the reader skipped or repeated some: number them in order
        lines = list(range(1, len(observations) + 1))
    out, problems = [], []
    for line, o in zip(lines, observations, strict=True):
        key = {k: str(v.value) for k, v in o.key.values.items()}
        attrs = {k: str(v.value) for k, v in o.attrib.items()}
        cells = {**key, **attrs, "OBS_VALUE": None if o.value is None else _number_text(o.value)}
        out.append(_observation(name, line, cells, f, problems))
    if problems:
        raise refuse(problems)
    return tuple(out)


def _number_text(value) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


# ------------------------------------------------------------------ SDMX-CSV

def _read_csv(path: Path, name: str, f: Flow) -> tuple[Observation, ...]:
    table = read_table(path, name, formats={".csv": "csv"}, what="SDMX-CSV", limits=values_limits())
    frame = table.frame
    headers = {c.strip().upper(): c for c in frame.columns if c != ROW}
    problems: list[Problem] = []
    ref = headers.get("DATAFLOW") or headers.get("STRUCTURE_ID")
    if ref is None:
        raise refuse([ObservationProblem(name, 1, "DATAFLOW", "SDMX-CSV phải có cột DATAFLOW (SDMX-CSV 1.0) hoặc "
                                                              "STRUCTURE_ID (2.0) ở đầu")])
    missing = [d for d in (*f.dimensions, "OBS_VALUE") if d not in headers]
    if missing:
        raise refuse([ObservationProblem(name, 1, m, f"thiếu cột {m} của DSD {f.dsd.id}") for m in missing])
    known = {*f.dimensions, *f.attributes, "OBS_VALUE", "DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "ACTION"}
    unknown = [h for h in headers if h not in known]
    if unknown:
        raise refuse([ObservationProblem(name, 1, u, f"cột {u} không có trong DSD {f.dsd.id}") for u in unknown])
    texts = {h: as_text(frame[c]).to_list() for h, c in headers.items()}
    out = []
    for i, row in enumerate(frame[ROW].to_list()):
        cells = {h: texts[h][i] for h in texts}
        flow_ref = cells.get("DATAFLOW") or cells.get("STRUCTURE_ID")
        if not flow_ref or _flow_id(flow_ref) != f.dataflow.id:
            problems.append(ObservationProblem(name, row, "DATAFLOW", f"dòng thuộc luồng dữ liệu khác: cần "
                                                                      f"{f.urn_ref}", flow_ref))
        action = cells.get("ACTION")
        if action is not None and action.upper() not in ("I", "A", "R"):
            problems.append(ObservationProblem(name, row, "ACTION", "chiso chỉ nhận dòng thêm/thay (I, A, R); "
                                                                    "không xoá giá trị qua tệp trao đổi", action))
        out.append(_observation(name, row, cells, f, problems))
    if problems:
        raise refuse(problems)
    return tuple(out)


def _flow_id(ref: str) -> str:
    """``CHISO:DF_CHISO_DM(1.0)`` → ``DF_CHISO_DM``."""
    text = ref.split("=", 1)[-1]
    text = text.split(":", 1)[-1]
    return text.split("(", 1)[0].strip()


# ------------------------------------------------------------------ common

def _observation(name: str, row: int, cells: dict[str, str | None], f: Flow, problems: list[Problem]) -> Observation:
    for dim in f.dimensions:
        if not cells.get(dim):
            problems.append(ObservationProblem(name, row, dim, f"thiếu {dim}"))
    period = None
    if cells.get("TIME_PERIOD"):
        try:
            period = from_sdmx(cells["TIME_PERIOD"])
        except PeriodError as exc:
            problems.append(ObservationProblem(name, row, "TIME_PERIOD", str(exc), cells["TIME_PERIOD"]))
    breakdown = cells.get("BREAKDOWN")
    if breakdown == NOT_APPLICABLE:
        breakdown = None
    status = cells.get("OBS_STATUS")
    if status is not None and status not in ("A", "P"):
        problems.append(ObservationProblem(name, row, "OBS_STATUS", "OBS_STATUS phải là A (chính thức) hoặc P "
                                                                    "(tạm thời)", status))
    return Observation(row=row, subject=cells.get(f.subject), unit=cells.get("REF_AREA"), period=period,
                       value=cells.get("OBS_VALUE"), breakdown=breakdown, measure=cells.get("UNIT_MEASURE"),
                       status=status, note=cells.get("OBS_COMMENT"), source=cells.get("DATA_SOURCE"))
