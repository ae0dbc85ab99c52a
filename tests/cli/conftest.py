"""Command tests that need the shared records dataset (``tests/records_data.py``)."""
from tests.records_data import ref  # noqa: F401
