"""The attribution-vs-truth figure: each rule's credit per channel beside the causal effect, with intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.attribution.rules import RULES

# Okabe-Ito colours; the causal truth is black and drawn last.
STYLE = {
    "sourced": ("#E69F00", "s"),
    "influenced": ("#56B4E9", "^"),
    "first_touch": ("#009E73", "v"),
    "last_touch": ("#F0E442", "<"),
    "linear": ("#0072B2", ">"),
    "u_shaped": ("#D55E00", "D"),
    "w_shaped": ("#CC79A7", "P"),
    "causal": ("#000000", "o"),
}
LABEL = {
    "sourced": "sourced",
    "influenced": "influenced",
    "first_touch": "first touch",
    "last_touch": "last touch",
    "linear": "linear",
    "u_shaped": "U-shaped",
    "w_shaped": "W-shaped",
    "causal": "causal (switch-off)",
}


def plot_attribution(comp: pd.DataFrame):
    """One panel per market variant; channels along x, each method's mean credit with its 95 % interval."""
    import matplotlib.pyplot as plt

    variants = list(dict.fromkeys(comp["variant"]))
    channels = list(dict.fromkeys(comp["channel"]))
    methods = [*RULES, "causal"]
    fig, axes = plt.subplots(len(variants), 1, figsize=(10, 3.6 * len(variants)), squeeze=False)
    width = 0.8 / len(methods)
    for ax, v in zip(axes[:, 0], variants, strict=True):
        g = comp[comp.variant == v]
        for k, m in enumerate(methods):
            gm = g[g.method == m].set_index("channel").reindex(channels)
            x = np.arange(len(channels)) - 0.4 + width * (k + 0.5)
            colour, marker = STYLE[m]
            err = np.vstack([gm["mean"] - gm["ci_low"], gm["ci_high"] - gm["mean"]]) / 1e6
            ax.errorbar(
                x,
                gm["mean"] / 1e6,
                yerr=err,
                fmt=marker,
                color=colour,
                mec="black" if m != "causal" else colour,
                mew=0.5,
                ms=7 if m == "causal" else 5,
                capsize=2,
                label=LABEL[m],
                zorder=3 if m == "causal" else 2,
            )
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xticks(np.arange(len(channels)))
        ax.set_xticklabels([c.replace("_", " ") if c != "marketing" else "all marketing" for c in channels])
        for b in np.arange(len(channels) - 1) + 0.5:
            ax.axvline(b, color="#dddddd", lw=0.6)
        ax.set_ylabel("revenue credited (millions)")
        ax.set_title(f"market: {v.replace('_', ' ')}", loc="left", fontsize=10)
    axes[0, 0].legend(ncol=4, fontsize=8, loc="upper left", frameon=False)
    fig.suptitle("Attribution rules against the causal truth (95 % intervals over replications)", fontsize=11)
    fig.tight_layout()
    return fig
