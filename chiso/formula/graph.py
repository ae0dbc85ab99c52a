"""Formula indicators in dependency order (thứ tự tính): inputs before what uses them.

>>> from chiso.formula import parse_formula
>>> dependency_order({"C": parse_formula("A + B"), "B": parse_formula("A * 2")})
['B', 'C']
>>> dependency_order({"X": parse_formula("previous(Y)"), "Y": parse_formula("X + 1")})
Traceback (most recent call last):
...
chiso.errors.FormulaError: formula indicators form a cycle: X → Y → X
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter
from typing import Protocol

from chiso.errors import FormulaError
from chiso.formula.parse import Formula, parse_formula


class HasFormula(Protocol):
    """What the dependency order reads of a catalogue entry: its formula text, if any."""

    @property
    def formula(self) -> str | None: ...


def indicator_formulas(indicators: Mapping[str, HasFormula]) -> dict[str, Formula]:
    """Every formula indicator's checked formula; references must be known indicators."""
    out: dict[str, Formula] = {}
    for code, indicator in indicators.items():
        if indicator.formula is None:
            continue
        try:
            formula = parse_formula(indicator.formula)
        except FormulaError as e:
            raise FormulaError(f"indicator {code}: {e.reason}", formula=e.formula, column=e.column) from None
        unknown = sorted(formula.references - set(indicators))
        if unknown:
            raise FormulaError(f"indicator {code}: unknown indicator{'s' if len(unknown) > 1 else ''} "
                               f"{', '.join(unknown)}", formula=formula.text)
        out[code] = formula
    return out


def dependency_order(formulas: Mapping[str, Formula]) -> list[str]:
    """The formula indicators, each after every formula indicator it references.

    A cycle is refused, even through a period function (``previous(X)`` inside X's own
    inputs): values of one period would depend on themselves through the chain.
    Ties keep the codes' sorted order, so the order is the same on every run.
    """
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for code in sorted(formulas):
        sorter.add(code, *sorted(r for r in formulas[code].references if r in formulas))
    try:
        sorter.prepare()
    except CycleError as e:
        cycle = list(e.args[1])
        start = cycle.index(min(cycle[:-1]))
        path = cycle[start:-1] + cycle[:start] + [cycle[start]]
        raise FormulaError(f"formula indicators form a cycle: {' → '.join(path)}") from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


def dependents(formulas: Mapping[str, Formula], codes: Iterable[str]) -> set[str]:
    """Formula indicators that use any of ``codes``, directly or through others."""
    wanted, found = set(codes), set()
    changed = True
    while changed:
        changed = False
        for code, f in formulas.items():
            if code not in found and f.references & (wanted | found):
                found.add(code)
                changed = True
    return found
