"""Texts of the sign-in and audit pages, Vietnamese first (kept here until they move to
``chiso/web/messages``)."""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "login.title": "Đăng nhập",
        "login.lead": "Trung tâm điều hành thông minh — hệ thống chỉ số chỉ đạo, điều hành",
        "login.username": "Tên đăng nhập",
        "login.password": "Mật khẩu",
        "login.submit": "Đăng nhập",
        "login.other_lang": "English",
        "login.signed_out": "Bạn đã đăng xuất.",
        "audit.title": "Nhật ký kiểm toán",
        "audit.lead": "Mọi thao tác ghi dữ liệu: ai, làm gì, với đối tượng nào, lúc nào.",
        "audit.actor": "Người thực hiện",
        "audit.action": "Thao tác",
        "audit.target": "Đối tượng",
        "audit.since": "Từ ngày",
        "audit.until": "Đến ngày",
        "audit.filter": "Lọc",
        "audit.at": "Thời điểm",
        "audit.detail": "Chi tiết",
        "audit.none": "Không có dòng nhật ký nào khớp bộ lọc.",
        "audit.shown": "Dòng {first}–{last} trên tổng số {total}",
        "audit.previous": "← Trang trước",
        "audit.next": "Trang sau →",
    },
    "en": {
        "login.title": "Sign in",
        "login.lead": "Intelligent operations centre — direction and management indicators",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Sign in",
        "login.other_lang": "Tiếng Việt",
        "login.signed_out": "You have signed out.",
        "audit.title": "Audit log",
        "audit.lead": "Every write: who did what, to what, when.",
        "audit.actor": "Actor",
        "audit.action": "Action",
        "audit.target": "Target",
        "audit.since": "From",
        "audit.until": "To",
        "audit.filter": "Filter",
        "audit.at": "At",
        "audit.detail": "Detail",
        "audit.none": "No audit line matches the filter.",
        "audit.shown": "Lines {first}–{last} of {total}",
        "audit.previous": "← Previous",
        "audit.next": "Next →",
    },
}


def text(lang: str, key: str, **values) -> str:
    """The text of ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    table = TEXTS.get(lang, TEXTS["vi"])
    message = table[key]
    return message.format(**values) if values else message
