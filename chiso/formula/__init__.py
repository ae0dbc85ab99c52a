"""The indicator formula language (ngôn ngữ công thức): read, check, print, evaluate and
compile formulas over indicators to SQL; compute formula indicators and aggregate values.

A formula is arithmetic over indicator codes (``KT.GRDP``), numbers and a few functions,
with its own Lark grammar — never Python ``eval``. See docs/formulas.md.

>>> f = parse_formula("(KT.GRDP / last_year(KT.GRDP) − 1) × 100")
>>> f.text
'(KT.GRDP / last_year(KT.GRDP) - 1) * 100'
>>> sorted(f.references)
['KT.GRDP']
"""
from chiso.formula.parse import Formula, parse_formula, references

__all__ = ["Formula", "parse_formula", "references"]
