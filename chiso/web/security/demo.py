"""Demo accounts (tài khoản mẫu): one per role for a province, for ``make run`` and tests.

The passwords are published here and in docs/security.md — for a demonstration on a
closed machine only. Never create them on a store that holds real data.

=========  ==================  ===================================================
username   password            role and unit
=========  ==================  ===================================================
quantri    QuanTri@2026demo    admin — the province
lanhdao    LanhDao@2026demo    leader — the province
thutruong  ThuTruong@2026demo  head — the department owning most catalogue indicators
canbo      CanBo@2026demo      officer — the same department
xem        NguoiXem@2026demo   viewer — the province
vanphong   VanPhong@2026demo   officer — the office that follows assigned tasks up
                               (``CHISO_TASK_OFFICE_UNIT``, else ``<province>-VPUBND``)
=========  ==================  ===================================================
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from chiso import settings
from chiso.evaluate.reminders import send_reminders
from chiso.store import repo_accounts
from chiso.store.repo_setup import setup_state
from chiso.units import load_units
from chiso.web.security import accounts
from chiso.web.security.tasks import office_unit

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "catalog" / "definitions"

# (username, password, role, display name, where: "province", "owner" or "office" — the office
# that follows assigned tasks up, chiso.web.security.tasks.office_unit)
DEMO: tuple[tuple[str, str, str, str, str], ...] = (
    ("quantri", "QuanTri@2026demo", "admin", "Quản trị hệ thống", "province"),
    ("lanhdao", "LanhDao@2026demo", "leader", "Lãnh đạo UBND tỉnh", "province"),
    ("thutruong", "ThuTruong@2026demo", "head", "Thủ trưởng cơ quan", "owner"),
    ("canbo", "CanBo@2026demo", "officer", "Cán bộ nhập liệu", "owner"),
    ("xem", "NguoiXem@2026demo", "viewer", "Người xem", "province"),
    ("vanphong", "VanPhong@2026demo", "officer", "Chuyên viên Văn phòng UBND tỉnh", "office"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    unit: str


def busiest_owner(province: str) -> str | None:
    """The department owning most indicators of the province's sample catalogue
    (``catalogue-<province>.yaml``); ``None`` when there is no catalogue."""
    path = CATALOGUE_DIR / f"catalogue-{province}.yaml"
    if not path.exists():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    owners = Counter(i.get("owner") for i in data.get("indicators") or [] if isinstance(i, dict) and i.get("owner"))
    return owners.most_common(1)[0][0] if owners else None


def ensure_demo_accounts(database, province: str = "24", tree=None) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet (idempotent); all of them are returned
    (the office's only when its unit is in the tree).

    An existing account keeps its password and role: nothing is overwritten.
    """
    if tree is None:
        tree = load_units([province])
    owner = busiest_owner(province) or province
    office = office_unit(province)
    out: list[DemoAccount] = []
    for username, password, role, display, where in DEMO:
        unit = {"owner": owner, "office": office}.get(where, province)
        if unit not in tree:
            continue
        with database.session() as s:
            exists = repo_accounts.get_account(s, username) is not None
        if not exists:
            accounts.create_account(database, "demo", username=username, password=password, role=role,
                                    unit_code=unit, tree=tree, display_name=display)
        out.append(DemoAccount(username, password, role, unit))
    return out


def demo_reminders(database, province: str = "24", tree=None, today: dt.date | None = None) -> int:
    """On a store the demo built (``chiso init --demo``), today's deadline reminders for its
    agencies' heads and officers, as ``chiso reminders send`` makes them — in-app notices
    only, since a demo sends no e-mail; once each, however often the server starts. Returns
    the notices made (0 on a store the demo did not build)."""
    if tree is None:
        tree = load_units([province])
    today = today or dt.datetime.now(settings.timezone()).date()
    quiet = dataclasses.replace(settings.smtp(), host=None)
    with database.session() as s:
        if setup_state(s) is None:
            return 0
        return send_reminders(s, province, tree, today, quiet, by="demo").notifications

