"""The bulletin's tables, as rows of text in the language's number format.

HTML, PDF and DOCX lay out the same tables: the province's groups, the leading provinces,
the departments, and the leading and last communes. (The Excel workbook has the complete
rankings with numbers as numbers: ``xlsx.py``.)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from chiso.reports.facts import Bulletin, PeerFacts, UnitFact
from chiso.reports.numformat import FORMATS
from chiso.reports.text import BulletinText

LEADING_PROVINCES = 5


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # right-aligned columns
    highlight: set[int] = field(default_factory=set)  # row indexes to emphasise (the province itself)


def _change(f, v: float | None) -> str:
    return "—" if v is None else f.signed(v)


def _unit_rows(units: list[UnitFact | None], text: BulletinText, band: bool) -> list[list[str]]:
    f = FORMATS[text.lang]
    rows = []
    for u in units:
        if u is None:
            rows.append([text.labels["ellipsis"]] + [""] * (5 if band else 4))
            continue
        row = [str(u.rank), u.name if text.lang == "vi" else u.name_en, f.points(u.total), _change(f, u.score_change),
               "—" if u.previous_rank is None else str(u.previous_rank)]
        if band:
            row.append((u.band_label if text.lang == "vi" else u.band_label_en) or "")
        rows.append(row)
    return rows


def _ranking(key: str, title: str, peers: PeerFacts, text: BulletinText, units: list[UnitFact | None]) -> Table:
    L = text.labels
    return Table(key, title, [L["rank"], L["unit"], L["total"], L["change"], L["previous_rank"], L["band"]],
                 _unit_rows(units, text, True), [True, False, True, True, True, False])


def bulletin_tables(b: Bulletin, text: BulletinText) -> list[Table]:
    f, L = FORMATS[text.lang], text.labels
    out = []
    groups = [[g.name if text.lang == "vi" else g.name_en, f.points(g.points), f.bound(g.max), f.pct(g.share),
               _change(f, g.change)] for g in b.province.groups]
    total = b.province.unit
    groups.append([L["total"], f.points(total.total), f.bound(b.max_total), f.pct(total.total / b.max_total),
                   _change(f, total.score_change)])
    out.append(Table("groups", L["table_groups"], [L["group"], L["points"], L["max"], L["share"], L["change"]],
                     groups, [False, True, True, True, True], {len(groups) - 1}))
    if b.province.ranking:
        provinces = list(b.province.ranking)
        shown = provinces[:LEADING_PROVINCES]
        if total.code not in {p.code for p in shown}:
            shown += [None] + [p for p in provinces if p.code == total.code]
        rows = _unit_rows(shown, text, False)
        highlight = {i for i, p in enumerate(shown) if p is not None and p.code == total.code}
        out.append(Table("provinces", L["table_provinces"],
                         [L["rank"], L["province"], L["total"], L["change"], L["previous_rank"]], rows,
                         [True, False, True, True, True], highlight))
    if b.departments is not None:
        out.append(_ranking("departments", L["table_departments"], b.departments, text, list(b.departments.ranking)))
    if b.communes is not None:
        n = b.communes.group_size
        ranking = list(b.communes.ranking)
        units = ranking if len(ranking) <= 2 * n else ranking[:n] + [None] + ranking[-n:]
        out.append(_ranking("communes", L["table_communes"], b.communes, text, units))
    return out
