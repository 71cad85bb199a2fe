"""Rep time exhibits: how reps spend their working hours."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import PercentFormatter

from sim.plots.labels import ACTIVITIES, ACTIVITY_NAMES, ACTIVITY_STYLE, fmt_value, scenario_name
from sim.plots.style import GREY, PlotError, _axes, _legend_below, _replications, _style, _styled, _table, _titles
from sim.results_io import (
    levers_of,
    wide_means,
)

# ----------------------------------------------------------------------------- rep time


@_styled
def plot_rep_time(data, *, metric=ACTIVITIES, ax=None, **style):
    """How reps spend their working time, as a stacked bar per scenario (shares of working hours)."""
    st = _style(style)
    table = _table(data)
    acts = [metric] if isinstance(metric, str) else list(metric)
    known = sorted(m.split(".", 1)[1] for m in table["metric"].unique() if m.startswith("rep_time_share."))
    bad = [a for a in acts if a not in known]
    if bad:
        raise PlotError(f"activities {bad} are not in the results; activities: {', '.join(known)}")
    wide = wide_means(table)
    levers = [k for k in levers_of(table) if wide[k].nunique() > 1]
    names = [scenario_name(r, levers) if levers else str(r["label"]) for _, r in wide.iterrows()]
    names = [f"{n} (baseline)" if b and len(wide) > 1 else n for n, b in zip(names, wide["baseline"], strict=True)]
    n = len(wide)
    owned = ax is None
    fig, ax = _axes(ax, st["figsize"] or (9.0, 2.1 + 0.32 * n))
    ypos = np.arange(n)[::-1]
    left = np.zeros(n)
    for a in acts:
        share = wide[f"rep_time_share.{a}"].to_numpy(float)
        color, hatch = ACTIVITY_STYLE.get(a, (GREY, ""))
        ax.barh(
            ypos, share, 0.7, left=left, color=color, hatch=hatch, ec="white", lw=0.6, label=ACTIVITY_NAMES.get(a, a)
        )
        for y, x0, s in zip(ypos, left, share, strict=True):
            if s >= 0.06:
                dark = color in ("#0072B2", "#009E73")
                ax.text(
                    x0 + s / 2,
                    y,
                    f"{s * 100:.0f} %",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                    bbox={"boxstyle": "square,pad=0.1", "fc": color, "ec": "none"} if hatch else None,
                )
        left += share
    ax.set_yticks(ypos, names)
    ax.set_xlim(0, max(1.0, float(left.max())))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0, symbol=" %"))
    ax.set_xlabel("Share of rep working time (%)")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    _legend_below(fig, ax, owned, ncol=len(acts), handlelength=2.2)
    if "selling_time_share" in wide:
        for y, v in zip(ypos, wide["selling_time_share"].to_numpy(float), strict=True):
            ax.annotate(
                f"{v * 100:.0f} %",
                xy=(1, y),
                xycoords=("axes fraction", "data"),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                fontweight="bold",
            )
        ax.annotate(
            "selling",
            xy=(1, n - 0.45),
            xycoords=("axes fraction", "data"),
            xytext=(8, 0),
            textcoords="offset points",
            va="bottom",
            fontsize=8,
            color="0.3",
        )
        ax.set_ylim(-0.6, n - 0.05)
    hours = wide["rep_hours"].to_numpy(float) if "rep_hours" in wide else np.array([np.nan])
    note = _replications(table)
    if np.isfinite(hours).any():
        note += f"; {fmt_value(float(np.nanmean(hours)), 'hours')} of rep working time per run"
    if "selling_time_share" in wide:
        note += "; selling = lead follow-up + opportunity work"
    _titles(ax, st["title"], st["note"], "How reps spend their time" + (", by scenario" if n > 1 else ""), note)
    return fig, ax
