"""The power curve: chance a rep-group experiment detects the effect, by weeks run and team size."""

from __future__ import annotations

import pandas as pd

COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS = ("o", "s", "^", "D", "v", "P")
LINES = ("-", "--", "-.", ":", "-", "--")


def plot_power(power: pd.DataFrame, o: dict):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for k, (reps, g) in enumerate(power.groupby("reps")):
        g = g.sort_values("weeks")
        ax.plot(
            g["weeks"],
            g["power"],
            color=COLOURS[k % 6],
            marker=MARKERS[k % 6],
            ls=LINES[k % 6],
            label=f"{reps} reps ({round(reps * o['share'])} treated)",
        )
    ax.axhline(0.8, color="grey", ls=":", lw=1)
    ax.text(power["weeks"].min(), 0.81, "80 % power", color="grey", fontsize=8, va="bottom")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("weeks the experiment runs")
    ax.set_ylabel("power (95 % interval excludes 0)")
    ax.set_title(
        f"Detecting a {o['treated_sla']:g}-minute SLA on {o['metric']} per rep-week "
        f"({power['replications'].iloc[0]} replications per point)",
        fontsize=10,
        loc="left",
    )
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
