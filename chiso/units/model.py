"""Organisation units (đơn vị): nation → province → {departments, communes}."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["nation", "province", "department", "commune"]
LEVELS: tuple[Level, ...] = ("nation", "province", "department", "commune")

NATION_CODE = "VN"


@dataclass(frozen=True)
class Unit:
    """One unit of the hierarchy.

    ``code`` is unique nationally: ``VN`` for the nation, the two-digit official code for a
    province (``24`` = Bắc Ninh), the five-digit official code for a commune or ward
    (``07210``), and ``<province>-<abbreviation>`` for a provincial department
    (``24-SYT`` = Sở Y tế tỉnh Bắc Ninh).
    """

    code: str
    name: str  # Vietnamese official name, with diacritics: "Phường Kinh Bắc", "Sở Y tế"
    level: Level
    type: str  # Vietnamese division type: "tỉnh", "thành phố trung ương", "phường", "xã", "đặc khu", "sở", "ban", "văn phòng", …
    parent_code: str | None  # None only for the nation
    province_code: str | None  # the province the unit belongs to (itself for a province; None for the nation)
    name_en: str = ""  # English name where there is a usual one ("Department of Health")
    population: int = 0  # plausible population served; used to size generated volumes

    @property
    def is_province(self) -> bool:
        return self.level == "province"
