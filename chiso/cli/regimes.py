"""Commands: ``chiso regimes list | show | check | fill`` — reporting regimes (chế độ báo cáo).

Thin: each gathers options and calls one function of ``chiso.catalog.regimes`` or
``chiso.reports.regimes`` (docs/regimes.md).
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from chiso.cli.common import Format, echo, emit, handled, province_code, store_session

app = typer.Typer(help="Chế độ báo cáo (Nghị định 09/2019/NĐ-CP): danh sách, kiểm tra, điền biểu mẫu từ số liệu "
                       "của danh mục / reporting regimes: list, check, fill the form from the catalogue's values.",
                  no_args_is_help=True)


class FormFormat(str, Enum):
    xlsx = "xlsx"
    docx = "docx"


FileOpt = Annotated[Optional[list[Path]], typer.Option(
    "--file", help="đọc thêm tệp chế độ báo cáo này (YAML) / also read this regime file")]
ProvinceOpt = Annotated[Optional[str], typer.Option("--province", "-p", help="mã tỉnh (mặc định CHISO_PROVINCE)")]


def _regimes(files: list[Path] | None):
    # lazy: only these commands need it; `chiso --help` stays light (decision 44)
    from chiso.catalog.regimes import load_regimes

    return load_regimes(files=files or ())


@app.command("list")
@handled
def list_regimes(file: FileOpt = None, format: Annotated[Format, typer.Option("--format", "-f")] = Format.table
                 ) -> None:
    """Các chế độ báo cáo và phiên bản của chúng / the regimes and their versions."""
    # lazy: as above
    from chiso.catalog.regimes import FREQUENCY_WORDS

    rows = [{"code": r.code, "version": r.version, "name": r.spec.name,
             "frequency": FREQUENCY_WORDS[r.spec.frequency],
             "cutoff": f"ngày {r.spec.cutoff.day}" if r.spec.cutoff.rule == "day_of_month" else "theo kỳ lịch",
             "valid_from": r.spec.valid_from.isoformat(),
             "valid_to": r.spec.valid_to.isoformat() if r.spec.valid_to else "",
             "rows": sum(1 for _ in r.rows()), "file": r.path} for r in _regimes(file)]
    shown = [{**row, "file": Path(row["file"]).name} for row in rows]
    emit(format, {"regimes": rows}, rows, "Chế độ báo cáo", table_rows=shown)


@app.command("show")
@handled
def show(code: Annotated[str, typer.Argument(help="mã chế độ báo cáo, ví dụ BC_KTXH_THANG")],
         period: Annotated[Optional[str], typer.Option("--period", help="kỳ báo cáo: phiên bản có hiệu lực và "
                                                       "khoảng chốt số liệu của kỳ")] = None,
         file: FileOpt = None, format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Một chế độ báo cáo: căn cứ, chốt số liệu, các dòng của biểu / one regime and its form's rows."""
    # lazy: as above
    from chiso.catalog.regimes import data_window, due_date, find_regime, report_period

    r = find_regime(_regimes(file), code, period)
    spec = r.spec
    rows = [{"section": s.number, "number": row.number, "label": row.label, "indicator": row.indicator,
             "unit": row.unit, "aggregation": row.aggregation, "compare": row.compare}
            for _i, _j, s, row in r.rows()]
    doc = {"code": spec.code, "version": spec.version, "name": spec.name, "file": r.path,
           "valid_from": spec.valid_from.isoformat(), "valid_to": spec.valid_to.isoformat() if spec.valid_to else None,
           "frequency": spec.frequency, "cutoff": spec.cutoff.model_dump(),
           "deadline": spec.deadline.model_dump() if spec.deadline else None,
           "legal_basis": [b.model_dump() for b in spec.legal_basis], "reporter": spec.reporter,
           "recipient": spec.recipient, "template": spec.template.model_dump(), "rows": rows}
    if period is not None:
        w = data_window(spec.cutoff, report_period(spec.frequency, period))
        due = due_date(r, w)
        doc["period"] = {"label": period, "start": w.start.isoformat(), "end": w.end.isoformat(),
                         "due": due.isoformat() if due else None}
    if format == Format.table:
        echo(f"{spec.code} phiên bản {spec.version} — {spec.name} ({r.path})")
        if period is not None:
            p = doc["period"]
            echo(f"Kỳ {period}: số liệu từ {p['start']} đến {p['end']}" + (f"; hạn gửi {p['due']}" if p["due"] else ""))
    emit(format, doc, rows, f"{spec.code}: các dòng của biểu")


@app.command("check")
@handled
def check(path: Annotated[Path, typer.Argument(help="tệp chế độ báo cáo (YAML)")],
          catalogue: Annotated[Optional[Path], typer.Option(
              "--catalogue", help="kiểm tra các dòng với tệp danh mục này thay vì danh mục trong kho")] = None,
          province: ProvinceOpt = None) -> None:
    """Kiểm tra một tệp: cấu trúc, và các dòng với danh mục chỉ số / validate a regime file."""
    # lazy: as above
    from chiso.catalog.catalogue import load_catalogue
    from chiso.catalog.regimes import load_regime
    from chiso.units import load_units

    r = load_regime(path)
    code = province_code(province or r.spec.province)
    if catalogue is not None:
        indicators = load_catalogue(catalogue).indicators
    else:
        # lazy: the store only when no catalogue file is given
        from chiso.store.repo_catalogue import current_catalogue

        with store_session() as s:
            indicators = current_catalogue(s, code).indicators
    r.check(indicators, province=code, units=load_units())
    echo(f"{path}: hợp lệ — {r.code} phiên bản {r.version}, {sum(1 for _ in r.rows())} dòng, "
         f"khớp danh mục của tỉnh {code}")


@app.command("fill")
@handled
def fill(code: Annotated[str, typer.Argument(help="mã chế độ báo cáo, ví dụ BC_KTXH_THANG")],
         period: Annotated[str, typer.Option("--period", help="kỳ báo cáo: 2026-11 (tháng), 2026-Q3 (quý), "
                                             "2026-H1 (6 tháng), 2026 (năm)")],
         out: Annotated[Optional[Path], typer.Option("--out", "-o", help="tệp ghi ra (mặc định: "
                                                     "<mã>-<tỉnh>-<kỳ>.<định dạng> ở thư mục hiện tại)")] = None,
         format: Annotated[Optional[FormFormat], typer.Option(
             "--format", "-f", help="xlsx hoặc docx (mặc định: theo đuôi tệp --out, không có thì xlsx)")] = None,
         province: ProvinceOpt = None, file: FileOpt = None) -> None:
    """Điền biểu mẫu của một chế độ báo cáo từ số liệu đã nộp, liệt kê số liệu còn thiếu /
    fill a regime's form from the stored values, listing what is missing."""
    # lazy: as above
    from chiso.catalog.regimes import find_regime
    from chiso.reports.regimes import file_name, fill_from_store, missing_lines, render

    fmt = format.value if format else (out.suffix.lstrip(".").lower() if out is not None and out.suffix.lower()
                                       in (".xlsx", ".docx") else "xlsx")
    if out is not None and out.suffix.lower() in (".xlsx", ".docx") and out.suffix.lower() != f".{fmt}":
        raise ValueError(f"tệp {out} có đuôi {out.suffix}, nhưng --format là {fmt}")
    regime = find_regime(_regimes(file), code, period)
    code_ = province_code(province or regime.spec.province)
    with store_session() as s:
        form = fill_from_store(s, regime, period, province=code_)
    content = render(form, fmt)
    path = out or Path(file_name(form, fmt))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    w = form.window
    echo(f"{path}: {regime.code} phiên bản {regime.version}, kỳ {form.period.spoken()}, số liệu từ "
         f"{w.start:%d/%m/%Y} đến {w.end:%d/%m/%Y}; {len(form.rows)} chỉ tiêu, có số liệu "
         f"{len(form.rows) - len(form.missing)}, thiếu {len(form.missing)}")
    if form.missing:
        echo("Số liệu còn thiếu:")
        for line in missing_lines(form):
            echo(f"  - {line}")
