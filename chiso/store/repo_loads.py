"""The register of record files loaded or refused (the rows themselves live in records.py)."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.errors import Problem, StoreError
from chiso.store.models import LOAD_STATUSES, LoadBatch
from chiso.store.repo_audit import audit


def record_load_batch(session: Session, *, record_kind: str, file_name: str, file_sha256: str,
                      rows: int, inserted: int = 0, updated: int = 0, unchanged: int = 0,
                      status: str = "loaded",
                      report: Iterable[Problem | dict[str, Any]] | None = None,
                      loaded_by: str = "system", batch: str | None = None,
                      loaded_at: datetime | None = None) -> LoadBatch:
    """Register one load attempt; ``report`` lists the problems of a refused file.

    A refused file wrote nothing, so it cannot report inserted or updated rows. ``batch``
    names the load as the records carry it; ``loaded_at`` defaults to now.
    """
    if status not in LOAD_STATUSES:
        raise StoreError(f"unknown load status {status!r}; expected one of {', '.join(LOAD_STATUSES)}")
    counts = {"rows": rows, "inserted": inserted, "updated": updated, "unchanged": unchanged}
    for label, value in counts.items():
        if value < 0:
            raise StoreError(f"a load batch cannot have {value} {label}")
    if status == "refused" and (inserted or updated):
        raise StoreError("a refused load wrote nothing: inserted and updated must be 0")
    problems = None if report is None else [
        dataclasses.asdict(p) if isinstance(p, Problem) else dict(p) for p in report]
    row = LoadBatch(batch=batch, record_kind=record_kind, file_name=file_name, file_sha256=file_sha256,
                    status=status, report=problems, loaded_by=loaded_by or "system", **counts)
    if loaded_at is not None:
        row.loaded_at = loaded_at
    session.add(row)
    session.flush()
    audit(session, row.loaded_by, "load", "load_batch", row.id,
          {"record_kind": record_kind, "file_name": file_name, "status": status, "batch": batch,
           "problems": None if problems is None else len(problems), **counts})
    return row


def load_batches(session: Session, limit: int = 50,
                 record_kind: str | None = None) -> list[LoadBatch]:
    """The most recent load attempts first."""
    query = select(LoadBatch).order_by(LoadBatch.id.desc()).limit(limit)
    if record_kind is not None:
        query = query.where(LoadBatch.record_kind == record_kind)
    return list(session.scalars(query))


def registered_batches(session: Session) -> set[str]:
    """The names of the loads the register holds."""
    return set(session.scalars(select(LoadBatch.batch).where(LoadBatch.batch.is_not(None)).distinct()))
