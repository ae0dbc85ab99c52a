"""Every page each role may see, in headless Chromium: signed in through the /login form,
no console error, no failed request, no HTTP error, the page's main heading shown.
A full-page screenshot per page per role is saved under tests/artifacts/browser/."""
from __future__ import annotations

import pytest

from tests.web.site import ACCOUNTS, ONE_PER_ROLE, OWN_INDICATOR

pytestmark = pytest.mark.browser

ROLES = list(ONE_PER_ROLE)
# (name, path, heading that must be shown); {unit} is a unit the role may read
PAGES = [
    ("overview", "/", "Tổng quan tỉnh"),
    ("rankings-province", "/rankings?level=province", "Xếp hạng"),
    ("rankings-department", "/rankings?level=department", "Xếp hạng"),
    ("rankings-commune", "/rankings?level=commune", "Xếp hạng"),
    ("unit", "/units/{unit}", None),
    ("indicators", "/indicators", "Danh mục chỉ số"),
    ("indicator", f"/indicators/{OWN_INDICATOR}", OWN_INDICATOR),
    ("warnings", "/warnings", "Trung tâm cảnh báo"),
    ("submissions", "/submissions", "Nộp số liệu"),
    ("workflow", "/workflow", None),
    ("reports", "/reports/24", None),
    ("wall", "/wall", "Màn hình điều hành IOC"),
]
ADMIN_PAGES = [("audit", "/admin/audit", None)]


def cases():
    for username in ROLES:
        for name, path, heading in PAGES + (ADMIN_PAGES if ACCOUNTS[username][0] == "admin" else []):
            if name == "overview" and ACCOUNTS[username][0] in ("head", "officer"):
                heading = "Trang của"  # a department's head and officer get their agency's home
            yield pytest.param(username, name, path, heading, id=f"{ACCOUNTS[username][0]}-{name}")


def test_each_role_signs_in_through_the_form(signed_in_states, as_user):
    """The saved sessions came from the real form: each shows its account and role in the header."""
    for username in ROLES:
        role, unit = ACCOUNTS[username]
        w = as_user(username)
        w.page.goto("/")
        who = w.page.inner_text(".account .who")
        assert f"Tài khoản {username}" in who, who
        assert w.page.get_attribute(".account .role", "class").split()[-1] == f"role-{role}"


@pytest.mark.parametrize("username,name,path,heading", list(cases()))
def test_page_loads_cleanly(as_user, username, name, path, heading):
    role, unit = ACCOUNTS[username]
    w = as_user(username)
    response = w.page.goto(path.format(unit=unit))
    w.page.wait_for_load_state("networkidle")
    w.screenshot(f"{role}-{name}")
    assert response is not None and response.status == 200, (path, response and response.status)
    h1 = w.page.locator("h1").first  # the bulletin page is its own document, without <main>
    assert h1.is_visible()
    text = h1.inner_text().strip()
    assert text, f"{path}: the main heading is empty"
    if heading:
        assert heading in text, (path, text)
    assert w.problems == [], w.problems
    assert "signin" not in w.page.url and "/login" not in w.page.url
