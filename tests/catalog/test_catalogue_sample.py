"""The shipped Bắc Ninh catalogue passes every cross-entry check and survives the trips an
office puts it through: export to a workbook or YAML, and back."""
from __future__ import annotations

from pathlib import Path

import pytest

from chiso.catalog.catalogue import DEFINITIONS_CATALOGUE, catalogue_yaml, load_catalogue
from chiso.catalog.workbook import write_workbook


@pytest.fixture(scope="module")
def sample():
    return load_catalogue(DEFINITIONS_CATALOGUE)


def test_the_sample_is_valid_and_mostly_live(sample) -> None:
    assert sample.province == "24" and len(sample) >= 60
    assert 0 < len(sample.live()) <= len(sample)
    # every dependency of a computed indicator is in the catalogue, and nothing is circular
    assert all(sample.references(code) <= set(sample.indicators) for code in sample.indicators)


def test_the_sample_round_trips_through_a_workbook_and_yaml(sample, tmp_path: Path) -> None:
    assert load_catalogue(write_workbook(sample, tmp_path / "bac-ninh.xlsx")) == sample
    (tmp_path / "bac-ninh.yaml").write_text(catalogue_yaml(sample), encoding="utf-8")
    assert load_catalogue(tmp_path / "bac-ninh.yaml") == sample
