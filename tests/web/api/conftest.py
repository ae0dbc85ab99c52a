"""The API tests' view of the one demo site (tests/web/site.py): a client (its lifespan
started), the relational store and an API token per account (read write for the roles that write, read for leaders and viewers; ``quantri.doc``
read-only)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient


@dataclass(frozen=True)
class World:
    """What the tests reach: the client, the database, tokens by account name."""

    client: TestClient
    database: object
    tokens: dict[str, str]
    url: str

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="package")
def world(site):
    with TestClient(site.app) as client:
        yield World(client, site.db, site.tokens, site.database_url)
