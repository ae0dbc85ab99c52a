"""Units for the demo tests, built here (not from the registry) so the generator is
tested on its own: Bắc Ninh with departments of different sectors and communes of very
different populations, and a small second province."""
from __future__ import annotations

from chiso.units.model import Unit

DEPARTMENTS = (("STP", "Sở Tư pháp"), ("SXD", "Sở Xây dựng"), ("SYT", "Sở Y tế"), ("CA", "Công an tỉnh"),
               ("VPUBND", "Văn phòng Ủy ban nhân dân tỉnh"), ("SNGV", "Sở Ngoại vụ"))
# (code, population): a few big wards, mid-sized and small communes
COMMUNES_24 = (("07210", 90_000), ("07228", 80_000), ("07246", 60_000), ("07264", 45_000), ("07282", 40_000),
               ("07300", 30_000), ("07318", 22_000), ("07336", 15_000), ("07354", 10_000), ("07372", 8_000),
               ("07390", 6_000), ("07408", 5_000))
COMMUNES_31 = (("11311", 50_000), ("11329", 20_000))


def build_units() -> list[Unit]:
    units = [Unit("24", "Bắc Ninh", "province", "tỉnh", "VN", "24", population=sum(p for _, p in COMMUNES_24)),
             Unit("31", "Hải Phòng", "province", "thành phố trung ương", "VN", "31",
                  population=sum(p for _, p in COMMUNES_31))]
    for province, communes in (("24", COMMUNES_24), ("31", COMMUNES_31)):
        for abbr, name in DEPARTMENTS[: 6 if province == "24" else 2]:
            units.append(Unit(f"{province}-{abbr}", name, "department", "sở", province, province))
        for code, population in communes:
            units.append(Unit(code, f"Xã {code}", "commune", "xã", province, province, population=population))
    return units
