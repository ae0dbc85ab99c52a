"""The cursors of pull connectors for records (``connector_cursors``; issue 15)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from chiso.store.database import serialise
from chiso.store.models_connectors import ConnectorCursor
from chiso.store.models_values import Connector
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit


def get_cursor(session: Session, connector: Connector) -> ConnectorCursor | None:
    return session.get(ConnectorCursor, connector.id)


def commit_page(session: Session, connector: Connector, *, cursor: str | None, records: int, batch: str,
                at: datetime | None = None) -> ConnectorCursor:
    """Record a committed page: the cursor moves to ``cursor`` when it is given and differs from
    the kept one (the caller passes the larger of the two), the page and record counts grow."""
    at = at or utcnow()
    serialise(session, [("connector_cursor", str(connector.id))])
    row = session.get(ConnectorCursor, connector.id)
    if row is None:
        row = ConnectorCursor(connector_id=connector.id, cursor=None, pages=0, records=0)
        session.add(row)
    before = row.cursor
    if cursor is not None and cursor != before:
        row.cursor, row.advanced_at = cursor, at
    row.committed_at, row.batch = at, batch
    row.pages, row.records = (row.pages or 0) + 1, (row.records or 0) + records
    session.flush()
    audit(session, f"connector:{connector.name}", "connector.page", "connector", connector.id,
          {"batch": batch, "records": records, "cursor_before": before, "cursor": row.cursor})
    return row
