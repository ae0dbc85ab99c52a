"""The seed-003 week (tests/fixtures/seed003: portal counts files, 2025-W41…W46) scored by the
engine, and the bulletin built from it; the stores of tests/store for schedules and archive."""
from __future__ import annotations

from pathlib import Path

import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.reports.facts import build_bulletin
from chiso.reports.sources import CountsSource

SEED = Path(__file__).parents[1] / "fixtures" / "seed003"
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


@pytest.fixture(scope="session")
def definition():
    return load_index_definition(DEFAULT_INDEX)


@pytest.fixture(scope="session")
def seed_source(definition):
    return CountsSource(definition, SEED)


@pytest.fixture(scope="session")
def seed_scores(seed_source):
    return seed_source.scores("2025-W46")


@pytest.fixture(scope="session")
def bulletin(seed_scores):
    return build_bulletin(seed_scores, "24")
