"""Evaluate tests share the engine tests' dataset, reference implementation and stores
(``tests/records_data.py``)."""
from tests.records_data import duck_store, hand_store, pg_store, ref  # noqa: F401
