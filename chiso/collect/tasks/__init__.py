"""Assigned tasks into the register: a document-management system's export (CSV, XLSX), the
API's items and a connector's records, all through ``imports.import_tasks`` /
``imports.import_items`` — every row checked, then all written or none, idempotent by the
task's external id.

- ``columns``: the columns of a task file and the keys of an item.
- ``imports``: reading, checking and writing.
- ``reasons``: why a row was refused, Vietnamese first.

docs/tasks.md describes the file format.
"""
from chiso.collect.tasks.imports import TaskImport, import_items, import_tasks

__all__ = ["TaskImport", "import_items", "import_tasks"]
