"""``chiso export sdmx|sdmx-structure|dhis2`` and ``chiso import sdmx|dhis2``: indicator values and
766 scores exchanged as SDMX (SDMX-ML 2.1, SDMX-CSV) and DHIS2 data value sets (docs/interop.md).

Thin: each command gathers options and calls ``chiso.reports.sdmx`` / ``chiso.reports.dhis2``
(export) or ``chiso.collect.exchange`` (import).
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from chiso.cli.common import Role, definition, echo, emit, err, handled, province_code
from chiso.cli.scoring import score_table
from chiso.errors import ChisoError

export_app = typer.Typer(help="Xuất số liệu theo chuẩn trao đổi (SDMX, DHIS2) / export for exchange.",
                         no_args_is_help=True)
import_app = typer.Typer(help="Nhập số liệu từ tệp trao đổi (SDMX, DHIS2) / import exchange files.",
                         no_args_is_help=True)


class What(str, Enum):
    values = "values"
    scores = "scores"


class SdmxFormat(str, Enum):
    ml = "ml"
    csv = "csv"


class Dhis2Format(str, Enum):
    json = "json"
    csv = "csv"


class UnitScheme(str, Enum):
    decision19 = "decision19"
    portal = "portal"
    before_2025 = "before_2025"
    dated = "dated"


WhatOpt = Annotated[What, typer.Option("--what", help="values: giá trị chỉ số chỉ đạo, điều hành; scores: điểm "
                                                      "Bộ chỉ số 766")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="tệp ghi ra (mặc định: in ra màn hình)")]
ProvinceOpt = Annotated[Optional[str], typer.Option(help="tỉnh (mặc định: CHISO_PROVINCE)")]
IndicatorOpt = Annotated[Optional[str], typer.Option(help="values: chỉ một chỉ số")]
UnitOpt = Annotated[Optional[str], typer.Option(help="values: chỉ một đơn vị")]
PeriodOpt = Annotated[Optional[str], typer.Option(help="values: chỉ một kỳ (2026-08, 2026-Q3, 2026-W48, 2026)")]
WindowOpt = Annotated[Optional[str], typer.Option("--window", "-w", help="scores: kỳ đánh giá (2026-W34, 2026-08, "
                                                                          "2026-Q3, 2026)")]
LevelOpt = Annotated[Optional[str], typer.Option(help="scores: chỉ một cấp (province, department, commune)")]
CriteriaOpt = Annotated[bool, typer.Option("--criteria", help="scores: cả điểm từng tiêu chí")]
CountsOpt = Annotated[Optional[Path], typer.Option("--counts", help="scores: tính từ tệp số đếm của Cổng thay vì "
                                                                    "hồ sơ")]


def _write(text: str | bytes, out: Path | None) -> None:
    if out is None:
        echo(text.decode("utf-8") if isinstance(text, bytes) else text)
        return
    if isinstance(text, bytes):
        out.write_bytes(text)
    else:
        out.write_text(text, encoding="utf-8", newline="")
    err.print(f"đã ghi {out}", markup=False, highlight=False)


def _observations(what: What, province, indicator, unit, period, window, level, criteria, counts):
    """(kind, observations, catalogue) of an export."""
    # lazy: only the export commands need these; `chiso --help` stays light (decision 44)
    from chiso.reports.sdmx import score_observations, value_observations
    from chiso.store.database import open_database, require_current
    from chiso.store.repo_catalogue import live_indicators
    from chiso.units import load_units

    province = province_code(province)
    units = load_units()
    db = open_database()
    try:
        require_current(db)
        with db.session() as session:
            catalogue = live_indicators(session, province)
            if what == What.values:
                return "values", value_observations(session, units, catalogue, province=province, indicator=indicator,
                                                    unit=unit, period=period), catalogue
    finally:
        db.dispose()
    return "scores", score_observations(score_table(window, counts), province=province, level=level,
                                        criteria=criteria), catalogue


@export_app.command("sdmx")
def export_sdmx(what: WhatOpt = What.values,
                format: Annotated[SdmxFormat, typer.Option("--format", "-f", help="ml: SDMX-ML 2.1 GenericData; "
                                                                                  "csv: SDMX-CSV 1.0")] = SdmxFormat.ml,
                out: OutOpt = None, province: ProvinceOpt = None, indicator: IndicatorOpt = None,
                unit: UnitOpt = None, period: PeriodOpt = None, window: WindowOpt = None, level: LevelOpt = None,
                criteria: CriteriaOpt = False, counts: CountsOpt = None) -> None:
    """Xuất giá trị chỉ số hoặc điểm 766 thành SDMX (đã kiểm tra theo lược đồ XSD chính thức)."""
    handled(_export_sdmx)(what, format, out, province, indicator, unit, period, window, level, criteria, counts)


def _export_sdmx(what, format, out, province, indicator, unit, period, window, level, criteria, counts) -> None:
    # lazy: only this command needs it (decision 44)
    from chiso.reports.sdmx import to_sdmx_csv, to_sdmx_ml

    kind, observations, _catalogue = _observations(what, province, indicator, unit, period, window, level, criteria,
                                                   counts)
    _write(to_sdmx_ml(kind, observations) if format == SdmxFormat.ml else to_sdmx_csv(kind, observations), out)
    err.print(f"{len(observations):,} quan sát", markup=False, highlight=False)


@export_app.command("sdmx-structure")
def export_structure(out: OutOpt = None) -> None:
    """Xuất thông điệp cấu trúc SDMX-ML 2.1: DSD, luồng dữ liệu, khái niệm, mã trạng thái."""
    handled(_export_structure)(out)


def _export_structure(out) -> None:
    # lazy: only this command needs it (decision 44)
    from chiso.reports.sdmx import structure_ml

    _write(structure_ml(), out)


@export_app.command("dhis2")
def export_dhis2(what: WhatOpt = What.values,
                 format: Annotated[Dhis2Format, typer.Option("--format", "-f", help="json: dataValueSets JSON; "
                                                                                    "csv: DHIS2 CSV")] = Dhis2Format.json,
                 out: OutOpt = None, province: ProvinceOpt = None, indicator: IndicatorOpt = None,
                 unit: UnitOpt = None, period: PeriodOpt = None, window: WindowOpt = None, level: LevelOpt = None,
                 criteria: CriteriaOpt = False, counts: CountsOpt = None) -> None:
    """Xuất giá trị chỉ số hoặc điểm 766 thành dataValueSets của DHIS2 (idScheme=code)."""
    handled(_export_dhis2)(what, format, out, province, indicator, unit, period, window, level, criteria, counts)


def _export_dhis2(what, format, out, province, indicator, unit, period, window, level, criteria, counts) -> None:
    # lazy: only this command needs it (decision 44)
    from chiso.reports.dhis2 import to_dhis2_csv, to_dhis2_json

    kind, observations, catalogue = _observations(what, province, indicator, unit, period, window, level, criteria,
                                                  counts)
    write = to_dhis2_json if format == Dhis2Format.json else to_dhis2_csv
    _write(write(kind, observations, catalogue), out)
    err.print(f"{len(observations):,} giá trị", markup=False, highlight=False)


# ------------------------------------------------------------------ import

FileArg = Annotated[Path, typer.Argument(help="tệp trao đổi")]
AsOpt = Annotated[Optional[str], typer.Option("--as", help="values: đơn vị nộp (mã, ví dụ 24-STC)")]
SchemeOpt = Annotated[UnitScheme, typer.Option("--unit-scheme", help="hệ mã đơn vị trong tệp: decision19 (mặc "
                                                                     "định), portal, before_2025, dated (theo ngày của kỳ)")]
SourceOpt = Annotated[Optional[str], typer.Option(help="values: hệ thống nguồn; scores: tên nguồn công bố các "
                                                       "điểm (bắt buộc)")]
ReasonOpt = Annotated[Optional[str], typer.Option(help="lý do (cần khi sửa số đã nộp và khi dùng --admin)")]
AdminOpt = Annotated[bool, typer.Option("--admin", help="values: ghi số của đơn vị khác với quyền quản trị "
                                                        "(cần --reason)")]
ByOpt = Annotated[str, typer.Option("--by", help="người thực hiện (được ghi lại)")]
RoleOpt = Annotated[Role, typer.Option(help="officer, head hoặc admin")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json hoặc csv")]


@import_app.command("sdmx")
def import_sdmx(file: FileArg, what: WhatOpt = What.values, as_unit: AsOpt = None,
                unit_scheme: SchemeOpt = UnitScheme.decision19, source: SourceOpt = None, reason: ReasonOpt = None,
                admin: AdminOpt = False, by: ByOpt = "cli", role: RoleOpt = Role.officer,
                format: FormatOpt = "table") -> None:
    """Nhập tệp SDMX-ML 2.1 (.xml) hoặc SDMX-CSV (.csv): cả tệp được nhận, hoặc bị từ chối cả tệp."""
    handled(_import)("sdmx", file, what, as_unit, unit_scheme, source, reason, admin, by, role, format)


@import_app.command("dhis2")
def import_dhis2(file: FileArg, what: WhatOpt = What.values, as_unit: AsOpt = None,
                 unit_scheme: SchemeOpt = UnitScheme.decision19, source: SourceOpt = None, reason: ReasonOpt = None,
                 admin: AdminOpt = False, by: ByOpt = "cli", role: RoleOpt = Role.officer,
                 format: FormatOpt = "table") -> None:
    """Nhập dataValueSets của DHIS2 (.json hoặc .csv, idScheme=code): cả tệp, hoặc không gì cả."""
    handled(_import)("dhis2", file, what, as_unit, unit_scheme, source, reason, admin, by, role, format)


def _import(standard, file, what, as_unit, unit_scheme, source, reason, admin, by, role, format) -> None:
    # lazy: only the import commands need these (decision 44)
    from chiso.collect.exchange import import_scores, import_values, read_dhis2, read_sdmx, recode_units
    from chiso.collect.values import Submitter
    from chiso.store import repo_crosswalk
    from chiso.store.database import open_database, require_current
    from chiso.store.repo_catalogue import live_indicators
    from chiso.units import load_units

    if format not in ("table", "json", "csv"):
        raise ChisoError(f"--format {format!r}: chọn table, json hoặc csv")
    units = load_units()
    read = read_sdmx if standard == "sdmx" else read_dhis2
    exchange = read(file, what.value, str(file))
    db = open_database()
    try:
        require_current(db)
        with db.session() as session:
            crosswalk = repo_crosswalk.load(session) if unit_scheme != UnitScheme.decision19 else None
            exchange = recode_units(exchange, crosswalk, unit_scheme.value) if crosswalk is not None else exchange
            if what == What.values:
                if not as_unit:
                    raise ChisoError("cần --as: đơn vị nộp số liệu (chỉ đơn vị sở hữu chỉ số, hoặc --admin với "
                                     "--reason)")
                catalogue = live_indicators(session, units.get(as_unit).province_code)
        if what == What.values:
            who = Submitter(as_unit=as_unit, by=by, role=role.value, admin=admin, reason=reason, source=source)
            result = import_values(db, exchange, who, catalogue, units)
            doc = {"file": str(file), "format": exchange.format, **result.to_dict()}
            rows = [{"file": str(file), "format": exchange.format, "status": result.status,
                     "batch": result.submission_id, "rows": result.rows, "new": result.inserted,
                     "corrected": result.corrected, "unchanged": result.unchanged,
                     "warnings": len(result.warnings)}]
            emit(format, doc, rows, f"{result.status}" + (f" (lô {result.submission_id})" if result.submission_id
                                                          else ""))
            return
        saved = import_scores(db, exchange, definition(), units, source=source or "", by=by)
    finally:
        db.dispose()
    doc = {"file": str(file), "format": exchange.format, "source": source, "inserted": saved.inserted,
           "changed": saved.changed, "unchanged": saved.unchanged}
    emit(format, doc, [doc], "điểm 766 đã nhập")
