"""The fit's picture: every target against the fitted model, each with its 95 % interval."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def plot_comparison(comp: pd.DataFrame, path: Path | None = None):
    """One row per target, scaled by the target's value: the export (black) and the model (blue).
    A target of zero has no ratio: it is listed under the axis with both values instead."""
    zero = comp[comp["target"] == 0]
    comp = comp[comp["target"] != 0].reset_index(drop=True)
    n = len(comp)
    fig, ax = plt.subplots(figsize=(8, 0.32 * n + 1.2 + 0.2 * len(zero)))
    y = np.arange(n)[::-1]
    scale = np.abs(comp["target"]).to_numpy()
    for off, (col, colour, marker, label) in zip(
        (0.15, -0.15),
        (("target", "black", "o", "export (95 % sampling interval)"), ("model", "#0072B2", "s", "fitted model (95 %)")),
        strict=True,
    ):
        val = comp[col] / scale
        lo, hi = comp[f"{col}_ci_low"] / scale, comp[f"{col}_ci_high"] / scale
        ax.errorbar(val, y + off, xerr=[val - lo, hi - val], fmt=marker, color=colour, ms=4, capsize=2, label=label)
    bad = ~comp["agrees"].to_numpy()
    ax.set_yticks(y, [f"{nm}{'  *' if b else ''}" for nm, b in zip(comp["name"], bad, strict=True)], fontsize=7)
    ax.axvline(1.0, color="grey", lw=0.6, ls=":")
    xlabel = "relative to the export's value (* = outside the joint sampling error)"
    for r in zero.itertuples():
        xlabel += f"\n{r.name}: export 0, model {r.model:.3g} (not drawn: no ratio to a zero target)"
    ax.set_xlabel(xlabel)
    ax.set_title("Targets from the export against the fitted model")
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig, ax
