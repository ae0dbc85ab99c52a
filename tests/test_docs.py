"""Docs stay true: every setting documented, records.md generated from the schemas."""
from pathlib import Path

from chiso import settings
from chiso.catalog.records import records_markdown

DOCS = Path(__file__).parent.parent / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [s.name for s in settings.SETTINGS if f"`{s.name}`" not in text]
    assert not missing, f"undocumented settings: {missing}"


def test_records_doc_is_generated_from_the_schemas():
    assert (DOCS / "records.md").read_text(encoding="utf-8") == records_markdown(), (
        "docs/records.md is stale: python -m chiso.catalog.records > docs/records.md")


def test_docs_pages_exist():
    for page in ("architecture.md", "records.md", "definitions.md", "decisions.md", "performance.md",
                 "settings.md", "catalogue.md", "sample-catalogue.md", "formulas.md", "collection.md",
                 "evaluation.md", "holidays.md", "bulletins.md", "security.md", "api.md", "web.md", "web-dm.md",
                 "interop.md", "composite.md", "regimes.md"):
        assert (DOCS / page).is_file(), page
