"""Evaluate tests share the engine tests' dataset, reference implementation and stores.

tests/engine/conftest.py is their single source; it is loaded here by path (conftest files
are not importable by name) and its fixtures re-exported.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "chiso_tests_engine_data"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).parents[1] / "engine" / "conftest.py")
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module
    _spec.loader.exec_module(_module)
engine_data = sys.modules[_NAME]

duck_store = engine_data.duck_store
pg_store = engine_data.pg_store
hand_store = engine_data.hand_store
ref = engine_data.ref
