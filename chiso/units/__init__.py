"""Organisation units (đơn vị): nation → province → {departments, communes}.

``load_units()`` gives the official hierarchy; ``UnitTree.from_units`` builds one from
units defined elsewhere (a counts file). See chiso/units/registry.py.
"""
from chiso.units.departments import DEPARTMENT_TYPES, load_department_plan
from chiso.units.model import LEVELS, NATION_CODE, Level, Unit
from chiso.units.registry import (
    NATION_NAME,
    UnitTree,
    ascii_name,
    fold,
    full_name,
    load_units,
    short_name,
    split_population,
    unit_to_dict,
)

__all__ = [
    "DEPARTMENT_TYPES",
    "LEVELS",
    "NATION_CODE",
    "NATION_NAME",
    "Level",
    "Unit",
    "UnitTree",
    "ascii_name",
    "fold",
    "full_name",
    "load_department_plan",
    "load_units",
    "short_name",
    "split_population",
    "unit_to_dict",
]
