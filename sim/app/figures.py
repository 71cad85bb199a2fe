"""The app's figures, A and B drawn together: funnel waterfall, first response against the SLA
yardsticks, rep time use, and revenue and pipeline over time; plus number formatting for the page."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

COLORS = {"A": "#3b6ea8", "B": "#d9822b"}
STAGES = ("inquiry", "mql", "sal", "sql", "opportunity", "won")
STAGE_LABELS = ("inquiries", "MQLs", "SALs", "SQLs", "opportunities", "won")
ACTIVITIES = ("lead_followup", "prospecting", "opportunity", "admin", "idle")
ACTIVITY_LABELS = ("lead follow-up", "prospecting", "deals", "admin", "idle")
ACTIVITY_COLORS = ("#3b6ea8", "#6aa84f", "#8e63b5", "#999999", "#dddddd")
SIZE = (5.6, 3.2)


def money(x: float, signed: bool = False) -> str:
    """52.2 M, 312 k: money for people."""
    if x is None or not math.isfinite(x):
        return "–"
    sign = "+" if signed and x > 0 else "−" if x < 0 else ""
    a = abs(x)
    for factor, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if a >= factor:
            return f"{sign}{a / factor:.3g}{suffix}"
    return f"{sign}{a:,.0f}"


def minutes(m: float, signed: bool = False) -> str:
    """A span of minutes for people: 40 s, 12 min, 3.5 h, 2.1 days."""
    if m is None or not math.isfinite(m):
        return "–"
    sign = "+" if signed and m > 0 else "−" if m < 0 else ""
    a = abs(m)
    if a < 1:
        return f"{sign}{a * 60:.0f} s"
    if a < 60:
        return f"{sign}{a:.3g} min"
    if a < 1440:
        return f"{sign}{a / 60:.3g} h"
    days = a / 1440
    return f"{sign}{days:.3g} day{'' if days == 1 else 's'}"


def value(x: float, kind: str, signed: bool = False) -> str:
    """A metric by its kind: money, share (in %, differences in percentage points), minutes or a count."""
    if x is None or not math.isfinite(x):
        return "–"
    if kind == "money":
        return money(x, signed)
    if kind == "minutes":
        return minutes(x, signed)
    sign = "+" if signed and x > 0 else "−" if x < 0 else ""
    if kind == "share":
        return f"{sign}{abs(x) * 100:.1f} {'pp' if signed else '%'}"
    return f"{sign}{abs(x):,.0f}"


def figures_count(n: int) -> str:
    """A bar label: 18.9k for thousands, so neighbouring labels do not run together."""
    return f"{n / 1000:.3g}k" if n >= 10_000 else f"{n:,}"


def _fig() -> tuple[Figure, plt.Axes]:
    fig = Figure(figsize=SIZE, dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def waterfall(sides: dict) -> Figure:
    """Leads that reached each funnel stage, A and B side by side (log scale: the funnel narrows 40-fold)."""
    fig, ax = _fig()
    x = np.arange(len(STAGES))
    width = 0.8 / max(1, len(sides))
    for k, (name, s) in enumerate(sides.items()):
        counts = [s["waterfall"][st] for st in STAGES]
        bars = ax.bar(x + (k - (len(sides) - 1) / 2) * width, counts, width, color=COLORS[name], label=name)
        ax.bar_label(bars, labels=[figures_count(c) for c in counts], fontsize=6, padding=1)
    ax.set_yscale("log")
    ax.set_xticks(x, STAGE_LABELS, fontsize=8)
    ax.set_ylabel("leads reaching the stage")
    ax.set_title("Funnel waterfall", fontsize=10, loc="left")
    ax.legend(frameon=False, fontsize=8)
    return fig


def _bin_label(lo: float, hi: float) -> str:
    return f"> {minutes(lo)}" if not math.isfinite(hi) else minutes(hi)


def response(sides: dict) -> Figure:
    """Share of touched leads by first-response time (calendar minutes), with the SLA target and the
    5-minute and 1-hour yardsticks marked."""
    fig, ax = _fig()
    first = next(iter(sides.values()))
    edges = first["response_histogram"]["edges_minutes"]
    n_bins = len(edges) - 1
    x = np.arange(n_bins)
    for name, s in sides.items():
        leads = np.asarray(s["response_histogram"]["leads"], dtype=float)
        share = leads / leads.sum() if leads.sum() else leads
        ax.step(np.append(x, n_bins) - 0.5, np.append(share, share[-1]), where="post", color=COLORS[name], label=name)

    def position(m):  # where a number of minutes falls on the binned axis
        k = int(np.searchsorted(edges, m, side="right")) - 1
        lo, hi = edges[k], edges[k + 1]
        frac = (m - lo) / (hi - lo) if math.isfinite(hi) else 0.0
        return k - 0.5 + frac

    slas: dict[float, list[str]] = {}
    for name, s in sides.items():
        slas.setdefault(s["sla_minutes"], []).append(name)
    marks = [(m, label, "#888888") for m, label in ((5.0, "5 min"), (60.0, "1 h")) if m not in slas]
    for m, names in slas.items():  # one mark per target; it replaces a yardstick at the same time
        color = COLORS[names[0]] if len(names) == 1 else "#444444"
        marks.append((m, f"SLA {' and '.join(names)} {minutes(m)}", color))
    for m, label, color in marks:
        p = position(m)
        ax.axvline(p, color=color, linestyle="--", linewidth=1)
        ax.annotate(
            label,
            (p, 1),
            xycoords=("data", "axes fraction"),
            fontsize=7,
            color=color,
            rotation=90,
            ha="right",
            va="top",
        )
    ax.set_xticks(x, [_bin_label(edges[k], edges[k + 1]) for k in range(n_bins)], fontsize=7, rotation=45)
    ax.set_xlabel("first response, up to (calendar time since MQL)", fontsize=8)
    ax.set_ylabel("share of touched leads")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_title("First response and the SLA yardsticks", fontsize=10, loc="left")
    ax.legend(frameon=False, fontsize=8, loc="center right")
    return fig


def rep_time(sides: dict) -> Figure:
    """Where the reps' working hours go, one stacked bar per scenario."""
    fig, ax = _fig()
    fig.set_size_inches(SIZE[0], 2.2)
    names = list(sides)
    left = np.zeros(len(names))
    for act, label, color in zip(ACTIVITIES, ACTIVITY_LABELS, ACTIVITY_COLORS, strict=True):
        share = np.array([sides[n]["rep_time_share"][act] for n in names])
        ax.barh(names, share, left=left, color=color, label=label)
        for y, (l0, w) in enumerate(zip(left, share, strict=True)):
            if w > 0.06:
                ax.text(l0 + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=7)
        left += share
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_title("Rep time use", fontsize=10, loc="left")
    ax.legend(frameon=False, fontsize=7, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    return fig


def over_time(dailies: dict) -> Figure:
    """Cumulative revenue (solid) and open pipeline (dashed) by day."""
    fig, ax = _fig()
    for name, daily in dailies.items():
        ax.plot(daily["day"], daily["revenue"].cumsum() / 1e6, color=COLORS[name], label=f"{name} revenue (cumulative)")
        ax.plot(
            daily["day"], daily["pipeline"] / 1e6, color=COLORS[name], linestyle="--", label=f"{name} open pipeline"
        )
    ax.set_xlabel("day", fontsize=8)
    ax.set_ylabel("millions")
    ax.set_title("Revenue and pipeline over time", fontsize=10, loc="left")
    ax.legend(frameon=False, fontsize=7)
    return fig
