"""The bulletin's figures as an Excel workbook (xlsxwriter): one sheet each for the rankings
of provinces, departments and communes, the criteria and the counts.

Numbers stay numbers (formatted 0.00 / 0.0%), headers are frozen and filtered, columns
sized to their content; the header row is in the bulletin's language.
"""
from __future__ import annotations

import io
import math

import polars as pl

from chiso.catalog.presentation import group_view, present_frame
from chiso.reports.facts import Bulletin, UnitFact
from chiso.reports.text import catalogue


def column_width(values: list, minimum: int = 6, maximum: int = 48) -> int:
    """A column's width in characters: its longest shown value plus a margin, within bounds."""
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return max(minimum, min(maximum, longest + 2))


def _clean(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


class Workbook:
    """An xlsxwriter workbook in memory with the bulletin's header and number formats."""
    def __init__(self, lang: str):
        import xlsxwriter

        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {"in_memory": True, "strings_to_numbers": False})
        self.lang = lang
        self.head = self.wb.add_format({"bold": True, "bg_color": "#1F5FA8", "font_color": "#FFFFFF", "border": 1,
                                        "text_wrap": True, "valign": "vcenter", "font_name": "DejaVu Sans"})
        self.formats = {
            "text": self.wb.add_format({"font_name": "DejaVu Sans"}),
            "int": self.wb.add_format({"num_format": "#,##0", "font_name": "DejaVu Sans"}),
            "points": self.wb.add_format({"num_format": "0.00", "font_name": "DejaVu Sans"}),
            "signed": self.wb.add_format({"num_format": "+0.00;-0.00;0.00", "font_name": "DejaVu Sans"}),
            "pct": self.wb.add_format({"num_format": "0.0%", "font_name": "DejaVu Sans"}),
            "ratio": self.wb.add_format({"num_format": "0.0000", "font_name": "DejaVu Sans"}),
        }

    def sheet(self, name: str, columns: list[tuple[str, str]], rows: list[list]) -> None:
        """``columns``: (header, format key); rows of plain values."""
        ws = self.wb.add_worksheet(name[:31])
        ws.set_row(0, 30)
        for j, (header, kind) in enumerate(columns):
            ws.write_string(0, j, header, self.head)
            values = [r[j] for r in rows]
            shown = [f"{v:.2f}" if isinstance(v, float) else v for v in values]
            ws.set_column(j, j, column_width([header] + shown), self.formats[kind])
        for i, row in enumerate(rows, start=1):
            for j, ((_, kind), v) in enumerate(zip(columns, row)):
                v = _clean(v)
                if v is None:
                    ws.write_blank(i, j, None, self.formats[kind])
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(i, j, v, self.formats[kind])
                else:
                    ws.write_string(i, j, str(v), self.formats[kind])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, len(rows)), len(columns) - 1)

    def close(self) -> bytes:
        self.wb.close()
        return self.buf.getvalue()


def _view(b: Bulletin):
    """The bulletin's group view (``chiso.catalog.presentation``), or None without a table."""
    return group_view(b.table.definition, b.group_view) if b.table is not None else None


def _ranking_rows(units: tuple[UnitFact, ...], b: Bulletin, lang: str) -> list[list]:
    table = b.table
    view = _view(b)
    groups = [g.code for g in view.groups] if view is not None else []
    by_code = {}
    if table is not None and units:
        codes = [u.code for u in units]
        by_code = {r["unit_code"]: r for r in present_frame(table.units.filter(pl.col("unit_code").is_in(codes)),
                                                            view).to_dicts()}
    rows = []
    for u in units:
        r = by_code.get(u.code, {})
        rows.append([u.rank, u.code, u.name if lang == "vi" else u.name_en, u.total, u.score_change, u.previous_rank,
                     u.rank_change, (u.band_label if lang == "vi" else u.band_label_en) or ""]
                    + [r.get(g) for g in groups])
    return rows


def render_xlsx(b: Bulletin, lang: str = "vi") -> bytes:
    """XLSX bytes: rankings (provinces, departments, communes), criteria, counts."""
    L = catalogue(lang).LABELS
    book = Workbook(lang)
    table = b.table
    view = _view(b)
    groups = list(view.groups) if view is not None else []
    ranking_cols = [(L["rank"], "int"), (L["code"], "text"), (L["unit"], "text"), (L["total"], "points"),
                    (L["change"], "signed"), (L["previous_rank"], "int"), (L["rank_change"], "int"),
                    (L["band"], "text")] + [((g.name if lang == "vi" else (g.name_en or g.name)), "points") for g in groups]
    book.sheet(L["sheet_provinces"], ranking_cols, _ranking_rows(b.province.ranking, b, lang))
    for key, peers in (("sheet_departments", b.departments), ("sheet_communes", b.communes)):
        book.sheet(L[key], ranking_cols, _ranking_rows(peers.ranking if peers else (), b, lang))
    # criteria and counts of the province's own units (and the province)
    crit_rows, count_rows = [], []
    if table is not None:
        codes = [b.province_code] + [u.code for p in (b.departments, b.communes) if p for u in p.ranking]
        names = {b.province_code: b.province.short_name} | {u.code: (u.name if lang == "vi" else u.name_en)
                                                             for p in (b.departments, b.communes) if p
                                                             for u in p.ranking}
        order = {c: i for i, c in enumerate(codes)}
        crit_names = {c.code: (c.name if lang == "vi" else c.name_en) for c in table.definition.criteria}
        df = table.criteria.filter(pl.col("unit_code").is_in(codes)).to_dicts()
        df.sort(key=lambda r: (order[r["unit_code"]], r["group"] or "", r["criterion"]))
        for r in df:
            group = view.shown(r["group"]).code if r["group"] else r["group"]
            crit_rows.append([r["unit_code"], names.get(r["unit_code"], ""), group, r["criterion"],
                              crit_names.get(r["criterion"], ""), r["ratio"], r["points"], r["max"], r["lost"]])
            count_rows.append([r["unit_code"], names.get(r["unit_code"], ""), r["criterion"], r["numerator"],
                               r["denominator"], r["ratio"]])
    book.sheet(L["sheet_criteria"], [(L["code"], "text"), (L["unit"], "text"), (L["group"], "text"),
                                     (L["criterion"], "text"), (L["criterion_name"], "text"), (L["ratio"], "pct"),
                                     (L["points"], "points"), (L["max"], "points"), (L["lost"], "points")], crit_rows)
    book.sheet(L["sheet_counts"], [(L["code"], "text"), (L["unit"], "text"), (L["criterion"], "text"),
                                   (L["numerator"], "int"), (L["denominator"], "int"), (L["ratio"], "ratio")],
               count_rows)
    return book.close()
