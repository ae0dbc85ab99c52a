"""ECharts options for the pages (tùy chọn biểu đồ), built in Python and handed to the
browser as JSON in ``data-chart`` (chiso.js draws them). Labels come from the messages.

Numbers and dates follow the page's language, Vietnamese first:

- categories that are periods are written by ``i18n.format_period`` (``Tuần 34/2026`` /
  ``Week 34, 2026``);
- JSON cannot hold a function, so a formatter is named by a string that chiso.js turns into
  one using the language of the page (``<body data-lang>``, ``Intl.NumberFormat``):
  ``NUM`` (two decimals: ``92,28`` / ``92.28``), ``INT`` (a whole number: ``1.234`` /
  ``1,234``), ``AXIS`` (at most two decimals); chiso.js also gives every value axis and every
  tooltip a localised formatter when the options name none.
"""
from __future__ import annotations

from chiso.text import rounded
from chiso.web.i18n import format_period, localized_name, translate

BRAND = "#0b5cad"
ACCENT = "#ffb020"
NUM = "chiso:num:2"
INT = "chiso:num:0"
AXIS = "chiso:axis"


def trend(rows: list[dict], lang: str, *, with_rank: bool = False, title_key: str = "common.total") -> dict:
    """A line of weekly totals (and, if asked, the rank on an inverted right axis)."""
    weeks = [format_period(r["window"], lang) for r in rows]
    series = [{"name": translate(lang, title_key), "type": "line", "smooth": True, "symbolSize": 6,
               "data": [r["total"] for r in rows], "itemStyle": {"color": BRAND}, "areaStyle": {"opacity": .08},
               "tooltip": {"valueFormatter": NUM}}]
    y_axes = [{"type": "value", "scale": True, "name": translate(lang, "common.score"),
               "axisLabel": {"formatter": AXIS}}]
    if with_rank:
        series.append({"name": translate(lang, "common.rank"), "type": "line", "step": "middle", "yAxisIndex": 1,
                       "data": [r["rank"] for r in rows], "itemStyle": {"color": ACCENT},
                       "tooltip": {"valueFormatter": INT}})
        y_axes.append({"type": "value", "inverse": True, "minInterval": 1, "min": 1,
                       "name": translate(lang, "common.rank"), "splitLine": {"show": False},
                       "axisLabel": {"formatter": INT}})
    return {"animation": False, "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
            "grid": {"left": 48, "right": 48 if with_rank else 16, "top": 32, "bottom": 48},
            "xAxis": {"type": "category", "data": weeks, "boundaryGap": False}, "yAxis": y_axes, "series": series}


def group_bars(groups: list[dict], lang: str) -> dict:
    """Each group's score against its maximum: horizontal bars over a pale 'maximum' bar."""
    names = [localized_name(g, lang) for g in groups][::-1]
    return {"animation": False, "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"},
                                            "valueFormatter": NUM},
            "grid": {"left": 8, "right": 24, "top": 8, "bottom": 24, "containLabel": True},
            "xAxis": {"type": "value", "axisLabel": {"formatter": AXIS}}, "yAxis": {"type": "category", "data": names},
            "series": [
                {"name": translate(lang, "common.max"), "type": "bar", "barGap": "-100%", "barWidth": 18,
                 "data": [g["max"] for g in groups][::-1], "itemStyle": {"color": "#dde3ea"}, "silent": True},
                {"name": translate(lang, "common.score"), "type": "bar", "barWidth": 18,
                 "data": [g["score"] for g in groups][::-1], "itemStyle": {"color": BRAND},
                 "label": {"show": True, "position": "right", "formatter": NUM}}]}


def gauge(name: str, value: float, maximum: float) -> dict:
    """One group as a dial (the wall view); the value in the page's number format."""
    return {"animation": False, "series": [{
        "type": "gauge", "min": 0, "max": maximum, "startAngle": 210, "endAngle": -30, "radius": "95%",
        "progress": {"show": True, "width": 14}, "axisLine": {"lineStyle": {"width": 14}},
        "axisTick": {"show": False}, "splitLine": {"show": False}, "axisLabel": {"show": False},
        "pointer": {"show": False}, "title": {"offsetCenter": [0, "72%"], "fontSize": 15},
        "detail": {"offsetCenter": [0, "8%"], "fontSize": 30, "fontWeight": "bold", "formatter": NUM},
        "data": [{"value": float(rounded(value or 0, 2)), "name": name}]}]}
