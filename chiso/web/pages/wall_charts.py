"""Biểu đồ của màn hình IOC (the wall's charts): ECharts options sized for a room.

Every size in these options (``fontSize``, line widths, grid margins, symbol sizes) is the size
on a 1920×1080 screen; ``/static/wall.js`` multiplies them by the screen's scale
(``min(width / 1920, height / 1080)``: 2 on a 3840×2160 wall) on load and on every resize, so a
chart's labels stay as large, relative to the room, as the page's text (≥ 24 px at 1080p).
Formatters are named by string as in ``chiso.web.pages.charts`` (chiso.js turns them into
functions in the page's language).

The group dials (``group_gauge``) show the group's maximum and the index definition's bands as
coloured stretches of the dial: a band ``gte 80`` of a 100-point total starts 80 % of the way
round whatever the group's maximum, so a stretch means the same on every dial, and the filled
arc takes the colour of the band the group's share falls in.
"""
from __future__ import annotations

import math

from chiso.catalog.index_definition import BandSet
from chiso.text import format_number, rounded
from chiso.web.i18n import format_period, translate
from chiso.web.pages.charts import AXIS, NUM

#: Band colours on the dark wall, best first (the last band is always the "bad" one).
GOOD, FAIR, WARN, BAD = "#43d17a", "#4ea3ff", "#ffb020", "#ff6b5e"
INK, MUTED, LINE = "#f2f6fb", "#a9b8cc", "#22324a"
#: Label sizes at 1080p (wall.js scales them): nothing smaller than 24 px.
LABEL = 24
VALUE = 32


def band_colours(count: int) -> list[str]:
    """Colours of ``count`` bands from the best down: green first, red last, blue and amber between.

    >>> band_colours(3), band_colours(1)
    (['#43d17a', '#4ea3ff', '#ff6b5e'], ['#43d17a'])
    """
    if count <= 1:
        return [GOOD]
    middle = [FAIR, WARN][:max(count - 2, 0)]
    middle += [WARN] * (count - 2 - len(middle))
    return [GOOD, *middle, BAD]


def band_stops(bands: BandSet, scale: float) -> list[list]:
    """ECharts ``axisLine`` colour stops for ``bands`` over ``0 … scale`` (a band's bound / scale is
    where its stretch starts), lowest band first, the last stop at 1.

    >>> from chiso.catalog.index_definition import load_index_definition
    >>> band_stops(load_index_definition().national_bands, 100)
    [[0.8, '#ff6b5e'], [0.9, '#4ea3ff'], [1, '#43d17a']]
    """
    colours = band_colours(len(bands.levels))
    bounds = [lv.gt if lv.gt is not None else lv.gte for lv in bands.levels]  # highest first, last None
    stops: list[list] = []
    for i in range(len(bands.levels) - 1, -1, -1):  # from the lowest band up
        upper = bounds[i - 1] if i > 0 else None
        end = 1 if upper is None else min(max(float(upper) / scale, 0.0), 1.0)
        stops.append([round(end, 4) if end != 1 else 1, colours[i]])
    return stops


def band_colour(bands: BandSet, share: float | None, scale: float) -> str:
    """The colour of the band ``share × scale`` falls in (its band's, as ``band_stops`` paints it)."""
    colours = band_colours(len(bands.levels))
    if share is None:
        return MUTED
    level = bands.band(share * scale)
    return colours[bands.levels.index(level)] if level is not None else MUTED


def group_gauge(value: float | None, maximum: float, bands: BandSet, scale: float, lang: str) -> dict:
    """One group as a dial from 0 to its maximum: the bands as coloured stretches of the track, the
    arc filled in the colour of the band the group's share reaches, the score in the middle and
    ``/ maximum`` under it. The group's name is the caption under the chart (text of the page)."""
    share = None if value is None or not maximum else float(value) / float(maximum)
    colour = band_colour(bands, share, scale)
    return {"animation": False, "series": [{
        "type": "gauge", "min": 0, "max": maximum, "startAngle": 210, "endAngle": -30, "radius": "100%",
        "center": ["50%", "58%"],
        "progress": {"show": True, "width": 16, "itemStyle": {"color": colour}},
        "axisLine": {"lineStyle": {"width": 16, "color": band_stops(bands, scale), "opacity": .4}},
        "axisTick": {"show": False}, "splitLine": {"show": False}, "axisLabel": {"show": False},
        "pointer": {"show": False}, "anchor": {"show": False},
        "title": {"offsetCenter": [0, "62%"], "fontSize": LABEL, "color": MUTED},
        "detail": {"offsetCenter": [0, "8%"], "fontSize": VALUE, "fontWeight": "bold", "color": INK,
                   "formatter": NUM},
        "data": [{"value": None if value is None else float(rounded(value, 2)),
                  "name": "/ " + format_number(maximum, 0, lang, trim=True)}]}]}


def week_number(label: str, lang: str) -> str:
    """A week of the trend as the axis names it: ``Tuần 37`` (the year is the screen's); any other
    period as people say it.

    >>> week_number("2026-W37", "vi"), week_number("2026-W37", "en"), week_number("2026-11", "vi")
    ('Tuần 37', 'Week 37', 'Tháng 11/2026')
    """
    if "-W" in label:
        return translate(lang, "wallboard.week", n=int(label.split("-W")[1]))
    return format_period(label, lang)


def three_ticks(values: list) -> dict:
    """A value axis with three labels (two steps of whole points) around ``values``: room for 24 px
    labels on a short chart.

    >>> three_ticks([89.7, 93.4, 90.2]), three_ticks([50.0]), three_ticks([])
    ({'min': 89, 'max': 95, 'interval': 3}, {'min': 49, 'max': 51, 'interval': 1}, {'scale': True})
    """
    have = [float(v) for v in values if v is not None]
    if not have:
        return {"scale": True}
    low, high = math.floor(min(have)), math.ceil(max(have))
    if high == low:
        low, high = low - 1, high + 1
    step = max(1, math.ceil((high - low) / 2))
    return {"min": low, "max": low + 2 * step, "interval": step}


def total_trend(rows: list[dict], lang: str) -> dict:
    """The province's weekly total (the weeks up to the shown one): a line, large labels."""
    weeks = [week_number(r["window"], lang) for r in rows]
    return {"animation": False, "textStyle": {"fontSize": LABEL},
            "tooltip": {"trigger": "axis", "valueFormatter": NUM, "textStyle": {"fontSize": LABEL}},
            "grid": {"left": 16, "right": 24, "top": 20, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": weeks, "boundaryGap": False,
                      "axisLabel": {"fontSize": LABEL, "color": MUTED, "hideOverlap": True,
                                    "alignMinLabel": "left", "alignMaxLabel": "right"},
                      "axisLine": {"lineStyle": {"color": LINE, "width": 2}}},
            "yAxis": {"type": "value", **three_ticks([r["total"] for r in rows]),
                      "axisLabel": {"fontSize": LABEL, "color": MUTED, "formatter": AXIS},
                      "splitLine": {"lineStyle": {"color": LINE, "width": 1}}},
            "series": [{"name": translate(lang, "common.total"), "type": "line", "smooth": True,
                        "symbolSize": 10, "data": [r["total"] for r in rows],
                        "lineStyle": {"width": 4, "color": FAIR}, "itemStyle": {"color": FAIR},
                        "areaStyle": {"opacity": .12}}]}

