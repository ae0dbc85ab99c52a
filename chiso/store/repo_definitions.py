"""Definition files (index methodology, bands, catalogue…) kept version by version.

A definition row is never changed once written: each score run refers to the exact text
it was computed with, so re-reading an old week's scores needs the old text.
"""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.errors import StoreError
from chiso.store.models import Definition
from chiso.store.repo_audit import audit


def content_sha256(content: str) -> str:
    """The SHA-256 of a definition's text as stored (UTF-8)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def add_definition(session: Session, kind: str, name: str, version: str, valid_from: date,
                   content: str, loaded_by: str = "system") -> Definition:
    """Store one version of a definition; the existing row if this exact text is stored.

    Identity is (kind, name, version, SHA-256 of the content): loading the same file
    twice gives the same row, and changed text, even under the same version, a new one.
    """
    for label, value in (("kind", kind), ("name", name), ("version", version)):
        if not value or not value.strip():
            raise StoreError(f"a definition needs a {label}")
    sha = content_sha256(content)
    existing = session.scalar(select(Definition).where(
        Definition.kind == kind, Definition.name == name, Definition.version == version,
        Definition.sha256 == sha))
    if existing is not None:
        return existing
    row = Definition(kind=kind, name=name, version=version, valid_from=valid_from,
                     content=content, sha256=sha, loaded_by=loaded_by or "system")
    session.add(row)
    session.flush()
    audit(session, row.loaded_by, "definition.add", "definition", row.id,
          {"kind": kind, "name": name, "version": version,
           "valid_from": valid_from.isoformat(), "sha256": sha})
    return row


def get_definition(session: Session, definition_id: int) -> Definition:
    """One definition by id; ``StoreError`` when there is none."""
    row = session.get(Definition, definition_id)
    if row is None:
        raise StoreError(f"no definition with id {definition_id}")
    return row


def list_definitions(session: Session, kind: str | None = None,
                     name: str | None = None) -> list[Definition]:
    """Definitions, oldest first (by validity, then load order)."""
    query = select(Definition).order_by(Definition.kind, Definition.name,
                                        Definition.valid_from, Definition.id)
    if kind is not None:
        query = query.where(Definition.kind == kind)
    if name is not None:
        query = query.where(Definition.name == name)
    return list(session.scalars(query))


def current_definition(session: Session, kind: str, name: str,
                       on: date | None = None) -> Definition | None:
    """The definition in force on ``on`` (default today): the latest ``valid_from`` not
    after that day; among rows valid from the same day, the one loaded last."""
    day = on or date.today()
    return session.scalar(
        select(Definition)
        .where(Definition.kind == kind, Definition.name == name, Definition.valid_from <= day)
        .order_by(Definition.valid_from.desc(), Definition.id.desc())
        .limit(1))
