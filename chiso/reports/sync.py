"""Units whose data do not reach the national portal, or whose source is stale."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SyncProblem:
    """A unit whose data do not reach the national portal (or whose source is stale)."""

    code: str
    name: str
    name_en: str
    level: str
    source: str  # "records" (the DOSSIER_SYNC measure) | "connector"
    synced: float | None = None
    received: float | None = None
    detail: str = ""

    @property
    def ratio(self) -> float | None:
        return None if not self.received else self.synced / self.received
