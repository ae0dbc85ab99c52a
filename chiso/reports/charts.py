"""The bulletin's charts: the total's trend, the groups against their maxima, the rankings.

Drawn with matplotlib's object API (no pyplot state: safe in the web server's threads) on
the Agg backend, in DejaVu Sans — a font with every Vietnamese glyph — set explicitly. SVG
for HTML and PDF, PNG for DOCX. Numbers on axes and labels follow the language (92,28).
"""
from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.patches  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from chiso.errors import WindowError  # noqa: E402
from chiso.periods.windows import parse_window  # noqa: E402
from chiso.reports.facts import Bulletin, PeerFacts  # noqa: E402
from chiso.reports.numformat import FORMATS  # noqa: E402
from chiso.reports.text import BulletinText  # noqa: E402

FONT = "DejaVu Sans"
INK, ACCENT, PALE, GRID = "#1b2430", "#1f5fa8", "#dbe6f3", "#e3e8ef"
BAND_COLOURS = ("#1f7a4d", "#1f5fa8", "#c2410c", "#7c3aed", "#6b7280")
STYLE = {
    "font.family": "sans-serif", "font.sans-serif": [FONT], "font.size": 9, "axes.edgecolor": "#9aa5b1",
    "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK, "text.color": INK,
    "svg.fonttype": "path", "svg.hashsalt": "chiso", "axes.spines.top": False, "axes.spines.right": False,
}
CHARTS = ("trend", "groups", "departments", "communes")


def _short_window(label: str, lang: str) -> str:
    """A window on the trend's axis: a week is its number (the axis is titled "Tuần"), never
    "T48" (which reads as a month); a month 11/2026; a quarter as said (Quý III/2026)."""
    try:
        w = parse_window(label)
    except WindowError:
        return label
    if w.kind == "week":
        return str(w.start.isocalendar()[1])
    if w.kind == "month":
        return f"{w.start.month}/{w.start.year}"
    return FORMATS[lang].period_title(label)


def _axis_title(points, labels: dict) -> str | None:
    """The x axis's title: "Tuần" / "Week" when the trend is of weeks."""
    try:
        kinds = {parse_window(p.window).kind for p in points}
    except WindowError:
        return None
    return labels.get("axis_weeks") if kinds == {"week"} else None


def _save(fig: Figure, fmt: str) -> str | bytes:
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
        text = buf.getvalue().decode("utf-8")
        return text[text.index("<svg"):]  # inline: no XML prolog or doctype
    fig.savefig(buf, format="png", dpi=160, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height))
    return fig


def trend_chart(b: Bulletin, text: BulletinText, fmt: str) -> str | bytes | None:
    points = b.province.trend
    if len(points) < 2:
        return None
    f = FORMATS[text.lang]
    with matplotlib.rc_context(STYLE):
        fig = _figure(6.4, 2.2)
        ax = fig.subplots()
        xs = list(range(len(points)))
        ys = [p.total for p in points]
        ax.plot(xs, ys, color=ACCENT, marker="o", linewidth=2)
        for x, y in zip(xs, ys):
            ax.annotate(f.points(y), (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
        ax.set_xticks(xs, [_short_window(p.window, text.lang) for p in points])
        axis = _axis_title(points, text.labels)
        if axis:
            ax.set_xlabel(axis)
        low, high = min(ys), max(ys)
        pad = max(0.3, (high - low) * 0.25)
        ax.set_ylim(low - pad, high + pad * 1.6)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v, 1)))
        ax.grid(axis="y", color=GRID)
        ax.set_ylabel(text.labels["axis_points"])
        ax.set_title(text.labels["chart_trend"].format(province=b.province.short_name, recent=text.labels["recent"]),
                     loc="left", fontsize=10, fontweight="bold")
        return _save(fig, fmt)


def groups_chart(b: Bulletin, text: BulletinText, fmt: str) -> str | bytes:
    f = FORMATS[text.lang]
    groups = b.province.groups
    with matplotlib.rc_context(STYLE):
        fig = _figure(6.4, 2.8)
        ax = fig.subplots()
        names = [g.name if text.lang == "vi" else g.name_en for g in groups][::-1]
        maxima = [g.max for g in groups][::-1]
        points = [g.points for g in groups][::-1]
        ys = range(len(groups))
        ax.barh(ys, maxima, color=PALE, label=text.labels["legend_max"])
        ax.barh(ys, points, color=ACCENT, height=0.55, label=text.labels["legend_points"])
        for y, p, m in zip(ys, points, maxima):
            ax.text(m + 0.3, y, f"{f.points(p)}/{f.bound(m)} ({f.pct(p / m)})", va="center", fontsize=8)
        ax.set_yticks(list(ys), names)
        ax.set_xlim(0, max(maxima) * 1.45)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v, 0)))
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        ax.set_title(text.labels["chart_groups"], loc="left", fontsize=10, fontweight="bold")
        return _save(fig, fmt)


def ranking_chart(peers: PeerFacts | None, text: BulletinText, fmt: str, title: str,
                  limit: int | None = None) -> str | bytes | None:
    if peers is None or not peers.ranking:
        return None
    f = FORMATS[text.lang]
    units = list(peers.ranking[:limit] if limit else peers.ranking)
    band_codes = [bd.code for bd in peers.bands]
    colour = {c: BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)] for i, c in enumerate(band_codes)}
    with matplotlib.rc_context(STYLE):
        fig = _figure(6.4, 0.6 + 0.24 * len(units))
        ax = fig.subplots()
        ys = list(range(len(units)))[::-1]
        names = [_clip(u.name if text.lang == "vi" else u.name_en, 38) for u in units]
        totals = [u.total for u in units]
        ax.barh(ys, totals, color=[colour.get(u.band, ACCENT) for u in units], height=0.7)
        low = max(0.0, min(totals) - 5)
        for y, t in zip(ys, totals):
            ax.text(t + 0.1, y, f.points(t), va="center", fontsize=7.5)
        for bd in peers.bands:
            if bd.lower is not None and low < bd.lower:
                ax.axvline(bd.lower, color="#9aa5b1", linestyle="--", linewidth=0.8)
        ax.set_yticks(ys, [f"{u.rank}. {n}" for u, n in zip(units, names)], fontsize=7.5)
        ax.set_xlim(low, max(totals) + 1.5)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v, 0)))
        shown = {u.band for u in units}
        handles = [matplotlib.patches.Patch(color=colour[bd.code], label=bd.label if text.lang == "vi"
                                            else bd.label_en) for bd in peers.bands if bd.code in shown]
        # above the plot, right of the title: never over the bars
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(handles) or 1,
                  frameon=False, fontsize=7.5)
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
        return _save(fig, fmt)


def _clip(name: str, n: int) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def render_charts(b: Bulletin, text: BulletinText, fmt: str = "svg") -> dict[str, str | bytes]:
    """Every chart the bulletin has data for, as SVG text or PNG bytes, by name (``CHARTS``)."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"chart format {fmt!r}: svg or png")
    n = b.communes.group_size if b.communes else 10
    makers: dict[str, Callable[[], str | bytes | None]] = {
        "trend": lambda: trend_chart(b, text, fmt),
        "groups": lambda: groups_chart(b, text, fmt),
        "departments": lambda: ranking_chart(b.departments, text, fmt, text.labels["chart_departments"]),
        "communes": lambda: ranking_chart(b.communes, text, fmt, text.labels["chart_communes"].format(n=n), limit=n),
    }
    out = {}
    for name, make in makers.items():
        chart = make()
        if chart is not None:
            out[name] = chart
    return out
