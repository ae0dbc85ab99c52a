"""Numbers written the Vietnamese way (1.234,5; 92,3%) and the English way (1,234.5; 92.3%).

>>> number(1234.5, "vi"), number(1234.5, "en"), percent(0.9234, "vi")
('1.234,5', '1,234.5', '92,3%')
"""
from __future__ import annotations

import math


def number(x: float | None, lang: str = "vi", digits: int = 2) -> str:
    """A number with up to ``digits`` decimals, trailing zeros dropped."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "−0"):
        text = "0"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(x: float | None, lang: str = "vi", digits: int = 1) -> str:
    """A share as a percentage: 0.9234 → 92,3% (vi) or 92.3% (en)."""
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return "—"
    text = f"{x * 100:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text + "%"
