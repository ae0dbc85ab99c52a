"""Reporting regimes over the API (docs/regimes.md):

- ``GET /api/v1/regimes`` — the regimes and their versions, with their cut-off and rows;
- ``GET /api/v1/regimes/{code}/form?period=2026-11&format=xlsx|docx&province=`` — the regime's
  form for a report period, filled from the province's stored values (``chiso.reports.regimes``),
  as a file; the missing rows are listed in the file and counted in the ``X-Chiso-Missing`` header.

The filled form reads the province's values as a whole, so it is for those who read the whole
province (leaders, viewers, administrators) and for the office that compiles the report (a head
or officer of ``CHISO_TASK_OFFICE_UNIT``, by default the People's Committee Office); an agency's
head or officer reads their own unit's values elsewhere. Filling writes nothing.
"""
from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from chiso.catalog.regimes import FREQUENCY_WORDS, find_regime, load_regimes
from chiso.reports.regimes import file_name, fill_from_store, render
from chiso.web.api.access import Principal, WebContext, province_for, reads_province, signed_in, web_context
from chiso.web.errors import CODE, UNIT_EXAMPLES
from chiso.web.security.tasks import is_office

router = APIRouter(prefix="/api/v1", tags=["regimes"])

MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
FILES = {200: {"description": "the filled form", "content": {m: {} for m in MEDIA.values()}}}


def _summary(r) -> dict:
    spec = r.spec
    return {"code": spec.code, "version": spec.version, "name": spec.name,
            "frequency": spec.frequency, "frequency_text": FREQUENCY_WORDS[spec.frequency],
            "cutoff": spec.cutoff.model_dump(), "deadline": spec.deadline.model_dump() if spec.deadline else None,
            "valid_from": spec.valid_from.isoformat(),
            "valid_to": spec.valid_to.isoformat() if spec.valid_to else None,
            "legal_basis": [b.model_dump() for b in spec.legal_basis],
            "reporter": spec.reporter, "recipient": spec.recipient, "template": spec.template.model_dump(),
            "rows": [{"section": s.number, "number": row.number, "label": row.label, "indicator": row.indicator,
                      "unit": row.unit, "aggregation": row.aggregation, "compare": row.compare}
                     for _i, _j, s, row in r.rows()]}


@router.get("/regimes", summary="Chế độ báo cáo / reporting regimes")
def regimes(principal: Principal = Depends(signed_in)) -> dict:
    """Every reporting regime chiso reads (shipped and the province's own), each version."""
    return {"regimes": [_summary(r) for r in load_regimes()]}


@router.get("/regimes/{code}/form", summary="Biểu mẫu đã điền / the filled form", responses=FILES,
            response_class=Response)
def form(code: str = PathParam(pattern=CODE, examples=["BC_KTXH_THANG"]),
         period: str = Query(pattern=r"^\d{4}(-(\d{2}|Q[1-4]|H[12]))?$", examples=["2026-11"],
                             description="the report period: 2026-11 (month), 2026-Q3, 2026-H1, 2026"),
         format: Literal["xlsx", "docx"] = "xlsx",
         province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES),
         principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)) -> Response:
    """The regime's form for ``period`` filled from the stored values, missing values listed."""
    province = province_for(principal, province, ctx)
    if not (reads_province(principal) or is_office(principal)):
        raise HTTPException(403, f"{principal.username} ({principal.role} của {principal.unit_code}) không đọc được "
                                 "số liệu của cả tỉnh: biểu mẫu chế độ báo cáo dành cho lãnh đạo, người xem, quản trị "
                                 "và văn phòng tổng hợp báo cáo")
    regime = find_regime(load_regimes(), code, period)
    with ctx.database.session() as session:
        filled = fill_from_store(session, regime, period, province=province)
    name = file_name(filled, format)
    return Response(render(filled, format), media_type=MEDIA[format], headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "X-Chiso-Missing": str(len(filled.missing)),
        "X-Chiso-Data-Window": f"{filled.window.start.isoformat()}..{filled.window.end.isoformat()}"})
