"""Data collection for DM indicators — "một dữ liệu, một nguồn, một chủ sở hữu".

Submissions of values per indicator × unit × period (``batch``), the rules they must pass
(``rules``), accepting or refusing a batch whole (``submit``) and the states of a period
(``states``: draft → submitted → approved → locked, and submitted → returned). See docs/collection.md.
"""
from __future__ import annotations

from chiso.collect.values.batch import Batch, RawRow, batch_from_records, read_batch
from chiso.collect.values.rules import Entry, ValidationConfig
from chiso.collect.values.states import Actor, approve, lock, return_period, unlock
from chiso.collect.values.submit import SubmitResult, Submitter, submit, submit_batch

__all__ = [
    "Actor", "Batch", "Entry", "RawRow", "SubmitResult", "Submitter", "ValidationConfig",
    "approve", "batch_from_records", "lock", "read_batch", "return_period", "submit", "submit_batch",
    "unlock",
]
