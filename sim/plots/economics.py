"""Economics exhibits: revenue against cost or hours across scenarios."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.lines import Line2D

from sim.plots.labels import MEANINGS, axis_label, fmt_value, lower_first, metric_info, scenario_name, set_value_axis
from sim.plots.style import GREY, OKABE_ITO, _axes, _metric_rows, _replications, _style, _styled, _table, _titles
from sim.results_io import (
    levers_of,
    wide_means,
)

# ----------------------------------------------------------------------------- efficient frontier


def _place_labels(ax, xs, ys, texts, obstacles, fontsize: float = 8) -> None:
    """Put short labels next to their points where they overlap neither each other nor any point,
    trying spots further out until one is free; labels placed further out get a thin leader line."""
    fig = ax.figure
    fig.draw_without_rendering()
    to_pt = 72 / fig.dpi
    pts = ax.transData.transform(np.column_stack([xs, ys])) * to_pt
    boxes = [(x - 5, y - 5, x + 5, y + 5) for x, y in ax.transData.transform(obstacles) * to_pt]
    angles = np.deg2rad([45, -45, 135, -135, 0, 180, 90, -90])
    spots = [(r * np.cos(a), r * np.sin(a)) for r in (8, 14, 21, 29, 38, 48) for a in angles]

    def free(b):
        return all(b[2] <= o[0] or b[0] >= o[2] or b[3] <= o[1] or b[1] >= o[3] for o in boxes)

    for x, y, (px, py), text in zip(xs, ys, pts, texts, strict=True):
        w, h = 0.62 * fontsize * len(text) + 2, 1.1 * fontsize
        for dx, dy in spots:
            cx = dx + (w / 2 if dx > 0.1 else -w / 2 if dx < -0.1 else 0)
            box = (px + cx - w / 2, py + dy - h / 2, px + cx + w / 2, py + dy + h / 2)
            if free(box):
                break
        boxes.append(box)
        line = {"arrowstyle": "-", "color": "0.45", "lw": 0.6, "shrinkA": 1, "shrinkB": 3}
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(cx, dy),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=fontsize,
            fontweight="bold",
            color="0.1",
            arrowprops=line if math.hypot(dx, dy) > 12 else None,
        )


def pareto_front(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats on both fewer hours (x) and more revenue (y), by rising x."""
    order = np.lexsort((-y, x))
    front, best = [], -np.inf
    for i in order:
        if np.isfinite(y[i]) and y[i] > best:
            front.append(i)
            best = y[i]
    return np.array(front, dtype=int)


@_styled
def plot_frontier(data, *, metric="revenue", x="rep_hours", ax=None, **style):
    """Revenue against rep hours across scenarios, with the efficient frontier (no scenario earns more
    with fewer hours) drawn through the best ones.  Error bars: 95 % CI on both axes."""
    st = _style(style)
    table = _table(data)
    _metric_rows(table, metric)
    _metric_rows(table, x)
    wide = wide_means(table)
    stats = table.set_index(["scenario", "metric"])
    levers = [k for k in levers_of(table) if wide[k].nunique() > 1]

    def ci(m):
        s = stats.xs(m, level="metric").reindex(wide["scenario"])
        return s["mean"].to_numpy(float), s["ci_low"].to_numpy(float), s["ci_high"].to_numpy(float)

    xm, xl, xh = ci(x)
    ym, yl, yh = ci(metric)
    front = pareto_front(xm, ym)
    on = np.zeros(len(wide), bool)
    on[front] = True
    fig, ax = _axes(ax, st["figsize"] or (8.6, 5.4))
    if (~on).any():
        ax.errorbar(
            xm[~on],
            ym[~on],
            xerr=[xm[~on] - xl[~on], xh[~on] - xm[~on]],
            yerr=[ym[~on] - yl[~on], yh[~on] - ym[~on]],
            fmt="o",
            color=GREY,
            mfc="white",
            ms=6,
            elinewidth=0.8,
            capsize=0,
            label="other scenarios",
            zorder=2,
        )
    ax.errorbar(
        xm[on],
        ym[on],
        xerr=[xm[on] - xl[on], xh[on] - xm[on]],
        yerr=[ym[on] - yl[on], yh[on] - ym[on]],
        fmt="D",
        color=OKABE_ITO[0],
        ms=7,
        elinewidth=1,
        capsize=0,
        label="on the efficient frontier",
        zorder=4,
    )
    ax.plot(xm[front], ym[front], color=OKABE_ITO[0], ls="--", lw=1.5, zorder=3, drawstyle="steps-post")
    base = np.flatnonzero(wide["baseline"].to_numpy())
    if len(wide) > 1 and len(base):
        b = base[0]
        ax.plot(
            xm[b],
            ym[b],
            marker="*",
            color=OKABE_ITO[1],
            ms=16,
            ls="none",
            mec="black",
            mew=0.6,
            label="baseline",
            zorder=5,
        )
    # Number the frontier scenarios (and the baseline) by falling revenue; the key beside the plot names them.
    label_idx = sorted(front, key=lambda i: -ym[i]) + [i for i in base if i not in front and len(wide) > 1]
    xlabel, xkind = metric_info(x)
    label, kind = metric_info(metric)
    key = []
    for k, i in enumerate(label_idx, 1):
        name = scenario_name(wide.iloc[i], levers) if levers else str(wide.iloc[i]["label"])
        key.append(f"{k}. {name}: {fmt_value(ym[i], kind, currency=st['currency'])}")
    set_value_axis(ax.xaxis, xkind, st["currency"])
    set_value_axis(ax.yaxis, kind, st["currency"])
    ax.set_xlabel(axis_label(x, st["currency"]))
    ax.set_ylabel(axis_label(metric, st["currency"]))
    ax.grid(True)
    main = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), title="Scenarios", alignment="left")
    if key:
        ax.add_artist(main)
        blank = [Line2D([], [], ls="none")] * len(key)
        ax.legend(
            blank,
            key,
            loc="upper left",
            bbox_to_anchor=(1.01, 0.72),
            title="Numbered on the plot",
            alignment="left",
            handlelength=0,
            handletextpad=0,
            fontsize=8,
        )
    pad = (np.nanmax(xh) - np.nanmin(xl)) * 0.06 or max(abs(np.nanmax(xm)) * 0.05, 1)
    ax.set_xlim(np.nanmin(xl) - pad, np.nanmax(xh) + pad)
    less = "at a lower cost" if xkind == "currency" else "with fewer hours"
    note = _replications(table) + f"; on the frontier: no other scenario earns more {less}; bars: 95 % CI"
    if np.nanmax(xm) - np.nanmin(xm) <= 1e-9 * max(abs(np.nanmax(xm)), 1):
        note += f"; {xlabel.lower()} are the same in every scenario"
    elif x in MEANINGS:
        note += f"; {lower_first(xlabel)}: {MEANINGS[x]}"
    title = f"{label} against {lower_first(xlabel)}: the efficient frontier"
    _titles(ax, st["title"], st["note"], title, note)
    _place_labels(ax, xm[label_idx], ym[label_idx], [str(k) for k in range(1, len(label_idx) + 1)], np.c_[xm, ym])
    return fig, ax
