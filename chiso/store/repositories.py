"""Every repository function of the relational store, importable from one place.

Each lives in a small ``repo_*`` module by subject; this module only gathers them. All
take a ``Session`` (from ``Database.session()``) first and leave committing to it.
"""
from __future__ import annotations

from chiso.store.repo_adjustments import add_adjustment, adjustments_for
from chiso.store.repo_audit import audit, audit_entries
from chiso.store.repo_definitions import (
    add_definition,
    content_sha256,
    current_definition,
    get_definition,
    list_definitions,
)
from chiso.store.repo_loads import load_batches, record_load_batch
from chiso.store.repo_scores import (
    RunResults,
    count_results,
    delete_run,
    get_run,
    latest_run,
    list_runs,
    run_results,
    save_score_run,
)
from chiso.store.repo_units import UnitSaveCounts, get_unit, list_units, save_units, unit_source

__all__ = [
    "RunResults", "UnitSaveCounts",
    "add_adjustment", "adjustments_for",
    "audit", "audit_entries",
    "add_definition", "content_sha256", "current_definition", "get_definition", "list_definitions",
    "load_batches", "record_load_batch",
    "count_results", "delete_run", "get_run", "latest_run", "list_runs", "run_results",
    "save_score_run",
    "get_unit", "list_units", "save_units", "unit_source",
]
