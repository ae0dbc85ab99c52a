"""Ranh giới đơn vị (unit shapes): the boundaries a province imported from its own GIS data.

``unit_shapes``: one row per unit (a commune), its geometry as GeoJSON text (checked,
repaired, simplified and rounded by ``chiso.units.boundaries``), the file it came from, when
and by whom, and the SHA-256 of the geometry text (a re-import of the same shape changes
nothing). Province shapes are not here: they ship with chiso (``chiso/units/data/provinces.geojson``).

Declared on ``chiso.store.models.Base``; the schema is created by the Alembic migration of
the same subject (0012_unit_shapes).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow

#: The levels a shape is stored for.
SHAPE_LEVELS = ("province", "commune")


class UnitShape(Base):
    """One unit's boundary."""

    __tablename__ = "unit_shapes"
    __table_args__ = (CheckConstraint(one_of("level", SHAPE_LEVELS), name="level"),)

    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    province_code: Mapped[str] = mapped_column(String(32), index=True)
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON geometry (Polygon or MultiPolygon), WGS 84
    vertices: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(255))  # the file's name as given
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(128))
    sha: Mapped[str] = mapped_column(String(64))  # SHA-256 of ``geometry``
