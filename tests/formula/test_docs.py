"""The formula docs stay true: every function documented, docstring examples run."""
from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import chiso.formula
from chiso.formula.functions import FUNCTIONS

PAGE = Path(__file__).parents[2] / "docs" / "formulas.md"
MODULES = sorted(m.name for m in pkgutil.iter_modules(chiso.formula.__path__, "chiso.formula."))


def test_every_function_and_alias_is_documented():
    text = PAGE.read_text(encoding="utf-8")
    missing = [n for f in FUNCTIONS for n in (f.name, *f.aliases) if f"`{n}" not in text]
    assert not missing, f"undocumented in docs/formulas.md: {missing}"


def test_every_aggregation_rule_is_documented():
    from typing import get_args

    from chiso.catalog.indicator import AggregationRule

    text = PAGE.read_text(encoding="utf-8")
    assert not [r for r in get_args(AggregationRule) if f"`{r}`" not in text]


@pytest.mark.parametrize("name", ["chiso.formula", *MODULES])
def test_examples_in_docstrings_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
