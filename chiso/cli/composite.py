"""``chiso composite``: composite indicators (chỉ số tổng hợp) — list, compute and keep, sensitivity.

Thin: each command gathers options and calls one function of ``chiso.evaluate.composite_run``
(docs/composite.md).
"""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from chiso.cli.common import Format, echo, emit, handled, province_code, store_session
from chiso.text import format_number

composite_app = typer.Typer(help="Chỉ số tổng hợp / composite indicators: list, compute, sensitivity.",
                            no_args_is_help=True)

ProvinceOpt = Annotated[Optional[str], typer.Option("--province", "-p",
                                                    help="province code (default: CHISO_PROVINCE)")]
PeriodOpt = Annotated[str, typer.Option("--period", help="the period, of the target's frequency: 2026-10")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f")]


def _num(v, digits: int = 2) -> str:
    return "—" if v is None else format_number(v, digits)


@composite_app.command("list")
@handled
def composite_list(format: FormatOpt = Format.table) -> None:
    """The composite definitions and their versions."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.catalog.composite import load_composites

    book = load_composites()
    rows = [{"code": v.code, "version": v.version, "valid_from": v.spec.valid_from.isoformat(), "target": v.target,
             "name": v.spec.name, "components": len(v.components), "file": v.path}
            for code in book.codes() for v in book.get(code)]
    emit(format, {"composites": rows}, rows, f"{len(rows)} phiên bản chỉ số tổng hợp")


@composite_app.command("compute")
@handled
def composite_compute(code: Annotated[str, typer.Argument(help="the composite's code or its target indicator's")],
                      period: PeriodOpt, province: ProvinceOpt = None,
                      by: Annotated[str, typer.Option(help="who computes (recorded)")] = "cli",
                      dry_run: Annotated[bool, typer.Option("--dry-run", help="compute and show; keep nothing")] = False,
                      format: FormatOpt = Format.table) -> None:
    """Compute the composite for a period and keep it as its target indicator's values."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.composite_run import compute_composite, store_composite

    province = province_code(province)
    with store_session() as session:
        got, result = compute_composite(session, province, code, period)
        stored = None if dry_run else store_composite(session, got, result, actor=by)
    rows = [{"rank": r["rank"], "unit": r["unit"], "name": got.names[r["unit"]], "value": r["value"],
             **{f"pillar_{p}": v for p, v in r["pillars"].items()}, "missing": ", ".join(r["missing"])}
            for r in result.rows()]
    doc = {"composite": got.composite.code, "version": got.composite.version, "target": got.target.code,
           "period": got.window.label, "notes": list(result.scores.notes), "units": rows,
           "stored": None if stored is None else vars(stored)}
    table = [{"hạng": r["rank"] or "—", "đơn vị": f'{r["unit"]} {r["name"]}', "điểm": _num(r["value"]),
              **{p: _num(r[f"pillar_{p}"]) for p in result.scores.nodes if p != "INDEX"},
              "thiếu": r["missing"]} for r in rows]
    title = f"{got.composite.label()} — {got.target.code}, kỳ {got.window.label}"
    emit(format, doc, rows, title, table)
    if format == Format.table:
        for note in result.scores.notes:
            echo(f"lưu ý: {note}")
        if stored is None:
            echo("chạy thử (--dry-run): chưa lưu giá trị nào")
        elif stored.status == "unchanged":
            echo(f"không thay đổi: {stored.unchanged} giá trị đã đúng như tính lại")
        else:
            echo(f"đã lưu (lô {stored.submission_id}): {stored.inserted} giá trị mới, {stored.corrected} giá trị "
                 f"tính lại, {stored.unchanged} không đổi")


@composite_app.command("sensitivity")
@handled
def composite_sensitivity(code: Annotated[str, typer.Argument(help="the composite's code or its target indicator's")],
                          period: PeriodOpt, province: ProvinceOpt = None,
                          runs: Annotated[Optional[int], typer.Option(help="runs (default: the definition's)")] = None,
                          seed: Annotated[Optional[int], typer.Option(help="seed (default: the definition's)")] = None,
                          format: FormatOpt = Format.table) -> None:
    """Each unit's rank interval when weights and methods are perturbed (median, 5th–95th percentile)."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.composite_run import sensitivity_composite

    province = province_code(province)
    with store_session() as session:
        got, result = sensitivity_composite(session, province, code, period, runs=runs, seed=seed)
    rows = [{**r, "name": got.names[r["unit"]]} for r in result.rows()]
    doc = {"composite": got.composite.code, "version": got.composite.version, "period": got.window.label,
           "runs": result.runs, "seed": result.seed, "pairs": [list(p) for p in result.pairs], "units": rows}
    table = [{"hạng": r["nominal"] or "—", "đơn vị": f'{r["unit"]} {r["name"]}', "trung vị": _num(r["median"], 1),
              "P5": _num(r["p05"], 1), "P95": _num(r["p95"], 1), "tốt nhất": r["best"] or "—",
              "kém nhất": r["worst"] or "—"} for r in rows]
    emit(format, doc, rows, f"Độ nhạy {got.composite.label()}, kỳ {got.window.label}: {result.runs} lần chạy, "
                            f"hạt giống {result.seed}", table)
