"""Connectors to source systems: a SQL query, an HTTP JSON endpoint, a watched folder.

Each run submits through the same path as a person (``chiso.collect.values.submit``),
acting as the connector's owner unit; each run is recorded and a failure is shown as the
connector's last error; a connector whose data is overdue is **stale**. An http connector
with ``target: tasks`` brings assigned tasks; with ``target: records`` it pulls records of
the 766 index page by page since a cursor (``records.py``). See docs/collection.md.
"""
from __future__ import annotations

from chiso.collect.connectors.runner import (
    RunOutcome,
    add_connector,
    connector_status,
    is_due,
    is_stale,
    max_age,
    next_due,
    run_connector,
    run_due,
)

__all__ = ["RunOutcome", "add_connector", "connector_status", "is_due", "is_stale", "max_age", "next_due",
           "run_connector", "run_due"]
