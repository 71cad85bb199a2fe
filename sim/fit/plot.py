"""The fit's pictures: every target against the fitted model with 95 % intervals, and the posterior samples."""

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


def plot_posterior(samples: pd.DataFrame, params: pd.DataFrame, path: Path | None = None):
    """Posterior samples as a pairs plot: each parameter's histogram (mean and 95 % interval marked,
    x-axis spanning its bounds) on the diagonal, every pair's samples below it."""
    names = list(samples.columns)
    d = len(names)
    info = params.set_index("param")
    fig, axes = plt.subplots(d, d, figsize=(max(1.9 * d + 1.2, 6.0), 1.9 * d + 1.2), squeeze=False)

    def edges(name: str) -> np.ndarray:
        p = info.loc[name]
        return np.geomspace(p.low, p.high, 31) if p.log else np.linspace(p.low, p.high, 31)

    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_axis_off()
                continue
            if i == j:
                ax.hist(samples[xj], bins=edges(xj), color="#0072B2", alpha=0.7)
                p = info.loc[xj]
                ax.axvline(p.estimate, color="black", lw=1)
                for v in (p.ci_low, p.ci_high):
                    ax.axvline(v, color="black", lw=0.8, ls="--")
                ax.set_yticks([])
            else:
                ax.scatter(samples[xj], samples[yi], s=3, color="#0072B2", alpha=0.4, lw=0)
                ax.plot(info.loc[xj].estimate, info.loc[yi].estimate, "k+", ms=8)
                ax.set_ylim(info.loc[yi].low, info.loc[yi].high)
                if info.loc[yi].log:
                    ax.set_yscale("log")
            ax.set_xlim(info.loc[xj].low, info.loc[xj].high)
            if info.loc[xj].log:
                ax.set_xscale("log")
            ax.tick_params(labelsize=6)
            if i == d - 1:
                ax.set_xlabel(xj, fontsize=7)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(yi, fontsize=7)
            elif j > 0:
                ax.set_yticklabels([])
    fig.suptitle(
        "Posterior of the fitted parameters (x-axes span the bounds)\n"
        "diagonal: samples, mean (solid) and 95 % interval (dashed); below: pairs, + at the means",
        fontsize=8,
    )
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig, axes
