"""ECharts options for the pages (tùy chọn biểu đồ), built in Python and handed to the
browser as JSON in ``data-chart`` (chiso.js draws them). Labels come from the messages."""
from __future__ import annotations

from chiso.web.i18n import localized_name, translate

BRAND = "#0b5cad"
ACCENT = "#ffb020"


def trend(rows: list[dict], lang: str, *, with_rank: bool = False, title_key: str = "common.total") -> dict:
    """A line of weekly totals (and, if asked, the rank on an inverted right axis)."""
    weeks = [r["window"] for r in rows]
    series = [{"name": translate(lang, title_key), "type": "line", "smooth": True, "symbolSize": 6,
               "data": [r["total"] for r in rows], "itemStyle": {"color": BRAND}, "areaStyle": {"opacity": .08}}]
    y_axes = [{"type": "value", "scale": True, "name": translate(lang, "common.score")}]
    if with_rank:
        series.append({"name": translate(lang, "common.rank"), "type": "line", "step": "middle", "yAxisIndex": 1,
                       "data": [r["rank"] for r in rows], "itemStyle": {"color": ACCENT}})
        y_axes.append({"type": "value", "inverse": True, "minInterval": 1, "min": 1,
                       "name": translate(lang, "common.rank"), "splitLine": {"show": False}})
    return {"animation": False, "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
            "grid": {"left": 48, "right": 48 if with_rank else 16, "top": 32, "bottom": 48},
            "xAxis": {"type": "category", "data": weeks, "boundaryGap": False}, "yAxis": y_axes, "series": series}


def group_bars(groups: list[dict], lang: str) -> dict:
    """Each group's score against its maximum: horizontal bars over a pale 'maximum' bar."""
    names = [localized_name(g, lang) for g in groups][::-1]
    return {"animation": False, "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 8, "right": 24, "top": 8, "bottom": 24, "containLabel": True},
            "xAxis": {"type": "value"}, "yAxis": {"type": "category", "data": names},
            "series": [
                {"name": translate(lang, "common.max"), "type": "bar", "barGap": "-100%", "barWidth": 18,
                 "data": [g["max"] for g in groups][::-1], "itemStyle": {"color": "#dde3ea"}, "silent": True},
                {"name": translate(lang, "common.score"), "type": "bar", "barWidth": 18,
                 "data": [g["score"] for g in groups][::-1], "itemStyle": {"color": BRAND},
                 "label": {"show": True, "position": "right"}}]}


def gauge(name: str, value: float, maximum: float) -> dict:
    """One group as a dial (the wall view)."""
    return {"animation": False, "series": [{
        "type": "gauge", "min": 0, "max": maximum, "startAngle": 210, "endAngle": -30, "radius": "95%",
        "progress": {"show": True, "width": 14}, "axisLine": {"lineStyle": {"width": 14}},
        "axisTick": {"show": False}, "splitLine": {"show": False}, "axisLabel": {"show": False},
        "pointer": {"show": False}, "title": {"offsetCenter": [0, "72%"], "fontSize": 15},
        "detail": {"offsetCenter": [0, "8%"], "fontSize": 30, "fontWeight": "bold", "formatter": "{value}"},
        "data": [{"value": round(value or 0, 2), "name": name}]}]}
